"""Column gutters that a born-digital page's text lines run across. Some generators write
a two-column page row by row across the whole width, so PDFium joins the left column's
line and the right column's line at the same height into one line (an IRS notice: every
line read `...January  Percentage Method Tables...`). Such a page shows itself by one
place where many lines start a run after a wide gap, with prose on both sides of it and
no text through it. A table's columns line up too, but its rows break at more places
and its numbers are too narrow to be a page's column."""

from __future__ import annotations

import bisect
import statistics
from collections.abc import Sequence
from typing import Protocol, TypeVar

from docparse.document import BBox

MIN_LINES = 5  # lines that start a run at the gutter
MIN_SHARE = 0.25  # ... and that share of the page's lines
MIN_SIDE_SHARE = 0.2  # of the page width: a column's text each side (median over the lines)
MIN_PROSE_SHARE = 0.6  # of the lines across: no other gap than at the gutters
CLUSTER_PT = 8.0  # starts this close are one gutter (indents, bullets)
SLACK_PT = 2.0  # a run that starts this little left of the gutter still starts at it
MAX_THROUGH_SHARE = 0.1  # of the lines across it: lines through the gutter's text
INDENT_EMS = 4.0  # a run that starts this far right of the gutter (an indented first
# line) is still across it


class _Line(Protocol):
    @property
    def bbox(self) -> BBox: ...

    @property
    def column_starts(self) -> tuple[float, ...]: ...


_L = TypeVar("_L", bound=_Line)


def column_gutters(lines: Sequence[_Line], width: float) -> list[float]:
    """The x (in the lines' coordinates) of each gutter the page's lines run across,
    left to right: its right edge, where the next column's text starts."""
    starts = sorted((x, row) for row, line in enumerate(lines) for x in line.column_starts)
    clusters: list[tuple[float, float, set[int]]] = []  # first and last start, rows
    at = 0
    while at < len(starts):
        end = at
        while end < len(starts) and starts[end][0] <= starts[at][0] + CLUSTER_PT:
            end += 1
        rows = {row for _, row in starts[at:end]}
        if len(rows) >= max(MIN_LINES, MIN_SHARE * len(lines)) and _wide_both_sides(
            [lines[row].bbox for row in rows], starts[at][0], width
        ):
            clusters.append((starts[at][0], starts[end - 1][0], rows))
        at = end
    return [
        first
        for first, _, rows in clusters
        if _prose(lines, rows, clusters) and _clear(lines, rows, first)
    ]


def _wide_both_sides(boxes: list[BBox], gutter: float, width: float) -> bool:
    left = statistics.median(gutter - box.x0 for box in boxes)
    right = statistics.median(box.x1 - gutter for box in boxes)
    return min(left, right) >= MIN_SIDE_SHARE * width


def _prose(
    lines: Sequence[_Line], rows: set[int], clusters: list[tuple[float, float, set[int]]]
) -> bool:
    """Do most lines across the gutter run on unbroken to the next gutter or their end?
    A table's rows have more gaps, at columns too narrow to be a page's."""
    unbroken = sum(
        all(any(a - SLACK_PT <= x <= b for a, b, _ in clusters) for x in lines[row].column_starts)
        for row in rows
    )
    return unbroken >= MIN_PROSE_SHARE * len(rows)


def _clear(lines: Sequence[_Line], rows: set[int], gutter: float) -> bool:
    """Is the gutter clear of text between its first and last line: the lines there
    either cross it by a gap or keep to one side (a few may not: a heading across both
    columns)? Justified text has wide word gaps that may line up, but other lines run
    through them."""
    top = min(lines[row].bbox.y0 for row in rows)
    bottom = max(lines[row].bbox.y1 for row in rows)
    through = sum(
        top <= line.bbox.y0
        and line.bbox.y1 <= bottom
        and line.bbox.x0 < gutter - SLACK_PT < line.bbox.x1
        and not crosses(line, gutter)
        for line in lines
    )
    return through <= MAX_THROUGH_SHARE * len(rows)


def crosses(line: _Line, gutter: float) -> bool:
    """Does the line run across the gutter: a run of it starts there, after a gap (or an
    indent's width further right)?"""
    reach = INDENT_EMS * line.bbox.height
    return any(gutter - SLACK_PT <= x <= gutter + reach for x in line.column_starts)


def column_of(x: float, gutters: list[float]) -> int:
    """Which column (0 left of the first gutter) a run starting at `x` stands in."""
    return bisect.bisect_right([g - SLACK_PT for g in gutters], x)


def in_column_order(lines: list[_L], gutters: list[float], top: float, bottom: float) -> list[_L]:
    """The lines with those between `top` and `bottom` (where lines ran across the
    gutters) read column by column, each column in its own order, so that paragraphs
    form within a column; the lines above and below keep their places."""
    slots = [i for i, ln in enumerate(lines) if ln.bbox.y0 >= top - 1 and ln.bbox.y1 <= bottom + 1]
    ordered = sorted(slots, key=lambda i: (column_of(lines[i].bbox.x0, gutters), i))
    out = list(lines)
    for slot, i in zip(slots, ordered, strict=True):
        out[slot] = lines[i]
    return out
