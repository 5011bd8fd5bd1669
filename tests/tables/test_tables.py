"""Table structure recognition on drawn-and-scanned ruled tables and on real PDFs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from docparse.document import BBox, TableCell
from docparse.tables.grid import find_tables, table_from_alignment
from docparse.tables.model import Table, TableResult, Word
from docparse.tables.ruling import find_ruled_regions
from tests.fixtures.tables.pdf_words import page_words
from tests.fixtures.tables.reference import cell_share, reference_cells
from tests.fixtures.tables.synth import (
    CELLS,
    COLS,
    FONT,
    ROWS,
    Drawn,
    partly_ruled_page,
    ruled_table_page,
    scanned,
    tesseract_words,
)

FIXTURES = Path(__file__).parent.parent / "fixtures" / "tables"
SPANS = {(r, c): (rs, cs) for r, c, rs, cs, _ in CELLS if rs > 1 or cs > 1}


def only_table(results: list[TableResult], ruled: bool) -> Table:
    assert len(results) == 1, [(r.ruled, r.table.rows, r.table.cols) for r in results]
    assert results[0].ruled is ruled
    return results[0].table


def assert_drawn_grid(table: Table) -> None:
    """The drawn table's rows, columns and spans, every grid slot covered once."""
    assert (table.rows, table.cols) == (ROWS, COLS)
    spans = {
        (c.row, c.col): (c.row_span, c.col_span)
        for c in table.cells
        if c.row_span > 1 or c.col_span > 1
    }
    assert spans == SPANS
    covered = [
        (r, c)
        for cell in table.cells
        for r in range(cell.row, cell.row + cell.row_span)
        for c in range(cell.col, cell.col + cell.col_span)
    ]
    assert sorted(covered) == [(r, c) for r in range(ROWS) for c in range(COLS)]


# --- ruled tables, drawn and scanned -------------------------------------------------


@pytest.mark.parametrize("scan", [False, True], ids=["clean", "scanned"])
def test_ruled_table_with_known_words(scan: bool) -> None:
    drawn = ruled_table_page()
    page = scanned(drawn, angle=0.5, noise=10, blur=0.8) if scan else drawn
    table = only_table(find_tables(page.words, page.image, page.dpi), ruled=True)
    assert_drawn_grid(table)
    grid = table.grid()
    for r, c, _, _, text in CELLS:
        assert grid[r][c] == text
    assert table.markdown().startswith("<table>")  # spans: HTML, not a pipe table
    assert '<td rowspan="2">Region</td><td colspan="2">Sales 2023</td>' in table.html()


def test_ruled_table_with_tesseract_words() -> None:
    page = scanned(ruled_table_page(), angle=0.5, noise=10, blur=0.8)
    words = tesseract_words(page.image, page.dpi)
    results = find_tables(words, page.image, page.dpi)
    table = only_table(results, ruled=True)
    assert_drawn_grid(table)
    grid = table.grid()
    same = sum(grid[r][c].replace(" ", "") == text.replace(" ", "") for r, c, _, _, text in CELLS)
    assert same >= 0.8 * len(CELLS)
    # The title and the note above the table stay in the text flow.
    assert not {"Quarterly", "figures"} & {w.text for w in results[0].words}


def test_ruled_table_skewed_one_degree() -> None:
    page = scanned(ruled_table_page(), angle=-1.0, noise=6, blur=0.5, seed=3)
    assert_drawn_grid(only_table(find_tables(page.words, page.image, page.dpi), ruled=True))


@pytest.mark.parametrize("rules", ["columns", "rows", "header"])
def test_partly_ruled_tables_take_rows_or_columns_from_the_text(rules: str) -> None:
    drawn, expected = partly_ruled_page(rules)
    page = scanned(drawn, angle=0.5, noise=8, blur=0.6)
    table = only_table(find_tables(page.words, page.image, page.dpi), ruled=True)
    assert table.grid() == expected
    assert table.markdown().splitlines()[0] == "| Item | Count | Price | Total |"


def draw_words(
    draw: ImageDraw.ImageDraw,
    x: float,
    y: float,
    value: str,
    font: ImageFont.FreeTypeFont,
    fill: str | int,
) -> list[Word]:
    """`value` drawn at (x, y), and its words with their boxes, as a PDF gives them."""
    words = []
    for word in value.split():
        draw.text((x, y), word, fill=fill, font=font)
        words.append(Word(word, BBox(x0=x, y0=y, x1=x + font.getlength(word), y1=y + font.size)))
        x += font.getlength(word + " ")
    return words


def test_white_title_on_a_coloured_bar_draws_no_columns() -> None:
    """A table under a mid-blue title bar in white bold type, rows parted by rules and
    columns by blank space only, drawn as a born-digital page is for the table search
    (100 dpi): the bar's blue between the white letters is no column rule (such a table
    came out with every row's figures run together in a few cells)."""
    dpi = 100
    image = Image.new("RGB", (850, 330), "white")
    draw = ImageDraw.Draw(image)
    title = ImageFont.truetype(FONT.replace("Sans.ttf", "Sans-Bold.ttf"), 18)
    body = ImageFont.truetype(FONT, 12)
    draw.rectangle([50, 70, 805, 96], fill=(110, 155, 205))  # grey 147: a mid tone
    title_text = "Table: 5 Public Health Outlay 2012-13 (Budget Estimates) (Rs. in 000)"
    words = draw_words(draw, 58, 73, title_text, title, "white")
    rows = [
        ["States", "Revenue", "Capital", "Others", "Total"],
        ["Assam", "14,874,821", "161,600", "4,408,505", "21,999,123"],
        ["Bihar", "21,016,708", "5,329,000", "2,251,571", "32,929,420"],
        ["Goa", "4,055,567", "330,053", "12,560", "4,508,180"],
        ["Kerala", "27,923,965", "929,503", "334,640", "33,173,581"],
    ]
    for r, row in enumerate(rows):
        y = 97 + 30 * r
        for c, value in enumerate(row):
            right = 300 + 125 * c
            x = 58 if c == 0 else right - body.getlength(value)
            words += draw_words(draw, x, y + 9, value, body, "black")
        draw.line([(50, y + 29), (805, y + 29)], fill=(172, 172, 172), width=1)
    draw.rectangle([50, 70, 805, 97 + 30 * len(rows)], outline=(172, 172, 172), width=2)
    table = only_table(find_tables(words, image, dpi), ruled=True)
    grid = [[cell for cell in row if cell] for row in table.grid()]
    assert grid[-len(rows) :] == rows


def test_white_rules_on_tinted_rows_part_the_cells() -> None:
    """Rows in two pale tints parted by hairline white rules, no dark rule anywhere (a
    report's house style): the white rules are the grid, so two states that share one
    row's figures stay two rows. At 100 dpi such a rule is a few grey levels lighter
    than the tint."""
    dpi = 100
    image = Image.new("L", (700, 260), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 12)
    words: list[Word] = []
    cols = [60, 200, 340, 480, 620]
    bands = [70, 100, 130, 160, 190, 220]  # row tops, and the last row's bottom
    cells = [
        ["State", "Date", "Halt days", "Persons"],
        ["Delhi", "1.12.2009", "", ""],
        ["Rajasthan", "2.12.2009", "", ""],
        ["Gujarat", "20.12.2009", "13", "3,810"],
        ["Kerala", "23.2.2010", "17", "3,559"],
    ]
    for r, top in enumerate(bands[:-1]):
        draw.rectangle([cols[0], top, cols[-1], bands[r + 1]], fill=216 if r % 2 else 233)
        for c, value in enumerate(cells[r]):
            words += draw_words(draw, cols[c] + 8, top + 9, value, font, 0)
    # Delhi's and Rajasthan's figures together, over the rule between them (centred a
    # little above it: exactly on it, either row would be as right).
    for value, c in (("8", 2), ("3,665", 3)):
        words += draw_words(draw, cols[c] + 8, 100 + 22, value, font, 0)
    for top in bands[1:-1]:  # white hairlines, anti-aliased to a grey level of 241
        draw.line([(cols[0], top), (cols[-1], top)], fill=241)
    for x in cols[1:-1]:
        draw.line([(x, bands[0]), (x, bands[-1])], fill=241)
    table = only_table(find_tables(words, image, dpi), ruled=True)
    grid = table.grid()
    assert [row[:2] for row in grid] == [row[:2] for row in cells]
    assert grid[1][2:] == ["8", "3,665"] and grid[2][2:] == ["", ""]


def test_tinted_columns_beside_pale_ones_are_parted_at_their_seams() -> None:
    """A rate sheet's house style: grey label columns beside near-white figure columns,
    white hairlines between the rows, and no rule between a grey column and a pale one:
    the seam is the rule. A grey cell down the right (one offset for every rate) spans
    the rows; the rows and columns beside it stay apart, the figures too, where the
    hairline between them all but fades into the pale fill."""
    dpi = 100
    image = Image.new("L", (760, 230), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 12)
    words: list[Word] = []
    cols = [40, 200, 330, 460, 560]
    fills = [230, 245, 245, 230]
    tops = [60, 92, 124, 156, 188]  # row tops, and the last row's bottom
    cells = [
        ["1 Year Fixed Rate", "4.04%", "5.38%"],
        ["2 Year Fixed Rate", "3.94%", "5.25%"],
        ["3 Year Fixed Rate", "3.94%", "5.13%"],
        ["4 Year Fixed Rate", "4.24%", "5.12%"],
    ]
    for c, fill in enumerate(fills):
        draw.rectangle([cols[c], tops[0], cols[c + 1] - 1, tops[-1]], fill=fill)
    for top in tops[1:-1]:  # white hairlines, anti-aliased: on the pale fill they fade
        for c, fill in enumerate(fills[:-1]):
            draw.line([(cols[c], top), (cols[c + 1] - 1, top)], fill=251 if fill < 240 else 248)
    for r, top in enumerate(tops[:-1]):
        for c, value in enumerate(cells[r]):
            words += draw_words(draw, cols[c] + 8, top + 10, value, font, 0)
    words += draw_words(draw, cols[3] + 8, 116, "Partial", font, 0)
    table = only_table(find_tables(words, image, dpi), ruled=True)
    assert table.grid() == [[*row, "" if r else "Partial"] for r, row in enumerate(cells)]
    partial = next(cell for cell in table.cells if cell.text == "Partial")
    assert (partial.row_span, partial.col_span) == (4, 1)


def test_underline_and_lone_rules_are_no_table() -> None:
    image = Image.new("RGB", (1700, 1000), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 40)
    words = []
    for i, text in enumerate(["An underlined heading", "Plain text under a rule"]):
        y = 150 + 300 * i
        draw.text((150, y), text, fill="black", font=font)
        words.append(Word(text, BBox(x0=150, y0=y, x1=150 + font.getlength(text), y1=y + 45)))
        draw.line([(150, y + 55), (150 + font.getlength(text), y + 55)], fill="black", width=4)
    draw.line([(100, 800), (1600, 800)], fill="black", width=6)  # a section rule
    draw.line([(1500, 100), (1500, 700)], fill="black", width=4)  # a margin bar
    assert find_ruled_regions(image, 300) == []
    assert find_tables(words, image, 300) == []


@pytest.mark.slow
def test_ruling_detection_finds_both_tables_on_a4_at_300_dpi() -> None:
    # Its speed is a benchmark figure (`docparse bench`), not a timed test.
    a4 = Image.new("RGB", (2480, 3508), "white")
    a4.paste(ruled_table_page().image, (240, 400))
    a4.paste(ruled_table_page().image, (240, 1900))
    page = scanned(Drawn(a4, [], 300), angle=0.3, noise=8, blur=0.6)
    assert len(find_ruled_regions(page.image, 300)) == 2


# --- borderless tables ---------------------------------------------------------------


def test_untable_borderless_cells_match_reference(docs: Path) -> None:
    words, image = page_words(docs / "untable.pdf", 0)
    table = only_table(find_tables(words, image, 150), ruled=False)
    assert table.cols == 11
    reference = reference_cells((docs / "untable.reference.md").read_text())
    share = cell_share(table, reference)
    print(f"untable: {table.rows}x{table.cols}, {share:.1%} of reference cells found")
    assert share >= 0.9
    grid = table.grid()
    # A wrapped label is one cell; the group title spans the ten year columns.
    assert "Democratic Republic of the Congo - République démocratique du Congo" in [
        row[0] for row in grid
    ]
    header = table.cell_at(0, 5)
    assert header is not None and header.col_span == 10
    assert header.text.startswith("Population estimates")


def test_chem_booktabs_table_is_borderless(docs: Path) -> None:
    words, image = page_words(docs / "lots_of_chem_tables.pdf", 2)
    table = only_table(find_tables(words, image, 150), ruled=False)
    grid = table.grid()
    assert table.cols == 7
    assert grid[0][:3] == ["Entry", "IL", "Base (mol%)"]
    assert ["S1", "[C2mim][OAc]", "-", "r.t.", "14.2", "1.46", "Fig. S4"] in grid
    assert table.markdown().startswith("| Entry | IL |")


def test_alignment_needs_columns_rows_and_numbers() -> None:
    def word(text: str, x: float, y: float) -> Word:
        return Word(text, BBox(x0=x, y0=y, x1=x + 12 * len(text), y1=y + 20))

    numbered = [
        word(t, x, 40 * i)
        for i in range(6)
        for t, x in ((f"{i + 1}.", 0), ("Some item text here", 60))
    ]
    assert table_from_alignment(numbered) is None  # a numbered list
    grid = [
        word(t, x, 40 * i)
        for i in range(5)
        for t, x in ((f"row{i}", 0), (f"{i * 7}", 200), (f"{i * 13}.5", 320))
    ]
    table = table_from_alignment(grid)
    assert table is not None and (table.rows, table.cols) == (5, 3)
    assert table.markdown().splitlines()[1] == "| --- | --- | --- |"
    assert table_from_alignment(grid[:6]) is None  # two rows are not a table


def test_the_first_row_of_figures_under_its_head_is_a_row_of_its_own() -> None:
    """A ledger's heads sit left in their columns and its dates and amounts set in from
    them: the first row below the heads looked like their wrapped text ('Vr.Date
    01-Apr-16' one cell). Figures under a head's words start a row."""

    def word(text: str, x: float, y: float) -> Word:
        return Word(text, BBox(x0=x, y0=y, x1=x + 4 * len(text), y1=y + 7))

    head = [("Date", 53), ("Particulars", 215), ("Debit", 487), ("Credit", 543), ("Balance", 590)]
    rows = [
        [
            ("01-Apr-16", 59),
            ("Opening", 215),
            ("Balance", 250),
            ("27614207", 543),
            ("27614207", 590),
        ],
        [("13-May-16", 57), ("Cheque", 215), ("085900", 250), ("26406576", 493), ("1207631", 590)],
        [("25-Jun-16", 60), ("Commission", 215), ("132696", 497), ("1074935", 590)],
        [("19-Aug-16", 58), ("Payment", 215), ("1074935", 493), ("0", 555), ("0", 610)],
    ]
    words = [word(t, x, 87 + 14.5 * r) for r, row in enumerate([head, *rows]) for t, x in row]
    table = table_from_alignment(words)
    assert table is not None and table.rows == 5
    first = table.markdown().splitlines()[0]
    assert "01-Apr-16" not in first and "27614207" not in first


def test_a_table_right_below_a_bulleted_list_is_found() -> None:
    # A list whose bullets stand apart from their text (two "phrases" a line) ran on into
    # the table below it as one candidate block, and no column held for the whole block
    # (ICDAR 2013 eu-011): the block is tried again in its parts between wide line gaps.
    def word(text: str, x: float, y: float) -> Word:
        return Word(text, BBox(x0=x, y0=y, x1=x + 4 * len(text), y1=y + 7))

    listed = []
    for i, y in enumerate((188, 212, 241)):  # the last line 24 pt above the title
        listed += [word("•", 50, y), word(f"higher correlation levels for countries {i}", 70, y)]
        listed.append(word(f"with higher risk levels such as Greece and Portugal {i}", 70, y + 12))
    title = [word("Correlation coefficients for selected European countries", 120, 284)]
    head = ["Differences", "Portugal", "Greece", "Spain", "Italy", "France"]
    xs = [60, 230, 290, 350, 410, 470]
    rows = [[f"Q{q} 2009", *(f"0.{q}{c}" for c in range(5))] for q in range(1, 5)]
    table = [
        word(t, x, 298 + 15 * r)
        for r, row in enumerate([head, *rows])
        for t, x in zip(row, xs, strict=True)
    ]
    found = find_tables(listed + title + table, None, 72.0)
    assert len(found) == 1
    assert (found[0].table.rows, found[0].table.cols) == (5, 6)
    assert found[0].table.markdown().splitlines()[0].startswith("| Differences | Portugal |")


# --- real PDFs: ruled page, prose pages ----------------------------------------------


def test_sci_tables_first_page_ruled_three_columns(docs: Path) -> None:
    words, image = page_words(docs / "lots_of_sci_tables.pdf", 0)
    table = only_table(find_tables(words, image, 150), ruled=True)
    assert (table.rows, table.cols) == (6, 3)
    header = table.cell_at(0, 0)
    assert header is not None and header.col_span == 2  # spans category and description
    assert header.text == "Environmental Category & Description"
    grid = table.grid()
    assert [row[0] for row in grid[1:]] == [
        "RoHS | Exempt",
        "RoHS",
        "Halogen Free",
        "REACH",
        "TSCA",
    ]
    assert [row[2] for row in grid[1:]] == ["TBD", "TBD", "Y", "Y", "Y"]
    assert grid[2][1].startswith("If “Y”, then product is RoHS compliant")


@pytest.mark.parametrize(
    ("name", "page"),
    [
        ("bws_book_ch2.pdf", 0),
        ("bws_book_ch2.pdf", 2),
        ("bws_book_ch2.pdf", 5),
        ("pdftotext_two_column_issue.pdf", 1),
    ],
)
def test_prose_and_two_column_text_give_no_borderless_table(
    docs: Path, name: str, page: int
) -> None:
    words, image = page_words(docs / name, page)
    assert len(words) > 200
    assert [r for r in find_tables(words, image, 150) if not r.ruled] == []
    assert table_from_alignment(words) is None


def test_a_leaflets_panels_side_by_side_are_no_table() -> None:
    """A folded leaflet scanned flat (a public Russian social-services leaflet, its 150-dpi
    office scan, the words as Tesseract read them): two panels of running text and one
    of contacts, whose lines fall into rows across the page. The text panels' lines run
    on into the next as sentences; no table's cells do (before: one table of three
    columns, its sentences cut into cells)."""
    read = json.loads((FIXTURES / "leaflet_words.json").read_text(encoding="utf-8"))
    words = [Word(text, BBox(x0=x0, y0=y0, x1=x1, y1=y1)) for text, x0, y0, x1, y1 in read]
    assert find_tables(words, None, 72) == []


def test_a_panel_whose_title_strokes_make_rules_is_no_grid() -> None:
    """A leaflet's title in display type, white on a blue panel (forms set, `leaflet_a`
    as a photo): the letters' strokes were taken for column rules, cutting the line over
    the panel into five "cells", and the two lines of the title ran across them whole.
    One row parted into cells is a box with a heading, not a table; two are."""

    def cell(row: int, col: int, text: str, span: int = 1) -> TableCell:
        return TableCell(row=row, col=col, col_span=span, text=text)

    top = [cell(0, 0, "ме/"), cell(0, 1, "Медицинский центр"), cell(0, 2, "")]
    top += [cell(0, 3, "«Здоровье"), cell(0, 4, "семьи»")]
    panel = Table(3, 5, [*top, cell(1, 0, "Забота о здоровье", 5), cell(2, 0, "всей семьи", 5)])
    assert not panel.is_data_grid()
    codes = [cell(1, 0, "948"), cell(1, 1, "07.07.2024"), cell(2, 0, "Итого", 2)]
    assert Table(3, 2, [cell(0, 0, "Номер"), cell(0, 1, "Дата"), *codes]).is_data_grid()
    # A head over one row of 'No results' (extra set, claim_detail) is a table still.
    head = [cell(0, c, f"Claim {c}") for c in range(7)]
    assert Table(2, 7, [*head, cell(1, 0, "No results", 7)]).is_data_grid()
    # A registration form: its sections' lines run across whole, more of them than the
    # rows parted into boxes (public set, regform: its table was lost, and a line with it).
    form = [cell(r, 0, f"Раздел {r} формы участника", 3) for r in range(0, 12, 2)]
    form += [cell(r, c, f"Вариант {c}") for r in range(1, 6, 2) for c in range(3)]
    assert Table(12, 3, form).is_data_grid()
    # A questionnaire: labels down the first column, the answers' boxes empty (the
    # empty cells are read again only in a table).
    labels = [cell(r, 0, f"Вопрос {r}") for r in range(4)]
    assert Table(4, 2, [*labels, *(cell(r, 1, "") for r in range(4))]).is_data_grid()
