"""A table grid drawn as one vector path, a stroke per rule (camelot's column_span_2: a
survey's ruled table with spanning cells gave "no table in the Markdown"): the page had
three path objects, so the text layer's cheap test never asked for a table search. The
strokes inside a path count as rules."""

from __future__ import annotations

from pathlib import Path

from reportlab.pdfgen import canvas

from docparse.io.pdf import PdfFile
from docparse.pipeline.text_layer import read_layer

ROWS = [
    ("Investigations", "Group", "Sample"),
    ("Anthropometry", "Adults", "Everyone"),
    ("Diet survey", "Households", "Members"),
    ("Blood pressure", "Men", "Women"),
]
X = (80.0, 220.0, 360.0, 500.0)
TOP, ROW = 700.0, 22.0


def grid_page(path: Path, one_path: bool) -> None:
    pdf = canvas.Canvas(str(path), pagesize=(612, 792))
    pdf.setFont("Helvetica", 10)
    pdf.drawString(80, 740, "The groups surveyed in each state are given below:")
    bottom = TOP - ROW * len(ROWS)
    strokes = [(X[0], TOP - k * ROW, X[-1], TOP - k * ROW) for k in range(len(ROWS) + 1)]
    strokes += [(x, TOP, x, bottom) for x in X]
    if one_path:
        grid = pdf.beginPath()
        for x0, y0, x1, y1 in strokes:
            grid.moveTo(x0, y0)
            grid.lineTo(x1, y1)
        pdf.drawPath(grid, stroke=1, fill=0)
    else:
        for stroke in strokes:
            pdf.line(*stroke)
    for k, row in enumerate(ROWS):  # centred: no column of the text lines up
        for x0, x1, text in zip(X, X[1:], row, strict=False):
            pdf.drawCentredString((x0 + x1) / 2, TOP - (k + 1) * ROW + 7, text)
    pdf.save()


def test_the_strokes_of_one_path_are_rules(tmp_path: Path) -> None:
    one, many = tmp_path / "one.pdf", tmp_path / "many.pdf"
    grid_page(one, one_path=True)
    grid_page(many, one_path=False)
    layer = PdfFile(one).text_layer(0)
    assert layer.paths == 1
    assert layer.rules == PdfFile(many).text_layer(0).rules == (5, 4)


def test_a_grid_drawn_as_one_path_is_searched_and_read(tmp_path: Path) -> None:
    path = tmp_path / "survey.pdf"
    grid_page(path, one_path=True)
    read = read_layer(path, 0, judge=True, keep=False, figures=False)
    assert read.tables is not None
    (table,) = read.tables.all
    cells = {(c.row, c.col): c.text for c in table.cells or []}
    assert [cells[(r, c)] for r in range(len(ROWS)) for c in range(3)] == [
        text for row in ROWS for text in row
    ]
