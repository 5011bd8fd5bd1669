"""A PDF page's own text as PDFium gives it, made plain where generators are odd."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest
from pikepdf import Array, Dictionary, Name
from PIL import Image
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from docparse.io.pdf import PdfFile
from docparse.io.pdf_content import _bold_name

# A ToUnicode map that says the font's code 9 is a tab, as ConsultantPlus exports do for
# the gaps of justified lines.
TAB_CMAP = b"""/CIDInit /ProcSet findresource begin 12 dict begin begincmap
/CMapName /T def 1 begincodespacerange <00> <FF> endcodespacerange
1 beginbfchar <09> <0009> endbfchar endcmap CMapName currentdict /CMap defineresource pop end end"""


def one_font_page(tmp_path: Path, cmap: bytes | None, content: bytes) -> PdfFile:
    """A page drawing `content` in Helvetica (with the ToUnicode map `cmap`), opened."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(
        Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica)
    )
    if cmap is not None:
        font.ToUnicode = pdf.make_stream(cmap)
    page = Dictionary(
        Type=Name.Page,
        MediaBox=Array([0, 0, 400, 200]),
        Resources=Dictionary(Font=Dictionary(F1=font)),
        Contents=pdf.make_stream(content),
    )
    pdf.pages.append(pikepdf.Page(page))
    path = tmp_path / "page.pdf"
    pdf.save(path)
    return PdfFile(path)


def words_and_lines(
    tmp_path: Path, cmap: bytes | None, content: bytes
) -> tuple[list[str], list[str]]:
    """The words and the lines of a page drawing `content` (`one_font_page`)."""
    document = one_font_page(tmp_path, cmap, content)
    try:
        lines = [line.text for line in document.text_layer(0).lines]  # first, as pages are read
        return [text for text, _ in document.words(0)], lines
    finally:
        document.close()


def test_tabs_between_words_are_spaces(tmp_path: Path) -> None:
    content = b"BT /F1 12 Tf 20 150 Td (Federal\tlaw \tof\t\t17 September 1998) Tj ET"
    document = one_font_page(tmp_path, TAB_CMAP, content)
    try:
        lines = [line.text for line in document.text_layer(0).lines]
    finally:
        document.close()
    assert lines == ["Federal law of 17 September 1998"]


# Code 01 has no Unicode (PDFium says 0 for the char, U+FFFE in the page's text).
NO_UNICODE_CMAP = b"""/CIDInit /ProcSet findresource begin 12 dict begin begincmap
/CMapName /T def 1 begincodespacerange <00> <FF> endcodespacerange
3 beginbfchar <41> <0041> <42> <0042> <01> <0000> endbfchar
endcmap CMapName currentdict /CMap defineresource pop end end"""


def test_words_keep_each_characters_own_code(tmp_path: Path) -> None:
    """Words read the page's text in one call; where that text stands in U+FFFE for a
    character, the character's own code is what the word holds."""
    content = b"BT /F1 12 Tf 20 150 Td (AB\x01AB BA) Tj 0 -20 Td (BA\x01BA) Tj ET"
    words, _ = words_and_lines(tmp_path, NO_UNICODE_CMAP, content)
    assert words == ["AB\x00AB", "BA", "BA\x00BA"]


# Code 41 is an emoji (two UTF-16 units), 42 a lone high surrogate: a broken map.
ASTRAL_CMAP = b"""/CIDInit /ProcSet findresource begin 12 dict begin begincmap
/CMapName /T def 1 begincodespacerange <00> <FF> endcodespacerange
4 beginbfchar <41> <D83DDE00> <42> <D83D> <43> <0043> <20> <0020> endbfchar
endcmap CMapName currentdict /CMap defineresource pop end end"""


def test_a_character_outside_the_bmp_is_one_character_of_a_word(tmp_path: Path) -> None:
    # Words held two lone surrogates for it, which no JSON or UTF-8 file can hold.
    content = b"BT /F1 12 Tf 20 150 Td (CAC CBC) Tj ET"
    document = one_font_page(tmp_path, ASTRAL_CMAP, content)
    try:
        words = [text for text, _ in document.words(0)]
        line = document.text_layer(0).lines[0].text
    finally:
        document.close()
    assert words == ["C\U0001f600C", "C\ufffdC"], words
    assert line == "C\U0001f600C C\ufffdC"
    "".join(words).encode("utf-8")


def test_sideways_text_is_one_word_per_phrase(tmp_path: Path) -> None:
    """A table's column heads set up the page (and a margin stamp down it): each
    phrase is one word in reading order, so a cell holds it whole rather than its
    words (or, where letters overlap, its letters) sorted top to bottom; text across
    the page is split into words as ever."""
    content = (
        b"BT /F1 10 Tf 0 1 -1 0 60 20 Tm (Jim Hines) Tj ET "
        b"BT /F1 10 Tf 0 -1 1 0 300 180 Tm (Downloaded from) Tj ET "
        b"BT /F1 10 Tf 100 100 Td (Plain words here) Tj ET"
    )
    words, _ = words_and_lines(tmp_path, None, content)
    assert words == ["Jim Hines", "Downloaded from", "Plain", "words", "here"]


def test_an_image_wholly_off_the_page_is_no_picture_on_it(tmp_path: Path) -> None:
    # Its box came out inverted (x1 < x0), a figure block no one could crop.
    picture = ImageReader(Image.new("RGB", (40, 40), (200, 30, 30)))
    path = tmp_path / "pictures.pdf"
    page = canvas.Canvas(str(path), pagesize=(400, 300))
    page.drawImage(picture, -500, -500, 100, 100)  # off the page
    page.drawImage(picture, 50, 100, 100, 100)  # on it: 50..150 across, 100..200 down
    page.drawString(20, 20, "Two pictures, one on the page")
    page.save()
    document = PdfFile(path)
    try:
        boxes = document.text_layer(0).image_boxes
    finally:
        document.close()
    assert [(b.x0, b.y0, b.x1, b.y1) for b in boxes] == [(50, 100, 150, 200)]


def test_bold_faces_are_told_by_their_names() -> None:
    # PDFium reports weight 250 for TeX's CM-Super faces (otsl's "5.1 Hyper Parameter
    # Optimization", SFBX1000, ran into its paragraph as body text).
    bold = [b"SFBX1000", b"ABCDEF+CMBX10", b"ECBX1200", b"NimbusRomNo9L-Medi", b"Arial-BoldMT"]
    plain = [b"SFRM1000", b"NimbusRomNo9L-Regu", b"FranklinGothic-Medium", b"TimesNewRomanPSMT"]
    assert all(_bold_name(name) for name in bold)
    assert not any(_bold_name(name) for name in plain)


# Text that reads upright once the page is turned by its /Rotate: the text matrix runs
# the lines the other way round in the PDF's own space (pdfplumber's Senate expenses).
_UPRIGHT_WHEN_TURNED = {
    90: b"0 1 -1 0 150 30",
    180: b"-1 0 0 -1 380 150",
    270: b"0 -1 1 0 50 370",
}


def test_words_of_a_turned_page_are_whole(tmp_path: Path) -> None:
    """Letters are compared along the lines as the page is shown: on a page turned by
    its /Rotate they advance up, down or leftwards in PDF space, and each one used to
    leave its own word ('DOCU', 'MENT', 'D', 'ATE')."""
    line = b"DHAW20190001 05/03/2019 CITIBANK 920.68"
    for rotation, matrix in _UPRIGHT_WHEN_TURNED.items():
        content = b"BT /F1 10 Tf " + matrix + b" Tm (" + line + b") Tj ET"
        pdf = pikepdf.new()
        font = pdf.make_indirect(
            Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica)
        )
        page = Dictionary(
            Type=Name.Page,
            MediaBox=Array([0, 0, 400, 400]),  # the line is on the page, turned or not
            Rotate=rotation,
            Resources=Dictionary(Font=Dictionary(F1=font)),
            Contents=pdf.make_stream(content),
        )
        pdf.pages.append(pikepdf.Page(page))
        path = tmp_path / f"turned_{rotation}.pdf"
        pdf.save(path)
        document = PdfFile(path)
        try:
            words = document.words(0)
        finally:
            document.close()
        assert [text for text, _ in words] == line.decode().split(), rotation
        xs = [box.x0 for _, box in words]
        assert xs == sorted(xs), rotation  # left to right as shown


def test_words_and_lines_sit_where_the_page_shows_them(tmp_path: Path) -> None:
    """A page box that does not start at (0, 0): cropped, set off, or upside down
    ([0 0 400 -200], tabula's CompStat report, whose words fell outside the drawn page
    and broke the table search). Each way turned, words and lines land on their ink."""
    boxes = {
        "cropped": ([0, 0, 400, 200], [100, 50, 400, 200], (150, 120)),
        "set_off": ([50, 50, 450, 250], None, (170, 200)),
        "inverted": ([0, 0, 400, -200], None, (150, -80)),
    }
    for name, (media, crop, (x, y)) in boxes.items():
        for rotation in (0, 90, 180, 270):
            pdf = pikepdf.new()
            font = pdf.make_indirect(
                Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica)
            )
            page = Dictionary(
                Type=Name.Page,
                MediaBox=Array(media),
                Rotate=rotation,
                Resources=Dictionary(Font=Dictionary(F1=font)),
                Contents=pdf.make_stream(b"BT /F1 20 Tf %d %d Td (HHHH) Tj ET" % (x, y)),
            )
            if crop is not None:
                page.CropBox = Array(crop)
            pdf.pages.append(pikepdf.Page(page))
            path = tmp_path / f"{name}_{rotation}.pdf"
            pdf.save(path)
            document = PdfFile(path)
            try:
                ink = document.render(0, 72, grey=True).point(lambda v: 255 if v < 128 else 0)
                left, top, right, bottom = ink.getbbox() or (0, 0, 0, 0)
                ((_, word),) = document.words(0)
                (line,) = document.text_layer(0).lines
            finally:
                document.close()
            for box in (word, line.bbox):
                assert abs((box.x0 + box.x1) / 2 - (left + right) / 2) < 3, (name, rotation)
                assert abs((box.y0 + box.y1) / 2 - (top + bottom) / 2) < 3, (name, rotation)


@pytest.mark.parametrize(
    ("name", "weight", "bold"),
    [
        ("AAAAAA+PTSerif-Regular", 764, False),
        ("AAAAAA+PTSerif-Italic", 1076, False),
        ("AAAAAA+PTSerif-Bold", 828, True),
        ("F1", 700, True),
        ("F2", 400, False),
    ],
)
def test_a_fonts_name_outweighs_its_stated_weight(
    tmp_path: Path, name: str, weight: int, bold: bool
) -> None:
    """Chromium's PDFs (HTML printed to PDF) state a weight of 764 for PT Serif Regular
    and 1076 for its Italic: every line read bold, so no heading stood out by weight and
    the forms set's section heads ran into their paragraphs. A name whose style part
    says regular or italic decides; a name that says nothing leaves it to the weight."""
    pdf = pikepdf.new()
    descriptor = Dictionary(
        Type=Name.FontDescriptor,
        FontName=Name("/" + name),
        Flags=32,
        FontBBox=Array([0, -200, 1000, 900]),
        ItalicAngle=0,
        Ascent=900,
        Descent=-200,
        CapHeight=700,
        StemV=80,
        FontWeight=weight,
    )
    font = Dictionary(
        Type=Name.Font,
        Subtype=Name.TrueType,
        BaseFont=Name("/" + name),
        FirstChar=32,
        LastChar=126,
        Widths=Array([500] * 95),
        FontDescriptor=pdf.make_indirect(descriptor),
        Encoding=Name.WinAnsiEncoding,
    )
    page = Dictionary(
        Type=Name.Page,
        MediaBox=Array([0, 0, 400, 200]),
        Resources=Dictionary(Font=Dictionary(F1=pdf.make_indirect(font))),
        Contents=pdf.make_stream(b"BT /F1 12 Tf 20 100 Td (Section heading) Tj ET"),
    )
    pdf.pages.append(pikepdf.Page(page))
    path = tmp_path / "weight.pdf"
    pdf.save(path)
    document = PdfFile(path)
    try:
        (line,) = document.text_layer(0).lines
    finally:
        document.close()
    assert line.bold is bold
