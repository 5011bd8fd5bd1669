"""Where a Document page's pixels lie on its PDF page. OCR reads the page drawn as it is
displayed (PDFium: CropBox ∩ MediaBox, turned by /Rotate), then turned upright and
deskewed (pipeline/orientation.py: PIL rotations about the centre, canvas expanded);
boxes are in that upright image's pixels, origin top-left. `pixels_to_user` undoes each
step, so text placed in those pixels lands on the ink in the PDF's user space."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pikepdf
from pikepdf import Matrix

from docparse.document import Page

LETTER = (0.0, 0.0, 612.0, 792.0)  # PDFium's page when the MediaBox is missing or empty


@dataclass(frozen=True)
class PageBox:
    """The visible box of a PDF page in user space, and its clockwise /Rotate."""

    left: float
    bottom: float
    width: float  # unrotated
    height: float
    rotate: int = 0

    @property
    def display(self) -> tuple[float, float]:
        """Width and height as shown, in points."""
        turned = self.rotate in (90, 270)
        return (self.height, self.width) if turned else (self.width, self.height)

    @classmethod
    def of(cls, page: pikepdf.Page) -> PageBox:
        """As PDFium sees it: the CropBox clipped to the MediaBox, /Rotate in quarter
        turns (a value that is no multiple of 90 is rounded down to one)."""
        media = _rect(page.mediabox) or LETTER
        crop = _rect(page.cropbox) or media
        x0, y0 = max(crop[0], media[0]), max(crop[1], media[1])
        x1, y1 = min(crop[2], media[2]), min(crop[3], media[3])
        if x1 <= x0 or y1 <= y0:
            x0, y0, x1, y1 = media
        return cls(x0, y0, x1 - x0, y1 - y0, (page.rotation // 90) * 90 % 360)


def _rect(box: object) -> tuple[float, float, float, float] | None:
    try:
        a, b, c, d = (float(v) for v in box)  # type: ignore[attr-defined]
    except (TypeError, ValueError):
        return None
    rect = (min(a, c), min(b, d), max(a, c), max(b, d))
    return rect if rect[2] > rect[0] and rect[3] > rect[1] else None


def pixels_to_user(page: Page, box: PageBox) -> Matrix:
    """The matrix taking (x, y) in `page`'s upright pixels (y down) to user space."""
    straight, drawn = unskew(page)
    return straight @ drawn_to_user(page, box, drawn)


def unskew(page: Page) -> tuple[Matrix, tuple[float, float]]:
    """The deskew undone: upright pixels to those of the page before it (turned but
    not straightened), and that canvas's size, found from the expanded one (|skew| is
    at most 10°, so the two sizes determine it)."""
    width, height = page.width, page.height
    theta = math.radians(page.skew)
    cos, sin = math.cos(theta), math.sin(theta)
    c, s, det = abs(cos), abs(sin), cos * cos - sin * sin
    before = ((width * c - height * s) / det, (height * c - width * s) / det)
    straight = (
        Matrix(1, 0, 0, 1, -width / 2, -height / 2)
        @ Matrix(cos, sin, -sin, cos, 0, 0)  # y down: turned back by `skew`
        @ Matrix(1, 0, 0, 1, before[0] / 2, before[1] / 2)
    )
    return straight, before


def drawn_to_user(page: Page, box: PageBox, size: tuple[float, float]) -> Matrix:
    """Pixels of the turned page (`size`, before any deskew) to user space: the quarter
    turn undone (PIL turned the page as drawn counter-clockwise), scaled to points, the
    display's orientation and origin undone."""
    turn = page.rotation % 360
    drawn = (size[1], size[0]) if turn in (90, 270) else size
    unturn = {
        0: Matrix(),
        90: Matrix(0, 1, -1, 0, drawn[0], 0),
        180: Matrix(-1, 0, 0, -1, drawn[0], drawn[1]),
        270: Matrix(0, -1, 1, 0, 0, drawn[1]),
    }[turn]
    shown = box.display
    scale = Matrix(shown[0] / drawn[0], 0, 0, shown[1] / drawn[1], 0, 0)
    return unturn @ scale @ display_to_user(box)


def display_to_user(box: PageBox) -> Matrix:
    """Points on the page as displayed (origin top-left, y down) to user space."""
    x, y, w, h = box.left, box.bottom, box.width, box.height
    return {
        0: Matrix(1, 0, 0, -1, x, y + h),
        90: Matrix(0, 1, 1, 0, x, y),
        180: Matrix(-1, 0, 0, 1, x + w, y),
        270: Matrix(0, -1, -1, 0, x + w, y + h),
    }[box.rotate]
