"""A page's text columns, for the borderless table search: on a two-column page every
text line runs across both columns, so a small table inside one column (a list of
payroll periods and amounts beside prose) is hidden among rows of prose. Each column
of prose is searched on its own too."""

from __future__ import annotations

import math

import numpy as np

from docparse.tables.lines import line_height, text_lines
from docparse.tables.model import Word

MIN_GUTTER_EMS = 1.0  # the white strip between two columns
MAX_BINS = 5000  # units across the page, at most (a page in points has fewer)
MAX_CROSSING = 2  # words across the strip: a heading over both columns
MIN_SIDE_SHARE = 0.25  # of the words, each side
PROSE_WORDS = 5  # a prose line's words
MIN_PROSE_SHARE = 0.4  # of a side's lines: prose, so the sides are columns of a page
MIN_PROSE_LINES = 8  # ... and at least so many: running text, not a slide's lists


def prose_columns(words: list[Word]) -> list[list[Word]]:
    """The words of each column of prose, left to right, when a white strip runs down
    the page between two; [] when the page is not set in columns (a wide table's
    columns are no prose)."""
    upright = [w for w in words if w.text.strip() and w.upright]
    if len(upright) < 20:
        return []
    em = line_height(upright)
    x0 = min(w.bbox.x0 for w in upright)
    x1 = max(w.bbox.x1 for w in upright)
    if not math.isfinite(x1 - x0):
        return []
    unit = max(1.0, (x1 - x0) / MAX_BINS)  # a bounded array whatever the coordinates
    cover = np.zeros(int((x1 - x0) / unit) + 2, dtype=np.int32)
    for w in upright:  # words over each unit across the page
        cover[int((w.bbox.x0 - x0) / unit)] += 1
        cover[int((max(w.bbox.x1, w.bbox.x0) - x0) / unit) + 1] -= 1
    cover = np.cumsum(cover)
    gutter = _widest_gap(cover <= MAX_CROSSING, 0.25, 0.75)
    if gutter is None or (gutter[1] - gutter[0]) * unit < MIN_GUTTER_EMS * em:
        return []
    split = x0 + (gutter[0] + gutter[1]) / 2 * unit
    sides = [[w for w in words if w.cx < split], [w for w in words if w.cx >= split]]
    if any(len(side) < MIN_SIDE_SHARE * len(words) or not _prose(side) for side in sides):
        return []
    return sides


def _widest_gap(free: np.ndarray, lo: float, hi: float) -> tuple[int, int] | None:
    """The widest run of free units that lies between `lo` and `hi` of the width."""
    best: tuple[int, int] | None = None
    start = None
    for i, ok in enumerate([*free.tolist(), False]):
        if ok and start is None:
            start = i
        elif not ok and start is not None:
            inside = start >= lo * len(free) and i <= hi * len(free)
            if inside and (best is None or i - start > best[1] - best[0]):
                best = (start, i)
            start = None
    return best


def _prose(words: list[Word]) -> bool:
    lines = text_lines(words)
    prose = sum(len(line) >= PROSE_WORDS for line in lines)
    return prose >= max(MIN_PROSE_LINES, MIN_PROSE_SHARE * len(lines))
