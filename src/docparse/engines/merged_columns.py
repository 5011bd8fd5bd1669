"""Columns Tesseract ran together. On a leaflet's spread of narrow columns its layout
analysis may find no column at all and make each text line run across the page; where
the columns' lines do not share their baselines, such a "line" holds parts of two rows
and reads as garbage ('рии апевтом, т PAH OB OM консулелации'). It shows as lines that
cross a gutter of white paper with a column's text each side, off each other's baseline;
the gutter runs down past the lines above and below. That stretch is read again column
by column; a table's rows cross its gutters too, but on one baseline and in cells
narrower than a column."""

from __future__ import annotations

import itertools
import statistics
from dataclasses import dataclass

import numpy as np

from docparse.document import Line

MIN_GUTTER = 1.5  # a gutter's width, in text heights
MIN_SIDE = 6.0  # the text each side of it, in text heights: a column's, not a table cell's
OFF_BASELINE = 0.35  # text heights between the two sides' ink: rows of two columns
MIN_MERGED_LINES = 2  # lines that hold rows of two columns: fewer read well enough
MAX_GUTTER_INK = 0.01  # share of a gutter's height that may be ink (specks, a dash)


@dataclass(frozen=True)
class Stretch:
    """Part of the page (pixels) to read again: from `top` to `bottom`, in the columns
    between `edges` (x, left to right: the stretch's left edge, each gutter's middle, its
    right edge)."""

    top: int
    bottom: int
    edges: tuple[int, ...]

    def columns(self) -> list[tuple[int, int, int, int]]:
        """Each column's box (x0, y0, x1, y1)."""
        return [(a, self.top, b, self.bottom) for a, b in itertools.pairwise(self.edges)]


def merged_stretch(lines: list[Line], ink: np.ndarray) -> Stretch | None:
    """The stretch of the page whose lines run across a column gutter, with rows of two
    columns in one line, or None. `ink` is the page as Tesseract binarised it (True ink)."""
    heights = [ln.bbox.height for ln in lines if len(ln.text) >= 3]
    if len(heights) < 2 * MIN_MERGED_LINES:
        return None
    text = statistics.median(heights)
    seams = {id(ln): _seams(ln, ink, text) for ln in lines}
    merged = [ln for ln in lines if seams[id(ln)]]
    if len(merged) < MIN_MERGED_LINES:
        return None
    top, bottom = min(ln.bbox.y0 for ln in merged), max(ln.bbox.y1 for ln in merged)
    left, right = min(ln.bbox.x0 for ln in merged), max(ln.bbox.x1 for ln in merged)
    # Only the gutters between two columns' text: a table beside the text keeps its own.
    between = [seam for ln in merged for seam in seams[id(ln)]]
    gutters = [
        (a, b)
        for a, b in _gutters(ink, round(top), round(bottom), round(left), round(right), text)
        if any(e < b and s > a for e, s in between)
    ]
    if not gutters:
        return None
    # The stretch runs up and down past every line over it that crosses the same gutters.
    over = [ln for ln in lines if ln.bbox.x0 < right and ln.bbox.x1 > left]
    for line in sorted(over, key=lambda ln: -ln.bbox.y1):
        if line.bbox.y1 <= top and _crosses(line, gutters, ink, text):
            top = min(top, line.bbox.y0)
        elif line.bbox.y1 <= top:
            break
    for line in sorted(over, key=lambda ln: ln.bbox.y0):
        if line.bbox.y0 >= bottom and _crosses(line, gutters, ink, text):
            bottom = max(bottom, line.bbox.y1)
        elif line.bbox.y0 >= bottom:
            break
    middles = tuple(round((a + b) / 2) for a, b in gutters)
    return Stretch(round(top), round(bottom), (round(left), *middles, round(right)))


def _seams(line: Line, ink: np.ndarray, text: float) -> list[tuple[int, int]]:
    """The gaps (x0, x1) where the line crosses from one column's text to another's,
    off its baseline: rows of two columns in one line. The two sides' ink is compared by
    its middle height; a table's row crossing its column gap sits on one baseline, and
    its cells are narrower than a column."""
    box = line.bbox
    x0, y0, x1, y1 = max(round(box.x0), 0), max(round(box.y0), 0), round(box.x1), round(box.y1)
    if x1 - x0 < 2 * MIN_SIDE * text:
        return []
    band = ink[y0:y1, x0:x1]
    rows = np.arange(band.shape[0])
    seams = []
    for (a, b), (c, d) in itertools.pairwise(_pieces(band.sum(axis=0) > 0, MIN_GUTTER * text)):
        if min(b - a, d - c) < MIN_SIDE * text:
            continue
        left, right = band[:, a:b].sum(axis=1), band[:, c:d].sum(axis=1)
        middles = [float((p * rows).sum() / max(p.sum(), 1)) for p in (left, right)]
        if abs(middles[0] - middles[1]) > OFF_BASELINE * text:
            seams.append((x0 + b, x0 + c))
    return seams


def _pieces(inked: np.ndarray, gap: float) -> list[tuple[int, int]]:
    """Runs (x0, x1) of `inked` columns parted by at least `gap` blank ones."""
    xs = np.flatnonzero(inked)
    if xs.size == 0:
        return []
    breaks = np.flatnonzero(np.diff(xs) > gap)
    starts = [int(xs[0]), *(int(xs[i + 1]) for i in breaks)]
    ends = [*(int(xs[i]) + 1 for i in breaks), int(xs[-1]) + 1]
    return list(zip(starts, ends, strict=True))


def _gutters(
    ink: np.ndarray, top: int, bottom: int, left: int, right: int, text: float
) -> list[tuple[int, int]]:
    """White columns (x0, x1) at least MIN_GUTTER text heights wide inside the box, not
    at its edges."""
    band = ink[max(top, 0) : bottom, max(left, 0) : right]
    if band.size == 0:
        return []
    white = band.sum(axis=0) <= MAX_GUTTER_INK * band.shape[0]
    gutters, start = [], None
    for x, clear in enumerate(white):
        if clear and start is None:
            start = x
        elif not clear and start is not None:
            if start > 0 and x - start >= MIN_GUTTER * text:
                gutters.append((left + start, left + x))
            start = None
    return gutters


def _crosses(line: Line, gutters: list[tuple[int, int]], ink: np.ndarray, text: float) -> bool:
    """Does the line run across every gutter, a gap in it at each? A column's lines
    start and end a little in and out, so the gap need only meet the gutter."""
    box = line.bbox
    x0, x1 = max(round(box.x0), 0), round(box.x1)
    if not all(x0 < a and b < x1 for a, b in gutters):
        return False
    band = ink[max(round(box.y0), 0) : round(box.y1), x0:x1]
    pieces = _pieces(band.sum(axis=0) > 0, MIN_GUTTER * text)
    gaps = [(x0 + e, x0 + s) for (_, e), (s, _) in itertools.pairwise(pieces)]
    return all(any(e < b and s > a for e, s in gaps) for a, b in gutters)
