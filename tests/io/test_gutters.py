"""Some generators write a two-column page row by row across the whole width (an IRS
notice in camelot's test files), so PDFium joins each left-column line with the
right-column line beside it. The text layer parts such lines at the gutter and the page
reads column by column; a table written the same way keeps its rows whole."""

from __future__ import annotations

import itertools
from pathlib import Path

from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen import canvas

from docparse.export.markdown import to_markdown
from docparse.io.pdf import PdfFile
from docparse.pipeline.converter import Converter
from docparse.pipeline.options import ConvertOptions

LEFT = (
    "Employers should implement the new withholding tables as soon as possible, but not "
    "later than the end of January. Use the old tables until you implement the new ones. "
    "The employee tax rate for social security is lower this year, and the employer rate "
    "remains unchanged. There is no wage base limit for the hospital insurance tax."
)
RIGHT = (
    "Attached are early release copies of the percentage method tables that will appear "
    "in the employer's tax guide. The guide will be posted on the website in December and "
    "mailed to certain small employers. The wage amounts shown in the tables are net wages "
    "after the deduction for total withholding allowances claimed by the employee."
)
COLUMN_WIDTH, LEFT_X, RIGHT_X = 240.0, 50.0, 320.0


def rows_across_page(
    path: Path, rows: list[tuple[str, ...]], xs: tuple[float, ...] = (LEFT_X, RIGHT_X)
) -> None:
    """Each row's texts drawn one after the other at the same height, at `xs`."""
    pdf = canvas.Canvas(str(path), pagesize=(612, 792))
    pdf.setFont("Helvetica", 10)
    y = 740.0
    for row in rows:
        for x, text in zip(xs, row, strict=True):
            pdf.drawString(x, y, text)
        y -= 13
    pdf.showPage()
    pdf.save()


def two_columns(path: Path) -> None:
    left = simpleSplit(LEFT, "Helvetica", 10, COLUMN_WIDTH)
    right = simpleSplit(RIGHT, "Helvetica", 10, COLUMN_WIDTH)
    rows_across_page(path, list(itertools.zip_longest(left, right, fillvalue="")))


def test_lines_run_across_a_gutter_are_parted_there(tmp_path: Path) -> None:
    path = tmp_path / "notice.pdf"
    two_columns(path)
    lines = PdfFile(path).text_layer(0).lines
    assert len(lines) > 10
    for line in lines:  # each line in one column
        assert line.bbox.x1 < RIGHT_X - 5 or line.bbox.x0 >= RIGHT_X - 1, line.text
    left = [ln.text for ln in lines if ln.bbox.x0 < RIGHT_X - 5]
    assert " ".join(left) == LEFT


async def test_a_page_written_across_its_columns_reads_column_by_column(
    converter: Converter, tmp_path: Path
) -> None:
    path = tmp_path / "notice.pdf"
    two_columns(path)
    result = await converter.convert(path, ConvertOptions())
    assert result.document.pages[0].route == "text_layer"
    markdown = " ".join(to_markdown(result.document).split())
    assert LEFT in markdown and RIGHT in markdown
    assert markdown.index(LEFT) < markdown.index(RIGHT)


def test_a_table_written_row_by_row_keeps_its_rows(tmp_path: Path) -> None:
    """Rows of a label and numbers: the columns line up as a gutter would, but the rows
    break at more than one place and the numbers are too narrow to be a page's column."""
    path = tmp_path / "table.pdf"
    rows = [
        (f"Revenue from business line {k}", f"{k * 1234.5:,.1f}", f"{k * 7654.25:,.2f}")
        for k in range(1, 16)
    ]
    rows_across_page(path, rows, xs=(LEFT_X, 330.0, 420.0))
    lines = PdfFile(path).text_layer(0).lines
    assert [ln.text.split() for ln in lines] == [" ".join(row).split() for row in rows]
