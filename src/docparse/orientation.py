"""Turn a page image upright: 90/180/270° rotation and small skew, from Tesseract's OSD
and page-layout analysis on a downscaled copy (a few hundred ms a page)."""

from __future__ import annotations

import math
import os
import threading
from dataclasses import dataclass
from typing import Any

from PIL import Image

# Analysis on a copy no larger than this: orientation and skew need shapes, not detail.
ANALYSIS_SIZE = 1400
MIN_ORIENT_CONF = 1.5  # OSD confidence to turn a page by its word alone
MIN_ORIENT_CONF_SIDEWAYS = 0.5  # enough when the layout also sees vertical text lines
MIN_SKEW_DEG = 0.3
MAX_SKEW_DEG = 10.0

_local = threading.local()


@dataclass
class Orientation:
    rotation: int = 0  # degrees counter-clockwise that make the page upright
    skew: float = 0.0  # degrees counter-clockwise that straighten the lines
    script: str | None = None
    script_conf: float = 0.0


def _apis(tessdata: str) -> tuple[Any, Any]:
    apis = getattr(_local, "apis", None)
    if apis is None:
        os.environ.setdefault("OMP_THREAD_LIMIT", "1")
        from tesserocr import PSM, PyTessBaseAPI

        apis = (PyTessBaseAPI(path=tessdata, lang="osd", psm=PSM.OSD_ONLY),
                PyTessBaseAPI(path=tessdata, lang="osd", psm=PSM.AUTO_ONLY))
        _local.apis = apis
    return apis


def detect(image: Image.Image, tessdata: str) -> Orientation:
    osd, layout = _apis(tessdata)
    small = image.convert("L")
    small.thumbnail((ANALYSIS_SIZE, ANALYSIS_SIZE))
    result = Orientation()
    layout.SetImage(small)
    iterator = layout.AnalyseLayout()
    sideways = False
    if iterator is not None:
        _, writing_direction, _, deskew = iterator.Orientation()
        sideways = writing_direction == 2  # WRITING_DIRECTION_TOP_TO_BOTTOM
        degrees = math.degrees(deskew)
        if MIN_SKEW_DEG <= abs(degrees) <= MAX_SKEW_DEG:
            result.skew = degrees
    osd.SetImage(small)
    try:
        found = osd.DetectOrientationScript()
    except RuntimeError:  # too little text to tell
        found = None
    if found:
        result.script, result.script_conf = found["script_name"], found["script_conf"]
        deg, conf = int(found["orient_deg"]), float(found["orient_conf"])
        if deg and (conf >= MIN_ORIENT_CONF or (
                deg in (90, 270) and sideways and conf >= MIN_ORIENT_CONF_SIDEWAYS)):
            result.rotation = deg
            result.skew = 0.0  # measured on the sideways page; measure again upright
    return result


def upright(image: Image.Image, tessdata: str) -> tuple[Image.Image, Orientation]:
    """The page turned upright and straightened, and what was done to it."""
    found = detect(image, tessdata)
    if found.rotation:
        image = image.rotate(found.rotation, expand=True)
        again = detect(image, tessdata)
        found.skew = again.skew
    if found.skew:
        image = image.rotate(found.skew, expand=True, fillcolor="white",
                             resample=Image.Resampling.BICUBIC)
    return image, found
