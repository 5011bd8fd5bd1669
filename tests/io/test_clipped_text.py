"""Text clipped away does not show, so it is not read: a spreadsheet printed to PDF clips
each cell's text to the cell, and the rest of a long entry runs on unseen under the
next columns."""

from __future__ import annotations

from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name

from docparse.io.pdf import PdfFile
from docparse.io.pdf_content import TextLine
from tests.io.test_pdf_content import words_and_lines

# Two rows of a ledger: the 'Particulars' cell (x 20-150) holds more text than it shows;
# its amount stands in the next cell at x 160.
LEDGER = (
    b"q 20 140 130 14 re W n BT /F1 10 Tf 22 144 Td "
    b"(Chq. No. 085900 BILL NO.133, 132, 139, 138 DT.16.12.2015 RICE PAYMENT) Tj ET Q "
    b"BT /F1 10 Tf 160 144 Td (26406576) Tj ET "
    b"q 20 120 130 14 re W n BT /F1 10 Tf 22 124 Td (BEING COMMISSION) Tj ET Q "
    b"BT /F1 10 Tf 160 124 Td (132696) Tj ET"
)


def _helvetica(pdf: pikepdf.Pdf) -> pikepdf.Object:
    return pdf.make_indirect(
        Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica)
    )


def _lines(path: Path) -> list[TextLine]:
    """The text lines of the PDF's first page."""
    document = PdfFile(path)
    try:
        return document.text_layer(0).lines
    finally:
        document.close()


def test_the_text_a_cell_clips_away_is_neither_in_lines_nor_in_words(tmp_path: Path) -> None:
    words, lines = words_and_lines(tmp_path, None, LEDGER)
    shown = " ".join(lines)
    assert "Chq. No. 085900" in shown and "26406576" in shown and "132696" in shown
    assert "RICE" not in shown and "DT.16.12.2015" not in shown
    assert "BEING COMMISSION" in shown  # a cell whose text fits is read whole
    assert "Chq." in words and "26406576" in words
    assert "RICE" not in words and "PAYMENT" not in words


def test_nested_clips_show_only_where_they_overlap(tmp_path: Path) -> None:
    """Two clips in force at once (a page's margins and a cell): the text shows where
    both let it, and what they hide lay under other words; a clip round the whole text
    hides nothing."""
    content = (
        b"q 0 0 400 200 re W n q 200 0 200 200 re W n "
        b"BT /F1 10 Tf 100 100 Td (Hidden left) Tj 100 0 Td (Shown right) Tj ET Q Q "
        b"BT /F1 10 Tf 100 100 Td (Cover text) Tj ET "
        b"q 0 0 400 200 re W n BT /F1 10 Tf 20 60 Td (Whole line inside) Tj ET Q"
    )
    words, _ = words_and_lines(tmp_path, None, content)
    assert sorted(words) == sorted(["Shown", "right", "Cover", "text", "Whole", "line", "inside"])


def test_text_set_off_the_page_is_not_read(tmp_path: Path) -> None:
    """The page's box clips everything on it: a line drawn a million points away, and the
    letters of a line that run past the page's right edge (x 400), do not show."""
    content = (
        b"BT /F1 10 Tf 20 100 Td (Body line on the page) Tj ET "
        b"BT /F1 10 Tf 1000000 1000000 Td (Secret headline far away) Tj ET "
        b"BT /F1 10 Tf 340 60 Td (Edge words hidden beyond) Tj ET"
    )
    words, lines = words_and_lines(tmp_path, None, content)
    assert "Body line on the page" in lines
    assert not any("Secret" in line or "hidden" in line for line in lines)
    assert "Secret" not in words and "beyond" not in words
    assert "Edge" in words  # the part on the page is read


def test_a_line_the_pages_edge_cuts_through_is_read_whole(tmp_path: Path) -> None:
    """A CropBox whose foot runs through a line just over its baseline (found by a
    hostile probe): a viewer shows the top of every letter, and the line was read with
    the letters whose middle fell below the edge left out ('the uick … jum s'). A letter
    is left out only when it lies wholly off the page."""
    pdf = pikepdf.new()
    font = _helvetica(pdf)
    page = Dictionary(
        Type=Name.Page,
        MediaBox=Array([0, 0, 400, 200]),
        CropBox=Array([0, 104, 400, 200]),
        Resources=Dictionary(Font=Dictionary(F1=font)),
        Contents=pdf.make_stream(
            b"BT /F1 10 Tf 20 150 Td (Body line on the page) Tj ET "
            b"BT /F1 10 Tf 20 100 Td (the quick brown fox jumps) Tj ET "
            b"BT /F1 10 Tf 20 40 Td (Cropped away) Tj ET"
        ),
    )
    pdf.pages.append(pikepdf.Page(page))
    path = tmp_path / "cut.pdf"
    pdf.save(path)
    lines = [line.text for line in _lines(path)]
    assert "the quick brown fox jumps" in lines
    assert not any("Cropped" in line for line in lines)


def test_a_cropbox_the_page_inherits_clips_and_places_the_text(tmp_path: Path) -> None:
    """A CropBox set on the page tree, not on the page (found by a hostile probe): PDFium
    shows the page cropped, yet its own box was taken from the page's dict alone, the
    MediaBox then, so text cropped away was read and every box sat 104 points low."""
    pdf = pikepdf.new()
    font = _helvetica(pdf)
    page = Dictionary(
        Type=Name.Page,
        MediaBox=Array([0, 0, 400, 200]),
        Resources=Dictionary(Font=Dictionary(F1=font)),
        Contents=pdf.make_stream(
            b"BT /F1 10 Tf 20 150 Td (Body line on the page) Tj ET "
            b"BT /F1 10 Tf 20 40 Td (Cropped away) Tj ET"
        ),
    )
    pdf.pages.append(pikepdf.Page(page))
    pdf.Root.Pages.CropBox = Array([0, 104, 400, 200])
    path = tmp_path / "inherited.pdf"
    pdf.save(path)
    lines = _lines(path)
    assert [line.text for line in lines] == ["Body line on the page"]
    assert 40 < lines[0].bbox.y0 < 46  # 200 - 157: from the cropped page's top


def test_text_in_a_form_off_the_page_is_not_read(tmp_path: Path) -> None:
    """Two pages set side by side in a form XObject, the sheet showing the left one
    (n-up and pdfpages output; found by a hostile probe): the right page's text, off
    the sheet, was read with the left's."""
    pdf = pikepdf.new()
    font = _helvetica(pdf)
    form = pdf.make_stream(
        b"BT /F1 10 Tf 20 150 Td (Left page text) Tj ET "
        b"BT /F1 10 Tf 420 150 Td (Right page text) Tj ET"
    )
    form.Type, form.Subtype = Name.XObject, Name.Form
    form.BBox = Array([0, 0, 800, 200])
    form.Resources = Dictionary(Font=Dictionary(F1=font))
    page = Dictionary(
        Type=Name.Page,
        MediaBox=Array([0, 0, 400, 200]),
        Resources=Dictionary(XObject=Dictionary(Fm1=form)),
        Contents=pdf.make_stream(b"q /Fm1 Do Q"),
    )
    pdf.pages.append(pikepdf.Page(page))
    path = tmp_path / "nup.pdf"
    pdf.save(path)
    lines = [line.text for line in _lines(path)]
    assert lines == ["Left page text"]
