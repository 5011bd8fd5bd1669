"""The searchable PDF's text layer on hand-made Documents, no OCR: each kind of geometry
the Document may have, the font, inputs of each kind, and pages whose content or
resources could trip the layer up."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import numpy as np
import pikepdf
import pypdfium2 as pdfium
from PIL import Image, ImageDraw, ImageFont

from docparse.document import BBox, Block, Document, Label, Line, Page, TableCell
from docparse.export.glyphless_font import truetype_program
from docparse.export.searchable_pdf import searchable_pdf
from tests.fixtures.searchable import centre, pdfium_text, pdftotext, pdftotext_words

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def box(x0: float, y0: float, x1: float, y1: float) -> BBox:
    return BBox(x0=x0, y0=y0, x1=x1, y1=y1)


def ocr_page(index: int, width: float, height: float, blocks: list[Block], dpi: float) -> Page:
    page = Page(index=index, width=width, height=height, dpi=dpi, route="ocr", blocks=blocks)
    page.normalise_boxes()
    return page


def blank_pdf(pages: int, content: bytes = b"", size: tuple[float, float] = (400, 200)) -> bytes:
    pdf = pikepdf.new()
    shared = pdf.make_indirect(pikepdf.Dictionary(Font=pikepdf.Dictionary()))
    for _ in range(pages):
        page = pdf.add_blank_page(page_size=size)
        page.obj.Resources = shared  # one dictionary for all pages, as many writers do
        page.obj.Contents = pikepdf.Stream(pdf, content)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def render(pdf: bytes, index: int = 0, scale: float = 2) -> np.ndarray:
    document = pdfium.PdfDocument(pdf)
    try:
        return np.asarray(document[index].render(scale=scale).to_pil().convert("L"))
    finally:
        document.close()


def test_cyrillic_and_letters_past_the_bmp_copy_as_written_in_their_boxes(tmp_path: Path) -> None:
    """A line with a box but no words (spread by characters), a block with text alone
    (a band per line), a table of cells without boxes (an even grid)."""
    line = Line(text="Съешь же ещё этих булок", bbox=box(20, 20, 380, 50))
    lines = Block(id="a", bbox=line.bbox, lines=[line], text=line.text)
    banded = Block(id="b", bbox=box(20, 80, 300, 140), text="Первая строка\nВторая 𝔘 ёлка")
    table = Block(
        id="c",
        label=Label.table,
        bbox=box(20, 150, 380, 190),
        text="| x |",
        cells=[TableCell(row=r, col=c, text=f"r{r}c{c}") for r in range(2) for c in range(2)],
    )
    document = Document(pages=[ocr_page(0, 400, 200, [lines, banded, table], 72)])
    path = tmp_path / "in.pdf"
    path.write_bytes(blank_pdf(1))
    out = searchable_pdf(path, document)

    text = pdftotext(out)
    for expected in ("Съешь же ещё этих булок", "Первая строка", "Вторая 𝔘 ёлка", "r1c1"):
        assert expected in text and expected in pdfium_text(out)
    found = dict(pdftotext_words(out, 1))
    assert centre(found["r0c0"])[0] < 200 < centre(found["r0c1"])[0]  # an even grid
    assert 20 <= centre(found["Съешь"])[0] < centre(found["булок"])[0] <= 380
    assert all(20 <= centre(found[w])[1] <= 50 for w in ("Съешь", "булок"))
    assert 80 <= centre(found["Первая"])[1] <= 110 <= centre(found["Вторая"])[1] <= 140
    assert 150 <= centre(found["r0c0"])[1] <= 170 <= centre(found["r1c1"])[1] <= 190


def test_multipage_tiff_keeps_every_frame_and_its_resolution(tmp_path: Path) -> None:
    bilevel = Image.new("1", (600, 300), 1)  # a fax-like page: 1 bit a pixel
    ImageDraw.Draw(bilevel).rectangle((50, 50, 250, 120), fill=0)
    frames = [bilevel, Image.new("L", (300, 600), 200)]
    path = tmp_path / "two.tiff"
    frames[0].save(path, save_all=True, append_images=frames[1:], dpi=(150, 150))
    line = Line(text="второй лист", bbox=box(30, 30, 270, 60))
    read = ocr_page(1, 300, 600, [Block(id="x", bbox=line.bbox, lines=[line])], 150)
    out = searchable_pdf(path, Document(pages=[read]))  # only the second frame was read

    with pikepdf.open(io.BytesIO(out)) as pdf:
        sizes = [[float(v) for v in page.mediabox] for page in pdf.pages]
        pictures = [
            pikepdf.PdfImage(image).as_pil_image()
            for page in pdf.pages
            for image in page.get_images().values()
        ]
    assert sizes == [[0, 0, 288, 144], [0, 0, 144, 288]]  # pixels × 72 / 150
    assert all(
        np.array_equal(np.asarray(p.convert("L")), np.asarray(f.convert("L")))
        for p, f in zip(pictures, frames, strict=True)
    )
    assert pdftotext(out, "-f", "1", "-l", "1").strip() == ""
    word = dict(pdftotext_words(out, 2))["второй"]
    assert centre(word)[0] >= 30 * 72 / 150 and 30 * 72 / 150 <= centre(word)[1] <= 60 * 72 / 150


def test_jpeg_goes_in_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "scan.jpg"
    Image.new("RGB", (500, 250), (250, 245, 240)).save(path, quality=80, dpi=(100, 100))
    line = Line(text="Счёт № 5", bbox=box(10, 10, 200, 40))
    page = ocr_page(0, 500, 250, [Block(id="x", bbox=line.bbox, lines=[line])], 100)
    out = searchable_pdf(path, Document(pages=[page]))
    with pikepdf.open(io.BytesIO(out)) as pdf:
        (image,) = pdf.pages[0].get_images().values()
        assert image.Filter == pikepdf.Name.DCTDecode
        assert image.read_raw_bytes() == path.read_bytes()
    assert "Счёт № 5" in pdftotext(out)


def test_the_layer_has_no_ink_even_where_text_is_filled(tmp_path: Path) -> None:
    """The page renders as the picture (render mode 3); and were the text filled by a
    reader that ignores the mode, the glyphs have no area to fill."""
    picture = Image.new("L", (400, 200), 255)
    ImageDraw.Draw(picture).text((20, 20), "Образец", font=ImageFont.truetype(FONT, 30), fill=0)
    path = tmp_path / "page.png"
    picture.save(path, dpi=(72, 72))
    line = Line(text="Образец текста", bbox=box(20, 20, 300, 55))
    page = ocr_page(0, 400, 200, [Block(id="x", bbox=line.bbox, lines=[line])], 72)
    out = searchable_pdf(path, Document(pages=[page]))
    assert np.array_equal(render(out, scale=1), np.asarray(picture))

    with pikepdf.open(io.BytesIO(out)) as pdf:
        layer = pdf.pages[0].obj.Contents[-1]
        assert b"3 Tr" in layer.read_bytes()
        layer.write(layer.read_bytes().replace(b"3 Tr", b"0 Tr"))
        filled = io.BytesIO()
        pdf.save(filled)
    assert np.array_equal(render(filled.getvalue()), render(out))
    assert "Образец текста" in pdftotext(filled.getvalue())


def test_page_content_with_open_saves_and_shared_resources(tmp_path: Path) -> None:
    """A page whose content leaves its scale in force (q without Q) and whose resources
    other pages share, one of its fonts already named as the layer's would be."""
    path = tmp_path / "open.pdf"
    path.write_bytes(blank_pdf(2, content=b"q 2 0 0 2 0 0 cm"))
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        pdf.pages[0].resources.Font["/DocparseOCR"] = pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
        )
        pdf.save(path)
    line = Line(text="место", bbox=box(200, 100, 300, 130))
    page = ocr_page(0, 400, 200, [Block(id="x", bbox=line.bbox, lines=[line])], 72)
    out = searchable_pdf(path, Document(pages=[page]))

    word = dict(pdftotext_words(out, 1))["место"]
    assert 200 <= centre(word)[0] <= 300 and 100 <= centre(word)[1] <= 130  # not doubled
    with pikepdf.open(io.BytesIO(out)) as pdf:
        first, second = (p.obj.Resources for p in pdf.pages)
        assert set(second.Font.keys()) == {"/DocparseOCR"}  # the other page's as it was
        assert set(first.Font.keys()) == {"/DocparseOCR", "/DocparseOCR2"}


def test_font_program_loads_and_poppler_sees_it_embedded_with_unicode(tmp_path: Path) -> None:
    font = ImageFont.truetype(io.BytesIO(truetype_program()), 100)  # FreeType
    assert font.getlength(" ") == 50  # half an em
    line = Line(text="Проверка", bbox=box(10, 10, 200, 40))
    path = tmp_path / "in.pdf"
    path.write_bytes(blank_pdf(1))
    page = ocr_page(0, 400, 200, [Block(id="x", bbox=line.bbox, lines=[line])], 72)
    (tmp_path / "out.pdf").write_bytes(searchable_pdf(path, Document(pages=[page])))
    listing = subprocess.run(
        ["/usr/bin/pdffonts", str(tmp_path / "out.pdf")], capture_output=True, check=True, text=True
    )
    row = listing.stdout.splitlines()[-1].split()
    assert row[:6] == ["GlyphLessFont", "CID", "TrueType", "Identity-H", "yes", "no"]
    assert row[6] == "yes"  # a ToUnicode map
