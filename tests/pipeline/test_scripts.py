"""OSD's script guess never takes the user's languages away: a Russian page OSD takes for
Latin, and a Russian line on an English page, are read in Cyrillic; English stays Latin.
Look-alike letters OCR mixes into words are put in their word's script."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from docparse.document import BBox, Block, Label, Line
from docparse.engines.base import PageImage, RecognizeOptions
from docparse.export.markdown import to_text
from docparse.pipeline import ocr
from docparse.pipeline.converter import Converter
from docparse.pipeline.options import ConvertOptions
from tests.fixtures.degrade import degrade, rasterize, to_png
from tests.fixtures.russian import _register_fonts

RUSSIAN = [
    "Электронный архив документов организации",
    "Налоговая служба принимает отчёты в срок",
    "Поставщик обязуется передать товар покупателю",
]
ENGLISH = [
    "The printer reads every page of the report",
    "Each page is scanned at two hundred dots per inch",
    "The archive keeps the documents of the company",
    "A reader finds the contract by its number and date",
    "The invoice lists the goods, their prices and sums",
]


def scan(lines: list[str], tmp_path: Path) -> Path:
    _register_fonts()
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4)
    canvas.setFont("DejaVuSerif", 12)
    y = A4[1] - 72
    for line in lines:
        canvas.drawString(72, y, line)
        y -= 24
    canvas.save()
    page = degrade(rasterize(out.getvalue(), dpi=200)[0], seed=1, blur=0.5, noise=5)
    path = tmp_path / "page.png"
    path.write_bytes(to_png(page))
    return path


@pytest.fixture
def latin_guess(monkeypatch: pytest.MonkeyPatch) -> None:
    """OSD says Latin, sure of it, whatever the page holds."""
    monkeypatch.setattr(ocr, "page_languages", lambda languages, _: "eng")


@pytest.mark.slow  # moved out of the 10-minute default run
@pytest.mark.usefixtures("latin_guess")
async def test_russian_page_taken_for_latin_is_read_in_cyrillic(
    converter: Converter, tmp_path: Path
) -> None:
    result = await converter.convert(scan(RUSSIAN, tmp_path), ConvertOptions())
    text = to_text(result.document)
    for line in RUSSIAN:
        assert line in text


@pytest.mark.slow  # moved out of the 10-minute default run
@pytest.mark.usefixtures("latin_guess")
async def test_russian_line_on_an_english_page_is_read_in_cyrillic(
    converter: Converter, tmp_path: Path
) -> None:
    lines = [*ENGLISH, RUSSIAN[0]]
    result = await converter.convert(scan(lines, tmp_path), ConvertOptions())
    text = to_text(result.document)
    assert RUSSIAN[0] in text
    for line in ENGLISH:  # the English lines keep their first, Latin reading
        assert line in text


@pytest.mark.slow  # moved out of the 10-minute default run
async def test_english_page_osd_takes_for_latin_stays_latin(
    converter: Converter, tmp_path: Path
) -> None:
    """The real OSD, the real languages (rus+eng): an English page is read by the Latin
    models, nothing is read again into Cyrillic."""
    lines = [*ENGLISH, "Canon and Lenovo ThinkPad printers, HP 85A toner"]
    result = await converter.convert(scan(lines, tmp_path), ConvertOptions())
    text = to_text(result.document)
    for line in lines:
        assert line in text


@pytest.mark.slow  # moved out of the 10-minute default run
@pytest.mark.parametrize(
    "mixed",
    [
        # Russian words beside an English name, which a crop read with `rus` first gave
        # in Cyrillic letters (`Мас Рго`)…
        "Mac Pro: настройки системы, сохранение изменений",
        # …and Russian words of look-alike letters alone, which the Latin model, read
        # first, takes (`BCE`).
        "ВСЕ СОТРУДНИКИ ОБЯЗАНЫ ЗНАТЬ ПРАВИЛА",
    ],
)
async def test_a_russian_line_of_an_english_page_read_again_keeps_each_words_script(
    converter: Converter, tmp_path: Path, mixed: str
) -> None:
    """The real OSD (Latin) and languages: the line the Latin models cannot read is read
    again from its crop, each word in the script it is printed in."""
    result = await converter.convert(
        scan([*ENGLISH[:3], mixed, *ENGLISH[3:]], tmp_path), ConvertOptions()
    )
    text = to_text(result.document)
    for line in [mixed, *ENGLISH]:
        assert line in text


@pytest.mark.parametrize(
    ("languages", "expected"),
    [
        ("rus+eng", "eng+rus"),
        ("eng+rus", "eng+rus"),
        ("rus", "rus"),
        ("ukr+rus+deu", "deu+ukr+rus"),
    ],
)
def test_lines_are_read_again_with_the_latin_models_first(languages: str, expected: str) -> None:
    assert ocr.latin_first(languages) == expected


@pytest.mark.slow  # moved out of the 10-minute default run
async def test_lookalike_letters_in_ocr_lines_take_their_words_script(
    converter: Converter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What an engine reads with mixed scripts reaches the page fixed: lines, blocks and
    the words table recognition sees."""
    read = ["СЧЁТ HA ОПЛАТУ № 12", "Картридж НР 85А, черный", "ООО «Nord Trade»"]

    async def recognize(page: PageImage, options: RecognizeOptions) -> list[Block]:
        lines = []
        for i, text in enumerate(read):
            box = BBox(x0=100, y0=100 + 60 * i, x1=900, y1=140 + 60 * i)
            words = [(w, box) for w in text.split()]
            lines.append(Line(text=text, bbox=box, confidence=0.9, words=words))
        block = Block(
            id="p0-b0",
            label=Label.text,
            bbox=BBox.around([ln.bbox for ln in lines]),
            text="\n".join(read),
            lines=lines,
            source_engine="tesseract",
        )
        return [block]

    monkeypatch.setattr(converter.engines.get("tesseract"), "recognize", recognize)
    result = await converter.convert(scan(["x"], tmp_path), ConvertOptions())
    text = to_text(result.document)
    assert "СЧЁТ НА ОПЛАТУ № 12" in text
    assert "Картридж HP 85A, черный" in text
    assert "ООО «Nord Trade»" in text  # Cyrillic ООО, as read


PRICE_LIST = [
    "Модель, форма столешницы, параметры",
    "1100х700 1500х1000 1300х800 1200х700",
    "Стандартные размеры стола, цена",
    "1300(+420)х800 1500(+480)х900 22’000",
    "Овальная, заоваленная, круглая",
    "1200(+350)х800 1100(+350)х700 16’500",
    "Механизм раскладки, ящик",
    "1700х1000 1200х800 1500х900 17’000",
]


@pytest.mark.slow  # moved out of the 10-minute default run
@pytest.mark.usefixtures("latin_guess")
async def test_a_russian_price_list_taken_for_latin_is_read_again_whole(
    converter: Converter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows of sizes and prices between the Russian lines: figures read alike in any
    script, so whether most of the page's text is doubtful is asked of its letters (here
    nine in ten, though under half of its characters), and the page is read again whole
    in the user's languages, not line by line (a line of Latin look-alikes that reads
    like words stays Latin so: tabula's 'Mogenb, dopma' price list)."""
    engine = converter.engines.get("tesseract")
    read, calls = engine.recognize, []

    async def recognize(page: PageImage, options: RecognizeOptions) -> list[Block]:
        calls.append((page.image.size, options.languages))
        return await read(page, options)

    monkeypatch.setattr(engine, "recognize", recognize)
    path = scan(PRICE_LIST, tmp_path)
    result = await converter.convert(path, ConvertOptions())
    text = to_text(result.document)
    for line in PRICE_LIST[::2]:
        assert line in text
    page_size = calls[0][0]
    assert (page_size, "rus+eng") in calls
