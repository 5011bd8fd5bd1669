"""Tools for the people who run and develop docparse, not part of a request: the GPU
image's supervisor, model weights, benchmarks and the evaluation harness."""
