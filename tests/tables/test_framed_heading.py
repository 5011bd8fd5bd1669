"""A form whose heading block shares one frame with its goods table (an УПД: the seller's
and buyer's lines over the goods grid, one border round both). The grid's column rules
start under the block, so the block was one cell across every column: the table's first
row, holding the document's title and parties. Rows across the whole grid above its
columns are text now, and the table starts at its head."""

from __future__ import annotations

from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from docparse.document import Label
from docparse.pipeline.converter import Converter
from tests.structure.born_digital import convert
from tests.structure.drawn import SERIF, register

LEFT, RIGHT = 50.0, 545.0
COLUMNS = (LEFT, 90.0, 300.0, 380.0, 460.0, RIGHT)
HEAD = ["№", "Наименование товара", "Количество", "Цена", "Сумма"]
GOODS = [
    ["1", "Огнетушитель порошковый", "18", "3 973,17", "71 517,06"],
    ["2", "Кабель силовой медный", "84", "5 788,82", "486 260,88"],
    ["3", "Картридж лазерный", "36", "4 496,24", "161 864,64"],
]
BLOCK = [
    "Счёт-фактура № 2668 от 05 сентября 2024 г.",
    "Продавец: ООО «Северный ветер», г. Нижний Новгород, ул. Ильинская, д. 96",
    "Покупатель: ООО «Волжская мануфактура», г. Казань, ул. Заводская, д. 11",
]


def framed_form(path: Path, rule_through: bool) -> None:
    register()
    canvas = Canvas(str(path), pagesize=A4)
    top = A4[1] - 80  # PDF space: y runs up
    canvas.setFont(SERIF, 10)
    for i, text in enumerate(BLOCK):
        canvas.drawString(LEFT + 6, top - 16 - 16 * i, text)
    grid_top = top - 16 * len(BLOCK) - 18
    rows = [HEAD, *GOODS]
    bottom = grid_top - 20 * len(rows)
    canvas.rect(LEFT, bottom, RIGHT - LEFT, top - bottom)  # one frame round both
    for r in range(len(rows)):
        canvas.line(LEFT, grid_top - 20 * r, RIGHT, grid_top - 20 * r)
    for x in COLUMNS[1:-1]:
        canvas.line(x, grid_top, x, bottom)  # the columns' rules start under the block
    if rule_through:  # the last column's rule runs up through the block: a box beside it
        canvas.line(COLUMNS[-2], top, COLUMNS[-2], grid_top)
    for r, cells in enumerate(rows):
        for x, text in zip(COLUMNS, cells, strict=False):
            canvas.drawString(x + 4, grid_top - 20 * r - 14, text)
    canvas.showPage()
    canvas.save()


@pytest.mark.parametrize("rule_through", [False, True])
async def test_a_heading_block_in_the_tables_frame_is_text(
    converter: Converter, tmp_path: Path, rule_through: bool
) -> None:
    """Across the whole grid, or beside an empty box ('ТОВАРНАЯ НАКЛАДНАЯ' by the
    document number's box in a ТОРГ-12)."""
    path = tmp_path / "form.pdf"
    framed_form(path, rule_through)
    page, markdown = await convert(converter, path)
    (table,) = [b for b in page.blocks if b.label == Label.table]
    first = sorted((c for c in table.cells if c.row == 0), key=lambda c: c.col)
    assert [c.text for c in first] == HEAD
    assert all(text not in table.text for text in BLOCK)
    assert all(markdown.index(text) < markdown.index("Огнетушитель") for text in BLOCK)


def grid_under_a_top_row(
    path: Path, rows: list[list[str]], top_text: str, centred: bool, through: int = 0
) -> None:
    """A framed grid of `rows` under a top row holding `top_text` alone (centred over
    the columns right of the first `through`, whose rules run up through it, or set at
    the left); the other column rules start under that row."""
    register()
    canvas = Canvas(str(path), pagesize=A4)
    top = A4[1] - 80
    bottom = top - 20 * (len(rows) + 1)
    canvas.rect(LEFT, bottom, RIGHT - LEFT, top - bottom)
    for r in range(1, len(rows) + 1):
        canvas.line(LEFT, top - 20 * r, RIGHT, top - 20 * r)
    for i, x in enumerate(COLUMNS[1:-1], start=1):
        canvas.line(x, top if i <= through else top - 20, x, bottom)
    canvas.setFont(SERIF, 10)
    if centred:
        canvas.drawCentredString((COLUMNS[through] + RIGHT) / 2, top - 14, top_text)
    else:
        canvas.drawString(LEFT + 4, top - 14, top_text)
    for r, cells in enumerate(rows, start=1):
        for x, text in zip(COLUMNS, cells, strict=False):
            canvas.drawString(x + 4, top - 20 * r - 14, text)
    canvas.showPage()
    canvas.save()


async def test_a_group_head_over_the_figure_columns_stays_the_tables(
    converter: Converter, tmp_path: Path
) -> None:
    """'Year Ended December 31' over the figure columns, right of an empty stub, is the
    table's top row, not a title (found by a hostile probe)."""
    path = tmp_path / "statement.pdf"
    rows = [["", "2024", "2023", "2022", "2021"], ["Revenue", "100", "90", "80", "70"],
            ["Costs", "60", "55", "50", "45"], ["Profit", "40", "35", "30", "25"]]  # fmt: skip
    # the stub's rule runs to the top; the years' rules start under the group head
    grid_under_a_top_row(path, rows, "Year Ended December 31", centred=True, through=1)
    page, _ = await convert(converter, path)
    (table,) = [b for b in page.blocks if b.label == Label.table]
    (head,) = [c for c in table.cells if c.text == "Year Ended December 31"]
    assert (head.row, head.col_span) == (0, 4)


async def test_a_boxed_title_row_across_the_grid_stays_the_tables(
    converter: Converter, tmp_path: Path
) -> None:
    """One line in a row of its own across the whole grid, ruled above and below
    ('Assignment Categories', ICDAR eu-009a), is the table's title row."""
    path = tmp_path / "boxed.pdf"
    grid_under_a_top_row(path, [HEAD, *GOODS], "Assignment Categories", centred=False)
    page, _ = await convert(converter, path)
    (table,) = [b for b in page.blocks if b.label == Label.table]
    (title,) = [c for c in table.cells if c.text == "Assignment Categories"]
    assert (title.row, title.col_span) == (0, len(HEAD))
