"""A ruled table's cell that came out empty though it holds words is read again alone;
a blank cell, and one with only its rule's edge inside, stay empty."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from PIL import Image, ImageDraw, ImageFont

from docparse.document import BBox, Block, Label, TableCell
from docparse.engines.base import PageImage
from docparse.engines.tesseract import TesseractEngine
from docparse.pipeline.empty_cells import read_empty_cells
from docparse.settings import Settings

FONT = "/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf"
COLUMNS, ROWS = (60, 560, 1000, 1240), (60, 140, 220)


def ruled_table() -> tuple[Image.Image, Block]:
    """A 200-dpi ruled table of 2 rows by 3 columns: its head row's words drawn, the row
    below blank but for a rule's ragged edge inside one cell; the table as the page
    reading gave it, its head cell 'Базовая стоимость, руб.' left empty."""
    image = Image.new("L", (1300, 280), 255)
    draw = ImageDraw.Draw(image)
    for x in COLUMNS:
        draw.line([(x, ROWS[0]), (x, ROWS[-1])], fill=0, width=3)
    for y in ROWS:
        draw.line([(COLUMNS[0], y), (COLUMNS[-1], y)], fill=0, width=3)
    draw.line([(COLUMNS[1] + 6, ROWS[1] + 3), (COLUMNS[2] - 6, ROWS[1] + 7)], fill=0, width=3)
    font = ImageFont.truetype(FONT, 30)
    draw.text((80, 82), "Наименование", fill=0, font=font)
    draw.text((580, 82), "Базовая стоимость, руб.", fill=0, font=font)
    draw.text((1020, 82), "Месяц", fill=0, font=font)
    cells = []
    for r in range(2):
        for c in range(3):
            box = BBox(x0=COLUMNS[c], y0=ROWS[r], x1=COLUMNS[c + 1], y1=ROWS[r + 1])
            text = {(0, 0): "Наименование", (0, 2): "Месяц"}.get((r, c), "")
            cells.append(TableCell(row=r, col=c, text=text, bbox=box))
    table = Block(
        id="p0-t0",
        label=Label.table,
        bbox=BBox(x0=60, y0=60, x1=1240, y1=220),
        cells=cells,
        html="",
        text="",
    )
    return image, table


async def test_an_empty_cell_with_words_in_it_is_read_again(settings: Settings) -> None:
    image, table = ruled_table()
    with ThreadPoolExecutor(1) as executor:
        engine = TesseractEngine(settings, executor)
        await read_empty_cells(engine, PageImage(0, image, 200), [table], "rus+eng")
    texts = {(c.row, c.col): c.text for c in table.cells}
    assert texts[(0, 1)] == "Базовая стоимость, руб."
    assert texts[(1, 0)] == texts[(1, 1)] == texts[(1, 2)] == ""  # blank; a rule's edge
    assert "<td>Базовая стоимость, руб.</td>" in (table.html or "")
    assert table.text.startswith("| Наименование | Базовая стоимость, руб. | Месяц |")
