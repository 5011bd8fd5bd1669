"""Issue 14 (5): running heads and footers of a page alone, with no repetition across
pages to go by, leave the Markdown (kept in JSON) when several cues agree: at the edge
of the page, apart from the body more than its paragraphs are, no larger and no bolder
than the body, and set small or reading like furniture. Body text never leaves."""

from __future__ import annotations

from pathlib import Path

from docparse.document import Label, Page
from docparse.pipeline.converter import Converter
from tests.structure.born_digital import convert
from tests.structure.drawn import BOLD, CLAUSES, HEIGHT, LEFT, RIGHT, WIDTH, Sheet

BODY_TOP = 80.0


def body(sheet: Sheet, y: float = BODY_TOP, count: int = 6) -> float:
    """Justified clauses, no space between them; returns the next baseline."""
    for k, clause in enumerate(CLAUSES[:count], 1):
        y = sheet.paragraph(f"4.{k} {clause} (раздела).", y)
    return y


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


async def test_a_running_title_ending_in_its_folio_is_a_footer(
    converter: Converter, tmp_path: Path
) -> None:
    """A book's foot line 'Chapter 2. Roles … 11' in nearly the body's size: a title
    with its folio at one end, at the edge and set apart, says furniture."""
    path = tmp_path / "book.pdf"
    sheet = Sheet(path)
    body(sheet)
    sheet.text(
        RIGHT, HEIGHT - 30, "Глава 2. Роли и разделение обязанностей 11", size=10.5, align="right"
    )
    sheet.save()
    page, markdown = await convert(converter, path)
    assert label_of(page, "Глава 2.") == Label.footer
    assert "Глава 2" not in markdown and "(раздела)." in markdown


async def test_a_folio_out_in_the_margin_is_no_footnote_mark(
    converter: Converter, tmp_path: Path
) -> None:
    """'4 Row and Column Access …' at the foot: the folio stands in the margin left of
    the body, so the line is a footer; the same words under the body's left edge, on a
    page numbered at its head, are a footnote and stay."""
    footer = "4 Row and Column Access Control Support"
    for name, x, label in (("margin", LEFT - 40, Label.footer), ("note", LEFT, Label.text)):
        path = tmp_path / f"{name}.pdf"
        sheet = Sheet(path)
        body(sheet)
        sheet.text(x, HEIGHT - 30, footer, size=10)  # not the small print of a footnote
        if name == "note":
            sheet.text(RIGHT, 40, "12", size=10, align="right")
        sheet.save()
        page, markdown = await convert(converter, path)
        assert label_of(page, "Row and Column") == label, name
        assert ("Row and Column" in markdown) == (label == Label.text), name


async def test_a_town_and_year_under_a_title_page_stays(
    converter: Converter, tmp_path: Path
) -> None:
    """'Москва 2021' in the body's size ends in a number, but a year is no folio: the
    title page's text."""
    path = tmp_path / "title_page.pdf"
    sheet = Sheet(path)
    body(sheet, count=3)
    sheet.text(WIDTH / 2, HEIGHT - 30, "Москва 2021", align="centre")
    sheet.save()
    page, markdown = await convert(converter, path)
    assert label_of(page, "Москва 2021") == Label.text
    assert markdown.rstrip().endswith("Москва 2021")


async def test_a_bold_foot_line_spread_between_two_folios_is_a_footer(
    converter: Converter, tmp_path: Path
) -> None:
    """A spread's foot '208   Global Study on Legal Aid   209' set bold: bold at the
    edge is a heading, unless folios spread the line across the page."""
    path = tmp_path / "spread.pdf"
    sheet = Sheet(path)
    body(sheet)
    sheet.canvas.setFont(BOLD, 9)
    sheet.canvas.drawString(
        LEFT, 30, "208" + " " * 60 + "Global Study on Legal Aid" + " " * 60 + "209"
    )
    sheet.save()
    page, markdown = await convert(converter, path)
    assert label_of(page, "Global Study") == Label.footer
    assert "Global Study" not in markdown and "208" not in markdown


async def test_a_small_head_with_its_folio_away_from_the_edge_is_a_header(
    converter: Converter, tmp_path: Path
) -> None:
    """A Springer LNCS page: 'Optimized Table Tokenization … 9' in 9 pt over an 11 pt
    body, an eighth of the page down, 15 pt over the body (under two of its heights).
    Small and a title with its folio, both cues at once: far enough apart. The same
    small words without a folio are the page's first line and stay."""
    head = "Оптимизация разметки таблиц для распознавания"
    for name, text, label in (("lncs", f"{head} 9", Label.header), ("plain", head, Label.text)):
        path = tmp_path / f"{name}.pdf"
        sheet = Sheet(path)
        sheet.text(RIGHT, 100, text, size=9, align="right")
        body(sheet, y=100 + 24)
        sheet.save()
        page, markdown = await convert(converter, path)
        assert label_of(page, "Оптимизация") == label, name
        assert ("Оптимизация" in markdown) == (label == Label.text), name


async def test_a_gazettes_bold_head_citing_its_volume_and_issue_is_a_header(
    converter: Converter, tmp_path: Path
) -> None:
    """A Federal Register page: 'Federal Register / Vol. 85, No. 152 / … 47699' at the
    top edge, bold and larger than the gazette's small print. Bold or large at the top
    is a heading, unless it says what only a publisher's head says; the same line
    without the volume and issue stays the page's title."""
    for name, text, label in (
        ("gazette", "Federal Register / Vol. 85, No. 152 / Proposed Rules", Label.header),
        ("plain", "Federal Register / Proposed Rules", Label.doc_title),
    ):
        path = tmp_path / f"{name}.pdf"
        sheet = Sheet(path)
        sheet.text(LEFT, 40, text, size=10, bold=True)
        y = 60.0
        for clause in CLAUSES:
            y = sheet.paragraph(clause, y, size=7, leading=8.5, indent=10)
        sheet.save()
        page, markdown = await convert(converter, path)
        assert label_of(page, "Federal Register") == label, name
        assert ("Federal Register" in markdown) == (label != Label.header), name
