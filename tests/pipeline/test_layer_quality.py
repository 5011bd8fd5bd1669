from pathlib import Path

import pytest

from docparse.document import BBox
from docparse.io.pdf import PdfFile
from docparse.io.pdf_content import TextLayer, TextLine
from docparse.pipeline.layer_quality import assess, good_word_share


def verdict(path: Path, page: int = 0) -> tuple[bool, str]:
    pdf = PdfFile(path)
    try:
        result = assess(pdf.text_layer(page), *pdf.page_size(page))
    finally:
        pdf.close()
    return result.use_layer, result.reason


@pytest.mark.parametrize(
    "name",
    [
        "edgar.pdf",
        "bws_book_ch2.pdf",
        "untable.pdf",
        "pdftotext_two_column_issue.pdf",
        "small_page_size.pdf",
    ],
)
def test_good_layers_are_used(docs: Path, name: str) -> None:
    assert verdict(docs / name)[0]


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("edgar_image.pdf", "no text layer"),
        ("blanktext.pdf", "no text layer"),
        ("horribleocr.pdf", "invisible OCR layer"),
        ("handwriting_bad_ocr.pdf", "invisible OCR layer"),
        ("most_content_in_image_form.pdf", "covers only part"),
        ("some_ocr1.pdf", "covers only part"),
    ],
)
def test_bad_or_partial_layers_go_to_ocr(docs: Path, name: str, reason: str) -> None:
    use, why = verdict(docs / name)
    assert not use
    assert reason in why


def test_word_share_tells_prose_from_noise() -> None:
    assert good_word_share("The natives soon had reason to suspect the viceroy.") == 1.0
    assert good_word_share("Договор поставки № 15 от 12.03.2024 г.") == 1.0
    assert good_word_share("tbg.tr i'lfinomedan .■. i’gv.m hrT FKIDA.Y") < 0.5


def test_sideways_page_is_judged_upright(docs: Path) -> None:
    # Its /Rotate shows the text running up the page: it is read turned (io.page_turn),
    # boxes in the upright page's coordinates, and its good layer is used.
    pdf = PdfFile(docs / "edgar-rotated90.pdf")
    try:
        width, height = pdf.page_size(0)
        layer = pdf.text_layer(0)
        judged = assess(layer, width, height)
    finally:
        pdf.close()
    assert (width, height) == (612, 792)
    for line in layer.lines:
        assert 0 <= line.bbox.x0 < line.bbox.x1 <= width + 1
        assert 0 <= line.bbox.y0 < line.bbox.y1 <= height + 1
    assert judged.use_layer, judged.reason


def test_lines_running_up_the_page_go_to_ocr() -> None:
    # What stays sideways after the turn (mirrored letters; a page of both ways, none
    # of them most): lines and columns are found in reading direction, so OCR reads it
    # after turning the picture upright.
    text = "The English Benedictine Reform"
    lines = [
        TextLine(text, BBox(x0=100 + 20 * i, y0=100, x1=112 + 20 * i, y1=400), 12.0)
        for i in range(12)
    ]
    layer = TextLayer(lines, len(text) * 12, 0.0, None, 0.0)
    judged = assess(layer, 612, 792)
    assert not judged.use_layer and "sideways" in judged.reason


def test_sizes_prices_and_addresses_are_plausible_words() -> None:
    # A furniture price list (sheff4uk/stolnik): its good layer went to OCR as "36%
    # plausible words" for its sizes, prices, 'Н/р' and e-mail address.
    price_list = (
        "Стол Люкс Н/р 1100х700 1300(+420)х800 1500(+2х400)х900 22’000 16‘500 "
        "fabrikaprestol@gmail.com www.example.ru 125н 10мм"
    )
    assert good_word_share(price_list) == 1.0
    assert good_word_share("tbg.tr i'lfinomedan .■. i’gv.m hrT FKIDA.Y 1100х700") < 0.5
