"""The /Rotate that shows a born-digital page's text running left to right. A landscape
table printed on a portrait page, or a page saved with the wrong /Rotate, shows its lines
running up or down (or upside down); lines, columns and tables are all found in reading
direction, so such a page is read turned. Its own text layer says which way its letters
run, exactly, where OCR would have to guess the turn from the ink. Callers hold PDFium's
lock."""

from __future__ import annotations

import ctypes
import math
import unicodedata
from collections import Counter

import pypdfium2.raw as pdfium_c

MAX_LETTERS = 400  # letters looked at: a dense page's direction shows in a sample
QUICK_LETTERS, QUICK_SHARE = 60, 0.9  # a first look: that share as shown, no turn
MIN_PAIRS = 30  # neighbouring letters that must agree: a stamp or a label turns nothing
MIN_SHARE = 2 / 3  # of the pairs, running the same way
MIN_LINE_SHARE = 3 / 4  # of the lines the pairs lie on, running that way
LINE_PITCH = 2.0  # points: pairs whose baselines are closer lie on one line
MAX_GAP_EMS = 3.0  # farther apart than this, two letters are no neighbours in a line


def upright_rotation(textpage: object, rotation: int) -> int:
    """The page's /Rotate (`rotation`, clockwise) that shows most of its letters advancing
    left to right: its own unless MIN_SHARE of the pairs of neighbouring letters run
    another way, on MIN_LINE_SHARE of the lines. The lines count because a gazette's
    stamps up both margins can hold more letters than the running head of a page whose
    body is a picture. Mirrored letters (a flipped matrix) count against any turn: a
    quarter turn does not read a mirror. Right-to-left scripts run leftwards upright,
    and say nothing."""
    count = pdfium_c.FPDFText_CountChars(textpage)
    # Most pages read as shown: a few letters from all over the page say so.
    ways, _ = _sample(textpage, count, QUICK_LETTERS)
    if sum(ways.values()) >= MIN_PAIRS and ways[rotation] >= QUICK_SHARE * sum(ways.values()):
        return rotation
    ways, lines = _sample(textpage, count, MAX_LETTERS)
    pairs, all_lines = sum(ways.values()), sum(len(found) for found in lines.values())
    if pairs < MIN_PAIRS:
        return rotation
    way, agree = ways.most_common(1)[0]
    if way is None or agree < MIN_SHARE * pairs or len(lines[way]) < MIN_LINE_SHARE * all_lines:
        return rotation
    return way


def _sample(
    textpage: object, count: int, letters: int
) -> tuple[Counter[int | None], dict[int | None, set[int]]]:
    """How many of about `letters` pairs of neighbouring letters, spread over the page,
    advance each way (None: mirrored), and the lines (baselines) each way's pairs lie on."""
    ways: Counter[int | None] = Counter()
    lines: dict[int | None, set[int]] = {}
    here, there = (ctypes.c_double(), ctypes.c_double()), (ctypes.c_double(), ctypes.c_double())
    matrix, box = pdfium_c.FS_MATRIX(), pdfium_c.FS_RECTF()
    for index in range(0, count - 1, max(1, count // letters)):
        if not (_letter(textpage, index) and _letter(textpage, index + 1)):
            continue
        if not (
            pdfium_c.FPDFText_GetCharOrigin(textpage, index, *here)
            and pdfium_c.FPDFText_GetCharOrigin(textpage, index + 1, *there)
            and pdfium_c.FPDFText_GetLooseCharBox(textpage, index, box)
        ):
            continue
        dx, dy = there[0].value - here[0].value, there[1].value - here[1].value
        # The letter's em: its loose box (the font size leaves out the text matrix's scale).
        em = max(box.right - box.left, box.top - box.bottom, 1.0)
        if not 0 < math.hypot(dx, dy) < MAX_GAP_EMS * em:
            continue
        mirrored = (
            pdfium_c.FPDFText_GetMatrix(textpage, index, matrix)
            and matrix.a * matrix.d - matrix.b * matrix.c < 0
        )
        # The way the letters advance in PDF space (y up, counter-clockwise), in quarter
        # turns: a /Rotate of as many degrees clockwise shows them running rightwards.
        way = None if mirrored else round(math.degrees(math.atan2(dy, dx)) / 90) % 4 * 90
        ways[way] += 1
        baseline = here[0].value if way in (90, 270) else here[1].value
        lines.setdefault(way, set()).add(round(baseline / LINE_PITCH))
    return ways, lines


def _letter(textpage: object, index: int) -> bool:
    """A letter (not a space or a break, which PDFium makes up) of a script written left
    to right."""
    code = pdfium_c.FPDFText_GetUnicode(textpage, index)
    return 32 < code < 0x110000 and unicodedata.bidirectional(chr(code)) not in _RIGHT_TO_LEFT


_RIGHT_TO_LEFT = ("R", "AL")  # Hebrew; Arabic, Syriac, Thaana
