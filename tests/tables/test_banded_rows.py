"""A ruled table whose rules part groups of rows, not each row (pdfplumber's NICS
background-check table: a rule every five states): each group came out as one cell of
five names beside cells of five figures. Where most of a group's columns break between
the same two text lines, those are rows; a wrapped cell in a table ruled row by row
stays one cell."""

from __future__ import annotations

from pathlib import Path

import pytest
from reportlab.pdfgen import canvas

from docparse.document import Block
from docparse.io.pdf import PdfFile
from docparse.tables.model import Word
from docparse.tables.page import table_blocks

X = (60.0, 200.0, 290.0, 380.0, 470.0)
TOP, PITCH = 720.0, 14.0
STATES = ["Alabama", "Alaska", "Arizona", "Arkansas", "California", "Colorado"]
STATES += ["Connecticut", "Delaware", "Florida", "Georgia", "Hawaii", "Idaho"]


def ruled_page(path: Path, rows: list[list[str]], rule_after: set[int]) -> None:
    """`rows` (the first a header) in ruled columns; a rule under the header, around the
    table and after each row index in `rule_after`."""
    pdf = canvas.Canvas(str(path), pagesize=(612, 792))
    pdf.setFont("Helvetica", 9)
    y = TOP
    rules = [y]
    for k, row in enumerate(rows):
        lines = [cell.split("\n") for cell in row]
        height = PITCH * max(len(cell) for cell in lines)
        for x, cell in zip(X, lines, strict=False):
            for n, text in enumerate(cell):
                pdf.drawString(x + 4, y - 10 - n * PITCH, text)
        y -= height
        if k == 0 or k in rule_after or k == len(rows) - 1:
            rules.append(y)
    draw_rules(pdf, rules)


def draw_rules(pdf: canvas.Canvas, rules: list[float]) -> None:
    """Rules across at `rules` (the first the table's top), columns down X; saved."""
    for at in rules:
        pdf.line(X[0], at, X[-1], at)
    for x in X:
        pdf.line(x, TOP, x, rules[-1])
    pdf.save()


def tables_of(path: Path) -> list[Block]:
    pdf = PdfFile(path)
    words = [Word(t, box) for t, box in pdf.words(0)]
    return table_blocks(words, pdf.render(0, 100, grey=True), 100 / 72, 0, "textlayer").all


def grid(table: Block) -> dict[tuple[int, int], str]:
    return {(c.row, c.col): c.text for c in table.cells or []}


def test_rows_between_group_rules_are_rows(tmp_path: Path) -> None:
    path = tmp_path / "checks.pdf"
    body = [[s, f"{(k + 1) * 1234:,}", f"{k * 17}", f"{k * 5 + 2}"] for k, s in enumerate(STATES)]
    # Rules after the header and after every third state: six rules, no row rules.
    ruled_page(path, [["State", "Permit", "Handgun", "Long gun"], *body], {3, 6, 9})
    (table,) = tables_of(path)
    cells = grid(table)
    assert [cells[(k + 1, 0)] for k in range(len(STATES))] == STATES
    assert [cells[(k + 1, 1)] for k in range(len(STATES))] == [row[1] for row in body]
    assert cells[(0, 3)] == "Long gun"


def test_rows_between_group_rules_are_rows_when_ocr_boxes_run_tall(tmp_path: Path) -> None:
    # On a scan Tesseract gives a word touching a rule, or a speck, a box a line taller
    # than its text: each row's state reaches into the rows above and below it.
    path = tmp_path / "checks.pdf"
    body = [[s, f"{(k + 1) * 1234:,}", f"{k * 17}", f"{k * 5 + 2}"] for k, s in enumerate(STATES)]
    ruled_page(path, [["State", "Permit", "Handgun", "Long gun"], *body], {3, 6, 9})
    pdf = PdfFile(path)
    scale = 100 / 72
    words = []
    for text, box in pdf.words(0):
        if text in STATES:
            box = box.model_copy(update={"y0": box.y0 - 5, "y1": box.y1 + 5})
        words.append(Word(text, box))
    (table,) = table_blocks(words, pdf.render(0, 100, grey=True), scale, 0, "tesseract").all
    cells = grid(table)
    assert [cells[(k + 1, 0)] for k in range(len(STATES))] == STATES
    assert [cells[(k + 1, 3)] for k in range(len(STATES))] == [row[3] for row in body]


def test_a_wrapped_cell_in_a_table_ruled_row_by_row_stays_one_cell(tmp_path: Path) -> None:
    path = tmp_path / "notes.pdf"
    rows = [["Item", "Note", "Count", "Unit"]]
    rows += [
        [s, "first line\nsecond line" if k == 2 else "short", str(k), "pcs"]
        for k, s in enumerate(STATES)
    ]
    ruled_page(path, rows, set(range(len(rows))))
    (table,) = tables_of(path)
    cells = grid(table)
    assert table.cells is not None and max(c.row for c in table.cells) == len(STATES)
    assert cells[(3, 1)] == "first line second line"
    assert cells[(3, 0)] == STATES[2]


def test_a_header_wrapped_in_most_columns_stays_one_row(tmp_path: Path) -> None:
    # camelot's column_span_2: "No. of / HHs", "Relative / Precision", "Sample size / per
    # State" over two lines, "Investigations" on one.
    path = tmp_path / "survey.pdf"
    header = ["Investigations", "No. of\nHHs", "Relative\nPrecision", "Sample size\nper State"]
    body = [[s, "2400", "10%", "1728"] for s in STATES[:6]]
    ruled_page(path, [header, *body], set(range(len(body) + 1)))
    (table,) = tables_of(path)
    cells = grid(table)
    assert [cells[(0, c)] for c in range(4)] == [
        "Investigations",
        "No. of HHs",
        "Relative Precision",
        "Sample size per State",
    ]
    assert cells[(1, 0)] == STATES[0]


def test_a_value_centred_over_a_ruled_pair_of_rows_spans_both(tmp_path: Path) -> None:
    # docling's OTSL paper: each group ruled off, '6' centred beside the rows 'OTSL' and
    # 'HTML' of figures. The centred value overlaps both lines, and the two rows of
    # figures still part under it.
    path = tmp_path / "pairs.pdf"
    pdf = canvas.Canvas(str(path), pagesize=(612, 792))
    pdf.setFont("Helvetica", 9)
    y, rules = TOP, [TOP]
    for k, text in enumerate(["Layers", "Format", "Simple", "Complex"]):
        pdf.drawString(X[k] + 4, y - 10, text)
    y -= PITCH
    rules.append(y)
    for group in range(4):
        pdf.drawString(X[0] + 4, y - 10 - PITCH / 2, str(2 * group + 2))
        for n, name in enumerate(["OTSL", "HTML"]):
            pdf.drawString(X[1] + 4, y - 10 - n * PITCH, name)
            for k in (2, 3):
                pdf.drawString(X[k] + 4, y - 10 - n * PITCH, f"0.{9 - group}{k}{n}")
        y -= 2 * PITCH
        rules.append(y)
    draw_rules(pdf, rules)
    (table,) = tables_of(path)
    cells = {(c.row, c.col): c for c in table.cells or []}
    assert [cells[(r, 1)].text for r in range(1, 9)] == ["OTSL", "HTML"] * 4
    assert [cells[(r, 2)].text for r in (1, 2)] == ["0.920", "0.921"]
    assert (cells[(1, 0)].text, cells[(1, 0)].row_span) == ("2", 2)
    assert (cells[(7, 0)].text, cells[(7, 0)].row_span) == ("8", 2)


@pytest.mark.parametrize("group_rules", [{3, 6}, set()], ids=["grouped", "header_rule_only"])
def test_a_rows_description_wrapped_onto_a_line_of_its_own_stays_in_its_row(
    tmp_path: Path, group_rules: set[int]
) -> None:
    # pdfplumber's Senate expenses: rules every few rows; each row's description runs
    # on below its figures ('STAFF TRANSPORTATION' / 'AIRFARE FOR E JOHNSON'). The
    # line between two rows of figures no longer hides their break.
    path = tmp_path / "expenses.pdf"
    body = [
        [f"DHAW{k:04d}", f"0{k % 9 + 1}/03/2019", f"STAFF TRAVEL\nTO {s}", f"{k}20.68"]
        for k, s in enumerate(STATES[:9])
    ]
    ruled_page(path, [["Document", "Date", "Description", "Amount"], *body], group_rules)
    (table,) = tables_of(path)
    cells = grid(table)
    assert [cells[(k + 1, 0)] for k in range(9)] == [row[0] for row in body]
    assert [cells[(k + 1, 3)] for k in range(9)] == [row[3] for row in body]
    assert cells[(2, 2)] == f"STAFF TRAVEL TO {STATES[1]}"
