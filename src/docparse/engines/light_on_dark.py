"""White text on dark fills (a table's header bar, a shaded label column) made dark text
on white before OCR. Tesseract binarises the whole page with one threshold: a dark grey
cell turns black with its white words in it, and a mid-grey one keeps its fill as noise
around them; either way the words are lost, where a plain reading of the same cells,
flipped, is easy."""

from __future__ import annotations

import math

import cv2
import numpy as np
from PIL import Image

from docparse.tables.ruling import filled_blocks

# A fill: darker than this grey level, solid over blocks at least FILL_IN thick (inches),
# its text at least TEXT_CONTRAST lighter than it.
MAX_FILL, FILL_IN, TEXT_CONTRAST = 200, 0.035, 50
# A flat fill: this share of it within FLAT grey levels of its median (a photo is not);
# its light text mostly inside its outline (the paper round a headline's letter is not).
FLAT, FLAT_SHARE, ENCLOSED_SHARE = 20, 0.5, 0.5
PANEL_SHARE = 0.9  # of its box: a rectangular fill (a text box, a cell), not a letter
# Light marks in a row inside a fill's outline, this many or more: words set in it,
# however much paper its box takes in beside it (a leaflet's head band with tabs hanging
# from it). A pictogram's light details stand in no such row.
WORD_MARKS = 12
# Light beyond a fill's outline larger than NOTCH × NOTCH fill thicknesses is paper, not
# the part of a letter that cuts into the outline.
NOTCH = 4


def lighten_dark_fills(gray: Image.Image, dpi: float) -> Image.Image:
    """`gray` with each filled block whose text is lighter than its fill remapped: the
    fill to white, its text to black. Pages with no such block are returned as they are."""
    pixels = np.asarray(gray)
    size = max(3, round(FILL_IN * dpi))
    out: np.ndarray | None = None
    for (x, y, w, h), enclosing in filled_blocks(pixels, MAX_FILL, size):
        # Counted by grey level: a page's fills are millions of pixels, mostly pictures.
        levels = np.bincount(pixels[y : y + h, x : x + w][enclosing], minlength=256)
        fill = _median(levels)
        near_fill = levels[max(0, math.ceil(fill - FLAT)) : math.floor(fill + FLAT) + 1]
        if near_fill.sum() < FLAT_SHARE * levels.sum():
            continue  # a picture, not a flat fill
        region = pixels[y : y + h, x : x + w].astype(np.float32)
        inside = enclosing.astype(np.uint8)
        lighter = (region > fill + TEXT_CONTRAST).astype(np.uint8)
        lighter[:2], lighter[-2:], lighter[:, :2], lighter[:, -2:] = 0, 0, 0, 0  # its edge
        # Light cells set in the fill (a form's white fields, a badge in a header band)
        # keep their own dark text as it is; the fill around them is judged without them.
        wide = cv2.getStructuringElement(cv2.MORPH_RECT, (2 * size, 2 * size))
        outlines, _ = cv2.findContours(
            cv2.morphologyEx(lighter, cv2.MORPH_OPEN, wide),
            cv2.RETR_EXTERNAL,
            cv2.CHAIN_APPROX_SIMPLE,
        )
        darker = region < fill - TEXT_CONTRAST
        # Each cell filled with its number, its text in it; a cell holds text darker than
        # the fill (a thick white letter holds the fill only).
        numbered = np.zeros(lighter.shape, np.int32)
        for number, outline in enumerate(outlines, 1):
            cv2.drawContours(numbered, [outline], -1, number, thickness=cv2.FILLED)
        holds_text = np.bincount(numbered[darker], minlength=len(outlines) + 1) > 0
        holds_text[0] = False  # outside every cell
        outlined = holds_text[numbered].astype(np.uint8)
        cells = cv2.dilate(outlined, np.ones((size, size), np.uint8)) > 0
        lighter[cells] = 0
        light_inside = lighter & inside
        enclosed = cv2.countNonZero(light_inside)
        # A box a fill nearly fills is a panel, if turned a little on a scan: the paper in
        # its corners is no sign of a letter's outline.
        panel = cv2.countNonZero(inside) >= PANEL_SHARE * w * h
        if not enclosed or (
            not panel
            and enclosed < ENCLOSED_SHARE * cv2.countNonZero(lighter)
            and _marks_in_a_row(light_inside, size) < WORD_MARKS  # counted only if asked
        ):
            continue  # paper around a big bold letter, not words set in a fill
        if enclosed <= np.count_nonzero(darker & ~cells):
            continue  # dark text on a grey fill: Tesseract reads it as it is
        if out is None:
            out = pixels.copy()
        # The fill and anything darker go white; white text, black.
        flipped = _turned(region, fill)
        flipped[cells] = region[cells]
        # A lighter cell with lighter text of its own (a grey tab's white head hanging
        # from a dark band) is turned by its own fill: by the band's it came out grey,
        # and Tesseract's threshold took it for black round black letters.
        for number in np.flatnonzero(~holds_text)[1:]:
            tab = numbered == number
            if np.count_nonzero(tab) < (NOTCH * size) ** 2:
                continue
            own = float(np.median(region[tab]))
            if np.count_nonzero(region[tab] > own + TEXT_CONTRAST) >= size * size:
                flipped[tab] = _turned(region[tab], own)
        # Only the fill is turned: paper its box takes in beyond its outline (between
        # tabs that hang from a bar) would turn black, and a black band across the
        # columns runs their lines together; left as it is next to the fill, it would
        # make a black frame round it. The fill's own edge, and the part of a letter that
        # cuts into its outline, are within `size` of it and no wider than a letter.
        near = cv2.dilate(inside, np.ones((size, size), np.uint8)) > 0
        outside = ((region > fill + TEXT_CONTRAST) & (inside == 0)).astype(np.uint8)
        _, parts, stats, _ = cv2.connectedComponentsWithStats(outside, connectivity=8)
        paper = stats[:, cv2.CC_STAT_AREA] > (NOTCH * size) ** 2
        paper[0] = False
        kept = ~near | paper[parts]
        flipped[kept] = region[kept]
        if panel:
            # A panel's blurred rim at its outline, greyer than paper, turned would frame
            # the words; Tesseract then takes the frame for a picture and reads nothing
            # in it (a slide's text box). White it is. (A round logo keeps its frame, and
            # is passed over as the picture it is.)
            core = cv2.erode(inside, np.ones((5, 5), np.uint8)) > 0
            rim = near & ~core & ~kept & (region < 255.0 - TEXT_CONTRAST / 2)
            flipped[rim] = 255.0
        out[y : y + h, x : x + w] = np.clip(flipped, 0, 255).astype(np.uint8)
    return gray if out is None else Image.fromarray(out, "L")


def _marks_in_a_row(light: np.ndarray, size: int) -> int:
    """The most separate light marks of `light` (letters of a line) that one level line
    crosses, specks of fewer than `size` pixels aside."""
    _, _, stats, _ = cv2.connectedComponentsWithStats(light, connectivity=8)
    marks = stats[1:][stats[1:, cv2.CC_STAT_AREA] >= size]
    if len(marks) == 0:
        return 0
    tops = np.sort(marks[:, cv2.CC_STAT_TOP])
    bottoms = np.sort(marks[:, cv2.CC_STAT_TOP] + marks[:, cv2.CC_STAT_HEIGHT])
    middles = (marks[:, cv2.CC_STAT_TOP] + marks[:, cv2.CC_STAT_HEIGHT] / 2).astype(np.float64)
    # Marks a level line crosses: those begun above it less those ended above it (a
    # dotted dark fill holds tens of thousands of marks: no pairs of them).
    begun = np.searchsorted(tops, middles, side="right")
    ended = np.searchsorted(bottoms, middles, side="left")
    return int((begun - ended).max())


def _median(levels: np.ndarray) -> float:
    """The median grey level of pixels counted by level (as numpy's: the mean of the
    middle two when their number is even)."""
    total = int(levels.sum())
    below = np.cumsum(levels)
    low = int(np.searchsorted(below, (total - 1) // 2, side="right"))
    high = int(np.searchsorted(below, total // 2, side="right"))
    return (low + high) / 2


def _turned(pixels: np.ndarray, fill: float) -> np.ndarray:
    """`pixels` with `fill` and anything darker white, and what is lighter dark: the
    lightest black."""
    return 255.0 - np.clip(pixels - fill, 0, None) * (255.0 / max(255.0 - fill, 1.0))
