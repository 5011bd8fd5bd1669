"""A line known to be Cyrillic (a Russian line on an English page, read again with the
Latin model first, which takes the words of look-alike letters alone): those words are
Cyrillic unless a word beside them says otherwise; names, brands and model numbers keep
their Latin letters."""

from __future__ import annotations

import pytest

from docparse.structure.script import Script, fix_text


@pytest.mark.parametrize(
    ("read", "meant"),
    [
        ("BCE СОТРУДНИКИ ОБЯЗАНЫ", "ВСЕ СОТРУДНИКИ ОБЯЗАНЫ"),  # at the line start
        ("СЧЁТ № 125 OT 12.03.2024", "СЧЁТ № 125 ОТ 12.03.2024"),  # between numbers
        ("TAK KAK ДОГОВОР ЗАКЛЮЧЕН", "ТАК КАК ДОГОВОР ЗАКЛЮЧЕН"),
        ("сведения o поставке", "сведения о поставке"),
    ],
)
def test_lookalike_words_of_a_cyrillic_line_are_cyrillic(read: str, meant: str) -> None:
    assert fix_text(read, Script.cyrillic) == meant


@pytest.mark.parametrize(
    "text",
    [
        "Картридж HP 85A и ноутбук Lenovo ThinkPad",  # a model number
        "Картридж HP черный",  # a capitalised brand among lower-case words
        "принтер HP LaserJet",  # a Latin word beside it
        "Mac Pro: настройки системы",
        "договор с ООО «Вектор»",
    ],
)
def test_names_in_a_cyrillic_line_keep_their_letters(text: str) -> None:
    assert fix_text(text, Script.cyrillic) == text
