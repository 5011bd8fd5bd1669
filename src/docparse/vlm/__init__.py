"""The PaddleOCR-VL route: an OpenAI-compatible client for the vLLM server and the parsers
for the model's output formats."""
