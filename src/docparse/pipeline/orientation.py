"""Turn a page image upright: 90/180/270° rotation and small skew, from Tesseract's OSD
and page-layout analysis on a downscaled copy.

tesserocr holds the GIL during OSD, so `detect` runs in worker processes (it takes plain
bytes and returns a small dataclass); only the cheap image operations stay in threads."""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image

# Analysis on a copy no larger than this: orientation and skew need shapes, not detail.
ANALYSIS_SIZE = 1400  # OSD's confidence drops sharply below this
LAYOUT_SIZE = 1000
MIN_ORIENT_CONF = 1.5  # OSD confidence to turn a page by its word alone
MIN_ORIENT_CONF_SIDEWAYS = 0.5  # enough when the layout also sees vertical text lines
MIN_SKEW_DEG = 0.3
MAX_SKEW_DEG = 10.0
# OSD calls pages of tables and figures upside down at confidences up to 4.5 (ICDAR 2013
# scans): a half turn is read on a band across the page's middle both ways first.
CHECK_BAND = (0.35, 0.6)  # top and bottom of the band, shares of the page's height
MIN_CHECK_WORDS = 5  # fewer in the band: OSD's word stands

_apis: tuple[Any, Any] | None = None  # per worker process
_reader: Any = None  # per worker process, loaded on the first half turn to check
Point = tuple[float, float]
Mover = Callable[[float, float], Point]


@dataclass
class Orientation:
    rotation: int = 0  # degrees counter-clockwise that make the page upright
    skew: float = 0.0  # degrees counter-clockwise that straighten the lines
    script: str | None = None
    script_conf: float = 0.0


def analysis_copy(image: Image.Image) -> tuple[bytes, tuple[int, int]]:
    """A small greyscale copy as raw bytes: cheap to send to a worker process."""
    small = image.convert("L")
    small.thumbnail((ANALYSIS_SIZE, ANALYSIS_SIZE))
    return small.tobytes(), small.size


def _tesseract(tessdata: str) -> tuple[Any, Any]:
    global _apis
    if _apis is None:
        os.environ.setdefault("OMP_THREAD_LIMIT", "1")
        from tesserocr import PSM, PyTessBaseAPI

        _apis = (
            PyTessBaseAPI(path=tessdata, lang="osd", psm=PSM.OSD_ONLY),
            PyTessBaseAPI(path=tessdata, lang="osd", psm=PSM.AUTO_ONLY),
        )
    return _apis


def warm_up(tessdata: str) -> None:
    """Load the OSD models in this worker process."""
    _tesseract(tessdata)


def _layout(layout: Any, small: Image.Image) -> tuple[float, bool]:
    """Skew in degrees, and whether the text lines run vertically (a second opinion for
    OSD), from Tesseract's page layout analysis on a yet smaller copy (angles survive)."""
    smaller = small.copy()
    smaller.thumbnail((LAYOUT_SIZE, LAYOUT_SIZE))
    layout.SetImage(smaller)
    iterator = layout.AnalyseLayout()
    if iterator is None:
        return 0.0, False
    _, writing_direction, _, deskew = iterator.Orientation()
    degrees = math.degrees(deskew)
    skew = degrees if MIN_SKEW_DEG <= abs(degrees) <= MAX_SKEW_DEG else 0.0
    return skew, writing_direction == 2  # WRITING_DIRECTION_TOP_TO_BOTTOM


def detect(pixels: bytes, size: tuple[int, int], tessdata: str) -> Orientation:
    """Rotation, skew (measured on the upright page) and script of a greyscale copy."""
    osd, layout = _tesseract(tessdata)
    small = Image.frombytes("L", size, pixels)
    result = Orientation()
    result.skew, sideways = _layout(layout, small)
    osd.SetImage(small)
    try:
        found = osd.DetectOrientationScript()
    except RuntimeError:  # too little text to tell
        found = None
    if found:
        result.script, result.script_conf = found["script_name"], found["script_conf"]
        deg, conf = int(found["orient_deg"]), float(found["orient_conf"])
        if (
            deg
            and (
                conf >= MIN_ORIENT_CONF
                or (deg in (90, 270) and sideways and conf >= MIN_ORIENT_CONF_SIDEWAYS)
            )
            and (deg != 180 or _reads_better_turned(small, tessdata))
        ):
            result.rotation = deg
            # Skew measured on the sideways page means nothing: measure it upright.
            result.skew, _ = _layout(layout, small.rotate(deg, expand=True))
    return result


def _reads_better_turned(small: Image.Image, tessdata: str) -> bool:
    """Does a band across the page read with more confidence turned half round than as it
    is? Upside-down text reads at 20-55, upright at 40-95, in either script (the Latin
    model is enough to tell)."""
    global _reader
    if _reader is None:
        from tesserocr import PSM, PyTessBaseAPI

        _reader = PyTessBaseAPI(path=tessdata, lang="eng", psm=PSM.AUTO)
    top, bottom = CHECK_BAND
    band = small.crop((0, round(small.height * top), small.width, round(small.height * bottom)))
    scores: list[float] = []
    for image in (band, band.rotate(180)):
        _reader.SetImage(image)
        _reader.Recognize()
        words = _reader.AllWordConfidences()
        if len(words) < MIN_CHECK_WORDS:
            return True
        scores.append(float(sum(words)) / len(words))
    return scores[1] > scores[0]


def apply(image: Image.Image, found: Orientation) -> Image.Image:
    """The page turned and straightened as `found` says."""
    if found.rotation:
        image = image.rotate(found.rotation, expand=True)
    if found.skew:
        image = image.rotate(
            found.skew, expand=True, fillcolor=edge_colour(image), resample=Image.Resampling.BICUBIC
        )
    return image


def movers(found: Orientation, size: tuple[int, int]) -> tuple[Mover, Mover]:
    """Where a point of an image of `size` lands once `apply` has turned it as `found`
    says (PIL turns counter-clockwise about the centre and grows the canvas to fit), and
    back."""
    steps = []
    for degrees in (found.rotation, found.skew):
        if degrees:
            theta = math.radians(degrees)
            cos, sin = math.cos(theta), math.sin(theta)
            width, height = size
            size = (
                round(abs(width * cos) + abs(height * sin)),
                round(abs(width * sin) + abs(height * cos)),
            )
            steps.append((cos, sin, width / 2, height / 2, size[0] / 2, size[1] / 2))

    def there(x: float, y: float) -> Point:
        for cos, sin, cx, cy, nx, ny in steps:
            dx, dy = x - cx, y - cy
            x, y = nx + dx * cos + dy * sin, ny - dx * sin + dy * cos
        return x, y

    def back(x: float, y: float) -> Point:
        for cos, sin, cx, cy, nx, ny in reversed(steps):
            dx, dy = x - nx, y - ny
            x, y = cx + dx * cos - dy * sin, cy + dx * sin + dy * cos
        return x, y

    return there, back


def edge_colour(image: Image.Image) -> Any:
    """The colour round the image's edge (the median of a small copy's border): what the
    corners a deskew uncovers are filled with — white paper on a scan, the page's own
    colour on a flattened photo or a tinted page — so they read as more of the page, not
    as white triangles beside it."""
    small = image.copy()
    small.thumbnail((64, 64))
    pixels = np.asarray(small)
    ring = np.concatenate([pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]])
    colour = np.median(ring, axis=0)
    return int(colour) if colour.ndim == 0 else tuple(int(c) for c in colour)
