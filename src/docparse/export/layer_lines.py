"""Where each recognised word sits on the upright page, for a searchable PDF's text layer:
the finest geometry the Document has. A line's words keep their own boxes when the engine
gave them (Tesseract, in process: `Line.words` is not serialised); otherwise the line's
text is spread over the line's box by character count (PP-OCR, the VLM's spotting, a
Document read back from JSON). A block without lines (the VLM's paragraphs) has its text
lines set in equal bands down the block's box; a table's cells go in their own boxes, or
in an even grid over the table when only their rows and columns are known."""

from __future__ import annotations

from dataclasses import dataclass

from docparse.document import BBox, Block, Line, Page, TableCell

CELL_PAD = 0.15  # of a cell's height (or width, when narrower): its text's margin


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    x1: float


@dataclass(frozen=True)
class TextLine:
    """Words on one line, in upright page pixels (y down); the line spans top..bottom."""

    top: float
    bottom: float
    words: tuple[Word, ...]


def page_lines(page: Page) -> list[TextLine]:
    """Every block's lines in reading order (furniture too: a page's text is all of it)."""
    return [line for block in sorted(page.blocks, key=lambda b: b.order) for line in _block(block)]


def _block(block: Block) -> list[TextLine]:
    if block.lines:
        return [placed for line in block.lines if (placed := _line(line)) is not None]
    cells = [c for c in block.cells if c.text.strip()]
    if cells:  # a table: each cell's text in its box, or its place in an even grid
        boxes = [c.bbox or _grid_box(c, block) for c in cells]
        return [ln for c, b in zip(cells, boxes, strict=True) for ln in banded(c.text, _inside(b))]
    return banded(block.text, block.bbox)


def _inside(cell: BBox) -> BBox:
    """A ruled cell's box is the whole cell, wall to wall: its text is set a little in
    from the walls, so that the words of neighbouring cells do not touch (pdftotext ran
    `1` and `Кресло` together)."""
    pad = min(CELL_PAD * cell.height, CELL_PAD * cell.width)
    return BBox(x0=cell.x0 + pad, y0=cell.y0, x1=cell.x1 - pad, y1=cell.y1)


def _grid_box(cell: TableCell, table: Block) -> BBox:
    """Where a cell without a box (the VLM's tables) would be in rows and columns of
    equal size across the table's box."""
    rows = max(c.row + c.row_span for c in table.cells)
    cols = max(c.col + c.col_span for c in table.cells)
    w, h = table.bbox.width / cols, table.bbox.height / rows
    x0, y0 = table.bbox.x0 + cell.col * w, table.bbox.y0 + cell.row * h
    return BBox(x0=x0, y0=y0, x1=x0 + cell.col_span * w, y1=y0 + cell.row_span * h)


def _line(line: Line) -> TextLine | None:
    tokens = line.text.split()
    box = line.bbox
    if not tokens or box.height <= 0:
        return None
    boxes = [b for _, b in line.words]
    if len(boxes) == len(tokens):  # the engine's words (their letters maybe set since)
        words = tuple(Word(t, b.x0, b.x1) for t, b in zip(tokens, boxes, strict=True))
        return TextLine(box.y0, box.y1, words)
    return TextLine(box.y0, box.y1, spread(tokens, box.x0, box.x1))


def spread(tokens: list[str], x0: float, x1: float) -> tuple[Word, ...]:
    """Words placed along x0..x1 by their characters' share of the line, spaces counted."""
    total = sum(len(t) for t in tokens) + len(tokens) - 1
    step = (x1 - x0) / total
    words, at = [], 0
    for token in tokens:
        words.append(Word(token, x0 + at * step, x0 + (at + len(token)) * step))
        at += len(token) + 1
    return tuple(words)


def banded(text: str, box: BBox) -> list[TextLine]:
    """Text lines in equal bands down `box`, each spread across its width."""
    rows = [row.split() for row in text.splitlines()]
    rows = [row for row in rows if row]
    if not rows or box.height <= 0 or box.width <= 0:
        return []
    band = box.height / len(rows)
    return [
        TextLine(box.y0 + i * band, box.y0 + (i + 1) * band, spread(row, box.x0, box.x1))
        for i, row in enumerate(rows)
    ]
