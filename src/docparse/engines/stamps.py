"""Blue stamps and signatures taken off a colour page before Tesseract reads it.

An order's seal and its director's signature are set in blue over the typed line
(`Генеральный директор`): in grey they are ink like the text, and Tesseract reads the
line as `Генеральнь` or not at all. Their ink is bluer than black text and its fringe;
a seal's ring and a signature's strokes are large and sparse, where blue words are a
line high and a blue panel is solid. Blue ink within such a mark's box (the seal's
lettering) goes with it; black text, and the black over the blue, stays."""

from __future__ import annotations

import math

import cv2
import numpy as np
from PIL import Image

# Blue over the larger of red and green: a faded seal's ink is 25-60 over, black text and
# its JPEG fringe 0-10.
BLUE_EXCESS = 20
MIN_MARK_IN = 0.5  # a seal's ring or a signature spans this much both ways (inches)…
# …and its ink fills no more of its box: a seal with a signature over it 0.10-0.14, two
# lines of a blue heading 0.30, a panel more.
MAX_MARK_FILL = 0.2
# Black text under a seal's ink is up to this much bluer (its median); past it a pixel
# is lightened LIFT grey levels a level of blue: a signature's stroke (30-50) goes white.
TEXT_EXCESS, LIFT = 12, 8
JOIN_IN = 0.02  # a stroke's breaks joined, not two lines of blue words
ANALYSIS_DPI = 100
# A straight run this long (inches) across or down: a blue table's or frame's rule, whose
# cells hold text; a seal's ring and a signature's strokes bend long before.
MIN_RULE_IN = 1.0


def without_stamps(image: Image.Image, dpi: float) -> Image.Image:
    """`image` in grey with its blue seals and signatures turned to paper; the plain
    grey image when it has none (or no colour)."""
    gray = image.convert("L")
    if image.mode != "RGB" or not 0 < dpi < math.inf:
        return gray
    red, green, blue_channel = cv2.split(np.asarray(image))
    excess = cv2.subtract(blue_channel, cv2.max(red, green))  # saturates at 0
    blue = excess >= BLUE_EXCESS
    span = MIN_MARK_IN * dpi
    if np.count_nonzero(blue) < span:
        return gray
    # Marks are found on a coarse grid (ANALYSIS_DPI): their boxes need no detail, and a
    # page at the pixel limit would need gigabytes of labels at full size.
    step = max(1, int(dpi // ANALYSIS_DPI))
    rows, cols = blue.shape[0] // step, blue.shape[1] // step
    if not rows or not cols:
        return gray
    # Blue pixels per cell from the running sums (summing the cells' own axes takes ten
    # times as long on a page).
    sums = cv2.integral(blue.view(np.uint8))[::step, ::step][: rows + 1, : cols + 1]
    counts = sums[1:, 1:] - sums[:-1, 1:] - sums[1:, :-1] + sums[:-1, :-1]
    coarse = (counts > 0).astype(np.uint8)
    join = max(1, round(JOIN_IN * dpi / step))
    joined = cv2.dilate(coarse, np.ones((join, join), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    ink = np.bincount(labels.ravel(), weights=counts.ravel(), minlength=count)
    boxes = stats[:, :4].astype(np.int64) * step  # x, y, w, h; label 0 is the paper
    wide, high = boxes[:, 2], boxes[:, 3]
    sparse = (wide >= span) & (high >= span) & (ink <= MAX_MARK_FILL * wide * high)
    sparse[0] = False
    if not sparse.any():  # most colour pages: JPEG fringe, blue words
        return gray
    ruled = np.zeros(count, dtype=bool)
    ruled[labels[_rules(coarse, round(MIN_RULE_IN * dpi / step))]] = True
    marks = np.zeros(blue.shape, dtype=bool)
    for x, y, w, h in boxes[sparse & ~ruled]:
        marks[y : y + h, x : x + w] = True
    if not marks.any():
        return gray
    # Lightened by how blue it is: the mark's ink goes white, black text under it
    # (bluish where the ink lies over it) stays dark enough to read.
    lift = np.clip(excess[marks].astype(np.int16) - TEXT_EXCESS, 0, None) * LIFT
    out = np.asarray(gray).copy()
    out[marks] = np.clip(out[marks] + lift, 0, 255).astype(np.uint8)
    return Image.fromarray(out, "L")


def _rules(ink: np.ndarray, length: int) -> np.ndarray:
    """Where `ink` runs straight across or down for `length` cells or more."""
    across = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, max(2, length)), np.uint8))
    down = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((max(2, length), 1), np.uint8))
    ruled: np.ndarray = (np.asarray(across) > 0) | (np.asarray(down) > 0)
    return ruled
