"""Digit groups Tesseract runs together: `3520,00` where the page reads `3 520,00`.

Russian amounts part their thousands with a narrow (no-break) space, which Tesseract's
line model often does not see as a space. Digits are tabular in nearly every font, so
their centres are evenly spaced; a step between groups that is clearly longer than the
number's other steps holds a space."""

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


def spaced_number(text: str, ink: np.ndarray, box: BBox) -> str:
    """`text` with its thousands parted where the page shows a gap between the groups;
    unchanged unless it is a number whose every glyph stands apart in `ink` (True = ink)
    and every group boundary has that gap."""
    match = _NUMBER.match(text)
    if not match:
        return text
    centres = _glyph_centres(ink, box)
    if len(centres) != len(text):  # touching or broken glyphs: steps cannot be told
        return text
    digits = match.group(1)
    steps = [b - a for a, b in itertools.pairwise(centres[: len(digits)])]
    head = len(digits) % 3 or 3
    cuts = range(head - 1, len(digits) - 1, 3)  # the step after each group's last digit
    inner = [s for i, s in enumerate(steps) if i not in cuts]
    if not inner or any(steps[i] < MIN_GROUP_STEP * statistics.median(inner) for i in cuts):
        return text
    groups = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return " ".join(groups) + (match.group(2) or "")


def _glyph_centres(ink: np.ndarray, box: BBox) -> list[float]:
    """Centres of the runs of inked columns in `box`, left to right."""
    x0, y0 = max(0, int(box.x0)), max(0, int(box.y0))
    columns = ink[y0 : int(box.y1) + 1, x0 : int(box.x1) + 1].any(axis=0)
    edges = np.flatnonzero(np.diff(np.concatenate([[False], columns, [False]]).astype(np.int8)))
    starts, ends = edges[0::2], edges[1::2]  # a run is [start, end)
    return [x0 + (s + e - 1) / 2 for s, e in zip(starts, ends, strict=True)]
