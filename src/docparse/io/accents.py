"""Accents a PDF sets as glyphs of their own: TeX's \\'a and \\v{c} in its old fonts
place a spacing '´' or 'ˇ' over the letter, and PDFium reads them apart, often not even
beside their letter ('Min ´ a´c … ˇ' for 'Mináč'). Each such accent over a letter is
put on that letter (Unicode's composed form), and dropped from the text together with
the spaces PDFium made up around it where the letters on both sides touch."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

import pypdfium2.raw as pdfium_c

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in PDF space (y up)
BoxOf = Callable[[int], Box | None]

# Spacing accents and the combining marks they stand for; cedilla and ogonek hang below.
# Not ASCII's ` ^ ~: a code listing's carets and tildes stand between its letters.
COMBINING = {
    "\u00b4": "\u0301",  # ´ acute
    "\u02c6": "\u0302",  # ˆ circumflex
    "\u02dc": "\u0303",  # ˜ tilde
    "\u00a8": "\u0308",  # ¨ diaeresis
    "\u00af": "\u0304",  # ¯ macron
    "\u02d8": "\u0306",  # ˘ breve
    "\u02d9": "\u0307",  # ˙ dot above
    "\u02da": "\u030a",  # ˚ ring
    "\u02c7": "\u030c",  # ˇ caron
    "\u02dd": "\u030b",  # ˝ double acute
    "\u00b8": "\u0327",  # ¸ cedilla
    "\u02db": "\u0328",  # ˛ ogonek
}
BELOW = {"\u00b8", "\u02db"}
WINDOW = 150  # characters either side searched for the accent's letter
MAX_ACCENTS = 1000  # a page with more (a hostile one) is left as PDFium reads it
SLACK = 0.25  # of the letter's width: how far the accent's middle may stand off it
TOUCH = 0.15  # of the letter's height: letters this close are one word
MADE_UP = (" ", "\r", "\n")  # what PDFium generates between characters


def placed_accents(raw: object, chars: list[str]) -> dict[int, str]:
    """Changes to the page's characters by index: a letter with an accent set over (or
    under) it becomes the composed letter; the accent, and a space PDFium generated
    beside it between two touching letters, become ''. Empty for most pages."""
    accents = [i for i, c in enumerate(chars) if c in COMBINING]
    if not accents or len(accents) > MAX_ACCENTS:  # so many are no typeset accents
        return {}
    boxes: dict[int, Box | None] = {}

    def box(i: int) -> Box | None:
        if i not in boxes:
            left, right, bottom, top = (pdfium_c.c_double() for _ in range(4))
            ok = pdfium_c.FPDFText_GetCharBox(raw, i, left, right, bottom, top)
            boxes[i] = (left.value, bottom.value, right.value, top.value) if ok else None
        return boxes[i]

    changes: dict[int, str] = {}
    for i in accents:
        base = _letter_under(i, chars, box)
        if base is None or base in changes:
            continue
        composed = unicodedata.normalize("NFC", chars[base] + COMBINING[chars[i]])
        if len(composed) != 1:
            continue  # no composed form: the accent stays as it is
        changes[base], changes[i] = composed, ""
        _drop_made_up_spaces(raw, i, chars, changes, box)
    return changes


def _letter_under(i: int, chars: list[str], box: BoxOf) -> int | None:
    """The letter the accent at `i` sits on: its middle over the letter, just above the
    letter's top (under its foot for a cedilla), nearest of those found."""
    accent = box(i)
    if accent is None:
        return None
    ax0, ay0, ax1, ay1 = accent
    middle, below = (ax0 + ax1) / 2, chars[i] in BELOW
    best, best_distance = None, float("inf")
    for j in range(max(0, i - WINDOW), min(len(chars), i + WINDOW + 1)):
        if j == i or not chars[j].isalpha() or (letter := box(j)) is None:
            continue
        x0, y0, x1, y1 = letter
        width, height = x1 - x0, y1 - y0
        if not (x0 - SLACK * width <= middle <= x1 + SLACK * width) or height <= 0:
            continue
        gap = (y0 - ay1) if below else (ay0 - y1)  # from the letter's foot / top
        if not (-0.5 * height <= gap <= height) or (not below and ay0 < y0 + 0.5 * height):
            continue
        distance = abs(middle - (x0 + x1) / 2) + abs(gap)
        if distance < best_distance:
            best, best_distance = j, distance
    return best


def _drop_made_up_spaces(
    raw: object, i: int, chars: list[str], changes: dict[int, str], box: BoxOf
) -> None:
    """Drop the spaces and line breaks PDFium generated around the accent at `i` (it
    breaks the line at a raised accent) when the characters left on either side of
    them touch ('Min' · ´ · 'a´c' is one word)."""

    def made_up(k: int) -> bool:
        return chars[k] in MADE_UP and pdfium_c.FPDFText_IsGenerated(raw, k) == 1

    lo, hi = i, i
    while lo > 0 and made_up(lo - 1):
        lo -= 1
    while hi < len(chars) - 1 and made_up(hi + 1):
        hi += 1
    if lo == hi or lo == 0 or hi == len(chars) - 1:
        return
    before, after = box(lo - 1), box(hi + 1)
    if before is None or after is None:
        return
    height = max(before[3] - before[1], after[3] - after[1], 1e-6)
    same_line = min(before[3], after[3]) > max(before[1], after[1])
    if same_line and abs(after[0] - before[2]) <= TOUCH * height:
        for k in range(lo, hi + 1):
            changes.setdefault(k, "")
