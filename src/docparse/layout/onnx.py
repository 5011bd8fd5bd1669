"""One way to open a layout model with ONNX Runtime on the CPU."""

from __future__ import annotations

from pathlib import Path
from typing import Any


class SessionError(Exception):
    """onnxruntime is missing (`missing`) or cannot load the file; callers say which model."""

    def __init__(self, message: str, missing: bool = False) -> None:
        super().__init__(message)
        self.missing = missing


def cpu_session(path: Path, threads: int) -> Any:
    try:
        import onnxruntime as ort
    except ImportError as exc:
        raise SessionError("onnxruntime is not installed", missing=True) from exc
    options = ort.SessionOptions()
    # Pages already run in parallel: a layout model gets few threads of its own.
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    try:
        return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own untyped errors
        raise SessionError(f"onnxruntime cannot load {path.name}: {exc}") from exc
