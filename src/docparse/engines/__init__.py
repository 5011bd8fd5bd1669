"""Engine registry: a name maps to an import path, so a heavy package is imported only
when its engine is used, and a missing package names what to install."""

from __future__ import annotations

import importlib
from concurrent.futures import Executor
from typing import TYPE_CHECKING

from docparse.errors import EngineUnavailable, InvalidOptions
from docparse.settings import VLM_ENGINE

if TYPE_CHECKING:
    from docparse.engines.base import Engine
    from docparse.settings import Settings

ENGINE_PATHS: dict[str, tuple[str, str]] = {
    # name: (module:class, the pip package that provides it)
    "tesseract": ("docparse.engines.tesseract:TesseractEngine", "tesserocr"),
    "ppocr": ("docparse.engines.ppocr:PPOCREngine", "rapidocr onnxruntime"),
    VLM_ENGINE: ("docparse.engines.paddleocr_vl.engine:PaddleOCRVLEngine", "httpx"),
}

OCR_ENGINES = tuple(ENGINE_PATHS)


def create_engine(name: str, settings: Settings, executor: Executor) -> Engine:
    if name not in ENGINE_PATHS:
        raise InvalidOptions(f"unknown engine {name!r}; known: {', '.join(ENGINE_PATHS)}")
    path, package = ENGINE_PATHS[name]
    module_name, class_name = path.split(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise EngineUnavailable(
            f"engine {name!r} needs a package that is not installed ({exc.name}): "
            f"pip install {package}"
        ) from exc
    engine: Engine = getattr(module, class_name)(settings, executor)
    return engine
