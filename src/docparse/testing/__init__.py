"""Tools for testing and benchmarking docparse without a GPU."""
