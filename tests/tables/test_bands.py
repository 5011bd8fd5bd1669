"""Tables drawn with horizontal rules only (booktabs): a journal's table whose rows hold
group headings and sub-tables is too sparse for the borderless search, but its rules
say it is a table (pdftotext_two_column_issue.pdf, page 5: "no table in the Markdown").
Three rules around prose make no table."""

from __future__ import annotations

from pathlib import Path

from reportlab.pdfgen import canvas

from docparse.document import Block
from docparse.io.pdf import PdfFile
from docparse.pipeline.text_layer import read_layer
from docparse.tables.model import Word
from docparse.tables.page import table_blocks

WIDTH, HEIGHT = 536.0, 697.0
LEFT, RIGHT = 55.0, 481.0
PROSE = (
    "issue. The timing of introduction of oestrogen, the type, dose and route of oestrogen "
    "administration may impact on health outcomes. The main goals of sex steroid replacement "
    "in puberty are to ensure adequate breast development, pubertal growth spurt, adequate "
    "uterine development and bone accrual for adequate peak bone mass."
)


def rule(pdf: canvas.Canvas, y: float) -> None:
    pdf.setLineWidth(0.5)
    pdf.line(LEFT, HEIGHT - y, RIGHT, HEIGHT - y)


def text(pdf: canvas.Canvas, x: float, y: float, words: str, size: float = 8.0) -> None:
    pdf.setFont("Times-Roman", size)
    pdf.drawString(x, HEIGHT - y, words)


def prose(pdf: canvas.Canvas, top: float, columns: int = 2) -> None:
    """Justified-looking prose in `columns` columns from `top` down."""
    width = (RIGHT - LEFT - 14 * (columns - 1)) / columns
    for column in range(columns):
        x, y, line = LEFT + column * (width + 14), top, ""
        for word in PROSE.split() * 3:
            if pdf.stringWidth(f"{line} {word}", "Times-Roman", 9) > width:
                text(pdf, x, y, line.strip(), 9)
                y, line = y + 11, ""
            line += " " + word


def journal_page(path: Path) -> None:
    pdf = canvas.Canvas(str(path), pagesize=(WIDTH, HEIGHT))
    rule(pdf, 45)
    text(pdf, LEFT, 58, "Table 2 Development and maintenance of puberty in TS", 8.5)
    rule(pdf, 68)
    text(pdf, LEFT, 80, "Age (years)")
    text(pdf, 127, 80, "Aim of therapy")
    rule(pdf, 88)
    text(pdf, LEFT, 101, "12+")
    text(pdf, 127, 101, "Pubertal induction (suggested doses):")
    for x, label in ((290, "Year 1"), (384, "Year 2"), (456, "Year 3")):
        text(pdf, x, 113, label)
    text(pdf, 135, 124, "Oral ethinyloestradiol (µg)")
    for x, figure in ((299, "2"), (393, "4"), (456, "6/8/10")):
        text(pdf, x, 124, figure)
    text(pdf, LEFT, 140, "15+")
    text(pdf, 127, 140, "Completion of puberty (suggested doses):")
    text(pdf, 348, 152, "Year 4 onwards")
    text(pdf, 135, 163, "Oral ethinyloestradiol (µg)")
    text(pdf, 363, 163, "20-30")
    rule(pdf, 172)
    prose(pdf, 200)
    pdf.save()


def tables_of(path: Path) -> list[Block]:
    pdf = PdfFile(path)
    words = [Word(t, box) for t, box in pdf.words(0)]
    return table_blocks(words, pdf.render(0, 100, grey=True), 100 / 72, 0, "textlayer").all


def right_of(table: Block, text: str) -> str:
    cells = table.cells or []
    (cell,) = [c for c in cells if c.text == text]
    return next(c.text for c in cells if c.row == cell.row and c.col == cell.col + cell.col_span)


def test_a_sparse_table_between_horizontal_rules_is_a_table(tmp_path: Path) -> None:
    path = tmp_path / "journal.pdf"
    journal_page(path)
    (table,) = tables_of(path)
    assert right_of(table, "Age (years)") == "Aim of therapy"
    assert right_of(table, "12+") == "Pubertal induction (suggested doses):"
    assert right_of(table, "15+") == "Completion of puberty (suggested doses):"
    texts = {c.text for c in table.cells or []}
    assert "20-30" in texts and "6/8/10" in texts
    assert not any(t.startswith("Table 2") for t in texts)  # its title stays text
    assert not any("oestrogen" in t for t in texts)  # the prose below is no row


def test_prose_between_three_rules_is_no_table(tmp_path: Path) -> None:
    path = tmp_path / "boxed.pdf"
    pdf = canvas.Canvas(str(path), pagesize=(WIDTH, HEIGHT))
    rule(pdf, 60)
    prose(pdf, 75, columns=1)
    rule(pdf, 160)
    prose(pdf, 175, columns=1)
    rule(pdf, 260)
    pdf.save()
    assert tables_of(path) == []


def test_a_born_digital_page_with_such_a_table_is_searched(tmp_path: Path) -> None:
    # Four paths and few figures: only its rules, three with the same ends, ask for a look.
    path = tmp_path / "journal.pdf"
    journal_page(path)
    read = read_layer(path, 0, judge=True, keep=False, figures=False)
    assert read.layer.stacked_rules == 4
    assert read.tables is not None
    (table,) = read.tables.all
    assert right_of(table, "12+") == "Pubertal induction (suggested doses):"


def test_tables_stacked_down_a_page_with_rules_of_one_width_are_apart(tmp_path: Path) -> None:
    # MMWR's supplement (ICDAR us-025): three tables, every rule the same width, each
    # table's title between the last one's bottom rule and its own top rule.
    path = tmp_path / "stacked.pdf"
    pdf = canvas.Canvas(str(path), pagesize=(WIDTH, HEIGHT))
    top = 40.0
    for number in (3, 4):
        text(pdf, LEFT, top, f"TABLE {number}. Number of deaths by age group", 8.5)
        rule(pdf, top + 6)
        for x, head in ((LEFT, "Age group"), (200, "No."), (300, "Rate"), (400, "(95% CI)")):
            text(pdf, x, top + 17, head)
        rule(pdf, top + 21)
        for k, age in enumerate(("45-54", "55-64", "65-74")):
            y = top + 33 + 11 * k
            for x, value in ((LEFT, age), (200, f"{345 + k}"), (300, "15.5"), (400, "13.8-17.1")):
                text(pdf, x, y, value)
        rule(pdf, top + 60)
        text(pdf, LEFT, top + 70, "Abbreviation: CI = confidence interval.", 7)
        top += 110
    pdf.save()
    tables = tables_of(path)
    assert len(tables) == 2
    for table in tables:
        assert right_of(table, "Age group") == "No."
        assert [c.text for c in table.cells or [] if c.col == 0][1:] == ["45-54", "55-64", "65-74"]
        assert not any("TABLE" in (c.text or "") for c in table.cells or [])


STATEMENT = [
    ("Cost of revenue", "$ 178", "$ 141", "$ 138"),
    ("Research and development", "3,423", "2,532", "1,892"),
    ("Sales, general and administrative", "1,136", "876", "680"),
    ("Total", "$ 4,737", "$ 3,549", "$ 2,710"),
]


def statement_page(path: Path, beside: bool = False) -> None:
    """A 10-K's note table: 'Year Ended' over three dates, rules under the figure
    columns only, the row labels far left of them. With `beside`, prose in a column of
    its own left of the table instead of labels."""
    pdf = canvas.Canvas(str(path), pagesize=(WIDTH, HEIGHT))
    columns = (330.0, 400.0, 470.0)  # right edges of the figure columns
    pdf.setFont("Times-Roman", 8.0)
    pdf.drawCentredString(379, HEIGHT - 60, "Year Ended")  # over the three dates
    pdf.setLineWidth(0.5)
    pdf.line(280, HEIGHT - 63, RIGHT, HEIGHT - 63)
    for x, date in zip(columns, ("Jan 26, 2025", "Jan 28, 2024", "Jan 29, 2023"), strict=True):
        text(pdf, x - 42, 72, date)
    pdf.line(280, HEIGHT - 75, RIGHT, HEIGHT - 75)
    for row, (label, *figures) in enumerate(STATEMENT):
        y = 88 + 11 * row
        if not beside:
            text(pdf, LEFT, y, label)
        for right, figure in zip(columns, figures, strict=True):
            sign, _, amount = figure.rpartition(" ")
            if sign:
                text(pdf, right - 55, y, sign)
            pdf.drawRightString(right, HEIGHT - y, amount)
    pdf.line(280, HEIGHT - 124, RIGHT, HEIGHT - 124)
    if beside:
        y = 60.0
        for _ in range(7):
            text(pdf, LEFT, y, "Prose of the column beside it runs", 9)
            y += 10.3
    pdf.save()


def test_a_statements_row_labels_left_of_its_rules_are_its_rows(tmp_path: Path) -> None:
    """Before: the rules' band held the figures only, and the labels came out again as a
    paragraph under a table of figures (olmOCR-bench's earnings.pdf)."""
    path = tmp_path / "statement.pdf"
    statement_page(path)
    (table,) = tables_of(path)
    texts = [c.text for c in table.cells or []]
    assert "Research and development" in texts
    assert right_of(table, "Research and development") == "3,423"
    assert right_of(table, "Total") in ("$ 4,737", "$")


def test_prose_beside_a_ruled_table_stays_out_of_it(tmp_path: Path) -> None:
    path = tmp_path / "beside.pdf"
    statement_page(path, beside=True)
    tables = tables_of(path)
    assert not any("Prose" in (c.text or "") for t in tables for c in t.cells or [])


def test_a_group_head_over_the_first_rule_spans_its_columns(tmp_path: Path) -> None:
    """'Year Ended' stands over the rule that spans the three year columns: the table's
    top row, spanning them (olmOCR-bench's earnings.pdf: 'Year Ended' was a heading
    outside the table, and no year column had it over it)."""
    path = tmp_path / "statement.pdf"
    statement_page(path)
    (table,) = tables_of(path)
    cells = table.cells or []
    (head,) = [c for c in cells if c.text == "Year Ended"]
    figure = next(c for c in cells if c.text == "3,423")
    assert head.row == 0 and head.col <= figure.col < head.col + head.col_span
    assert head.col_span == 3
