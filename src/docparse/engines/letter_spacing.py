"""Words set letter-spaced ('П О С Т А Н О В Л Е Н И Е', the Russian 'разрядка' of an
order's or a decree's title): typed with a space after every letter, they read on the
page as spaced letters, and Tesseract, seeing even gaps, runs them into one word. The
page's own text has the spaces, so the reading gets them back where the ink shows a
gap after every letter as wide as a word space."""

from __future__ import annotations

import numpy as np

from docparse.document import BBox

MIN_LETTERS = 4  # 'Р Е Ш Е Н И Е', 'П Р И К А З'; fewer could be a word's loose kerning
# Of the word's height: a letter's own parts ('Ы', 'Ю') stand closer than this and are
# one glyph; between letters of a word set solid the gap is 0.05-0.15 of it, a space
# 0.3-0.45.
PART_GAP, SPACE_GAP = 0.15, 0.3


def spaced_letters(text: str, ink: np.ndarray, box: BBox) -> str:
    """`text` with a space after each letter when it is one word of letters and the ink
    (True = ink) in `box` shows one glyph per letter with a word space after each;
    unchanged otherwise (touching or broken glyphs, a word set solid)."""
    if len(text) < MIN_LETTERS or not text.isalpha():
        return text
    height = box.height
    gaps = _gaps(ink, box, PART_GAP * height)
    if len(gaps) != len(text) - 1 or min(gaps) < SPACE_GAP * height:
        return text
    return " ".join(text)


def _gaps(ink: np.ndarray, box: BBox, part: float) -> list[int]:
    """Widths of the blank column runs between the glyphs in `box`, gaps narrower than
    `part` counted as within a glyph."""
    x0, y0 = max(0, int(box.x0)), max(0, int(box.y0))
    columns = ink[y0 : int(box.y1) + 1, x0 : int(box.x1) + 1].any(axis=0)
    edges = np.flatnonzero(np.diff(np.concatenate([[False], columns, [False]]).astype(np.int8)))
    starts, ends = edges[0::2], edges[1::2]  # an inked run is [start, end)
    gaps = [int(start - end) for end, start in zip(ends[:-1], starts[1:], strict=True)]
    return [gap for gap in gaps if gap >= part]
