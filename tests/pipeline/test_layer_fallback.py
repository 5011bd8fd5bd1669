"""A text layer of Russian stored as Latin look-alike letters goes to OCR, and OCR's
Cyrillic reading is kept (issue 14, 7); a layer OCR reads far worse (a cover in display
type) or in the same Latin letters (a Latin-script language) is kept (8)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from docparse.export.markdown import to_text
from docparse.io.pdf import PdfFile
from docparse.io.pdf_content import TextLayer
from docparse.pipeline.converter import Converter
from docparse.pipeline.layer_quality import Verdict, assess, lookalike_russian
from docparse.pipeline.options import ConvertOptions
from tests.fixtures.russian import _register_fonts, make_contract

# Cyrillic as the Latin letters a buggy generator's glyph names give it (`Hanorosas`).
_PAIRS = (
    "аa бb вs гr дg еe ёe жx зz иu йu кk лn мm нh оo пn рp сc тm уy фf хx цu чr шw щw ъb ыb "
    "ьb эe юo яs АA БB ВB ГG ДD ЕE ЁE ЖX ЗZ ИU ЙU КK ЛJ МM НH ОO ПN РP СC ТT УY ФF ХX ЦU "
    "ЧR ШW ЩW ЪB ЫB ЬB ЭE ЮO ЯR"
)
LOOKALIKE = {pair[0]: pair[1] for pair in _PAIRS.split()}
CZECH = [
    "Smlouva o dodávce zboží byla uzavřena v Praze mezi dodavatelem a odběratelem.",
    "Dodavatel se zavazuje dodat zboží na adresu odběratele v dohodnuté lhůtě.",
    "Odběratel je povinen zaplatit kupní cenu za zboží na účet dodavatele.",
    "Záruční doba na zboží činí dvanáct měsíců ode dne převzetí zboží.",
    "Spory se řeší smírnou cestou, jinak je rozhoduje soud v sídle žalobce.",
]


def lookalike(text: str) -> str:
    return "".join(LOOKALIKE.get(ch, ch) for ch in text)


def page_pdf(lines: list[str], cover: bool = False, font: str = "DejaVuSerif") -> bytes:
    """Lines in a DejaVu face, streams uncompressed; with `cover`, under a page-sized
    colour picture and invisible (the text a cover's display type carries in its layer,
    which OCR cannot see)."""
    _register_fonts()
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, pageCompression=0, invariant=1)
    if cover:
        picture = Image.radial_gradient("L").resize((400, 560)).convert("RGB")
        canvas.drawImage(ImageReader(picture), 0, 0, *A4)
    text = canvas.beginText(56, A4[1] - 72)
    text.setFont(font, 11)
    if cover:
        text.setTextRenderMode(3)
    for line in lines:
        text.textLine(line)
    canvas.drawText(text)
    canvas.save()
    return out.getvalue()


def latin_glyph_names(pdf: bytes) -> bytes:
    """The generator bug: the page shows Cyrillic, but the font's ToUnicode map says each
    glyph is the Latin letter its name suggests (same-length edits of the CMap)."""

    def latin(match: re.Match[bytes]) -> bytes:
        char = chr(int(match[2], 16))
        return match[1] + b"<%04X>" % ord(LOOKALIKE.get(char, char))

    return re.sub(rb"(<[0-9A-F]{2}> )<(04[0-9A-F]{2})>", latin, pdf)


def write(tmp_path: Path, pdf: bytes) -> Path:
    path = tmp_path / "page.pdf"
    path.write_bytes(pdf)
    return path


def layer_of(path: Path) -> tuple[TextLayer, Verdict]:
    pdf = PdfFile(path)
    try:
        layer = pdf.text_layer(0)
        return layer, assess(layer, *pdf.page_size(0))
    finally:
        pdf.close()


def layer_text(layer: TextLayer) -> str:
    return "\n".join(ln.text for ln in layer.lines)


RUSSIAN = [s[:85] for s in make_contract(1).sentences[:24]]


def test_the_fixture_makes_the_generator_bug(tmp_path: Path) -> None:
    layer, _ = layer_of(write(tmp_path, latin_glyph_names(page_pdf(RUSSIAN))))
    assert lookalike("Налоговая") == "Hanorosas"
    assert layer_text(layer).splitlines()[0] == lookalike(RUSSIAN[0])


async def test_russian_in_latin_lookalike_glyphs_is_read_by_ocr(
    converter: Converter, tmp_path: Path
) -> None:
    path = write(tmp_path, latin_glyph_names(page_pdf(RUSSIAN)))
    _, verdict = layer_of(path)
    assert not verdict.use_layer and verdict.lookalike and "look-alike" in verdict.reason
    result = await converter.convert(path, ConvertOptions())
    page = result.document.pages[0]
    assert page.route == "ocr"
    text = to_text(result.document)
    found = sum(line[:40] in text for line in RUSSIAN[1:13])
    assert found >= 10, text  # read from the page's pixels, in Cyrillic


@pytest.mark.slow
async def test_latin_script_language_layer_is_kept(converter: Converter, tmp_path: Path) -> None:
    """Czech writes `v`, `na`, `s` too: the page goes to OCR, OCR sees Latin letters, and
    the PDF's own (exact) text is kept."""
    lines = CZECH * 4
    assert lookalike_russian("\n".join(lines))
    path = write(tmp_path, page_pdf(lines))
    result = await converter.convert(path, ConvertOptions())
    assert result.document.pages[0].route == "text_layer"
    text = to_text(result.document)
    for line in CZECH:
        assert line in text


def test_english_and_russian_layers_are_not_taken_for_lookalikes(docs: Path) -> None:
    for name in ("edgar.pdf", "bws_book_ch2.pdf", "pdftotext_two_column_issue.pdf"):
        pdf = PdfFile(docs / name)
        try:
            text = "\n".join(ln.text for ln in pdf.text_layer(0).lines)
        finally:
            pdf.close()
        assert not lookalike_russian(text), name
    assert not lookalike_russian("\n".join(make_contract(1).sentences))


def test_number_signs_typed_as_n_are_no_latin_words() -> None:
    """Legal texts type № as `N` (ConsultantPlus: `приказ от 21 марта 2014 г. N 125н`):
    with a Latin `B` or two (`гепатита B`) they made a Russian order look like Russian in
    look-alike letters, and its exact layer was thrown away for OCR."""
    lines = [
        f"Федеральный закон от 17.09.1998 N {150 + i}-ФЗ, ст. {3000 + i}; 2013, N {i}, ст. 4"
        for i in range(30)
    ] + ["Вакцинация против вирусного гепатита B", "гепатита B (группы риска)"] * 2
    assert not lookalike_russian("\n".join(lines))
    # The look-alike layer itself is still caught, its numbers signed `N` or not.
    russian = [lookalike(line) + f" N {i}" for i, line in enumerate(RUSSIAN)]
    assert lookalike_russian("\n".join(russian))


async def test_cover_ocr_cannot_read_keeps_its_text_layer(
    converter: Converter, tmp_path: Path
) -> None:
    lines = ["ANNUAL REPORT 2024", "Northern Shipping Company", "Prepared for the shareholders"]
    path = write(tmp_path, page_pdf(lines, cover=True))
    _, verdict = layer_of(path)
    assert not verdict.use_layer  # a sparse layer over a page-sized picture: OCR is asked
    result = await converter.convert(path, ConvertOptions())
    page = result.document.pages[0]
    assert page.status == "ok" and page.route == "text_layer"
    text = to_text(result.document)
    for line in lines:
        assert line in text


def test_ocr_reading_as_good_as_the_layer_is_kept(tmp_path: Path) -> None:
    english = "The quick brown fox jumps over the lazy dog near the river bank"
    layer, _ = layer_of(write(tmp_path, page_pdf([english])))
    partial = Verdict(False, "text layer covers only part of a scanned page")
    assert partial.keep_layer(layer, "")
    assert not partial.keep_layer(layer, "The quick brown fox jumps over the lazy dog near the")
    lookalikes = Verdict(False, "look-alike", lookalike=True)
    assert not lookalikes.keep_layer(layer, "Поставщик обязуется передать товар покупателю")
    assert lookalikes.keep_layer(layer, english)
    empty = TextLayer([], 0, 0.0, None, 0.0)
    assert not partial.keep_layer(empty, "")
