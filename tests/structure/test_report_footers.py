"""Issue 14 (5): the running feet of government reports on a page alone. A foot whose
leading number is the page's folio ('32 Reference Tables', '4 U.S. Census Bureau') is no
footnote; appendix and chapter folios ('A-3', 'ES-7', '3 - 2') are folios; a bold foot
with its folio at one end is a foot; a folio over the publisher's line is a folio; and a
table page's two gaps between blocks say nothing of how far apart its paragraphs are.
Footnotes stay: a sentence after the mark, or a mark on a page numbered elsewhere."""

from __future__ import annotations

from pathlib import Path

import pytest

from docparse.document import Label, Page
from docparse.pipeline.converter import Converter
from tests.structure.born_digital import convert, labels_of
from tests.structure.drawn import HEIGHT, LEFT, RIGHT, WIDTH, Sheet

REPORT = [
    "Enrollment in public elementary and secondary schools is projected to grow more "
    "slowly over the coming decade than it did over the last one, by about seven percent.",
    "The number of teachers is projected to rise at about the same pace, so that the "
    "ratio of pupils to teachers stays close to where it has been since the late nineties.",
    "Current expenditures per pupil, in constant dollars, are projected to increase in "
    "most years of the period, although more slowly than over the preceding fifteen years.",
    "Projections of high school graduates show a decline in the Northeast and Midwest and "
    "an increase in the South and West, following the number of children in each region.",
]


def report(sheet: Sheet, y: float = 80.0) -> float:
    for paragraph in REPORT:
        y = sheet.paragraph(paragraph, y, size=10, leading=12.5, indent=18) + 6
    return y


def assert_furniture(page: Page, markdown: str, text: str, label: Label) -> None:
    """`text` found as page furniture of kind `label`, and left out of the Markdown."""
    assert labels_of(page, text) == {label}
    assert text not in markdown


async def with_foot(
    converter: Converter,
    tmp_path: Path,
    foot: str,
    x: float,
    size: float,
    align: str = "left",
    bold: bool = False,
) -> tuple[Page, str]:
    """The report with one line at its foot, converted."""
    path = tmp_path / "report.pdf"
    sheet = Sheet(path)
    report(sheet)
    sheet.text(x, HEIGHT - 28, foot, size=size, bold=bold, align=align)
    sheet.save()
    return await convert(converter, path)


async def over_typed_rule(
    converter: Converter, tmp_path: Path, head: str, x: float, size: float, bold: bool, align: str
) -> tuple[Page, str]:
    """The report under a line at the top over a rule of underscores across the text,
    converted."""
    path = tmp_path / "ruled.pdf"
    sheet = Sheet(path)
    sheet.text(x, 40, head, size=size, bold=bold, align=align)
    sheet.text(LEFT, 52, "_" * 96, size=10)
    report(sheet, 90)
    sheet.save()
    return await convert(converter, path)


@pytest.mark.parametrize(
    "foot", ["32 Reference Tables", "4 U.S. Census Bureau", "64 MMWR / January 14, 2011"]
)
async def test_a_folio_before_a_running_title_at_the_foot_is_a_footer(
    converter: Converter, tmp_path: Path, foot: str
) -> None:
    """Before: its leading number passed for a footnote's mark, and the foot stayed."""
    page, markdown = await with_foot(converter, tmp_path, foot, LEFT, 8.5)
    assert_furniture(page, markdown, foot, Label.footer)
    assert markdown.rstrip().endswith("children in each region.")


@pytest.mark.parametrize(
    "note",
    [
        "1 Includes private nursery and prekindergarten enrollment in schools.",
        "16 FEMIP Support Fund Annual Report 2009, Section 2.1",
    ],
)
async def test_a_footnote_at_the_foot_stays(
    converter: Converter, tmp_path: Path, note: str
) -> None:
    """A sentence after its mark is a note; so is a title when the page has its folio
    elsewhere ('61' at the foot's other corner)."""
    path = tmp_path / "report.pdf"
    sheet = Sheet(path)
    report(sheet)
    sheet.text(LEFT, HEIGHT - 28, note, size=8.5)
    if note.startswith("16"):
        sheet.text(WIDTH / 2, HEIGHT - 14, "61", size=8.5, align="centre")
    sheet.save()
    page, markdown = await convert(converter, path)
    assert labels_of(page, note[3:20]) & {Label.footer, Label.header, Label.number} == set()
    assert note[3:20] in markdown


@pytest.mark.parametrize("folio", ["A-3", "ES-7", "3 - 2"])
async def test_appendix_and_chapter_page_numbers_are_folios(
    converter: Converter, tmp_path: Path, folio: str
) -> None:
    page, markdown = await with_foot(converter, tmp_path, folio, WIDTH / 2, 10, "centre")
    assert labels_of(page, folio) == {Label.number}
    assert markdown.rstrip().endswith("children in each region.")


async def test_a_bold_foot_with_its_folio_at_one_end_is_a_footer(
    converter: Converter, tmp_path: Path
) -> None:
    """A weekly's foot set bold: at the foot, a folio in the line makes it no heading."""
    foot = "MMWR / January 14, 2011 / Vol. 60 23"
    page, markdown = await with_foot(converter, tmp_path, foot, RIGHT, 8, bold=True)
    assert_furniture(page, markdown, "MMWR", Label.footer)


async def test_a_page_number_over_the_publishers_line_is_a_folio(
    converter: Converter, tmp_path: Path
) -> None:
    """A transcript's foot: the folio a line above 'Alderson Reporting Company', both
    clear of the body; before, only the outermost line was looked at."""
    path = tmp_path / "transcript.pdf"
    sheet = Sheet(path)
    report(sheet)
    sheet.text(WIDTH / 2, HEIGHT - 70, "1", size=12, align="centre")
    sheet.text(WIDTH / 2, HEIGHT - 40, "Alderson Reporting Company", size=8.5, align="centre")
    sheet.save()
    page, markdown = await convert(converter, path)
    assert labels_of(page, "Alderson") == {Label.footer}
    assert [b.label for b in page.blocks if b.text.strip() == "1"] == [Label.number]
    assert markdown.rstrip().endswith("children in each region.")


async def test_a_table_pages_foot_is_apart_from_its_body(
    converter: Converter, tmp_path: Path
) -> None:
    """A caption, a note under it and the table's notes far below (the table itself is
    left out): the two gaps between them are no paragraphs' gaps, and the running foot
    under the notes is apart from them."""
    path = tmp_path / "tables.pdf"
    sheet = Sheet(path)
    sheet.text(LEFT, 40, "Table 4. Actual and projected numbers for enrollment", size=9, bold=True)
    sheet.text(WIDTH / 2, 75, "[In thousands]", size=8, align="centre")
    sheet.text(LEFT, 90, "Region and state 2013 2014 2015 2016 2017", size=8)
    sheet.paragraph(REPORT[0] + " " + REPORT[1], 700, size=8, leading=9.5, indent=0)
    sheet.text(
        RIGHT,
        HEIGHT - 25,
        "Projections of Education Statistics to 2021 35",
        size=8.5,
        align="right",
    )
    sheet.save()
    page, markdown = await convert(converter, path)
    assert_furniture(page, markdown, "Projections of Education", Label.footer)
    assert "[In thousands]" in markdown


@pytest.mark.parametrize("folio", [True, False], ids=["by_folio", "alone"])
async def test_a_three_line_imprint_beside_the_folio_is_a_footer(
    converter: Converter, tmp_path: Path, folio: bool
) -> None:
    """A working paper's foot: its series in three small lines beside the folio. Three
    lines at the foot with no folio beside them are the page's text."""
    path = tmp_path / "paper.pdf"
    sheet = Sheet(path)
    report(sheet)
    if folio:  # drawn first, as the paper's PDF holds it
        sheet.text(LEFT - 30, HEIGHT - 26, "16", size=16, bold=True)
    for k, line in enumerate(("ECB", "Working Paper Series No 1299", "February 2011")):
        sheet.text(LEFT + 10, HEIGHT - 38 + 8 * k, line, size=7, bold=True)
    sheet.save()
    page, markdown = await convert(converter, path)
    assert labels_of(page, "Working Paper Series") == ({Label.footer} if folio else {Label.text})
    assert ("Working Paper Series" in markdown) is not folio


async def test_a_bold_running_head_in_small_capitals_at_the_top_is_a_header(
    converter: Converter, tmp_path: Path
) -> None:
    """No heading is set smaller than its text: a report's bold small-type head at the
    top edge, well clear of the body, is its running head. A bold heading in the body's
    size there stays a heading's text."""
    for size, label in ((7.5, Label.header), (10.0, Label.text)):
        path = tmp_path / f"head_{size}.pdf"
        sheet = Sheet(path)
        sheet.text(LEFT, 30, "HIGHLIGHTS FROM THE STUDY", size=size, bold=True)
        report(sheet)
        sheet.save()
        page, markdown = await convert(converter, path)
        assert labels_of(page, "HIGHLIGHTS") - {Label.paragraph_title, Label.doc_title} <= {label}
        assert ("HIGHLIGHTS" in markdown) is (label != Label.header)


@pytest.mark.parametrize("stamp", ["Download date: 28 Dec 2018", "Downloaded from jipm.ac.ir"])
async def test_a_repositorys_download_stamp_at_the_edge_is_a_footer(
    converter: Converter, tmp_path: Path, stamp: str
) -> None:
    """A repository's cover page (olmOCR-bench's headers_footers): paragraphs far apart,
    the body's size, and the stamp at the very foot nearer its last line than they are
    to one another. Before: neither small nor set apart, it stayed. The body's last
    line, as near the edge but saying no stamp, stays."""
    path = tmp_path / "cover.pdf"
    sheet = Sheet(path)
    y = 80.0
    for paragraph in REPORT:
        y = sheet.paragraph(paragraph, y, size=10, leading=12.5, indent=0) + 30
    last = "The repository is a service of the university library."
    sheet.text(LEFT, HEIGHT - 40, last, size=10)
    sheet.text(LEFT, HEIGHT - 12, stamp, size=10)
    sheet.save()
    page, markdown = await convert(converter, path)
    assert_furniture(page, markdown, stamp, Label.footer)
    assert last in markdown


async def test_a_references_url_line_at_the_foot_stays(
    converter: Converter, tmp_path: Path
) -> None:
    """A reference whose last line, a URL, ends the page at the body's line spacing is
    the document's text."""
    path = tmp_path / "references.pdf"
    height = report(Sheet(tmp_path / "measure.pdf"), 0.0)
    sheet = Sheet(path)
    report(sheet, HEIGHT - 22 - 12.5 - height)
    sheet.text(LEFT, HEIGHT - 34.5, "Smith J. Projections of education statistics.", size=10)
    sheet.text(LEFT, HEIGHT - 22, "Retrieved from https://nces.ed.gov/pubs2019", size=10)
    sheet.save()
    _, markdown = await convert(converter, path)
    assert "nces.ed.gov" in markdown


@pytest.mark.parametrize("centred", [True, False])
async def test_a_folio_centred_under_a_page_that_ends_short_is_a_folio(
    converter: Converter, tmp_path: Path, centred: bool
) -> None:
    """A filing converted from HTML breaks its pages early: the folio '62' stands centred
    under the last paragraph, halfway down, the rest of the page white (olmOCR-bench's
    earnings.pdf). Before: outside the bottom fifth, it stayed in the text. A figure
    left alone under the text, where a folio never stands, is text."""
    path = tmp_path / "filing.pdf"
    sheet = Sheet(path)
    y = report(sheet)
    sheet.text(
        WIDTH / 2 if centred else LEFT, y + 30, "62", size=9, align="centre" if centred else "left"
    )
    sheet.save()
    page, markdown = await convert(converter, path)
    if centred:
        assert labels_of(page, "62") == {Label.number}
        assert markdown.rstrip().endswith("children in each region.")
    else:
        assert "62" in markdown


async def test_a_posters_brand_line_at_the_top_stays(converter: Converter, tmp_path: Path) -> None:
    """A poster or a cover with a handful of words is all content: its small brand line
    at the top edge is no running head (olmOCR-bench's test-graphical-text.pdf)."""
    path = tmp_path / "poster.pdf"
    sheet = Sheet(path)
    sheet.text(WIDTH / 2, 30, "THE VISION", size=12, align="centre")
    sheet.text(WIDTH / 2, 560, "THE POWER OF STORYTELLING", size=30, align="centre")
    sheet.text(WIDTH / 2, 610, "FOR LEADERS", size=30, align="centre")
    sheet.save()
    _, markdown = await convert(converter, path)
    assert "THE VISION" in markdown


@pytest.mark.parametrize("align", ["right", "centre"])
async def test_a_head_over_a_typed_rule_at_the_top_is_a_header(
    converter: Converter, tmp_path: Path, align: str
) -> None:
    """A survey report's running head set over a line of underscores across the text
    ('Presentation of Findings', ICDAR eu-021): a little larger than the body, nearer its
    rule than the body's paragraphs stand apart. Before: it stayed, taken for a title."""
    x = {"right": RIGHT, "centre": WIDTH / 2}[align]
    head = "Presentation of Findings"
    page, markdown = await over_typed_rule(converter, tmp_path, head, x, 11, False, align)
    assert_furniture(page, markdown, "Presentation of Findings", Label.header)


async def test_a_bold_title_over_a_rule_at_the_top_stays(
    converter: Converter, tmp_path: Path
) -> None:
    """A document's title in bold over its rule is its heading, not a running head."""
    title = "Projections of Education Statistics"
    _, markdown = await over_typed_rule(converter, tmp_path, title, WIDTH / 2, 14, True, "centre")
    assert "Projections of Education Statistics" in markdown


@pytest.mark.parametrize(
    ("head", "label"),
    [
        ("Contains Nonbinding Recommendations", Label.header),
        ("Draft — Not for Implementation", Label.header),
        ("Confidential Information", Label.text),
    ],
)
async def test_a_status_marked_on_every_page_is_a_header(
    converter: Converter, tmp_path: Path, head: str, label: Label
) -> None:
    """An FDA guidance page alone (ICDAR us-015, us-016): 'Contains Nonbinding
    Recommendations' centred in bold in the body's size at the top edge. A bold heading
    would look just so; only its words tell it is the status the document marks on every
    page. Before: it stayed, as a heading. A section's heading there stays."""
    path = tmp_path / "guidance.pdf"
    sheet = Sheet(path)
    sheet.text(WIDTH / 2, 40, head, size=10, bold=True, align="centre")
    report(sheet)
    sheet.save()
    page, markdown = await convert(converter, path)
    if label == Label.header:
        assert_furniture(page, markdown, head, label)
    else:
        assert head in markdown


async def test_a_running_title_tabbed_away_from_its_folio_is_a_header(
    converter: Converter, tmp_path: Path
) -> None:
    """A report's bold running head, its folio at the left margin and the title set right
    (ICDAR us-037: '42      Styrene-Acrylonitrile Trimer, NTP TR 573'): the title is
    long, so its letters fill the line more than a spread line's would. Before: the tab
    between folio and title went unseen, and the line stayed as a heading."""
    title = "Styrene-Acrylonitrile Trimer Perinatal and Postnatal Feed Study, NTP TR 573"
    path = tmp_path / "tabbed.pdf"
    sheet = Sheet(path)
    sheet.text(LEFT, 40, "42", size=10, bold=True)
    sheet.text(RIGHT, 40, title, size=10, bold=True, align="right")
    report(sheet)
    sheet.save()
    page, markdown = await convert(converter, path)
    assert_furniture(page, markdown, title, Label.header)


@pytest.mark.parametrize(
    ("parts", "furniture"),
    [
        (("Revision: 2.4", "P/N 119-036", "10 June 2019"), True),
        (("Total", "1,250", "3,400"), False),
        (("Total for page 1", "1,234", "5,678"), False),
        (("Signature: ________", "Date: 12/03/2024", "Place: London"), False),
        (("Order No. 15", "Date 12/03/2024", "Moscow"), False),
    ],
)
async def test_a_control_line_under_the_body_is_a_footer(
    converter: Converter, tmp_path: Path, parts: tuple[str, str, str], furniture: bool
) -> None:
    """A manual's cover (olmOCR-bench's Lake Shore page): its foot sets a revision, a
    part number and a date left, centre and right across one line, in the body's size a
    line's gap under the body, above the edge band. Before: neither small nor apart nor
    at the edge, it stayed. A row of totals, a signature line, an order's number and
    date set the same way name no revision: they stay (the last three found by a
    hostile probe, when a page or a date was named enough)."""
    height = report(Sheet(tmp_path / "measure.pdf"), 0.0)
    path = tmp_path / "manual.pdf"
    sheet = Sheet(path)
    report(sheet, HEIGHT - 84 - height)
    for (text, align), x in zip(
        zip(parts, ("left", "centre", "right"), strict=True), (LEFT, WIDTH / 2, RIGHT), strict=True
    ):
        sheet.text(x, HEIGHT - 70, text, size=10, align=align)
    sheet.save()
    page, markdown = await convert(converter, path)
    if furniture:
        assert_furniture(page, markdown, parts[0], Label.footer)
    else:
        assert all(part in markdown for part in parts)
