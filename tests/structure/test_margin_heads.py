"""Running titles and folios set in a side margin column, at the top beside the body (an
Emerald journal's 'ER 29,2' over '162' on the left of even pages, the article's short
title over '163' on the right of odd ones), are page furniture; a margin note lower
down, and the numbers of a transcript's lines, are the document's text."""

from __future__ import annotations

from pathlib import Path

from docparse.document import Label
from docparse.export.markdown import to_markdown
from docparse.pipeline.converter import Converter
from docparse.pipeline.options import ConvertOptions
from tests.structure.drawn import Sheet
from tests.structure.test_furniture_single_page import ARTICLE, labels_of


def body(sheet: Sheet, left: float, right: float, page: int = 0) -> None:
    """Paragraphs of three lines and more, each page's its own."""
    texts = ARTICLE[page:] + ARTICLE[:page]
    y = 110.0
    for a, b in zip(texts[::2], texts[1::2], strict=True):
        y = sheet.paragraph(f"{a} {b}", y, size=10, leading=12.5, indent=12, left=left, right=right)


async def test_a_margin_columns_running_title_and_folio_leave(
    converter: Converter, tmp_path: Path
) -> None:
    path = tmp_path / "journal.pdf"
    sheet = Sheet(path)
    for page, number in enumerate((162, 163, 164)):
        if page:
            sheet.next_page()
        if number % 2 == 0:  # even: the margin column on the left
            sheet.text(30, 110, "ER", size=10, bold=True)
            sheet.text(30, 122, "29,2", size=10, bold=True)
            sheet.text(30, 180, str(number), size=10)
            if number == 162:
                sheet.text(30, 330, "Received 4 October 2005", size=7)
            body(sheet, 150, 540, page)
        else:  # odd: on the right
            sheet.text(560, 110, "Shift work", size=10, bold=True, align="right")
            sheet.text(560, 122, "interventions", size=10, bold=True, align="right")
            sheet.text(560, 180, str(number), size=10, align="right")
            body(sheet, 57, 440, page)
    sheet.save()
    result = await converter.convert(path, ConvertOptions())
    pages = result.document.pages
    assert labels_of(pages[0], "29,2") == labels_of(pages[2], "29,2") == {Label.header}
    assert labels_of(pages[1], "interventions") == {Label.header}
    assert [labels_of(page, str(n)) for page, n in zip(pages, (162, 163, 164), strict=True)] == [
        {Label.number}
    ] * 3
    markdown = to_markdown(result.document)
    assert "29,2" not in markdown and "interventions" not in markdown and "163" not in markdown
    assert "Received 4 October 2005" in markdown  # a margin note below the furniture stays
    assert all(paragraph in markdown for paragraph in ARTICLE)


async def test_a_transcripts_line_numbers_in_the_margin_stay(
    converter: Converter, tmp_path: Path
) -> None:
    path = tmp_path / "transcript.pdf"
    sheet = Sheet(path)
    for line in range(1, 26):
        sheet.text(40, 98 + 25 * line, str(line), size=10, align="right")
    body(sheet, 70, 540)
    sheet.save()
    result = await converter.convert(path, ConvertOptions())
    (page,) = result.document.pages
    assert Label.number not in {b.label for b in page.blocks if b.text.strip() in ("1", "2", "3")}
