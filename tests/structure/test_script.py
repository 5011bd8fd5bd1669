"""Look-alike letters put in the script of the word they stand in, and only on firm
evidence in words made of look-alikes alone."""

from __future__ import annotations

import pytest

from docparse.structure.script import Script, classify, fix_text, fix_words

LAT_A, CYR_A = "A", "\u0410"


@pytest.mark.parametrize(
    ("read", "meant"),
    [
        ("СЧЁТ HA ОПЛАТУ", "СЧЁТ НА ОПЛАТУ"),  # Latin HA among Cyrillic capitals
        ("ТОВАР HA СКЛАДЕ", "ТОВАР НА СКЛАДЕ"),
        ("ПОЛУЧАТЕЛЬ: OOO «СЕВЕРТОРГ»", "ПОЛУЧАТЕЛЬ: ООО «СЕВЕРТОРГ»"),
        ("сведения o поставке", "сведения о поставке"),  # a Latin o among lower case
        ("Картридж НР 85А, черный", "Картридж HP 85A, черный"),  # a model number
        ("Тoвар пoставлен", "Товар поставлен"),  # Latin o inside Cyrillic words
        ("HP LaserJеt Pro", "HP LaserJet Pro"),  # Cyrillic е inside a Latin word
        ("Тhe printer", "The printer"),  # a Cyrillic Т starting an English word
        ("OOO «ТехноСервис»", "ООО «ТехноСервис»"),  # a Russian legal form, read as Latin
        ("Клавиатура Logitech К120, USB", "Клавиатура Logitech K120, USB"),  # a model number
        ("Wi-Fi-рoутер", "Wi-Fi-роутер"),  # each part of a compound in its own script
        ("«OAO» Нефтегаз", "«ОАО» Нефтегаз"),
        # Initials take their surname's script (an invoice's «ИП Зинштейн Х. В.»).
        ("ИП Зинштейн X. В.", "ИП Зинштейн Х. В."),
        ("X. B. Зинштейн", "Х. В. Зинштейн"),
        ("Иванов A.C., Петров", "Иванов А.С., Петров"),
        # The number sign as OCR reads it with the Latin model beside the Russian one.
        ("Счёт на оплату Ne 179 от 24 июля", "Счёт на оплату № 179 от 24 июля"),
        ("Ne Наименование товара Кол-во", "№ Наименование товара Кол-во"),
        ("Договор No 85/23-П", "Договор № 85/23-П"),
        ("Акт N° 5", "Акт № 5"),
        # A table's zeros read as the letter o, Cyrillic or Latin, a rule beside one.
        ("Alaska 209 3,062 0 о о 9 [о 18 100 о", "Alaska 209 3,062 0 0 0 9 0 18 100 0"),
        ("Итого 1 200 O 15", "Итого 1 200 0 15"),
    ],
)
def test_lookalikes_take_the_script_of_their_word_or_neighbours(read: str, meant: str) -> None:
    assert fix_text(read) == meant


@pytest.mark.parametrize(
    "text",
    [
        "Lenovo ThinkPad E14",
        "HP 85A",
        "Canon 737",
        "TOKYO",
        "ООО «Nord Trade»",  # Cyrillic ООО at a line start, a Latin name after it
        "Получатель: ООО «Nord Trade»",
        "договор с ООО «Вектор»",
        "Картридж HP черный",  # a Latin brand among lower-case Russian words
        "ИБП APC Back-UPS 650 ВА",  # a unit after a number is not the word's before
        "д. 12А, кв. 5",  # a house number among Cyrillic words stays Cyrillic
        "Бумага А4, 500 л.",
        "СЕКТОР 3В",  # a Russian word beside a number with a letter
        "The HP printer and the CEO",
        "Сапоп",  # a misreading, but no look-alike one: not this module's to guess
        "IT-отдел и Wi-Fi-роутер",  # compounds of a Latin and a Russian part
        "John A. Smith",  # initials of a Latin name stay Latin
        "директору Petrov A.B.",
        "Invoice No 179, Ne 5",  # an English line keeps its letters
        "No смысла",  # `No` before a word is no number sign
        "Закон о 3 видах налога от 12.03.2024",  # a word on one side: the preposition
        "Table O 12 13 14",  # a label, beside a word
        "Vitamin O 1 2",  # two figures are no row of figures
    ],
)
def test_words_already_in_their_script_are_kept(text: str) -> None:
    assert fix_text(text) == text


def test_spacing_and_lines_are_kept() -> None:
    assert fix_text("СЧЁТ  HA\tОПЛАТУ\nНР 85А") == "СЧЁТ  НА\tОПЛАТУ\nHP 85A"


def test_classify() -> None:
    assert classify("Счёт") is Script.cyrillic
    assert classify("Canon") is Script.latin
    assert classify("HA") is Script.lookalike
    assert classify("85" + CYR_A) is Script.model
    assert classify("1 250,00") is Script.none
    assert fix_words(["85" + CYR_A, "HP"]) == ["85" + LAT_A, "HP"]


@pytest.mark.parametrize(
    ("read", "meant"),
    [
        ("1 0С-002321 Сервер стоечный", "1 ОС-002321 Сервер стоечный"),  # a register's code
        ("Д0ГОВ0Р ПОСТАВКИ", "ДОГОВОР ПОСТАВКИ"),
        ("акционерное общество 0А0 «Лес»", "акционерное общество ОАО «Лес»"),
        ("система ПВ0", "система ПВО"),
        ("условия д0говора", "условия договора"),
        ("Грузополучатель 000 «Медтехника Плюс»", "Грузополучатель ООО «Медтехника Плюс»"),
        ('выданной 3АО "Лес"', 'выданной ЗАО "Лес"'),
        ("экспедитор Михайлова 0.Г.", "экспедитор Михайлова О.Г."),
        ("06 организации пропускного режима", "Об организации пропускного режима"),
    ],
)
def test_a_zero_inside_a_cyrillic_word_is_the_letter_o(read: str, meant: str) -> None:
    assert fix_text(read) == meant


@pytest.mark.parametrize(
    "text",
    [
        "формат А0 и Ф0",  # a paper size, a grade: one letter, the zero after it
        "10шт по 0,5кг",  # figures with their units
        "на 2024г. 20мм",
        "счёт 000123 от 01.02.2024",
        "остаток 000 руб., код 300 «А»",  # a zero amount; a number before a quote
        "06 апреля 2024 г.",  # a date's day
        "06 января",
        # found by a hostile probe: a zero before a unit, a count, a conjunction, Latin
        "Итого: 0шт 0,00руб",
        "Ток 0А, класс 0Б, 0кг",
        "06 ед. 150,00",
        "06 и 07 апреля 2024 г.",
        "06 окт.",
        "06 от 15.01.2024",
        "06 изделий",
        'Bank AO "Raiffeisenbank"',
    ],
)
def test_zeros_beside_figures_or_after_one_letter_stay(text: str) -> None:
    assert fix_text(text) == text
