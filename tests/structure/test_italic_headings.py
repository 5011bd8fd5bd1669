"""Headings set in italic in the body's size: a handbook's title right over the paragraph
it heads, an IEEE paper's lettered subsection. An italic caption, a byline and an
italic sentence inside a paragraph stay text."""

from __future__ import annotations

from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from docparse.document import Label
from docparse.export.markdown import to_markdown
from docparse.pipeline.converter import Converter
from docparse.pipeline.options import ConvertOptions
from tests.structure.drawn import FONTS, HEIGHT, LEFT, RIGHT, Sheet
from tests.structure.test_furniture_single_page import ARTICLE, labels_of

ITALIC = "LiberationSerif-Italic"


def italic(sheet: Sheet, x: float, y: float, text: str, size: float = 11) -> None:
    if ITALIC not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(ITALIC, str(FONTS / "LiberationSerif-Italic.ttf")))
    sheet.canvas.setFont(ITALIC, size)
    sheet.canvas.drawString(x, HEIGHT - y, text)


async def test_italic_headings_are_headings_and_other_italic_lines_are_not(
    converter: Converter, tmp_path: Path
) -> None:
    path = tmp_path / "handbook.pdf"
    sheet = Sheet(path)
    italic(sheet, 250, 70, "Martin Thoma")  # a byline, centred over the text
    y = sheet.paragraph(ARTICLE[0] + " " + ARTICLE[1], 100, indent=0)
    italic(sheet, LEFT, y + 10, "Boots Self-Locking Nut")  # right over its paragraph
    y = sheet.paragraph(ARTICLE[2] + " " + ARTICLE[3], y + 24, indent=0)
    italic(sheet, LEFT, y + 20, "A. Google DeepDream")  # lettered, a line's gap below
    y = sheet.paragraph(ARTICLE[4], y + 50, indent=0)
    italic(sheet, LEFT, y + 10, "Figure 3 Aurelia aurita")  # a caption, over a paragraph
    y = sheet.paragraph(ARTICLE[5], y + 24, indent=0)
    # A whole italic line inside a paragraph: the paragraph goes on under it.
    y += 20
    first = "Hearing loss progresses through adult life and should be checked every few years,"
    sheet.words(LEFT, RIGHT, y, first.split(), 11, spread=True)
    italic(sheet, LEFT, y + 13.5, "as should thyroid function, liver enzymes and blood pressure,")
    sheet.text(LEFT, y + 27, "which most adult clinics now do.", size=11)
    sheet.save()
    result = await converter.convert(path, ConvertOptions())
    (page,) = result.document.pages
    assert labels_of(page, "Boots Self-Locking Nut") == {Label.paragraph_title}
    assert labels_of(page, "A. Google DeepDream") == {Label.paragraph_title}
    for text in ("Martin Thoma", "Figure 3 Aurelia aurita", "liver enzymes"):
        assert Label.paragraph_title not in labels_of(page, text), text
    markdown = to_markdown(result.document)
    assert "## Boots Self-Locking Nut\n\n" + ARTICLE[2][:30] in markdown
    assert "every few years, as should thyroid function" in markdown  # one paragraph
