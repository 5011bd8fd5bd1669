"""A price list set close under its letterhead (the forms set's price list): the address
and the terms, sentences across the page just over the table's head, were the table's
first rows. Cyrillic words with a figure in them ('Мешок для мусора 120 л', the address
'620014, г. Екатеринбург …') passed for figures, so those sentences stood where the
figures start. A figure may carry a unit ('1 500,00 руб.'), no other words."""

from __future__ import annotations

import pytest

from docparse.tables.grid import table_from_alignment
from docparse.tables.lines import is_numeric
from docparse.tables.model import Word
from tests.tables.test_repeated_head import _phrase

LEAD = [  # the letterhead's name first, set wide: two phrases, so no title trimmed off
    [("Волжская", 61, 130), ("мануфактура", 150, 250)],
    [("620014, г. Екатеринбург, ул. Малышева, д. 83, тел. (495) 920-55-74", 61, 560)],
    [("Цены указаны в рублях с учётом НДС и действительны до 30 апреля 2025 г.", 61, 620)],
]
HEAD = [("Наименование", 61, 142), ("Ед. изм.", 501, 543), ("Цена, руб.", 562, 632),
        ("Опт от 10 ед., руб.", 660, 764)]  # fmt: skip
ROWS = [
    [("Мешок полипропиленовый для мусора 120 л", 64, 330), ("упак", 503, 530),
     ("2 975,60", 584, 632), ("2 678,04", 717, 764)],
    [("Папка-регистратор с арочным механизмом, 75 мм", 64, 360), ("шт", 503, 515),
     ("1 204,10", 584, 632), ("1 120,00", 717, 764)],
    [("Бумага офисная А4, 80 г/м2, 500 листов", 64, 320), ("пач", 503, 522),
     ("360,78", 594, 632), ("292,74", 727, 764)],
]  # fmt: skip


def test_sentences_over_the_head_are_not_the_tables() -> None:
    words: list[Word] = []
    for i, line in enumerate([*LEAD, HEAD, *ROWS]):
        for text, a, b in line:
            words += _phrase(text, a, b, 100 + 18 * i)
    table = table_from_alignment(words)
    assert table is not None
    texts = [c.text for c in table.cells]
    assert [c.text for c in table.cells if c.row == 0] == [text for text, _, _ in HEAD]
    assert not any(word in t for t in texts for word in ("Волжская", "Екатеринбург", "Цены"))


@pytest.mark.parametrize(
    ("text", "figure"),
    [
        ("1 500,00 руб.", True),
        ("100 тыс. руб.", True),
        ("01.02.2024 г.", True),
        ("3.71T", True),
        ("№ 15", True),
        ("Мешок полипропиленовый для мусора 120 л", False),
        ("Опт от 10 ед., руб.", False),
        ("ОС-002321", False),
    ],
)
def test_a_figure_may_carry_a_unit_but_no_words(text: str, figure: bool) -> None:
    assert is_numeric(text) is figure
