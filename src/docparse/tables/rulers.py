"""Tables of a fixed-width report: a line of column heads over a ruler of dash groups
typed under them (`TYPE ITEM MAKE` over `-------- ------ ----------`), the records below
in the same columns. The groups say where each column starts. A record may take two
lines, each with its own heads and ruler stacked in the header; each line of the
records is set to the ruler whose columns its words start at."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

from docparse.document import BBox, TableCell
from docparse.tables.lines import join_text, line_height, text_lines
from docparse.tables.model import Table, Word

_DASHES = re.compile(r"[-–—_=]{3,}")
MIN_GROUPS = 3  # dash groups on a ruler: fewer is an underline or a separator
MIN_STARTS = 2  # a record line starts words at two of a ruler's columns at least
MAX_GAP_LINES = 4.0  # a gap of this many line heights ends the records


def _is_ruler(line: list[Word]) -> bool:
    return len(line) >= MIN_GROUPS and all(_DASHES.fullmatch(w.text) for w in line)


def is_ruler_text(line: str) -> bool:
    """Is a text line a ruler of dash groups (`------ ---- ---------`)?"""
    groups = line.split()
    return len(groups) >= MIN_GROUPS and all(_DASHES.fullmatch(g) for g in groups)


def _columns(ruler: list[Word], line: list[Word], em: float) -> dict[int, list[Word]]:
    """`line`'s words by the ruler's column each starts in (a word may run past its
    group's end, as a long make or storage place does)."""
    starts = [w.bbox.x0 - em / 2 for w in ruler]  # left to right, as text_lines gives them
    cells: dict[int, list[Word]] = {}
    for w in line:
        col = max(bisect_right(starts, w.bbox.x0) - 1, 0)
        cells.setdefault(col, []).append(w)
    return cells


def _starts(ruler: list[Word], line: list[Word], em: float) -> int:
    """How many of the ruler's columns have a word of `line` starting where they do."""
    xs = sorted(w.bbox.x0 for w in line)
    found = 0
    for g in ruler:
        k = bisect_left(xs, g.bbox.x0 - em / 2)
        found += k < len(xs) and xs[k] <= g.bbox.x0 + em / 2
    return found


def _set_to_a_ruler(
    pattern: list[tuple[list[Word], list[Word]]], line: list[Word], em: float
) -> bool:
    return max(_starts(ruler, line, em) for _, ruler in pattern) >= MIN_STARTS


def _fitting(rulers: list[list[Word]], line: list[Word], em: float) -> list[Word]:
    """The ruler whose columns `line` is set in: the one with most columns that a word of
    it starts at (a record's second line is set to the second ruler)."""
    return max(rulers, key=lambda ruler: _starts(ruler, line, em))


def ruler_tables(words: list[Word]) -> list[tuple[list[Word], Table]]:
    """The fixed-width report tables among `words`, each with the words it takes."""
    lines = text_lines([w for w in words if w.text.strip()])
    letters = [w for w in words if w.text.strip() and not _DASHES.fullmatch(w.text)]
    if not any(_is_ruler(line) for line in lines) or not letters:
        return []
    em = line_height(letters)  # a ruler's dashes are no line's height
    found: list[tuple[list[Word], Table]] = []
    i = 0
    while i < len(lines):
        if not (_is_ruler(lines[i]) and i >= 1 and not _is_ruler(lines[i - 1])):
            i += 1
            continue
        # The header: heads and ruler pairs stacked, one per line of a record.
        pattern = [(lines[i - 1], lines[i])]
        j = i + 1
        while j + 1 < len(lines) and _is_ruler(lines[j + 1]) and not _is_ruler(lines[j]):
            pattern.append((lines[j], lines[j + 1]))
            j += 2
        records: list[list[Word]] = []
        last = lines[j - 1]
        while j < len(lines) and not _is_ruler(lines[j]):
            gap = min(w.bbox.y0 for w in lines[j]) - max(w.bbox.y1 for w in last)
            if gap > MAX_GAP_LINES * em:
                break  # past a wide gap: the page's text
            if not _set_to_a_ruler(pattern, lines[j], em):
                following = lines[j + 1] if j + 1 < len(lines) else []
                if not (records and following and _set_to_a_ruler(pattern, following, em)):
                    break  # a line set to no ruler: the page's text after the report
                # A piece of the record line above, on a baseline of its own (its flags).
                records[-1] = records[-1] + lines[j]
            else:
                records.append(lines[j])
            last = lines[j]
            j += 1
        if records:
            found.append(_table(pattern, records, em))
        i = j
    return found


def _table(
    pattern: list[tuple[list[Word], list[Word]]], records: list[list[Word]], em: float
) -> tuple[list[Word], Table]:
    rows = [(heads, ruler) for heads, ruler in pattern]
    rows += [(line, _fitting([r for _, r in pattern], line, em)) for line in records]
    ncols = max(len(ruler) for _, ruler in pattern)
    cells = []
    for r, (line, ruler) in enumerate(rows):
        for col, ws in sorted(_columns(ruler, line, em).items()):
            cells.append(
                TableCell(
                    row=r, col=col, text=join_text(ws), bbox=BBox.around([w.bbox for w in ws])
                )
            )
    taken = [w for heads, ruler in pattern for w in heads + ruler] + [
        w for ln in records for w in ln
    ]
    return taken, Table(len(rows), ncols, cells, header_rows=len(pattern))
