"""Table cells from OCR without the `|` OCR reads table rules as."""

from __future__ import annotations

import pytest

from docparse.document import BBox
from docparse.tables.model import Word, strip_rule_marks
from docparse.tables.page import table_blocks


@pytest.mark.parametrize(
    ("read", "meant"),
    [("1 |", "1"), ("384 650,00 |", "384 650,00"), ("384 650,00|", "384 650,00"),
     ("|Бумага А4", "Бумага А4"), ("| ¦", ""), ("Кол-во", "Кол-во"), ("I/O", "I/O"),
     ("a|b", "a|b")],
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
