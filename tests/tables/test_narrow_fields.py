"""A register scanned (forms set, `register_b`): its `№` column stands close to the
inventory numbers and its dates close to the amounts. A one-digit counter left a cell's
gap before `ОС-002321`, a two-digit one did not (`10 ОС-009574` one phrase), so no gap
ran down every row and `№` and the inventory number were one column, as were the date
and the first amount. And the faint row rules the scan showed on its right half only
made a table of that half of seven rows, cut from the rest of each row."""

from __future__ import annotations

from PIL import Image, ImageDraw

from docparse.document import BBox
from docparse.tables.grid import find_tables, table_from_alignment
from docparse.tables.model import Table, Word

EM = 15.0  # the words' height; a word space is a third of it
CHAR = 8.0  # a character's width
NAMES = ["Сервер стоечный", "Ноутбук для бухгалтерии", "Компрессор поршневой", "Фургон"]


def _words(text: str, x: float, y: float) -> list[Word]:
    out = []
    for word in text.split():
        out.append(Word(word, BBox(x0=x, y0=y, x1=x + CHAR * len(word), y1=y + EM)))
        x += CHAR * len(word) + 5.0
    return out


def _right(text: str, right: float, y: float) -> list[Word]:
    """`text` set flush right at `right`."""
    parts = text.split()
    return _words(text, right - CHAR * sum(map(len, parts)) - 5.0 * (len(parts) - 1), y)


def _register(first: int, rows: int, y0: float = 100.0) -> list[Word]:
    """Rows numbered from `first`, flush left at 123 (a one-digit counter ends a cell's
    gap before the inventory number at 150, a two-digit one less than that); a name; a
    date, and an amount flush right close after it; a sum. `№` over the counters runs
    close into its neighbour's head, as on the scan."""
    words = [Word("№", BBox(x0=123, y0=y0, x1=142, y1=y0 + EM))]
    words += _words("Инвентарный номер", 148, y0)
    words += _words("Наименование", 320, y0) + _words("Дата", 520, y0)
    words += _words("Стоимость", 640, y0) + _words("Остаток", 840, y0)
    for k in range(rows):
        y = y0 + 30.0 * (k + 1)
        number = first + k
        words += _words(str(number), 123, y) + _words(f"ОС-{1000 + 37 * number:06d}", 150, y)
        words += _words(NAMES[k % len(NAMES)], 320, y) + _words("21.02.2015", 520, y)
        amount = f"1 {300 + k:03d} {100 + 7 * k:03d},46" if k % 2 else f"{500 + k} 955,46"
        words += _right(amount, 700.0, y) + _right(f"{130 + k} 344,40", 930, y)
    return words


def _column(table: Table, text: str) -> int:
    return next(c.col for c in table.cells if c.text == text)


def test_a_counter_and_a_date_set_close_to_the_next_cell_are_columns_of_their_own() -> None:
    table = table_from_alignment(_register(first=8, rows=8))
    assert table is not None
    row = {c.col: c.text for c in table.cells if c.row == 3}  # counter 10: one phrase
    assert row[0] == "10"
    assert row[1].startswith("ОС-")
    assert _column(table, "№") == 0
    assert _column(table, "Инвентарный номер") == 1
    dates = {c.col for c in table.cells if c.text == "21.02.2015"}
    amounts = {c.col for c in table.cells if c.text.endswith(",46")}
    assert len(dates) == 1 and dates.isdisjoint(amounts)


def test_numbers_that_do_not_count_up_and_digit_groups_stay_with_their_cell() -> None:
    words = []
    for k, (lead, rest) in enumerate(
        [("12", "345,67"), ("3", "100,00"), ("45", "900,10"), ("7", "250,00"), ("88", "12,5")]
    ):
        y = 100.0 + 30.0 * k
        words += _words(f"Статья {k}", 100, y) + _words(f"{lead} {rest}", 300, y)
        words += _words(f"{10 * k + 5}", 500, y)
    table = table_from_alignment(words)
    assert table is not None
    assert "12 345,67" in [c.text for c in table.cells]


def test_row_rules_seen_under_part_of_the_rows_make_no_table_of_that_part() -> None:
    words = _register(first=1, rows=12)
    for k in range(5, 12, 2):  # names wrapped onto a second line, left of the rules
        y = 100 + 30 * (k + 1) + 15.5
        words.append(Word("паллетный", BBox(x0=320, y0=y, x1=392, y1=y + 14)))
    image = Image.new("L", (1000, 600), 255)
    draw = ImageDraw.Draw(image)
    for k in range(5, 12):  # the scan's rules show under the right half of rows 5-11
        y = 100 + 30 * k + 22
        draw.line([(600, y), (980, y)], fill=0, width=2)
    tables = find_tables(words, image, 72.0)
    assert len(tables) == 1
    cells = tables[0].table.cells
    assert len({c.col for c in cells if c.text.startswith("ОС-")}) == 1
    assert len([c for c in cells if c.text.endswith("344,40")]) == 12  # every row whole
    assert tables[0].bbox.x0 <= 124
