"""Table structure from ruling lines or from word alignment, and `find_tables`, which runs
both over a page: ruled regions first, then borderless tables among the other words."""

from __future__ import annotations

import dataclasses
import itertools
import math
import re
import statistics
from bisect import bisect_right
from dataclasses import dataclass

import numpy as np
from PIL import Image

from docparse.document import BBox, TableCell
from docparse.tables import bands, ruling
from docparse.tables.columns import prose_columns
from docparse.tables.fields import fields_apart
from docparse.tables.lines import (
    MIN_ROWS,
    centred_over,
    is_numeric,
    join_text,
    line_height,
    phrases,
    split_points,
    stacked_on,
    stacked_tables,
    text_lines,
    trim_lines,
    x_span,
)
from docparse.tables.model import Table, TableResult, Word
from docparse.tables.rulers import ruler_tables
from docparse.tables.ruling import Rule, Segment, slot

# Share of a borderless table's gutter rows that may hold drawn ink (curves, markers).
MAX_CLUTTER = 0.15
# Where rules draw many rows, this share of a band's columns hold figures on both
# sides of a break between two lines: rows of figures, not a wrapped cell.
RULED_BREAK_SHARE = 0.5
LOOK_BELOW = 3  # lines: a centred value, or a row's text wrapped, between rows of figures
HEADING_BLOCK_WORDS = 20  # words of a form's heading block in its table's frame, at least
PROSE_WORDS = 8  # words in a sentence across a table's columns, over its head
MAX_BAND_LINES = 2  # lines of text in a shaded row: a cell's text may wrap once
SPAN_CENTRED = 0.15  # of the columns' width: how far a header phrase spanning them may stray
# A "table" whose cells are mostly long runs of words is prose set in columns.
LONG_CELL_WORDS = 8
MAX_LONG_CELL_SHARE = 0.3
# A column of running text: of its lines two words long or more and next to each other
# (this many pairs at least), this share run on into the next.
MIN_RUNNING_PAIRS, RUNNING_SHARE = 4, 0.5
_SENTENCE_END = frozenset(".:;!?")
MAX_MATH_SHARE = 0.25
_MATH = re.compile(r"[=×÷∑∫√]|\s\+\s|\+$|^\+\s")  # "1 +", "= 3036 =", not "+5%"
_RULE_JUNK = re.compile(r"^[|¦_\[\]Il!]+$")  # how OCR reads a rule
_CURRENCY_SIGNS = frozenset({"$", "€", "£", "¥", "US$"})
_CONNECTIVE_END = re.compile(r"([-,/&(]|\b(and|or|of|de|du|des|et|the|la|le|for|in))$")


# --- borderless tables ---------------------------------------------------------------


@dataclass
class _Row:
    cells: dict[int, tuple[int, list[Word]]]  # first column -> (col_span, words)
    y0: float
    y1: float


def table_from_alignment(
    words: list[Word], region_bbox: BBox | None = None, framed: bool = False
) -> Table | None:
    """A borderless table from how the words line up, or None when they do not form one
    (prose, lists, two-column text): needs 3+ rows and 3+ columns, or 2 with numbers.
    A table `framed` by its own rules (booktabs) may be sparse, its title left out."""
    if region_bbox is not None:
        words = [w for w in words if w.within(region_bbox, 0.0)]
    content = [w for w in words if not w.leader and w.text.strip() and w.upright]
    em = line_height(content)
    lines = trim_lines(
        fields_apart([phrases(_signs_joined(line), em) for line in text_lines(content)], em),
        em,
        framed,
    )
    while framed and lines and bands.is_caption(" ".join(w.text for p in lines[0] for w in p)):
        lines.pop(0)
    bounds, rows = _columns_and_rows(lines, em)
    if rows and (cut := _prose_lead(rows)):
        # Sentences over the table's head (a price list's address and terms, set close
        # over it) are the page's text: the columns are looked for again without them.
        start = rows[cut].y0
        lines = [line for line in lines if min(w.bbox.y0 for p in line for w in p) >= start]
        bounds, rows = _columns_and_rows(lines, em)
    if not bounds:
        return None
    rows = _stacked_heads(rows, em)
    while (
        rows
        and len(bounds) >= 2
        and len(rows[0].cells) == 1
        and next(iter(rows[0].cells.values()))[0] >= len(bounds)
    ):
        rows.pop(0)  # a caption across the whole table
    return _validated(rows, len(bounds) + 1, bounds, framed)


def _columns_and_rows(lines: list[list[list[Word]]], em: float) -> tuple[list[float], list[_Row]]:
    """Column boundaries and the rows the lines make with them (none: no table)."""
    if len(lines) < MIN_ROWS:
        return [], []
    # A head repeated over each section of the table (a price list's groups) is one
    # line where the columns are looked for: its words may stand over a gap twice.
    texts = [" ".join(w.text for p in line for w in p) for line in lines]
    unique = [line for i, line in enumerate(lines) if texts[i] not in texts[:i]]
    bounds = split_points([[x_span(p) for p in line] for line in unique], em)
    if not bounds:
        return [], []
    return bounds, _merge_wrapped([_row(line, bounds) for line in lines], em)


def _first_figures(rows: list[_Row]) -> int | None:
    """The first row holding a figure; None when none does."""
    return next(
        (
            i
            for i, r in enumerate(rows)
            if any(is_numeric(join_text(ws)) for _, ws in r.cells.values())
        ),
        None,
    )


def _prose_lead(rows: list[_Row]) -> int:
    """Where the table starts after sentences set over its head: the row after the last
    one, above the first figures, that is one cell of PROSE_WORDS words or more, with a
    row of two cells or more (the head) still to come before the figures. 0: none."""
    filled = [[ws for _, ws in r.cells.values() if join_text(ws)] for r in rows]
    figures = _first_figures(rows)
    figures = len(rows) if figures is None else figures
    prose = [
        i
        for i in range(figures)
        if len(filled[i]) == 1 and len(join_text(filled[i][0]).split()) >= PROSE_WORDS
    ]
    if not prose or not any(len(filled[i]) >= 2 for i in range(prose[-1] + 1, figures)):
        return 0
    return prose[-1] + 1


def _signs_joined(line: list[Word]) -> list[Word]:
    """A currency sign set at the left of its column, apart from the figure set flush
    right ('$        93,736'), is part of that figure, not a cell of its own."""
    out: list[Word] = []
    for word in line:
        if out and out[-1].text in _CURRENCY_SIGNS and is_numeric(word.text):
            word = Word(f"{out.pop().text} {word.text}", word.bbox)
        out.append(word)
    return out


def _row(line: list[list[Word]], bounds: list[float]) -> _Row:
    cells: dict[int, tuple[int, list[Word]]] = {}
    for phrase in line:
        a, b = x_span(phrase)
        first, last = bisect_right(bounds, a), bisect_right(bounds, b)
        cells = _put(cells, first, last - first + 1, phrase)
    flat = [w for p in line for w in p]
    return _Row(cells, min(w.bbox.y0 for w in flat), max(w.bbox.y1 for w in flat))


def _put(
    cells: dict[int, tuple[int, list[Word]]], first: int, span: int, words: list[Word]
) -> dict[int, tuple[int, list[Word]]]:
    """Add words over columns first..first+span-1; cells whose columns overlap merge."""
    pieces = [(c, c + s - 1, ws) for c, (s, ws) in cells.items()] + [
        (first, first + span - 1, words)
    ]
    out: list[tuple[int, int, list[Word]]] = []
    for lo, hi, ws in sorted(pieces, key=lambda p: p[0]):
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], hi), out[-1][2] + ws)
        else:
            out.append((lo, hi, ws))
    return {lo: (hi - lo + 1, ws) for lo, hi, ws in out}


def _owner(row: _Row, col: int) -> int | None:
    return next((c for c, (s, _) in row.cells.items() if c <= col < c + s), None)


def _merge_wrapped(rows: list[_Row], em: float) -> list[_Row]:
    """Fold continuation lines of wrapped cells into the row above; a label alone on its
    line whose wrapped rest carries the row's figures, into the row below."""
    pitches = [b.y0 - a.y0 for a, b in itertools.pairwise(rows)]
    pitch = statistics.median(pitches) if pitches else em
    out: list[_Row] = []
    for row in rows:
        prev = out[-1] if out else None
        if prev is not None and _leads_into(prev, row, pitch):
            row.cells = _put(row.cells, 0, 1, prev.cells[0][1])
            row.y0 = prev.y0
            out[-1] = row
        elif prev is not None and _continues(prev, row, pitch, em):
            for col, (span, ws) in row.cells.items():
                prev.cells = _put(prev.cells, col, span, ws)
            prev.y1 = max(prev.y1, row.y1)
        else:
            out.append(row)
    return out


def _stacked_heads(rows: list[_Row], em: float) -> list[_Row]:
    """Column heads wrapped over several lines above the first row of figures, each
    line stacked on the next one down its column (a statistical table's 'Combined /
    weighted school / participation / and student / response rate', set flush right;
    'Инвентарный / номер', centred), are one head row: each column's lines joined. A
    phrase over more than one column (a group's head), or standing apart from the
    head under it, ends the run upwards."""
    first_figures = _first_figures(rows)
    if first_figures is None:
        return rows
    top = first_figures - 1
    if top < 1 or len(rows[top].cells) < 2:
        return rows  # over the figures a section's label ('Assets'), not a head's last line
    while top > 0 and _joins_head(rows[top - 1], rows[top:first_figures], em):
        top -= 1
    if first_figures - top < 2:
        return rows
    head = _Row({}, rows[top].y0, max(r.y1 for r in rows[top:first_figures]))
    for row in rows[top:first_figures]:
        for col, (_, ws) in row.cells.items():
            head.cells[col] = (1, head.cells.get(col, (1, []))[1] + ws)
    return [*rows[:top], head, *rows[first_figures:]]


def _joins_head(upper: _Row, below: list[_Row], em: float) -> bool:
    """Does each cell of `upper` sit, one column wide, on the next cell down its column
    in the head rows `below`, or stand alone in its column there (a one-line head set
    level with the middle of the others: '№')? One cell at least must sit on one."""
    stacked = 0
    for col, (span, ws) in upper.cells.items():
        under = next((r for r in below if col in r.cells), None)
        if span != 1 or (under is not None and under.cells[col][0] != 1):
            return False
        if under is None:
            continue
        beside = [under.cells[c][1] for c in (col - 1, col + 1) if c in under.cells]
        around = x_span([w for ws in beside for w in ws]) if len(beside) == 2 else None
        if not stacked_on(ws, under.cells[col][1], em, around):
            return False
        stacked += 1
    return stacked > 0


def _leads_into(label: _Row, row: _Row, pitch: float) -> bool:
    """Is `label` (a first cell alone) the start of `row`'s label, wrapped, with the
    figures on its last line ('Cost of revenues (exclusive of depreciation and' over
    'amortization shown below)   9,210   8,377')? The rest starts in lower case, and the
    row holds figures, beside a word or two of text at most ('StarCoder' over 'filtered
    version   Code   83.0B   70.0B …')."""
    if set(label.cells) != {0} or 0 not in row.cells or row.y0 - label.y1 > 1.5 * pitch:
        return False
    first = join_text(row.cells[0][1])
    figures = [join_text(ws) for col, (_, ws) in row.cells.items() if col]
    numeric = sum(map(is_numeric, figures))
    return first[:1].islower() and numeric > 0 and numeric >= 2 * (len(figures) - numeric)


def _continues(prev: _Row, row: _Row, pitch: float, em: float) -> bool:
    """Is `row` wrapped text of `prev` (a row of two or more cells, just above)? A line
    with an empty first column continues when all it holds is text; one with a first
    cell when that cell looks wrapped: a tight line gap, a lower-case start, an indent,
    or a dangling connective at the end of the text above."""
    if len(prev.cells) < 2 or row.y0 - prev.y1 > 1.5 * pitch:
        return False
    if len(row.cells) == 1 and any(
        len({_owner(prev, c) for c in range(col, col + span)} - {None}) >= 2
        for col, (span, _) in row.cells.items()
    ):
        return False  # one phrase alone across two cells above: a group's title, no wrap
    cells = [(join_text(ws), ws, _owner(prev, col)) for col, (_, ws) in row.cells.items()]
    figures = [(text, owner) for text, _, owner in cells if owner is not None and is_numeric(text)]
    if len(figures) >= 2 and not any(is_numeric(_last_line(prev, o)) for _, o in figures):
        return False  # figures under a head's words: the first row under the head
    if 0 not in row.cells:
        return _owner(prev, 0) is not None and not any(is_numeric(t) for t, _, _ in cells)
    for text, _, owner in cells[1:]:
        if owner is not None and is_numeric(text) and is_numeric(_last_line(prev, owner)):
            return False  # a new row of figures
    text, ws, owner = cells[0]
    if owner is None or is_numeric(text):
        return False  # a row number starts a row, however it is indented
    above_words = prev.cells[owner][1]
    above = _last_line(prev, owner)
    tight = row.y0 - prev.y0 < 0.85 * pitch or row.y0 - prev.y1 < 0.35 * em
    # Below a row whose figures stand on its last line, an indent is the next item's
    # level in a statement ('Total revenues' over '    Cost of revenues'), no wrap.
    done = any(
        is_numeric(_last_line(prev, col)) and _last_line(prev, col) for col in prev.cells if col
    )
    indented = min(w.bbox.x0 for w in ws) > min(w.bbox.x0 for w in above_words) + 0.3 * em
    return not is_numeric(above) and (
        tight
        or text[:1].islower()
        or (indented and not done)
        or bool(_CONNECTIVE_END.search(above))
    )


def _last_line(row: _Row, col: int) -> str:
    """The text of a cell's lowest line (what a wrapped line would continue)."""
    words = row.cells[col][1]
    bottom = max(w.bbox.y0 for w in words)
    return " ".join(
        w.text
        for w in sorted(words, key=lambda w: w.bbox.x0)
        if w.bbox.y1 > bottom and not w.leader
    )


def _validated(
    rows: list[_Row], ncols: int, bounds: list[float], framed: bool = False
) -> Table | None:
    """Conservative checks, then the Table (header rows spanning centred over columns).
    Rows of a `framed` table need not be mostly full, nor its second column figures."""
    header = 0
    while header < len(rows) - 1 and any(s > 1 for s, _ in rows[header].cells.values()):
        header += 1
    body = rows[header:]
    if len(rows) < MIN_ROWS or len(body) < 2:
        return None
    # Each cell's text once (by its word list: header spans move cells, not their words).
    text_of = {id(ws): join_text(ws) for r in rows for _, ws in r.cells.values()}
    filled = [[text_of[id(ws)] for _, ws in r.cells.values()] for r in body]
    texts = [t for r in filled for t in r if t]
    need = 2 if framed else max(2, math.ceil(0.5 * ncols))
    full = sum(1 for r in filled if sum(1 for t in r if t) >= need)
    if full < (MIN_ROWS - 1 if framed else max(MIN_ROWS, 0.6 * len(body))):
        return None
    if sum(1 for t in texts if _MATH.search(t)) > MAX_MATH_SHARE * len(texts):
        return None  # a displayed formula: numerators, bars and denominators line up
    if sum(len(t.split()) >= LONG_CELL_WORDS for t in texts) > MAX_LONG_CELL_SHARE * len(texts):
        return None  # prose set in columns
    if _running_text(body, ncols, text_of):
        return None  # a leaflet's panels: each column's lines run on as sentences
    if ncols == 2 and not framed:
        second = [text_of[id(r.cells[1][1])] for r in body if 1 in r.cells]
        if not second or sum(map(is_numeric, second)) < 0.5 * len(second):
            return None
    edges = [x_span(ws) for r in rows for _, ws in r.cells.values()]
    col_x = [min(a for a, _ in edges), *bounds, max(b for _, b in edges)]
    # Where each column's text stands (its one-column cells): a head is centred on text,
    # not on the middles of the gaps around it.
    inked = [
        [x_span(ws) for r in rows for c, (span, ws) in r.cells.items() if c == col and span == 1]
        for col in range(ncols)
    ]
    extents = [
        (min(a for a, _ in spans), max(b for _, b in spans)) if spans else (col_x[c], col_x[c + 1])
        for c, spans in enumerate(inked)
    ]
    for r in rows[: max(header, 1)]:
        _centre_spans(r, ncols, extents)
    cells: list[TableCell] = []
    for i, r in enumerate(rows):
        taken: set[int] = set()
        for col in sorted(r.cells):
            span, ws = r.cells[col]
            span = min(span, ncols - col)
            taken.update(range(col, col + span))
            text = [w for w in ws if not w.leader] or ws
            cells.append(
                TableCell(
                    row=i,
                    col=col,
                    col_span=span,
                    text=text_of[id(ws)],
                    bbox=BBox.around([w.bbox for w in text]),
                )
            )
        cells += [
            TableCell(row=i, col=c, bbox=BBox(x0=col_x[c], y0=r.y0, x1=col_x[c + 1], y1=r.y1))
            for c in range(ncols)
            if c not in taken
        ]
    return Table(len(rows), ncols, sorted(cells, key=lambda c: (c.row, c.col)), header)


def _running_text(body: list[_Row], ncols: int, text_of: dict[int, str]) -> bool:
    """Do most columns hold running text: lines of words that go on in the line under
    them (no full stop at the end, a lower-case word next), as a folded leaflet's panels,
    side by side, line up into rows? A table's wrapped cells were joined already, and
    its entries start afresh."""
    running = 0
    for col in range(ncols):
        texts = [text_of[id(r.cells[col][1])] for r in body if col in r.cells]
        texts = [t for t in texts if t]  # a panel's lines fall between another's rows
        pairs = [
            (a, b)
            for a, b in itertools.pairwise(texts)
            if len(a.split()) >= 2 and len(b.split()) >= 2
        ]
        going_on = sum(a[-1] not in _SENTENCE_END and b[0].islower() for a, b in pairs)
        running += len(pairs) >= MIN_RUNNING_PAIRS and going_on >= RUNNING_SHARE * len(pairs)
    return running >= max(2, math.ceil(0.5 * ncols))


def _centre_spans(row: _Row, ncols: int, extents: list[tuple[float, float]]) -> None:
    """A header phrase centred over more columns than it touches (a group title: 'Year
    Ended' over three years) takes the free columns around it: the widest run of them
    it stays centred over."""
    for col, (span, ws) in list(row.cells.items()):
        phrase, first, last = x_span(ws), col, col + span - 1
        while first > 0 and _owner(row, first - 1) is None:
            first -= 1
        while last < ncols - 1 and _owner(row, last + 1) is None:
            last += 1
        runs = [
            (lo, hi)
            for lo in range(first, col + 1)
            for hi in range(col + span - 1, last + 1)
            if hi > lo and centred_over(phrase, (extents[lo][0], extents[hi][1]), SPAN_CENTRED)
        ]
        if runs:
            lo, hi = max(runs, key=lambda run: run[1] - run[0])
            del row.cells[col]
            row.cells[lo] = (hi - lo + 1, ws)


# --- ruled tables ------------------------------------------------------------------


def table_from_rules(
    region_bbox: BBox, h_lines: list[Segment], v_lines: list[Segment], words: list[Word]
) -> Table:
    """The grid drawn by the rules: rows and columns between rules (near-duplicates
    merged), spans where an inner rule is missing, columns or rows the rules leave out
    found from text alignment, each cell's text from the words centred in it."""
    box = region_bbox
    words = [w for w in words if w.within(box, 2.0)]
    em = line_height(words) if words else max(4.0, 0.01 * max(box.width, box.height))
    tol = max(3.0, 0.5 * em)
    cx, cy = (box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2
    cols = ruling.cluster_rules(v_lines, False, tol, box.x0, box.x1, cy)
    h_lines = ruling.anchored(h_lines, cols, True, tol, box.width)
    rows = ruling.cluster_rules(h_lines, True, tol, box.y0, box.y1, cx)
    v_lines = ruling.anchored(v_lines, rows, False, tol, box.height)
    cols = ruling.cluster_rules(v_lines, False, tol, box.x0, box.x1, cy)
    words = [w for w in words if not _on_rule(w, rows, cols, tol)]
    cols = _with_virtual_columns(cols, rows, words, em)
    rows, joint = _with_virtual_rows(rows, cols, words)
    return _assemble(rows, cols, words, em, joint)


def _on_rule(w: Word, rows: list[Rule], cols: list[Rule], tol: float) -> bool:
    """OCR reads a rule as "|" or "_": such a word centred on a rule is no text."""
    if not _RULE_JUNK.match(w.text.strip()):
        return False
    near = tol / 2  # on the rule, not an "I" in the cell beside it
    return any(not r.virtual and abs(r.at(w.cx) - w.cy) <= near for r in rows) or any(
        not c.virtual and abs(c.at(w.cy) - w.cx) <= near for c in cols
    )


def _with_virtual_columns(
    cols: list[Rule], rows: list[Rule], words: list[Word], em: float
) -> list[Rule]:
    """Inside each ruled column, gaps shared by the text lines (a partly ruled table)."""
    added = []
    col_of = [slot(cols, w.cy, w.cx) for w in words]
    for c in range(len(cols) - 1):
        in_col = text_lines([w for w, at in zip(words, col_of, strict=True) if at == c])
        lines = [[x_span(p) for p in phrases(line, em)] for line in in_col]
        for x in split_points(lines, em, crossing_share=0.2):
            both = {
                slot(rows, x, line[0].cy)
                for line in in_col
                if any(w.cx < x for w in line) and any(w.cx > x for w in line)
            }
            if len(both) >= min(2, len(rows) - 1):
                added.append(Rule(x, 0.0, 0.0, virtual=True))
    return sorted(cols + added, key=lambda r: r.pos)


def _with_virtual_rows(
    rows: list[Rule], cols: list[Rule], words: list[Word]
) -> tuple[list[Rule], set[int]]:
    """Rows the rules leave out (only a header rule, or a rule every few rows): a break
    between two text lines that both have words in the same two or more columns. Where
    the rules draw many rows, a tall cell is one wrapped cell (a header's, a
    description's), so there the two lines must be rows of figures (`_figure_rows`).
    Between two rows of figures may stand a value centred over both ('6' beside 'OTSL'
    and 'HTML'), in columns of its own: their joint cell; or the upper row's text wrapped
    onto lines of their own ('AIRFARE FOR …' under its row): the break comes after them.
    Returns the rules and the ids of the centred values' words."""
    lines = text_lines([w for w in words if not w.leader])
    band_of = [slot(rows, line[0].cx, line[0].cy) for line in lines]
    band_columns: dict[int, set[int]] = {}
    for w in words:
        band_columns.setdefault(slot(rows, w.cx, w.cy), set()).add(slot(cols, w.cy, w.cx))
    columns = [_by_column(line, cols) for line in lines]
    added: list[Rule] = []
    broken: set[int] = set()  # lines a virtual row already parts from the one above
    joint: set[int] = set()
    few = len(rows) <= 4  # a header rule only: two lines in two same columns are rows
    for i, above in enumerate(lines):
        top, upper, band = _bottom(above), columns[i], band_of[i]
        need = max(2, math.ceil(RULED_BREAK_SHARE * len(band_columns[band])))
        j = next(  # the next line clear below in the same band that starts a row
            (
                k
                for k in range(i + 1, min(i + 1 + LOOK_BELOW, len(lines)))
                if band_of[k] == band
                and _top(lines[k]) > top
                and (
                    (few and k == i + 1 and len(upper.keys() & columns[k].keys()) >= 2)
                    or _figure_rows(upper, columns[k], need)
                )
            ),
            None,
        )
        if j is None or j in broken:
            continue
        below, lower = lines[j], columns[j]
        between = range(i + 1, j)
        figure_columns = {c for c in upper.keys() & lower.keys() if is_numeric(upper[c])}
        # Text run on below its row lies in a later column than the row's first (a label
        # wrapped in the first column may as well belong to the row below it), and in
        # one of the row's own columns when the rules say nothing of rows.
        first = min(band_columns[band])
        run_on = all(
            first not in columns[k]
            and not columns[k].keys() & figure_columns
            and (not few or (len(columns[k]) == 1 and columns[k].keys() <= upper.keys()))
            for k in between
        )
        if not between or (
            not few and all(not columns[k].keys() & (upper.keys() | lower.keys()) for k in between)
        ):
            pos = (top + _top(below)) / 2  # nothing between, or values centred over both
            joint.update(id(w) for k in between for w in lines[k])
        elif run_on and (end := max(_bottom(lines[k]) for k in between)) < _top(below):
            pos = (end + _top(below)) / 2  # after the upper row's text run on
        else:
            continue
        added.append(Rule(pos, 0.0, 0.0, virtual=True))
        broken.add(j)
    return sorted(rows + added, key=lambda r: r.pos), joint


def _figure_rows(upper: dict[int, str], lower: dict[int, str], need: int) -> bool:
    """Two lines of a tall ruled cell are two rows when `need` or more columns hold a
    figure in both, and no text in the lower one continues a line ('… mixed decyl' /
    'and hexyl')."""
    shared = upper.keys() & lower.keys()
    figures = sum(is_numeric(upper[c]) and is_numeric(lower[c]) for c in shared)
    return figures >= need and not any(lower[c][:1].islower() for c in shared)


def _top(line: list[Word]) -> float:
    """Where a text line starts: most of its words' tops. OCR gives a word beside a rule
    or a speck a box a line taller, which would reach into the next row."""
    return statistics.median_low(w.bbox.y0 for w in line)


def _bottom(line: list[Word]) -> float:
    """Where a text line ends: most of its words' bottoms (see `_top`)."""
    return statistics.median_high(w.bbox.y1 for w in line)


def _by_column(line: list[Word], cols: list[Rule]) -> dict[int, str]:
    """A text line's words in each column, as one text per column."""
    texts: dict[int, list[str]] = {}
    for w in line:
        texts.setdefault(slot(cols, w.cy, w.cx), []).append(w.text)
    return {c: " ".join(ws) for c, ws in texts.items()}


def _assemble(
    rows: list[Rule], cols: list[Rule], words: list[Word], em: float, joint: set[int]
) -> Table:
    """Union grid slots not parted by a rule into rectangles; fill them with words. A
    `joint` word (a value centred over two rows) that a virtual row runs through joins
    the slots above and below it."""
    nr, nc = len(rows) - 1, len(cols) - 1
    centred = [w for w in words if id(w) in joint]  # asked of every slot: most tables none
    slots: dict[tuple[int, int], list[Word]] = {}
    for w in words:
        key = (slot(rows, w.cx, w.cy), slot(cols, w.cy, w.cx))
        slots.setdefault(key, []).append(w)
    crossing = [(x_span(p), p[0].cy) for line in text_lines(words) for p in phrases(line, em)]

    def clear(x: float, a: float, b: float) -> bool:
        """No phrase runs across x between heights a and b."""
        return not any(s[0] < x < s[1] and a <= y <= b for s, y in crossing)

    def parted(rule: Rule, a: float, b: float, vertical: bool) -> bool:
        if not rule.virtual:
            return rule.covers(a, b) >= 0.5
        if vertical:  # no phrase runs across the virtual column boundary here
            return clear(rule.pos, a, b)
        return not any(w.bbox.y0 < rule.pos < w.bbox.y1 and a <= w.cx <= b for w in centred)

    def apart(r: int, c: int, y0: float, y1: float) -> bool:
        """Slots c and c + 1 of row r: parted by the rule between them, or, where that
        rule stops short of the row (drawn through the header only), by words on both
        sides and no phrase across it."""
        rule = cols[c + 1]
        return parted(rule, y0, y1, True) or (
            not rule.virtual and (r, c) in slots and (r, c + 1) in slots and clear(rule.pos, y0, y1)
        )

    def figures_apart(r: int, c: int) -> bool:
        """Slots r and r + 1 of column c, each a figure, with a row's rule between them
        that fades out here (a hairline on a pale fill): two rows' figures, not one."""
        return not rows[r + 1].virtual and all(
            (k, c) in slots and is_numeric(join_text(slots[(k, c)])) for k in (r, r + 1)
        )

    links = []
    for r in range(nr):
        y0, y1 = rows[r].pos, rows[r + 1].pos
        for c in range(nc):
            x0, x1 = cols[c].pos, cols[c + 1].pos
            if c + 1 < nc and not apart(r, c, y0, y1):
                links.append(((r, c), (r, c + 1)))
            if r + 1 < nr and not (parted(rows[r + 1], x0, x1, False) or figures_apart(r, c)):
                links.append(((r, c), (r + 1, c)))
    rects = ruling.rectangles(nr, nc, links)
    cells = []
    for r0, c0, r1, c1 in rects:
        members = [
            w for r in range(r0, r1 + 1) for c in range(c0, c1 + 1) for w in slots.get((r, c), [])
        ]
        cells.append(
            TableCell(
                row=r0,
                col=c0,
                row_span=r1 - r0 + 1,
                col_span=c1 - c0 + 1,
                text=join_text(members),
                bbox=BBox(
                    x0=cols[c0].pos, y0=rows[r0].pos, x1=cols[c1 + 1].pos, y1=rows[r1 + 1].pos
                ),
            )
        )
    return Table(nr, nc, sorted(cells, key=lambda c: (c.row, c.col)))


# --- whole pages -------------------------------------------------------------------


def _title_rows(table: Table) -> tuple[Table, float] | None:
    """The table without its leading rows that hold one text across columns from the
    first one and nothing else (a form's heading block in the goods table's frame;
    'ТОВАРНАЯ НАКЛАДНАЯ' beside the document number's box, the frame drawn round both),
    and where the rest starts; None when it has no such row or nothing else. A group's
    head over the figure columns, right of an empty stub ('Year Ended December 31'),
    stays."""
    by_row = {r: [c for c in table.cells if c.row == r] for r in range(table.rows)}

    def titled(cells: list[TableCell]) -> bool:
        texts = [c for c in cells if c.text.strip()]
        if not all(c.row_span == 1 for c in cells) or len(texts) > 1:
            return False
        if not texts:
            return True
        text = texts[0]
        # Across the whole grid, one line is its own boxed title row ('Assignment
        # Categories'); a block of lines over the grid is the form's heading.
        whole = text.col_span == table.cols
        return (
            text.col == 0
            and text.col_span >= 2
            and (not whole or len(text.text.split()) >= HEADING_BLOCK_WORDS)
        )

    top = 0
    while top < table.rows - 1 and titled(by_row[top]):
        top += 1
    firsts = [c.bbox.y0 for c in by_row[top] if c.bbox is not None] if top else []
    if not firsts:
        return None
    cells = [c.model_copy(update={"row": c.row - top}) for c in table.cells if c.row >= top]
    header = max(0, table.header_rows - top)
    return Table(table.rows - top, table.cols, cells, header), min(firsts)


def find_tables(
    words: list[Word],
    image: Image.Image | None,
    dpi: float,
    lines: ruling.PageLines | None = None,
) -> list[TableResult]:
    """Tables on a page: ruled regions of the image first, then borderless tables among
    the remaining words. Each result lists the words it consumed. `lines`: the image's
    ruling lines at `dpi`, when they were found already."""
    results: list[TableResult] = []
    used: set[int] = set()
    page = lines if lines is not None or image is None else ruling.detect_lines(image, dpi)
    regions = ruling.find_ruled_regions(image, dpi, page) if image is not None else []
    page_area = page.area if page is not None else 0.0
    for region in regions:
        members = [w for w in words if id(w) not in used and w.within(region.bbox, 0.02 * dpi)]
        boxes = np.array([(w.bbox.x0, w.bbox.y0, w.bbox.x1, w.bbox.y1) for w in members]).reshape(
            -1, 4
        )
        tall = (
            boxes[[len(w.text.strip()) > 1 for w in members]] if members else boxes
        )  # not "l" or "|"
        h = [s for s in region.h_lines if ruling.crossings(s, boxes, True) < 2]
        v = [s for s in region.v_lines if ruling.crossings(s, tall, False) < 2]
        table: Table | None = table_from_rules(region.bbox, h, v, members) if h and v else None
        if table is not None and (cut := _title_rows(table)) is not None:
            # Rows above the grid's columns holding one text: the form's heading block
            # over its goods table, held in one frame. They are text, not the table's.
            table, top = cut
            region = dataclasses.replace(region, bbox=region.bbox.model_copy(update={"y0": top}))
            members = [w for w in members if w.within(region.bbox, 0.0)]
        ruled = table is not None and table.is_data_grid()
        if not ruled:  # a frame around a borderless table, a chart, a boxed note
            table = table_from_alignment(members, region.bbox)
        if table is not None and members:
            results.append(TableResult(region.bbox, table, members, ruled))
        boxed = region.bbox.width * region.bbox.height < 0.5 * page_area
        if table is not None or (boxed and len(text_lines(members)) > MAX_BAND_LINES):
            # A boxed note or a framed chart is no table, nor part of one around it; a
            # page border is no box, and a shaded row (a striped table's grey rows,
            # each a filled box) is a row of the table around it.
            used.update(id(w) for w in members)
    # Tables with horizontal rules only: the words between their first and last rule.
    width = page.ink.shape[1] / page.scale if page is not None else 0.0
    for band in bands.rule_bands(page.h_lines, width, words) if page is not None else []:
        if any(r.bbox.overlap_area(band) > 0 for r in results):
            continue
        free = [w for w in words if id(w) not in used]
        band = bands.with_row_labels(bands.with_head_above(band, free), free)
        if bands.cut_from_rows(band, free):
            continue  # the rest of the rows' words go to the borderless search whole
        members = [w for w in words if id(w) not in used and w.within(band, 0.0)]
        table = table_from_alignment(members, band, framed=True)
        if table is not None:
            results.append(TableResult(band, table, members))
            used.update(id(w) for w in members)
    # A fixed-width report's columns, from the dash rulers typed under their heads.
    for block, table in ruler_tables([w for w in words if id(w) not in used]):
        results.append(TableResult(BBox.around([w.bbox for w in block]), table, block))
        used.update(id(w) for w in block)
    rest = [w for w in words if id(w) not in used]
    found = stacked_tables(rest, table_from_alignment)
    taken = {id(w) for block, _ in found for w in block}
    for column in prose_columns([w for w in rest if id(w) not in taken]):
        found += stacked_tables(column, table_from_alignment)
    for block, table in found:
        if page is not None and ruling.clutter(page, table.gutters()) > MAX_CLUTTER:
            continue  # something is drawn between the "columns": a chart, not a table
        bbox = BBox.around([c.bbox for c in table.cells if c.bbox is not None])
        results.append(TableResult(bbox, table, [w for w in block if w.within(bbox, 1.0)]))
    return sorted(results, key=lambda r: (r.bbox.y0, r.bbox.x0))
