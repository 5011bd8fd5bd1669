"""Digit groups Tesseract runs together: `3520,00` where the page reads `3 520,00`.

Russian amounts part their thousands with a narrow (no-break) space, which Tesseract's
line model often does not see as a space. Digits are tabular in nearly every font, so
their centres are evenly spaced; a step between groups that is clearly longer than the
number's other steps holds a space. Where glyphs touch (a bold face, a page turned
straight) and their centres cannot be told, an amount with kopecks is parted where a
blank between its glyphs, clearly the widest, stands where a group ends."""

from __future__ import annotations

import itertools
import re
import statistics

import numpy as np

from docparse.document import BBox

_NUMBER = re.compile(r"^(\d{4,})([.,]\d{1,3})?$")  # 1330,00 · 24800 · 1234567.5
# Measured on 200-dpi scans in nine faces: steps across a dropped space are 1.41-2.0x the
# others, steps in years, tax numbers and accounts 0.9-1.1x.
MIN_GROUP_STEP = 1.3
# Blanks in `1330,00` read from a deskewed 200-dpi invoice: 9 pixels at the space, 2 at
# most between its glyphs. A space is this much wider than any other blank…
MIN_SPACE_RATIO = 2.5
COMMA_ADVANCE = 0.5  # …and stands within half a digit of where its group ends,
# near half a digit wide at least: the blank after a tabular `1` in a soft `1000,00`
# printed without a space is a fifth to two fifths; the invoice's spaces three fifths.
MIN_SPACE_ADVANCE = 0.45


def spaced_number(text: str, ink: np.ndarray, box: BBox) -> str:
    """`text` with its thousands parted where the page shows a gap between the groups;
    unchanged unless it is a number whose every glyph stands apart in `ink` (True = ink)
    and every group boundary has that gap."""
    match = _NUMBER.match(text)
    if not match:
        return text
    centres = _glyph_centres(ink, box)
    digits = match.group(1)
    if len(centres) != len(text):  # touching or broken glyphs: steps cannot be told
        kopecks = match.group(2)
        if kopecks is None or len(kopecks) != 3:  # a year or a code: left as read
            return text
        return _parted_by_blanks(digits, kopecks, ink, box)
    steps = [b - a for a, b in itertools.pairwise(centres[: len(digits)])]
    cuts = [end - 1 for end in _group_ends(digits)]  # the step after each group's last digit
    inner = [s for i, s in enumerate(steps) if i not in cuts]
    if not inner or any(steps[i] < MIN_GROUP_STEP * statistics.median(inner) for i in cuts):
        return text
    return _grouped(digits) + (match.group(2) or "")


def _parted_by_blanks(digits: str, kopecks: str, ink: np.ndarray, box: BBox) -> str:
    """`digits` + `kopecks` parted at the widest blanks between its glyphs, when one
    stands at every group's end and the other blanks among the digits are far narrower
    (a comma's own blanks aside); else as read."""
    runs = _runs(ink, box)
    blanks = [(end, start - end) for (_, end), (start, _) in itertools.pairwise(runs)]
    cuts = list(_group_ends(digits))  # digits before each space
    if not cuts or len(blanks) < len(cuts):
        return digits + kopecks
    spaces = sorted(sorted(blanks, key=lambda blank: blank[1], reverse=True)[: len(cuts)])
    spaced = sum(width for _, width in spaces)
    advance = (box.x1 - box.x0 + 1 - spaced) / (len(digits) + len(kopecks) - 1 + COMMA_ADVANCE)
    skipped = 0
    for cut, (at, width) in zip(cuts, spaces, strict=True):
        if abs(at - box.x0 - skipped - cut * advance) > advance / 2:
            return digits + kopecks
        skipped += width
    comma = box.x0 + spaced + (len(digits) - 0.5) * advance
    among = [width for at, width in blanks if (at, width) not in spaces and at < comma]
    narrowest = min(width for _, width in spaces)
    if narrowest < MIN_SPACE_RATIO * max([*among, 1]) or narrowest < MIN_SPACE_ADVANCE * advance:
        return digits + kopecks
    return _grouped(digits) + kopecks


def _group_ends(digits: str) -> range:
    """How many digits stand before each thousands space: 1 and 4 in `1234567`."""
    return range(len(digits) % 3 or 3, len(digits), 3)


def _grouped(digits: str) -> str:
    """`digits` with their thousands parted: `1 234 567`."""
    ends = [0, *_group_ends(digits), len(digits)]
    return " ".join(digits[a:b] for a, b in itertools.pairwise(ends))


def _runs(ink: np.ndarray, box: BBox) -> list[tuple[int, int]]:
    """The runs of inked columns in `box`, left to right: [start, end) in page pixels."""
    x0, y0 = max(0, int(box.x0)), max(0, int(box.y0))
    columns = ink[y0 : int(box.y1) + 1, x0 : int(box.x1) + 1].any(axis=0)
    edges = np.flatnonzero(np.diff(np.concatenate([[False], columns, [False]]).astype(np.int8)))
    return [(x0 + int(s), x0 + int(e)) for s, e in zip(edges[0::2], edges[1::2], strict=True)]


def _glyph_centres(ink: np.ndarray, box: BBox) -> list[float]:
    """Centres of the runs of inked columns in `box`, left to right."""
    return [(start + end - 1) / 2 for start, end in _runs(ink, box)]
