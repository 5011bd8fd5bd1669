"""Text-layer typography. Accents set as glyphs of their own over their letters (TeX's
\\'a, \\v{c} in its old fonts: olmOCR-bench's arXiv pages): PDFium reads them apart, often
far from their letter: 'We also thank Jan Min ´ a´c … support. ˇ' for 'We also thank
Ján Mináč …'. Now each accent is put on the letter it sits over, in the text layer's
lines and in the words tables read; an accent standing alone stays. TeX's quotes read
as two single quotes each are double quotes."""

from __future__ import annotations

from pathlib import Path

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

from docparse.io.accents import MAX_ACCENTS
from docparse.io.pdf import PdfFile
from tests.structure.drawn import SERIF, register

SIZE = 11.0


def draw(pdf: canvas.Canvas, x: float, y: float, text: str) -> float:
    pdf.setFont(SERIF, SIZE)
    pdf.drawString(x, y, text)
    return x + stringWidth(text, SERIF, SIZE)


def accent_over(pdf: canvas.Canvas, x: float, letter: str, y: float, accent: str) -> None:
    """`accent` centred over the letter drawn at x, raised to sit on its top."""
    middle = x + stringWidth(letter, SERIF, SIZE) / 2
    pdf.setFont(SERIF, SIZE)
    pdf.drawString(middle - stringWidth(accent, SERIF, SIZE) / 2, y + 2.5, accent)


def thanks_page(path: Path) -> None:
    """'We also thank Ján Mináč for his support.', its accents drawn out of order: the
    acute of 'Ján' after 'Min', the caron of 'č' after the sentence."""
    register()
    pdf = canvas.Canvas(str(path), pagesize=(400, 200))
    y = 150.0
    x = draw(pdf, 20, y, "We also thank J")
    a1 = x
    x = draw(pdf, x, y, "an ")
    x = draw(pdf, x, y, "Min")
    accent_over(pdf, a1, "a", y, "\u00b4")  # Ján's acute, drawn late
    a2 = x
    x = draw(pdf, x, y, "a")
    accent_over(pdf, a2, "a", y, "\u00b4")
    c = x
    x = draw(pdf, x, y, "c for his support.")
    accent_over(pdf, c, "c", y, "\u02c7")  # the caron last of all
    draw(pdf, 20, 120, "An acute \u00b4 standing alone is a sign.")
    pdf.save()


def test_accents_drawn_apart_are_put_on_their_letters(tmp_path: Path) -> None:
    path = tmp_path / "thanks.pdf"
    thanks_page(path)
    pdf = PdfFile(path)
    text = "\n".join(line.text for line in pdf.text_layer(0).lines)
    assert "We also thank Ján Mináč for his support." in text
    assert "\u02c7" not in text
    words = [w for w, _ in pdf.words(0)]
    assert "Ján" in words and "Mináč" in words
    assert "An acute \u00b4 standing alone is a sign." in text  # over no letter: it stays


def test_texs_doubled_single_quotes_are_double_quotes(tmp_path: Path) -> None:
    """'‘‘corporate social responsibility’’' (olmOCR-bench's multi_column_miss.pdf):
    TeX's quotes read as two single quotes each; a check for the phrase in double quotes
    failed on the two extra characters."""
    register()
    path = tmp_path / "quotes.pdf"
    pdf = canvas.Canvas(str(path), pagesize=(400, 200))
    draw(pdf, 20, 150, "The term \u2018\u2018corporate social responsibility\u2019\u2019 is vague.")
    draw(pdf, 20, 120, "The firm\u2019s \u2018own\u2019 term.")
    pdf.save()
    text = "\n".join(line.text for line in PdfFile(path).text_layer(0).lines)
    assert "The term \u201ccorporate social responsibility\u201d is vague." in text
    assert "The firm\u2019s \u2018own\u2019 term." in text


def test_a_page_of_too_many_accents_is_left_as_it_is(tmp_path: Path) -> None:
    """More accents than a typeset page holds (a hostile page): no search for their
    letters, which would cost seconds; with fewer, each is put on its letter."""
    register()
    for count, composed in ((MAX_ACCENTS + 40, False), (200, True)):
        path = tmp_path / f"many{count}.pdf"
        pdf = canvas.Canvas(str(path), pagesize=(600, 800))
        for k in range(count):
            x, y = 10 + (k % 40) * 14, 780 - (k // 40) * 14
            draw(pdf, x, y, "e")
            accent_over(pdf, x, "e", y, "\u00b4")
        pdf.save()
        text = "".join(line.text for line in PdfFile(path).text_layer(0).lines)
        assert ("\u00e9" in text) is composed
