"""Table cells from OCR without the `|` OCR reads table rules as."""

from __future__ import annotations

import pytest

from docparse.document import BBox, Block, Label, Line, TableCell
from docparse.tables.model import Word, strip_rule_marks
from docparse.tables.page import table_blocks, without_tables


@pytest.mark.parametrize(
    ("read", "meant"),
    [("1 |", "1"), ("384 650,00 |", "384 650,00"), ("384 650,00|", "384 650,00"),
     ("|Бумага А4", "Бумага А4"), ("| ¦", ""), ("Кол-во", "Кол-во"), ("I/O", "I/O"),
     ("a|b", "a|b"),
     # A rule beside a figure read as a bracket; a reference in brackets is kept.
     ("18,870]", "18,870"), ("[0", "0"), ("932] 134", "932 134"), ("-5.2%]", "-5.2%"),
     ("107.5}", "107.5"), ("[12]", "[12]"), ("a[1]", "a[1]"), ("x]", "x]")],
)  # fmt: skip
def test_rule_marks_leave_cell_text(read: str, meant: str) -> None:
    assert strip_rule_marks(read) == meant


# Words as OCR gives them: bars stuck to a word's edge, and bars read alone on a rule.
ROWS = [
    ["№ |", "Товар", "|", "Кол-во |", "Сумма, руб."],
    ["1 |", "Бумага", "|", "10 |", "384 650,00 |"],
    ["2 |", "Папка", "|", "5", "1 200,00|"],
    ["3", "Ручка", "|", "20 |", "980,00"],
    ["4 |", "Скрепки", "|", "100", "150,00"],
]
X = [100, 500, 880, 1000, 1500]


def words(rows: list[list[str]]) -> list[Word]:
    out = []
    for r, row in enumerate(rows):
        for text, x in zip(row, X, strict=True):
            y = 100 + 60 * r
            out.append(Word(text, BBox(x0=x, y0=y, x1=x + 18 * len(text), y1=y + 30)))
    return out


def tables(engine: str) -> list[list[list[str]]]:
    found = table_blocks(words(ROWS), None, 1.0, 0, engine)
    grids = []
    for table in found.all:
        cells = table.cells or []
        grid = [
            [""] * (1 + max(c.col for c in cells)) for _ in range(1 + max(c.row for c in cells))
        ]
        for c in cells:
            grid[c.row][c.col] = c.text
        grids.append(grid)
    return grids


def test_ocr_table_cells_lose_rule_marks() -> None:
    [grid] = tables("tesseract")
    assert not any("|" in text for row in grid for text in row)
    # No column of bars: the sum is right of the quantity, the quantity right of the item.
    assert grid[1] == ["1", "Бумага", "10", "384 650,00"]
    assert grid[2][-1] == "1 200,00"


def test_text_layer_cells_keep_their_bars() -> None:
    [grid] = tables("textlayer")
    assert "384 650,00 |" in grid[1]


def test_a_speck_ocr_calls_a_dash_does_not_join_two_header_cells() -> None:
    """Tesseract reads a grey streak between `№` and `Наименование` as a tall, narrow `—`
    (seen on a scanned invoice); a real dash in a cell (an empty amount) is wide and flat."""

    def word(text: str, x0: float, y0: float, x1: float, y1: float) -> Word:
        return Word(text, BBox(x0=x0, y0=y0, x1=x1, y1=y1))

    rows = [word("№", 100, 100, 120, 130), word("—", 133, 95, 142, 128)]
    rows += [word("Наименование", 155, 100, 380, 130), word("Сумма", 900, 100, 1000, 130)]
    for r, (item, amount) in enumerate([("Бумага", "100,00"), ("Папка", "—"), ("Ручка", "5,00")]):
        y = 160 + 60 * r
        flat = amount == "—"
        rows += [word(str(r + 1), 100, y, 112, y + 30), word(item, 155, y, 280, y + 30)]
        rows += [word(amount, 900, y + (12 if flat else 0), 930, y + (16 if flat else 30))]
    [table] = table_blocks(rows, None, 1.0, 0, "tesseract").all
    header = sorted((c for c in table.cells or [] if c.row == 0), key=lambda c: c.col)
    assert [c.text for c in header] == ["№", "Наименование", "Сумма"]
    assert "—" in [c.text for c in table.cells or [] if c.row == 2]


def line(text: str, y: float) -> Line:
    """A text line across the table's box at height `y`."""
    return Line(text=text, bbox=BBox(x0=20, y0=y, x1=200, y1=y + 10))


def test_a_table_replaces_only_the_lines_whose_words_it_holds() -> None:
    # A column of rotated row labels the grid left out lay inside the table's box and was
    # dropped with the lines the table did hold (camelot's vertical_header.pdf: 12 county
    # names missing from the Markdown).
    cells = [
        TableCell(row=0, col=0, text="County"),
        TableCell(row=0, col=1, text="Voters"),
        TableCell(row=1, col=0, text="Alcona 1"),
        TableCell(row=1, col=1, text="8,120"),
    ]
    table = Block(id="p0-t0", label=Label.table, bbox=BBox(x0=0, y0=0, x1=300, y1=100), cells=cells)
    held, left_out, rule = line("Alcona 1 8,120", 20), line("Harrisville City", 40), line("| |", 60)
    outside = line("Total 8,120", 150)
    kept = without_tables([held, left_out, rule, outside], [table])
    assert kept == [left_out, outside]


def test_a_replaced_line_keeps_the_words_its_table_left_out() -> None:
    # tabula's US budget summary: the table took each row's figures but not its label
    # beyond a dot leader, and the line it replaced took 'Medicaid' with it. A text
    # layer runs words together ('ofInclusion:', '71,137Alaska') that cells part: those
    # are held, by their letters.
    cells = [
        TableCell(row=0, col=0, text="Date of"),
        TableCell(row=0, col=1, text="Inclusion:"),
        TableCell(row=1, col=0, text="275"),
        TableCell(row=1, col=1, text="255"),
        TableCell(row=2, col=0, text="Alaska"),
        TableCell(row=2, col=1, text="7,095"),
    ]
    table = Block(id="p0-t0", label=Label.table, bbox=BBox(x0=0, y0=0, x1=300, y1=100), cells=cells)
    label = line("Medicaid ........ 275 255", 40)
    joined, run = line("Date ofInclusion:", 20), line("71,137Alaska 7,095", 60)
    kept = without_tables([joined, label, run], [table])
    assert [ln.text for ln in kept] == ["Medicaid"]
    assert kept[0].bbox == label.bbox
