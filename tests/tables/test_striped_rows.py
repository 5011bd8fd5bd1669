"""A register whose rows are striped: every other row on a grey fill, no rules between
columns (the forms set's asset register, rendered by Chromium). Each grey fill's edges
are rules round a box, so every grey row was a ruled region of its own; one line is no
table, and the region's words were set aside as a boxed note's, so every grey row went
missing from the register and from the text. A grey row is a row of the table around
it now."""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from docparse.document import Label
from docparse.pipeline.converter import Converter
from tests.structure.born_digital import convert
from tests.structure.drawn import SERIF, register

COLUMNS = (60.0, 100.0, 190.0, 330.0, 420.0)  # left edges
HEAD = ["№", "Номер", "Наименование", "Дата", "Стоимость"]
ITEMS = ["Сервер стоечный", "Ноутбук", "Фургон грузовой", "Компрессор", "Стеллаж", "Принтер"]


def rows() -> list[list[str]]:
    return [
        [str(n), f"ОС-00{n}32{n}", item, f"1{n}.0{n}.201{n}", f"{n}82 955,4{n}"]
        for n, item in enumerate(ITEMS, start=1)
    ]


def striped_register(path: Path) -> None:
    register()
    canvas = Canvas(str(path), pagesize=A4)
    height = A4[1]
    y = 120.0
    canvas.setLineWidth(1)
    canvas.line(55, height - y + 14, 540, height - y + 14)  # the rule over the head
    for i, cells in enumerate([HEAD, *rows()]):
        if i % 2 == 0 and i:  # every other row on a grey fill
            canvas.setFillGray(0.9)
            canvas.rect(55, height - y - 6, 485, 20, stroke=0, fill=1)
        canvas.setFillGray(0)
        canvas.setFont(SERIF, 10)
        for x, text in zip(COLUMNS, cells, strict=True):
            canvas.drawString(x, height - y, text)
        if i == 0:
            canvas.line(55, height - y - 6, 540, height - y - 6)  # the rule under the head
        y += 20
    canvas.line(55, height - y + 14, 540, height - y + 14)
    canvas.showPage()
    canvas.save()


async def test_grey_rows_stay_rows_of_the_table(converter: Converter, tmp_path: Path) -> None:
    path = tmp_path / "register.pdf"
    striped_register(path)
    page, markdown = await convert(converter, path)
    for cells in rows():
        assert all(cell in markdown for cell in cells), cells
    (table,) = [b for b in page.blocks if b.label == Label.table]
    grid = {(c.row, c.col): c.text for c in table.cells}
    assert [grid[(r, 2)] for r in range(1, len(ITEMS) + 1)] == ITEMS
