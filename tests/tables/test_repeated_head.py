"""A price list in two groups, each under its own copy of the head (the forms set's price
list): the heads' words, set flush left, stand over the gap between the two price
columns, set flush right. One head crossing a gap is allowed; its copy made two, and the
gap was no column boundary: both prices ran into one cell ('4 339,19 3 905,27'). A head
repeated over each group counts once now."""

from __future__ import annotations

from docparse.document import BBox
from docparse.tables.grid import table_from_alignment
from docparse.tables.model import Word

# x extents of each column's text (pixels at 150 dpi, as the page was read)
HEAD = [("Наименование", 61, 142), ("Ед. изм.", 501, 543), ("Цена, руб.", 562, 616),
        ("Опт от 10 ед., руб.", 637, 735)]  # fmt: skip
ROW_SPANS = [(64, 300), (503, 530), (584, 632), (717, 764)]
GROUPS = [
    ("Канцелярия и хозтовары", [("Чай чёрный", "упак", "4 339,19", "3 905,27"),
                                ("Перчатки нитриловые", "упак", "3 468,56", "3 121,70"),
                                ("Картридж лазерный", "шт", "2 460,57", "2 214,51")]),
    ("Строительные товары", [("Смазка литиевая", "кг", "4 088,32", "3 761,25"),
                             ("Песок строительный", "т", "3 211,92", "2 954,97"),
                             ("Костюм рабочий", "компл", "3 534,59", "3 251,82")]),
]  # fmt: skip


def _phrase(text: str, a: float, b: float, y: float) -> list[Word]:
    """`text`'s words filling a..b on the line at `y`, a space of 3 between them."""
    words = text.split()
    room = (b - a - 3 * (len(words) - 1)) / sum(map(len, words))
    out, x = [], a
    for w in words:
        out.append(Word(w, BBox(x0=x, y0=y, x1=x + room * len(w), y1=y + 10)))
        x += room * len(w) + 3
    return out


def words() -> list[Word]:
    out: list[Word] = []
    y = 100.0
    for title, items in GROUPS:
        out += _phrase(title, 64, 330, y)
        y += 22
        for text, a, b in HEAD:
            out += _phrase(text, a, b, y)
        y += 18
        for item in items:
            for text, (a, b) in zip(item, ROW_SPANS, strict=True):
                out += _phrase(text, a, b, y)
            y += 18
    return out


def test_a_head_repeated_over_each_group_counts_once() -> None:
    table = table_from_alignment(words())
    assert table is not None
    texts = {(c.row, c.col): c.text for c in table.cells}
    row = next(r for (r, c), t in texts.items() if t == "Чай чёрный")
    assert [texts[(row, c)] for c in range(table.cols)][-2:] == ["4 339,19", "3 905,27"]
