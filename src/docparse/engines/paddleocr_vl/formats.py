"""PaddleOCR-VL's output formats to docparse's: OTSL tables to cells and HTML, LaTeX
delimiters, chart rows to tables, spotting location tokens to lines with boxes.
Follows PaddleX's post-processing (paddleocr_vl pipeline) so results match its serving."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from docparse.document import TableCell
from docparse.tables.model import Table

OTSL_TAG = re.compile(r"<fcel>|<ecel>|<lcel>|<ucel>|<xcel>|<nl>")
_SPAN_LEFT = ("<lcel>", "<xcel>")
_SPAN_UP = ("<ucel>", "<xcel>")
SPOT_TEXT = re.compile(r"<\|TEXT_START\|>(.*?)<\|TEXT_END\|>", re.S)
SPOT_LOC_BLOCK = re.compile(r"<\|LOC_BEGIN\|>(.*?)<\|LOC_END\|>", re.S)
SPOT_LOC = re.compile(r"<\|LOC_(\d+)\|>")
LOC_GRID = 1000.0  # spotting coordinates are on a 0..1000 grid over the crop


def _pad_rows(otsl: str) -> list[list[tuple[str, str]]]:
    """Rows of (tag, text), all of one width: the width that changes the fewest cells
    (PaddleX's otsl_pad_to_sqr_v2), never cutting off a cell with text."""
    rows: list[list[tuple[str, str]]] = []
    for raw in otsl.split("<nl>"):
        parts = re.split(r"(<fcel>|<ecel>|<lcel>|<ucel>|<xcel>)", raw)
        row = [
            (parts[i], parts[i + 1].strip() if i + 1 < len(parts) else "")
            for i in range(1, len(parts), 2)
        ]
        if row:
            rows.append(row)
    if not rows:
        return []
    min_width = max(
        max((i + 1 for i, (t, _) in enumerate(r) if t == "<fcel>"), default=1) for r in rows
    )
    max_width = max(len(r) for r in rows)
    width = min(
        range(min_width, max(min_width, max_width) + 1),
        key=lambda w: (sum(abs(len(r) - w) for r in rows), w),
    )
    return [r[:width] + [("<ecel>", "")] * (width - len(r)) for r in rows]


def parse_otsl(otsl: str) -> Table | None:
    """OTSL tokens (<fcel>text<lcel><nl>…) to a table with row and column spans."""
    rows = _pad_rows(otsl)
    if not rows:
        return None
    width = len(rows[0])
    cells = []
    for r, row in enumerate(rows):
        for c, (tag, text) in enumerate(row):
            if tag not in ("<fcel>", "<ecel>"):
                continue
            col_span = 1
            while c + col_span < width and row[c + col_span][0] in _SPAN_LEFT:
                col_span += 1
            row_span = 1
            while r + row_span < len(rows) and rows[r + row_span][c][0] in _SPAN_UP:
                row_span += 1
            cells.append(
                TableCell(
                    row=r,
                    col=c,
                    text=text if tag == "<fcel>" else "",
                    row_span=row_span,
                    col_span=col_span,
                )
            )
    if not cells:
        return None
    # A span tag no cell reaches (an <lcel> first in its row, a <ucel> in the first row)
    # is an empty cell, as PaddleX's TableData.grid leaves it: the row keeps its width.
    covered = {
        (r, c)
        for cell in cells
        for r in range(cell.row, min(cell.row + cell.row_span, len(rows)))
        for c in range(cell.col, min(cell.col + cell.col_span, width))
    }
    cells += [
        TableCell(row=r, col=c)
        for r in range(len(rows))
        for c in range(width)
        if (r, c) not in covered
    ]
    cells.sort(key=lambda cell: (cell.row, cell.col))
    return Table(len(rows), width, cells)


def parse_chart(text: str) -> Table | None:
    """'Chart Recognition:' answers rows separated by newlines, cells by '|'."""
    rows = [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in text.strip().splitlines()
        if line.strip()
    ]
    rows = [r for r in rows if not all(set(c) <= set("-: ") for c in r)]  # markdown rules
    if not rows:
        return None
    width = max(len(r) for r in rows)
    cells = [
        TableCell(row=r, col=c, text=text)
        for r, row in enumerate(rows)
        for c, text in enumerate(row)
    ]
    return Table(len(rows), width, cells)


def latex_body(text: str) -> str:
    """The LaTeX inside \\[ … \\], \\( … \\) or $$ … $$, without the delimiters."""
    body = text.strip()
    for start, end in (("\\[", "\\]"), ("$$", "$$"), ("\\(", "\\)"), ("$", "$")):
        if body.startswith(start) and body.endswith(end) and len(body) > len(start + end) - 1:
            return body[len(start) : len(body) - len(end)].strip()
    return body


def inline_math(text: str) -> str:
    """OCR text carries inline math as \\( … \\): Markdown wants $ … $ (as PaddleX does)."""
    if "\\(" not in text and "\\[" not in text:
        return text
    text = text.replace("\\(", "$").replace("\\)", "$")
    return text.replace("\\[", "$$").replace("\\]", "$$")


@dataclass
class SpottedLine:
    text: str
    polygon: list[tuple[float, float]]  # four points in crop pixels


def _quad(values: list[int], width: float, height: float) -> list[tuple[float, float]]:
    """Four corners in crop pixels from eight LOC values on the 0..1000 grid."""
    return [
        (values[i] / LOC_GRID * width, values[i + 1] / LOC_GRID * height) for i in range(0, 8, 2)
    ]


def parse_spotting(text: str, width: float, height: float) -> list[SpottedLine]:
    """<|TEXT_START|>t<|TEXT_END|><|LOC_BEGIN|><|LOC_x|>…8 values…<|LOC_END|> runs, or when
    there are none, bare `text<|LOC_x|>…8 values` runs (PaddleX post_process_for_spotting)."""
    texts = SPOT_TEXT.findall(text)
    blocks = SPOT_LOC_BLOCK.findall(text)
    lines = []
    for label, block in zip(texts, blocks, strict=False):
        values = [int(v) for v in SPOT_LOC.findall(block)]
        if len(values) < 8:
            continue
        lines.append(SpottedLine(label.strip(), _quad(values, width, height)))
    if lines:
        return lines
    # PaddleX's fallback: bare runs of text followed by eight LOC tokens.
    tokens = list(SPOT_LOC.finditer(text))
    start = 0
    for i in range(0, len(tokens) - 7, 8):
        group = tokens[i : i + 8]
        values = [int(m.group(1)) for m in group]
        lines.append(
            SpottedLine(text[start : group[0].start()].strip(), _quad(values, width, height))
        )
        start = group[-1].end()
    return lines


def _shortest_repeating_unit(s: str) -> str | None:
    """The shortest unit that, repeated, is the whole of `s` (PaddleX
    find_shortest_repeating_substring)."""
    n = len(s)
    for size in range(1, n // 2 + 1):
        if n % size == 0 and s[:size] * (n // size) == s:
            return s[:size]
    return None


def _repeating_suffix(
    s: str, min_len: int = 8, min_repeats: int = 5
) -> tuple[str, str, int] | None:
    """(prefix, unit, count) when `s` ends in `min_repeats` or more copies of one unit of
    at least `min_len` characters; the longest such unit wins (PaddleX
    find_repeating_suffix)."""
    for size in range(len(s) // min_repeats, min_len - 1, -1):
        unit = s[-size:]
        if s.endswith(unit * min_repeats):
            count = 0
            rest = s
            while rest.endswith(unit):
                rest = rest[:-size]
                count += 1
            return s[: len(s) - count * size], unit, count
    return None


def truncate_repetitive_content(
    content: str,
    line_threshold: int = 10,
    char_threshold: int = 10,
    min_len: int = 10,
    min_count: int = 3000,
) -> str:
    """A runaway generation cut back, as PaddleX does (truncate_repetitive_content); the
    pipeline calls it with min_count 5000 for tables and 50 otherwise. `min_count` is the
    shortest text that is looked at. In order:
    1. one line over 100 chars ending in >= 5 copies of a unit of >= 8 chars that make
       up more than half of it: only the text before the copies is kept;
    2. one line that is a unit repeated >= 10 times: the unit;
    3. >= 10 non-blank lines of which one line is >= 10 and >= 80 %: that line alone."""
    if len(content) < min_count:
        return content
    stripped = content.strip()
    if not stripped:
        return content
    if "\n" not in stripped and len(stripped) > 100:
        found = _repeating_suffix(stripped)
        if found:
            prefix, unit, count = found
            if len(unit) * count > len(stripped) * 0.5:
                return prefix
    if "\n" not in stripped and len(stripped) > min_len:
        whole = _shortest_repeating_unit(stripped)
        if whole and len(stripped) // len(whole) >= char_threshold:
            return whole
    lines = [line.strip() for line in content.split("\n") if line.strip()]
    if len(lines) < line_threshold:
        return content
    line, count = Counter(lines).most_common(1)[0]
    if count >= line_threshold and count / len(lines) >= 0.8:
        return line
    return content
