"""List bullets put back where Tesseract read them as letters. Neither the Latin nor the
Cyrillic model has `•` or `▪` in its alphabet, so a bullet comes back as whatever sign
is nearest (`¢`, `@`, `e`, `ы`, `/`), and only the ink tells it: a line's first word that
is one solid, squarish blob centred on the middle of the letters after it is a bullet,
whatever was read. Letters and signs have counters or strokes (`e`, `a`, `°`, `*`) or
other proportions (`-`, `l`); a letter whose counters a bold face and a blur have filled
still sits on the baseline, where a round bullet does not; a comma or a full stop sits
low."""

from __future__ import annotations

import cv2
import numpy as np

from docparse.document import BBox, Line
from docparse.structure.typography import CORE_SHARE

BULLET = "•"
MAX_CHARS = 2  # a bullet is read as one sign, or two (`m@`)
MIN_SHARE = 0.9  # of the ink in the word's box, in its largest blob: one mark, no more
MAX_HOLES = 0.1  # of the blob's area (a reversed label, `A3` in a black box, has holes)
MAX_ASPECT = 1.5  # width to height, either way
MIN_FILL = 0.7  # of the mark's box: a disc fills 0.79, a bold blurred `a` up to 0.77…
SQUARE_FILL = 0.95  # …a square all of it, on the baseline too (`▪` in DejaVu Sans)
MIN_PIXELS = 4  # a smaller mark is a speck or a leader dot
# In x-heights of the word after the mark: the mark's least height; the widest gap to that
# word (a list's indent: 1-4; more, and the mark is another column's); how far the mark's
# middle may lie from the letters' (bullets: up to 0.25; a comma, a full stop: 0.3 and
# more); and how far a round mark's bottom lies from the baseline at least (bullets:
# 0.1-0.5; letters: none).
MIN_HEIGHT = 0.3
MAX_GAP = 5
MAX_MIDDLE = 0.3
OFF_BASELINE = 0.08


def mark_bullets(lines: list[Line], ink: np.ndarray) -> bool:
    """Each line's first word that `ink` (True where the page is dark) shows is a bullet
    written `•`, in the line's text and its words. Whether any line changed."""
    changed = False
    for line in lines:
        if len(line.words) < 2:  # a lone mark is no list item
            continue
        (text, box), (next_text, after) = line.words[:2]
        if len(text) > MAX_CHARS or text == BULLET or not line.text.startswith(text):
            continue
        if not any(ch.isalnum() for ch in next_text):  # leader dots, not a list item
            continue
        if _is_bullet(ink, box, after):
            line.words[0] = (BULLET, box)
            line.text = BULLET + line.text[len(text) :]
            changed = True
    return changed


def _is_bullet(ink: np.ndarray, box: BBox, after: BBox) -> bool:
    mark, band = _blob(ink, box), _x_band(ink, after)
    if mark is None or band is None:
        return False
    (top, bottom, fill), (x_top, baseline) = mark, band
    x_height = baseline - x_top
    if (
        after.x0 - box.x1 > MAX_GAP * x_height
        or bottom - top < max(MIN_PIXELS, MIN_HEIGHT * x_height)
        or abs(top + bottom - x_top - baseline) / 2 > MAX_MIDDLE * x_height
    ):
        return False
    off_baseline = abs(bottom - baseline) >= OFF_BASELINE * x_height
    return fill >= SQUARE_FILL or (fill >= MIN_FILL and off_baseline)


def _blob(ink: np.ndarray, box: BBox) -> tuple[int, int, float] | None:
    """(top, bottom, fill) of the one squarish blob without holes that is the ink in
    `box`, on the page; None when the ink is anything else."""
    x0, y0 = round(box.x0), round(box.y0)
    patch = ink[y0 : round(box.y1), x0 : round(box.x1)].astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(patch, connectivity=8)
    if count < 2:
        return None
    blob = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    _, y, width, height, area = (int(v) for v in stats[blob])
    if area < MIN_SHARE * int(patch.sum()) or not 1 / MAX_ASPECT <= width / height <= MAX_ASPECT:
        return None
    outline, _ = cv2.findContours(
        (labels == blob).astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE
    )
    solid = cv2.drawContours(np.zeros_like(patch), outline, -1, 1, thickness=cv2.FILLED)
    if int(solid.sum()) > (1 + MAX_HOLES) * area:
        return None
    return y0 + y, y0 + y + height, area / (width * height)


def _x_band(ink: np.ndarray, box: BBox) -> tuple[int, int] | None:
    """(top, baseline) of the rows holding most of the word's ink, on the page: measured
    on the word right after the mark, where skew cannot move the baseline."""
    y0 = round(box.y0)
    rows = np.count_nonzero(ink[y0 : round(box.y1), round(box.x0) : round(box.x1)], axis=1)
    if rows.size == 0 or not rows.any():
        return None
    core = np.flatnonzero(rows >= CORE_SHARE * rows.max())
    return y0 + int(core[0]), y0 + int(core[-1]) + 1
