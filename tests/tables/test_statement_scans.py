"""Issue 14 (4): a financial statement on a scan, its figures in columns without rules.
Tesseract gives the figure columns as a paragraph of their own: the page-wide table that
holds the labels beside them is that table found whole and wins (before: a table of
figures alone, the labels as loose text); the layout model's "picture" over the
statement is the table (before: an image added over it); and dot leaders from label to
figure are wiped before OCR (before: read as letters, 'O OB ОЕ ЗЫ Я АЙ О' where 'Total
assets' stood)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from docparse.document import Block, Label, Page
from docparse.export.markdown import to_markdown
from docparse.pipeline.converter import Converter
from docparse.pipeline.options import ConvertOptions
from tests.fixtures.degrade import degrade, rasterize
from tests.fixtures.statement import ROWS, balance_sheet


async def scanned(converter: Converter, tmp_path: Path, leaders: bool) -> tuple[Page, str]:
    image = rasterize(balance_sheet(leaders), 200)[0]
    scan = degrade(
        image, seed=3, rotate_deg=0.4, blur=0.6, noise=6, jpeg_quality=70, grayscale=True
    )
    path = tmp_path / "statement.png"
    scan.save(path, dpi=(200, 200))
    result = await converter.convert(path, ConvertOptions(languages="rus+eng"))
    (page,) = result.document.pages
    return page, to_markdown(result.document)


def rows(table: Block) -> list[list[str]]:
    grid: dict[int, dict[int, str]] = {}
    for cell in table.cells:
        grid.setdefault(cell.row, {})[cell.col] = cell.text
    return [[cols[c] for c in sorted(cols)] for _, cols in sorted(grid.items())]


@pytest.mark.parametrize("leaders", [False, True], ids=["plain", "dot_leaders"])
async def test_a_scanned_statement_is_one_table_of_labels_and_figures(
    converter: Converter, tmp_path: Path, leaders: bool
) -> None:
    page, markdown = await scanned(converter, tmp_path, leaders)
    tables = [b for b in page.blocks if b.label == Label.table]
    assert len(tables) == 1
    assert not [b for b in page.blocks if b.label == Label.image]
    read = rows(tables[0])
    expected = [[label, this, last] for label, this, last, *_ in ROWS if this]
    found = [row for row in read if row in expected]
    assert len(found) >= len(expected) - 2, read  # OCR may misread a figure or two
    assert ["Total assets", "$ 760,233", "$ 700,174"] in read
    assert ["Other assets", "6,205", "5,977"] in read
    assert "(In thousands of dollars)" in markdown
    assert not re.search("[а-яё]", markdown, re.IGNORECASE)  # no leader read as Cyrillic
