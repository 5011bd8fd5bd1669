"""PaddleOCR-VL's output formats to docparse's: OTSL tables to cells and HTML, LaTeX
delimiters, chart rows to tables, spotting location tokens to lines with boxes.
Follows PaddleX's post-processing (paddleocr_vl pipeline) so results match its serving."""

from __future__ import annotations

import re
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
    return Table(len(rows), width, cells) if cells else None


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


def parse_spotting(text: str, width: float, height: float) -> list[SpottedLine]:
    """<|TEXT_START|>t<|TEXT_END|><|LOC_BEGIN|><|LOC_x|>…8 values…<|LOC_END|> runs."""
    texts = SPOT_TEXT.findall(text)
    blocks = SPOT_LOC_BLOCK.findall(text)
    lines = []
    for label, block in zip(texts, blocks, strict=False):
        values = [int(v) for v in SPOT_LOC.findall(block)]
        if len(values) < 8:
            continue
        points = [
            (values[i] / LOC_GRID * width, values[i + 1] / LOC_GRID * height)
            for i in range(0, 8, 2)
        ]
        lines.append(SpottedLine(label.strip(), points))
    return lines


def truncate_repetition(text: str, min_count: int = 50) -> str:
    """Cut a runaway tail where the model repeats one short unit over and over."""
    for unit in range(1, 101):
        if len(text) < unit * min_count:
            break
        tail = text[-unit:]
        count = 0
        end = len(text)
        while end >= unit and text[end - unit : end] == tail:
            count += 1
            end -= unit
        if count >= min_count:
            return text[: end + unit]
    return text
