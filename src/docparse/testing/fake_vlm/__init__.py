"""A stand-in for the PaddleOCR-VL server (vLLM's OpenAI-compatible API) for tests and
benchmarks: `server` (the HTTP server and its knobs), `protocol` (vLLM's checks, errors and
answers), `responder` (answers in the model's
formats); `python -m docparse.testing.fake_vlm` runs one in its own process."""

from docparse.testing.fake_vlm.responder import (
    CHART,
    DEFAULT_MODELS,
    FORMULA,
    OCR,
    PROMPTS,
    SEAL,
    SPOTTING,
    TABLE,
    Responder,
    bare_loc_spotting,
    default_responder,
    malformed_otsl,
    repetition_loop,
)
from docparse.testing.fake_vlm.server import Call, FakeVLM

__all__ = [
    "CHART",
    "DEFAULT_MODELS",
    "FORMULA",
    "OCR",
    "PROMPTS",
    "SEAL",
    "SPOTTING",
    "TABLE",
    "Call",
    "FakeVLM",
    "Responder",
    "bare_loc_spotting",
    "default_responder",
    "malformed_otsl",
    "repetition_loop",
]
