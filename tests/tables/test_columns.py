"""A small borderless table inside one column of a two-column page (camelot's us-007, an
IRS notice: payroll periods and their allowances beside prose) was never found: every
text line of the page runs across both columns, so the table's rows hid among rows of
prose. Each column of prose is searched on its own too; a page-wide table is not cut
into columns."""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen import canvas

from docparse.document import BBox
from docparse.pipeline.text_layer import read_layer
from docparse.tables.columns import prose_columns
from docparse.tables.model import Word

PROSE = (
    "The wage amounts shown in the percentage method tables are net wages after the "
    "deduction for total withholding allowances. Employers should implement the new "
    "tables as soon as possible, but not later than the end of January, and use the old "
    "tables until then. Withheld tax amounts should be rounded to the nearest dollar by "
    "dropping amounts under fifty cents and increasing amounts from fifty to ninety-nine "
    "cents to the next higher dollar. "
)
PERIODS = [
    ("Weekly", "$ 71.15"),
    ("Biweekly", "142.31"),
    ("Semimonthly", "154.17"),
    ("Monthly", "308.33"),
    ("Quarterly", "925.00"),
    ("Semiannually", "1,850.00"),
    ("Annually", "3,700.00"),
]
LEFT_X, RIGHT_X, WIDTH = 42.0, 318.0, 250.0


def column(pdf: canvas.Canvas, x: float, y: float, text: str) -> float:
    for line in simpleSplit(text, "Helvetica", 9.5, WIDTH):
        pdf.drawString(x, y, line)
        y -= 11.5
    return y


def notice(path: Path) -> None:
    pdf = canvas.Canvas(str(path), pagesize=(612, 792))
    pdf.setFont("Helvetica", 9.5)
    column(pdf, LEFT_X, 740, PROSE * 6)
    y = column(pdf, RIGHT_X, 740, PROSE * 2) - 14
    pdf.drawString(RIGHT_X + 6, y, "Payroll Period")
    pdf.drawRightString(RIGHT_X + 236, y, "Allowance")
    for period, amount in PERIODS:
        y -= 16
        pdf.drawString(RIGHT_X + 6, y, period)
        pdf.drawRightString(RIGHT_X + 236, y, amount)
    column(pdf, RIGHT_X, y - 24, PROSE * 2)
    pdf.save()


def test_a_table_inside_one_column_of_prose_is_found(tmp_path: Path) -> None:
    path = tmp_path / "notice.pdf"
    notice(path)
    read = read_layer(path, 0, judge=True, keep=False, figures=False)
    assert read.tables is not None
    (table,) = read.tables.all
    cells = {(c.row, c.col): c.text for c in table.cells or []}
    assert cells[(0, 0)] == "Payroll Period" and cells[(0, 1)] == "Allowance"
    assert [(cells[(r + 1, 0)], cells[(r + 1, 1)]) for r in range(len(PERIODS))] == PERIODS
    assert table.bbox.x0 > RIGHT_X - 5  # the prose beside it is no row


def test_a_page_wide_table_is_no_pair_of_columns() -> None:
    # Rows of a label and figures: white strips run down between its columns, but
    # its sides are no prose.
    words = [
        Word(text, box)
        for row in range(30)
        for text, box in (
            (f"Item{row}", _box(50, 100, row)),
            ("sold", _box(104, 130, row)),
            (f"{row * 17}", _box(400, 430, row)),
            (f"{row * 3}", _box(480, 500, row)),
        )
    ]
    assert prose_columns(words) == []


def _box(x0: float, x1: float, row: int) -> BBox:
    return BBox(x0=x0, y0=100 + 12 * row, x1=x1, y1=109 + 12 * row)


def test_huge_or_infinite_coordinates_cost_no_more_than_a_page() -> None:
    # A hostile probe: one array slot per unit across made 1e9 units wide 4 GB.
    left = [Word("word", BBox(x0=0, y0=12 * k, x1=5, y1=12 * k + 9)) for k in range(30)]
    far = [Word("word", BBox(x0=1e9, y0=12 * k, x1=1e9 + 5, y1=12 * k + 9)) for k in range(30)]
    assert prose_columns(left + far) == []
    endless = Word("word", BBox(x0=0, y0=0, x1=float("inf"), y1=9))
    assert prose_columns([*left, endless]) == []
