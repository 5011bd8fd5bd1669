from pathlib import Path

import pytest

from docparse.io.pdf import PdfFile
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


def test_rotated_page_boxes_are_in_display_coordinates(docs: Path) -> None:
    pdf = PdfFile(docs / "edgar-rotated90.pdf")
    try:
        width, height = pdf.page_size(0)
        layer = pdf.text_layer(0)
    finally:
        pdf.close()
    assert (width, height) == (792, 612)
    for line in layer.lines:
        assert 0 <= line.bbox.x0 < line.bbox.x1 <= width + 1
        assert 0 <= line.bbox.y0 < line.bbox.y1 <= height + 1


async def test_sideways_text_layer_is_read_upright_by_ocr(docs: Path) -> None:
    # A good layer, but its lines run up the page: paragraphs and columns are found in
    # reading direction, so OCR reads the page after turning it upright.
    use, reason = verdict(docs / "edgar-rotated90.pdf")
    assert not use and "sideways" in reason


def test_sizes_prices_and_addresses_are_plausible_words() -> None:
    # A furniture price list (sheff4uk/stolnik): its good layer went to OCR as "36%
    # plausible words" for its sizes, prices, 'Н/р' and e-mail address.
    price_list = (
        "Стол Люкс Н/р 1100х700 1300(+420)х800 1500(+2х400)х900 22’000 16‘500 "
        "fabrikaprestol@gmail.com www.example.ru 125н 10мм"
    )
    assert good_word_share(price_list) == 1.0
    assert good_word_share("tbg.tr i'lfinomedan .■. i’gv.m hrT FKIDA.Y 1100х700") < 0.5
