"""Cells of a ruled table that hold ink but no word: Tesseract's page layout analysis
drops text it takes for part of the rules (a head set tight under the frame, 'Базовая
стоимость, руб.' over its two columns), and the cell comes out empty. Each such cell is
read again alone, from its own pixels inside the rules."""

from __future__ import annotations

import asyncio

import numpy as np
from PIL import Image

from docparse.document import BBox, Block, TableCell, mean_confidence
from docparse.engines.base import Engine, PageImage, RecognizeOptions
from docparse.tables.model import Table

INSET = 0.12  # of the cell's shorter side (at least MIN_INSET px): keeps its rules out
MIN_INSET = 4
MIN_SIDE = 14  # px: a cell this narrow or low holds no line of text at OCR resolution
DARK = 128  # grey level below which a pixel is ink
MIN_INK, MAX_INK = 0.01, 0.5  # share of the inside inked: letters, not specks or a fill
MIN_CONFIDENCE = 0.6  # a reading of a cell alone kept only when Tesseract is this sure
MAX_CELLS = 40  # cells read again on one page: a form's many blank boxes are no heads


async def read_empty_cells(
    engine: Engine, page: PageImage, tables: list[Block], languages: str
) -> None:
    """Fill the empty cells of `tables` (ruled, in page pixels) whose inside has ink,
    each read alone by `engine`; the tables' HTML and text follow."""
    grey = np.asarray(page.image.convert("L"))
    wanted = [
        (table, cell, box)
        for table in tables
        for cell in table.cells
        if not cell.text.strip() and (box := _inked_inside(grey, cell)) is not None
    ][:MAX_CELLS]
    if not wanted:
        return
    request = RecognizeOptions(languages=languages)
    readings = await asyncio.gather(
        *(engine.recognize(_crop(page, box), request) for _, _, box in wanted)
    )
    changed: list[Block] = []
    for (table, cell, _), found in zip(wanted, readings, strict=True):
        lines = [ln for block in found for ln in block.lines]
        text = " ".join(ln.text for ln in lines).strip()
        if text and (mean_confidence(lines) or 0.0) >= MIN_CONFIDENCE:
            cell.text = text
            if table not in changed:
                changed.append(table)
    for table in changed:
        grid = Table(
            rows=max(c.row + c.row_span for c in table.cells),
            cols=max(c.col + c.col_span for c in table.cells),
            cells=table.cells,
        )
        table.html, table.text = grid.html(), grid.markdown()


def _inked_inside(grey: np.ndarray, cell: TableCell) -> BBox | None:
    """The cell's inside, clear of its rules, when ink in it makes letters: enough of it,
    not a fill, and over more than a few rows and columns (not a rule's stray edge)."""
    if cell.bbox is None:
        return None
    box = cell.bbox
    inset = max(MIN_INSET, INSET * min(box.width, box.height))
    x0, y0 = round(box.x0 + inset), round(box.y0 + inset)
    x1, y1 = round(box.x1 - inset), round(box.y1 - inset)
    if x1 - x0 < MIN_SIDE or y1 - y0 < MIN_SIDE:
        return None
    ink = grey[max(0, y0) : y1, max(0, x0) : x1] < DARK
    if not MIN_INK <= ink.mean() <= MAX_INK:
        return None
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if rows[-1] - rows[0] < MIN_SIDE // 2 or cols[-1] - cols[0] < MIN_SIDE // 2:
        return None
    return BBox(x0=x0, y0=y0, x1=x1, y1=y1)


def _crop(page: PageImage, box: BBox) -> PageImage:
    """The cell's inside on a white margin: Tesseract finds no text run flush to an edge."""
    inside = page.image.crop((round(box.x0), round(box.y0), round(box.x1), round(box.y1)))
    margin = max(8, round(0.2 * box.height))
    size = (inside.width + 2 * margin, inside.height + 2 * margin)
    framed = Image.new(inside.mode, size, "white")
    framed.paste(inside, (margin, margin))
    return PageImage(page.index, framed, page.dpi)
