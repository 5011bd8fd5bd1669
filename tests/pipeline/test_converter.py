"""The routes end to end through Converter, with the real engines."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from docparse.document import Label, PageStatus
from docparse.errors import InvalidOptions, LimitExceeded
from docparse.export.markdown import to_markdown, to_text
from docparse.io.pdf import PdfFile
from docparse.pipeline.converter import Converter
from docparse.pipeline.options import ConvertOptions
from docparse.pipeline.runtime import Engines
from docparse.settings import Settings


def rendered_page(docs: Path, name: str, dpi: int = 150) -> Image.Image:
    pdf = PdfFile(docs / name)
    try:
        return pdf.render(0, dpi)
    finally:
        pdf.close()


async def test_born_digital_pdf_is_read_from_its_text_layer(
    converter: Converter, docs: Path
) -> None:
    result = await converter.convert(docs / "bws_book_ch2.pdf", ConvertOptions(pages="1-3"))
    pages = result.document.pages
    assert [p.index for p in pages] == [0, 1, 2]
    assert {p.route for p in pages} == {"text_layer"}
    block = pages[0].blocks[0]
    assert block.source_engine == "textlayer"
    assert block.bbox_norm is not None
    assert 0 <= block.bbox_norm.x0 < block.bbox_norm.x1 <= 1
    assert "This chapter marks our first big step" in to_markdown(result.document)


async def test_scan_is_read_by_tesseract(converter: Converter, docs: Path) -> None:
    result = await converter.convert(docs / "edgar_image.pdf", ConvertOptions())
    page = result.document.pages[0]
    assert (page.route, page.engine, page.status) == ("ocr", "tesseract", PageStatus.ok)
    markdown = to_markdown(result.document)
    assert "King of the English" in markdown or "King of\nthe English" in markdown
    assert "younger son of King Edmund" in markdown
    confidences = [b.confidence for b in page.blocks if b.confidence is not None]
    assert confidences and all(0 <= c <= 1 for c in confidences)


async def test_english_scan_is_not_read_as_cyrillic(converter: Converter, docs: Path) -> None:
    # With rus+eng loaded, Tesseract alone reads some English words in Cyrillic letters.
    result = await converter.convert(docs / "edgar_image.pdf", ConvertOptions())
    text = to_text(result.document)
    cyrillic = sum("а" <= ch.lower() <= "я" for ch in text)
    assert cyrillic == 0


@pytest.mark.slow  # moved out of the 10-minute default run
async def test_ppocr_engine_reads_latin(converter: Converter, docs: Path) -> None:
    result = await converter.convert(docs / "edgar_image.pdf", ConvertOptions(engine="ppocr"))
    page = result.document.pages[0]
    assert page.engine == "ppocr"
    assert {b.source_engine for b in page.blocks} == {"ppocr"}
    assert "Edgar" in to_text(result.document)


@pytest.mark.slow
async def test_bad_ocr_layer_is_replaced_by_ocr(converter: Converter, docs: Path) -> None:
    result = await converter.convert(docs / "horribleocr.pdf", ConvertOptions())
    page = result.document.pages[0]
    assert page.route == "ocr"
    text = to_text(result.document)
    # The layer reads these as "Ma borne- a. t>." and "tbg.tr"; real OCR gets them right.
    assert "Christians behaving themselves" in text
    assert "Mahome" in text


@pytest.mark.slow  # moved out of the 10-minute default run
@pytest.mark.parametrize("turn", [90, 180, 270])
async def test_rotated_scan_is_turned_upright(
    converter: Converter, docs: Path, tmp_path: Path, turn: int
) -> None:
    path = tmp_path / f"rot{turn}.png"
    rendered_page(docs, "edgar.pdf").rotate(turn, expand=True).save(path, dpi=(150, 150))
    result = await converter.convert(path, ConvertOptions())
    page = result.document.pages[0]
    assert (page.rotation + turn) % 360 == 0
    assert page.width < page.height  # portrait again
    assert "King of the English" in to_text(result.document)


@pytest.mark.slow  # moved out of the 10-minute default run
async def test_small_skew_is_corrected(converter: Converter, docs: Path, tmp_path: Path) -> None:
    path = tmp_path / "skewed.png"
    image = rendered_page(docs, "edgar.pdf", 200)
    image.rotate(2.5, expand=True, fillcolor="white", resample=Image.Resampling.BICUBIC).save(
        path, dpi=(200, 200)
    )
    result = await converter.convert(path, ConvertOptions())
    page = result.document.pages[0]
    assert page.skew == pytest.approx(-2.5, abs=0.5)
    assert "Genealogical Roll of the Kings of England" in to_text(result.document)


async def test_sideways_pdf_page_is_read_upright(converter: Converter, docs: Path) -> None:
    # The page's text runs up the page as shown: it is turned upright and read from its
    # own layer, in order, the turn said (it went to OCR, which read 'c,944' as '¢,944').
    result = await converter.convert(docs / "edgar-rotated90.pdf", ConvertOptions())
    page = result.document.pages[0]
    assert page.route == "text_layer" and page.rotation == 90
    assert (page.width, page.height) == (612, 792)
    text = to_text(result.document)
    assert "c. 944 – 8 July 975" in text
    assert text.index("Edgar mainly followed") < text.index("England had suffered")


async def test_empty_page_is_empty_not_failed(converter: Converter, docs: Path) -> None:
    result = await converter.convert(docs / "blanktext.pdf", ConvertOptions())
    page = result.document.pages[0]
    assert page.status == PageStatus.empty
    assert page.error is None
    assert page.blocks == []


@pytest.mark.slow
async def test_damaged_page_fails_with_reason_others_survive(
    converter: Converter, docs: Path, tmp_path: Path
) -> None:
    frames = [rendered_page(docs, "edgar.pdf", 100).convert("L") for _ in range(2)]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="TIFF", save_all=True, append_images=frames[1:])
    data = buffer.getvalue()
    # Cut into the second frame's pixel data: the first page still decodes.
    path = tmp_path / "damaged.tiff"
    path.write_bytes(data[: len(data) * 3 // 4])
    result = await converter.convert(path, ConvertOptions())
    first, second = result.document.pages
    assert first.status == PageStatus.ok
    assert second.status == PageStatus.failed
    assert second.error
    assert "page 2 failed" in to_markdown(result.document)


@pytest.mark.slow
async def test_multipage_tiff_and_page_selection(
    converter: Converter, docs: Path, tmp_path: Path
) -> None:
    frames = [rendered_page(docs, "edgar.pdf", 100) for _ in range(3)]
    path = tmp_path / "three.tiff"
    frames[0].save(path, save_all=True, append_images=frames[1:], dpi=(100, 100))
    result = await converter.convert(path, ConvertOptions(pages="2-3", dpi=None))
    assert [p.index for p in result.document.pages] == [1, 2]
    assert result.document.metadata["page_count"] == 3


async def test_page_limit_and_bad_range(settings: Settings, docs: Path) -> None:
    engines = Engines(settings.model_copy(update={"max_pages": 2}))
    converter = Converter(engines.settings, engines)
    try:
        with pytest.raises(LimitExceeded, match="limit is 2 pages"):
            await converter.convert(docs / "bws_book_ch2.pdf", ConvertOptions())
        with pytest.raises(InvalidOptions, match="outside"):
            await converter.convert(docs / "edgar.pdf", ConvertOptions(pages="5"))
        result = await converter.convert(docs / "bws_book_ch2.pdf", ConvertOptions(pages="2,4"))
        assert [p.index for p in result.document.pages] == [1, 3]
    finally:
        engines.close()


async def test_headings_from_text_size(converter: Converter, docs: Path) -> None:
    result = await converter.convert(docs / "bws_book_ch2.pdf", ConvertOptions(pages="1"))
    labels = {b.text: b.label for b in result.document.pages[0].blocks}
    assert labels["2.1 Introduction"] == Label.paragraph_title  # bold and numbered
    assert labels["Chapter 2"] in (Label.paragraph_title, Label.doc_title)  # large
    assert labels["101"] == Label.number  # the folio, not a heading
    assert "## 2.1 Introduction" in to_markdown(result.document)


async def test_a_bold_term_inside_a_line_does_not_break_its_paragraph(
    converter: Converter, docs: Path
) -> None:
    # Page 4 of the book sets "mathematical induction" in bold mid-sentence.
    result = await converter.convert(docs / "bws_book_ch2.pdf", ConvertOptions(pages="4"))
    markdown = to_markdown(result.document)
    assert "This example has been chosen carefully to illustrate how mathematical" in markdown
    assert "## 1-Cube into a 2-Cube" in markdown  # a whole bold line is still a heading


def big_blank_pdf(tmp_path: Path, width_pt: float, height_pt: float) -> Path:
    from reportlab.pdfgen import canvas

    path = tmp_path / "big.pdf"
    sheet = canvas.Canvas(str(path), pagesize=(width_pt, height_pt))
    sheet.drawString(36, height_pt / 2, "x")
    sheet.save()
    return path


async def test_an_asked_dpi_still_keeps_the_page_within_the_pixel_limit(
    settings: Settings, tmp_path: Path
) -> None:
    # 2000 pt square at 150 dpi would be 4167² = 17 M pixels; the limit is 4 M.
    limited = settings.model_copy(update={"max_image_pixels": 4_000_000})
    engines = Engines(limited)
    try:
        result = await Converter(limited, engines).convert(
            big_blank_pdf(tmp_path, 2000, 2000),
            ConvertOptions(engine="tesseract", dpi=150, orientation=False),
        )
    finally:
        await engines.aclose()
    page = result.document.pages[0]
    assert page.width * page.height <= 4_000_000


async def test_a_long_thin_page_is_drawn_within_the_longest_side_ocr_takes(
    converter: Converter, tmp_path: Path
) -> None:
    # 14,400 × 20 pt at 300 dpi would be 60,000 pixels long: Tesseract aborts past 32,767.
    result = await converter.convert(
        big_blank_pdf(tmp_path, 14_400, 20),
        ConvertOptions(engine="tesseract", dpi=300, orientation=False),
    )
    page = result.document.pages[0]
    assert page.status != PageStatus.failed
    assert max(page.width, page.height) <= 32_767
