"""CPU layout for the VLM route when no layout model is configured: Tesseract's page
analysis gives blocks with a type and their order, without recognising any text."""

from __future__ import annotations

import os
import threading
from typing import Any

from PIL import Image

from docparse.document import BBox, Label
from docparse.layout.boxes import LayoutBox

_local = threading.local()


def _block_labels() -> dict[int, Label | None]:
    from tesserocr import PT

    return {
        PT.FLOWING_TEXT: Label.text,
        PT.HEADING_TEXT: Label.paragraph_title,
        PT.PULLOUT_TEXT: Label.aside_text,
        PT.VERTICAL_TEXT: Label.vertical_text,
        PT.CAPTION_TEXT: Label.figure_title,
        PT.TABLE: Label.table,
        PT.EQUATION: Label.display_formula,
        PT.INLINE_EQUATION: Label.display_formula,
        PT.FLOWING_IMAGE: Label.image,
        PT.HEADING_IMAGE: Label.image,
        PT.PULLOUT_IMAGE: Label.image,
        PT.HORZ_LINE: None,
        PT.VERT_LINE: None,
        PT.NOISE: None,
        PT.UNKNOWN: None,
    }


def _api(tessdata: str) -> Any:
    api = getattr(_local, "api", None)
    if api is None:
        os.environ.setdefault("OMP_THREAD_LIMIT", "1")
        from tesserocr import PSM, PyTessBaseAPI

        api = _local.api = PyTessBaseAPI(
            path=tessdata.rstrip("/") + "/", lang="osd", psm=PSM.AUTO_ONLY
        )
    return api


def tesseract_layout(image: Image.Image, tessdata: str) -> list[LayoutBox]:
    """Blocks in Tesseract's reading order; lines and noise dropped."""
    from tesserocr import RIL

    labels = _block_labels()
    api = _api(tessdata)
    api.SetImage(image.convert("L"))
    iterator = api.AnalyseLayout()
    boxes: list[LayoutBox] = []
    if iterator is None:
        return boxes
    while True:
        label = labels.get(iterator.BlockType())
        box = iterator.BoundingBox(RIL.BLOCK)
        if label is not None and box:
            x0, y0, x1, y1 = box
            boxes.append(LayoutBox(label, 1.0, BBox(x0=x0, y0=y0, x1=x1, y1=y1), len(boxes) + 1))
        if not iterator.Next(RIL.BLOCK):
            break
    return boxes


class TesseractLayout:
    """Tesseract's page analysis behind the layout-detector protocol (no model file)."""

    name = "tesseract"
    model_path = None

    def __init__(self, tessdata: str) -> None:
        self.tessdata = tessdata

    def load(self) -> None:
        _api(self.tessdata)

    def detect(self, image: Image.Image, threshold: float = 0.0) -> list[LayoutBox]:
        return tesseract_layout(image, self.tessdata)
