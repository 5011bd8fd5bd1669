"""Text size and weight of OCR lines, measured on the page's ink: OCR engines give
neither, and headings are told by them."""

from __future__ import annotations

import statistics
from collections.abc import Callable

import numpy as np

from docparse.document import Line

# The x-height is about half the em: sizes come out comparable to font sizes in pixels.
EM_PER_X_HEIGHT = 2.0
# In a line of capitals and digits the fullest band is the cap height, ~1.4 x-heights.
X_PER_CAP_HEIGHT = 0.72
CORE_SHARE = 0.35  # rows this inked (of the fullest, often a run of bars): the x-band
# Stems this much wider than the page's median line are bold… A scan's ink spread adds
# the same pixel or so to every stem: a serif bold 1.45x regular in print measures
# 1.33-1.45x at 200 dpi, while regular lines (a signature line's rule too) stay under 1.25x.
BOLD_RATIO = 1.3
MIN_LINES = 3  # …when the page has body text to compare with…
MAX_SPREAD = 0.15  # …and its regular lines agree (quartiles this far apart: a poor scan)
# Stems for the size agree less (hinting thins small type): two body sizes may differ
# by this much.
MAX_SIZED_SPREAD = 0.25
BODY_CLUSTER = 1.25  # strokes under this times the median are the regular lines
# Italic: ink sheared upright by a slant of 12° stacks this much sharper than sheared
# the other way (italic faces measure 1.3-1.5, upright ones under 1.0); lines shorter
# or lower than this say too little.
ITALIC_SHEAR, ITALIC_RATIO = 0.21, 1.2
MIN_SLANT_HEIGHT, MIN_SLANT_LETTERS = 8, 4


def _ink_of(ink: np.ndarray, line: Line) -> np.ndarray:
    """The page's ink inside the line's box."""
    b = line.bbox
    return ink[max(0, int(b.y0)) : int(b.y1) + 1, max(0, int(b.x0)) : int(b.x1) + 1]


def measure(ink: np.ndarray, line: Line) -> tuple[float, float]:
    """(x-height, stroke width) of the line in ink (True = ink). The x-height is the band
    of rows holding most ink, steadier than the box, which grows with ascenders,
    descenders and skew; the stroke width is the mean horizontal ink run, about a stem."""
    crop = _ink_of(ink, line)
    if crop.size == 0 or not crop.any():
        return 0.0, 0.0
    rows = np.count_nonzero(crop, axis=1)
    x_height = float(np.count_nonzero(rows >= CORE_SHARE * float(rows.max())))
    starts = int(np.count_nonzero(crop[:, 1:] & ~crop[:, :-1]) + np.count_nonzero(crop[:, 0]))
    return x_height, float(np.count_nonzero(crop)) / max(1, starts)


def slanted(ink: np.ndarray, line: Line) -> bool:
    """Is the line set in italic? Its ink, sheared upright by an italic's slant, stacks
    into sharper columns than sheared the other way: upright stems stack best unsheared,
    and sheared either way alike."""
    crop = _ink_of(ink, line)
    if (
        crop.shape[0] < MIN_SLANT_HEIGHT
        or sum(ch.isalpha() for ch in line.text) < MIN_SLANT_LETTERS
    ):
        return False
    ahead, back = (_stacked(crop, shear) for shear in (ITALIC_SHEAR, -ITALIC_SHEAR))
    return ahead >= ITALIC_RATIO * max(back, 1.0)


def _stacked(crop: np.ndarray, shear: float) -> float:
    """How sharply the crop's ink stacks into columns, each row shifted left by `shear`
    times its height above the bottom row: the sum of the squared column counts."""
    height, width = crop.shape
    pad = int(abs(shear) * height) + 1
    columns = np.zeros(width + 2 * pad)
    for row in range(height):
        start = pad - round(shear * (height - 1 - row))
        columns[start : start + width] += crop[row]
    return float(np.dot(columns, columns))


def measure_lines(lines: list[Line], ink: np.ndarray) -> None:
    """Set each line's `size` from its x-height, `italic` from its slant, and `bold`
    where its strokes are clearly heavier than those of the page's median line."""
    found = [measure(ink, ln) for ln in lines]
    for line, (band, _) in zip(lines, found, strict=True):
        line.italic = slanted(ink, line)
        if band:
            tall = sum(c.isupper() or c.isdigit() for c in line.text)
            x_height = band * X_PER_CAP_HEIGHT if tall > sum(map(str.islower, line.text)) else band
            line.size = EM_PER_X_HEIGHT * x_height
    # Weight by the stroke, or by the stroke for the size where a page sets its body in
    # two sizes (a notice in smaller print above the agenda): stems grow with the type.
    measured = [
        (line, stroke, line.size)
        for line, (_, stroke) in zip(lines, found, strict=True)
        if stroke and line.size
    ]
    ways: list[tuple[Callable[[tuple[Line, float, float]], float], float]] = [
        (lambda m: m[1], MAX_SPREAD),
        (lambda m: m[1] / m[2], MAX_SIZED_SPREAD),
    ]
    for weight, spread in ways:
        weights = [weight(m) for m in measured]
        median = _regular_median(
            [w for w, m in zip(weights, measured, strict=True) if len(m[0].text) >= 3], spread
        )
        if median is not None:
            for (line, _, _), w in zip(measured, weights, strict=True):
                line.bold = w >= BOLD_RATIO * median
            return


def _regular_median(weights: list[float], spread: float) -> float | None:
    """The median of the lines' `weights` (of lines of three characters or more); None
    when the page has too few such lines or its regular ones disagree by more than
    `spread` (a poor scan's ink)."""
    if len(weights) < MIN_LINES:
        return None
    median = statistics.median(weights)
    regular = [w for w in weights if w < BODY_CLUSTER * median]
    q1, middle, q3 = statistics.quantiles(regular, n=4) if len(regular) >= 2 else (0, 1, 0)
    if q3 - q1 > spread * middle:  # ink varies too much to tell weight by it
        return None
    return median
