"""Issue 14 (1, 2): a word of look-alike letters alone that Tesseract read in Latin on a
Russian page is written in Cyrillic when the page spells it so elsewhere (`OMC` in a
leaflet that says `ОМС`, `Ha` for `на`); a Latin word the page never spells in Cyrillic
(`HP` beside a model number) stays, and so does every word of an English page."""

from __future__ import annotations

from docparse.document import BBox, Block, Line
from docparse.structure.page_spelling import spell_as_the_page


def page(*texts: str) -> list[Block]:
    blocks = []
    for i, text in enumerate(texts):
        box = BBox(x0=0, y0=20 * i, x1=500, y1=20 * i + 12)
        words = [(w, box) for w in text.split()]
        line = Line(text=text, bbox=box, words=words)
        blocks.append(Block(id=f"b{i}", bbox=box, text=text, lines=[line]))
    return blocks


def test_look_alike_words_take_the_pages_own_cyrillic_spelling() -> None:
    blocks = page(
        "Полис ОМС подтверждает ваше право на бесплатную помощь",
        "Ha территории региона, в котором по OMC. вы застрахованы, помощь оказывают",
        "Картридж HP 85A не входит в комплект поставки",
    )
    spell_as_the_page(blocks)
    assert (
        blocks[1].text
        == "На территории региона, в котором по ОМС. вы застрахованы, помощь оказывают"
    )
    assert [w for w, _ in blocks[1].lines[0].words][:1] == ["На"]
    assert "ОМС." in [w for w, _ in blocks[1].lines[0].words]
    assert blocks[2].text == "Картридж HP 85A не входит в комплект поставки"


def test_mid_line_the_pages_most_common_spelling_is_taken() -> None:
    blocks = page("Документ действует на всей территории и на время договора", "помощь Ha всей")
    spell_as_the_page(blocks)
    assert blocks[1].text == "помощь на всей"


def test_an_english_page_keeps_its_words() -> None:
    text = "The OMC report is on page three of the annual review"
    blocks = page(text, "Полис ОМС")
    spell_as_the_page(blocks)
    assert blocks[0].text == text


def test_a_codes_letters_take_the_pages_spelling() -> None:
    blocks = page(
        "1 ОС-002321 Сервер стоечный 21.02.2015",
        "2 OC-009574 Фургон грузовой 05.05.2014",
        "3 ОС-001415 Принтер лазерный 23.08.2022",
        "Картридж HP-85A для принтера",
        "пишите на ooo-vector@mail.ru, co-working и Wi-Fi/BT со скидкой ООО «Вт»",
    )
    spell_as_the_page(blocks)
    assert blocks[1].text == "2 ОС-009574 Фургон грузовой 05.05.2014"
    assert [w for w, _ in blocks[1].lines[0].words][1] == "ОС-009574"
    assert blocks[3].text == "Картридж HP-85A для принтера"
    # an address and English compounds keep their Latin parts (found by a hostile probe)
    assert blocks[4].text.startswith("пишите на ooo-vector@mail.ru, co-working и Wi-Fi/BT")
