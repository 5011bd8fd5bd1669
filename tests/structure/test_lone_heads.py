"""Issue 14 (5): running heads and footers of a page alone, with no repetition across
pages to go by, leave the Markdown (kept in JSON) when several cues agree: at the edge
of the page, apart from the body more than its paragraphs are, no larger and no bolder
than the body, and set small or reading like furniture. Body text never leaves."""

from __future__ import annotations

from pathlib import Path

from docparse.document import Label, Page
from docparse.export.markdown import to_markdown
from docparse.pipeline.converter import Converter
from docparse.pipeline.options import ConvertOptions
from tests.structure.drawn import CLAUSES, HEIGHT, LEFT, RIGHT, WIDTH, Sheet

BODY_TOP = 80.0


def body(sheet: Sheet, y: float = BODY_TOP, count: int = 6) -> float:
    """Justified clauses, no space between them; returns the next baseline."""
    for k, clause in enumerate(CLAUSES[:count], 1):
        y = sheet.paragraph(f"4.{k} {clause} (раздела).", y)
    return y


async def convert(converter: Converter, path: Path) -> tuple[Page, str]:
    result = await converter.convert(path, ConvertOptions())
    (page,) = result.document.pages
    assert page.route == "text_layer"
    return page, to_markdown(result.document)


def label_of(page: Page, text: str) -> Label:
    (label,) = {b.label for b in page.blocks if text in b.text or text == b.text}
    return label


async def test_a_small_standard_designation_at_the_top_is_a_header(
    converter: Converter, tmp_path: Path
) -> None:
    # 9 pt over 11 pt body, 12 pt above it: closer than the two heights a plain line
    # needs to count as set apart, yet small, a document code, and at the edge.
    path = tmp_path / "standard.pdf"
    sheet = Sheet(path)
    sheet.text(RIGHT, BODY_TOP - 20, "ГОСТ Р 7.0.97—2016", size=9, align="right")
    body(sheet)
    sheet.text(WIDTH / 2, HEIGHT - 30, "5", size=9, align="centre")
    sheet.save()
    page, markdown = await convert(converter, path)
    assert label_of(page, "ГОСТ Р 7.0.97") == Label.header
    assert [b.label for b in page.blocks if b.text == "5"] == [Label.number]
    assert "ГОСТ Р 7.0.97" not in markdown
    assert markdown.startswith("4.1 Требования настоящего стандарта")


async def test_a_copyright_line_at_the_foot_is_a_footer(
    converter: Converter, tmp_path: Path
) -> None:
    # 8 pt at the foot's edge, 10 pt under the body: not the two heights apart a
    # plain line needs, but small and a copyright with an address.
    path = tmp_path / "leaflet.pdf"
    end = HEIGHT - 66
    sheet = Sheet(path)
    body(sheet, y=end - (body(Sheet(tmp_path / "scratch.pdf"), y=0)))
    sheet.text(LEFT, end + 6, "© ООО «Ромашка», 2021. www.romashka.ru", size=8)
    sheet.save()
    page, markdown = await convert(converter, path)
    assert label_of(page, "Ромашка") == Label.footer
    assert "Ромашка" not in markdown and "(раздела)." in markdown


async def test_a_first_body_line_near_the_top_stays(converter: Converter, tmp_path: Path) -> None:
    """A one-line paragraph at the top edge, the body a paragraph's space below: it is
    neither small nor furniture-like, and no further apart than a paragraph."""
    path = tmp_path / "letter.pdf"
    sheet = Sheet(path)
    sheet.text(LEFT + 48, 40, "Настоящее положение вводится в действие с 1 июля 2021 г.")
    body(sheet, y=40 + 13.5)
    sheet.save()
    page, markdown = await convert(converter, path)
    assert label_of(page, "вводится в действие") == Label.text
    assert markdown.startswith("Настоящее положение вводится в действие с 1 июля 2021 г.")


async def test_a_small_note_at_the_top_of_the_body_stays(
    converter: Converter, tmp_path: Path
) -> None:
    """Small type at the top edge naming a standard, but followed at the body's own
    spacing: the page opens with the body, there is no head."""
    path = tmp_path / "note.pdf"
    sheet = Sheet(path)
    note = "Примечание — Реквизиты оформляют по ГОСТ Р 7.0.97—2016."
    sheet.text(LEFT + 48, 40, note, size=9)
    body(sheet, y=40 + 13.5)
    sheet.save()
    page, markdown = await convert(converter, path)
    assert label_of(page, "Примечание") == Label.text
    assert markdown.startswith(note)


async def test_a_title_at_the_top_is_a_heading(converter: Converter, tmp_path: Path) -> None:
    path = tmp_path / "title.pdf"
    sheet = Sheet(path)
    sheet.text(WIDTH / 2, 45, "ПОЛОЖЕНИЕ О ДОКУМЕНТООБОРОТЕ", size=14, bold=True, align="centre")
    body(sheet)
    sheet.save()
    page, markdown = await convert(converter, path)
    assert label_of(page, "ПОЛОЖЕНИЕ") == Label.doc_title
    assert markdown.startswith("# ПОЛОЖЕНИЕ О ДОКУМЕНТООБОРОТЕ")


async def test_a_small_note_closing_the_body_stays(converter: Converter, tmp_path: Path) -> None:
    """The last line of the body in the bottom fifth, small and naming a standard, a
    paragraph's space below the clauses: not at the page's edge, not far apart."""
    path = tmp_path / "closing.pdf"
    sheet = Sheet(path)
    y = body(sheet, y=HEIGHT - 280)
    note = "Примечание — Сведения по ГОСТ Р 7.0.8 приводятся в приложении Б."
    sheet.text(LEFT + 48, y + 6, note, size=9)
    sheet.save()
    page, markdown = await convert(converter, path)
    assert label_of(page, "Примечание") == Label.text
    assert markdown.rstrip().endswith(note)


async def test_a_journal_head_and_a_footer_over_the_folio(
    converter: Converter, tmp_path: Path
) -> None:
    """A head of title and folio, and a copyright line over the page number: the gap
    that counts is the one to the body, not to the folio under the footer."""
    path = tmp_path / "journal.pdf"
    sheet = Sheet(path)
    sheet.text(LEFT, 50, "Вестник архивиста. 2021. № 3", size=9)
    sheet.text(RIGHT, 50, "245", size=9, align="right")
    body(sheet, y=70, count=len(CLAUSES))
    sheet.text(LEFT, HEIGHT - 40, "© Вестник архивиста, 2021", size=8)
    sheet.text(WIDTH / 2, HEIGHT - 28, "245", size=9, align="centre")
    sheet.save()
    page, markdown = await convert(converter, path)
    assert label_of(page, "№ 3") == Label.header
    assert label_of(page, "©") == Label.footer
    assert [b.label for b in page.blocks if b.text == "245"] == [Label.number]
    assert "Вестник" not in markdown and "245" not in markdown
