"""A price list photographed (forms set, `prices_b`): Tesseract gave each group's rows as
a paragraph of their own and the head line over them ('Наименование  Ед. изм.  Цена,
руб.  Опт от 10 ед., руб.') as another. The paragraph's table won over the page-wide
guess and came without its head, which stayed in the text as a line. A line right over
a paragraph's table that lines up with its columns is the table's head."""

from __future__ import annotations

from docparse.document import BBox, Block, Line
from docparse.tables.page import paragraph_tables

EM, CHAR = 20.0, 10.0


def _line(cells: list[tuple[str, float]], y: float) -> Line:
    words = []
    for text, x in cells:
        for word in text.split():
            words.append((word, BBox(x0=x, y0=y, x1=x + CHAR * len(word), y1=y + EM)))
            x += CHAR * (len(word) + 1)
    return Line(
        text=" ".join(t for t, _ in words), bbox=BBox.around([b for _, b in words]), words=words
    )


def _block(id: str, lines: list[Line]) -> Block:
    return Block(
        id=id,
        bbox=BBox.around([ln.bbox for ln in lines]),
        text="\n".join(ln.text for ln in lines),
        lines=lines,
    )


ROWS = [
    ("Мешок полипропиленовый для мусора 120 л", "упак", "2 975,60", "2 678,04"),
    ("Папка-регистратор с арочным механизмом", "шт", "312,92", "287,89"),
    ("Вода питьевая негазированная, 19 л", "шт", "4 356,86", "4 139,02"),
    ("Лента упаковочная прозрачная 48 мм", "рул", "2 492,51", "2 367,88"),
]
XS = (100.0, 600.0, 760.0, 960.0)


def test_the_line_over_a_paragraphs_table_is_its_head() -> None:
    title = _block("title", [_line([("Канцелярия и хозтовары", 100)], 360)])
    head = _block(
        "head",
        [
            _line(
                list(zip(["Наименование", "Ед. изм.", "Цена, руб.", "Опт, руб."], XS, strict=True)),
                430,
            )
        ],
    )
    rows = _block(
        "rows", [_line(list(zip(row, XS, strict=True)), 460 + 30 * i) for i, row in enumerate(ROWS)]
    )
    tables = paragraph_tables([title, head, rows], [], 0, "tesseract")
    assert len(tables) == 1
    grid = [[c.text for c in tables[0].cells if c.row == r] for r in range(2)]
    assert grid[0] == ["Наименование", "Ед. изм.", "Цена, руб.", "Опт, руб."]
    assert grid[1][0] == ROWS[0][0]
    assert tables[0].bbox.y0 == 430


def test_a_title_over_a_paragraphs_table_stays_out_of_it() -> None:
    title = _block("title", [_line([("Канцелярия и хозтовары", 100)], 430)])
    rows = _block(
        "rows", [_line(list(zip(row, XS, strict=True)), 460 + 30 * i) for i, row in enumerate(ROWS)]
    )
    tables = paragraph_tables([title, rows], [], 0, "tesseract")
    assert len(tables) == 1
    assert next(c.text for c in tables[0].cells if c.row == 0) == ROWS[0][0]
    assert tables[0].bbox.y0 == 460
