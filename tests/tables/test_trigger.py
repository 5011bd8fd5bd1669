"""The cheap test that decides which born-digital pages get the costly table search, and
the search itself in a worker process, on real PDFs."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from reportlab.pdfgen import canvas

from docparse.io.pdf import PdfFile
from docparse.pipeline.converter import Converter
from docparse.pipeline.options import ConvertOptions
from docparse.pipeline.text_layer import TABLE_DPI, pdf_page_tables
from docparse.tables.page import aligned_rows, worth_a_look


def looks(pdf: PdfFile, index: int, with_columns: bool = True) -> bool:
    layer = pdf.text_layer(index)
    return worth_a_look(
        [ln.text for ln in layer.lines],
        layer.paths,
        [ln.column_starts for ln in layer.lines] if with_columns else None,
        layer.rules,
    )


def test_aligned_column_starts_find_an_infobox_without_numbers(docs: Path) -> None:
    pdf = PdfFile(docs / "edgar.pdf")
    try:
        layer = pdf.text_layer(0)
        assert aligned_rows([ln.column_starts for ln in layer.lines]) >= 4
        assert looks(pdf, 0) and not looks(pdf, 0, with_columns=False)
    finally:
        pdf.close()


def test_prose_in_two_columns_is_not_worth_a_table_search(docs: Path) -> None:
    pdf = PdfFile(docs / "pdftotext_two_column_issue.pdf")
    try:
        assert not any(looks(pdf, i) for i in range(pdf.page_count))
    finally:
        pdf.close()


def test_a_short_ledger_is_worth_a_table_search_and_prose_with_dates_is_not() -> None:
    """Four rows of amounts make a table worth looking for on a page of little else (a
    ledger printed from a spreadsheet, whose rows PDFium reads as one run each, so no
    column starts show); a page of prose with a few figures in it does not."""
    ledger = [
        "XYZ Pvt Ltd",
        "Vr.Date Vr.No Vr.Type Particulars Dr.Amt Cr.Amt Balance",
        "01-Apr-16 Opening Balance 27614207 27614207",
        "13-May-16 38 BP R Chq. No. 085900 BILL NO.133 26406576 0 1207631 Cr.",
        "25-Jun-16 50 BP R Chq. No. 086352 BEING COMMISSION RETURNED 132696 0 1074935 Cr.",
        "19-Aug-16 1 BP R Chq. No. 086866 Being Payment against bill 1074935 0 0 Dr.",
    ]
    assert worth_a_look(ledger, paths=0)
    prose = [f"a line of prose about the year {1990 + i} and nothing else" for i in range(30)]
    prose[3] = "between 1998 and 2004 the share rose from 12 to 19 per cent"
    prose[9] = "in 2010 it stood at 24, in 2015 at 31 per cent"
    assert not worth_a_look(prose, paths=0)


def test_aligned_rows_counts_rows_sharing_a_column_start() -> None:
    assert aligned_rows([(100.0, 300.0), (101.0, 250.0), (99.5,), (400.0,)]) == 3
    assert aligned_rows([(), ()]) == 0


def test_table_search_runs_in_a_spawned_worker(docs: Path) -> None:
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=context) as pool:
        found = pool.submit(pdf_page_tables, docs / "edgar.pdf", 0, TABLE_DPI, True).result()
        again = pool.submit(
            pdf_page_tables, docs / "untable.pdf", 0, TABLE_DPI, True
        ).result()  # another file: the worker's open PDF is swapped
    cells = {c.text for t in found.all for c in t.cells}
    assert {"Predecessor", "Eadwig"} <= cells
    assert again.all and again.all[0].source_engine == "textlayer"


async def test_infobox_comes_out_as_a_table(converter: Converter, docs: Path) -> None:
    result = await converter.convert(docs / "edgar.pdf", ConvertOptions(engine="textlayer"))
    tables = [b for b in result.document.pages[0].blocks if b.label == "table"]
    assert tables and any("Predecessor" in t.text and "Eadwig" in t.text for t in tables)


def _ruled_words_pdf(path: Path, table: bool) -> None:
    """A page of prose with a rule under its title and one above its footer, as prose
    pages have, and when `table`, a small table of words only (no figures, a few paths)
    in a grid drawn line by line."""
    pdf = canvas.Canvas(str(path), pagesize=(595, 842))
    pdf.setFont("Helvetica", 11)
    pdf.drawString(72, 780, "Suppliers and their regions")
    pdf.line(72, 772, 523, 772)
    for row in range(6):
        pdf.drawString(72, 740 - 16 * row, "The suppliers below were chosen by the committee.")
    rows = [["Supplier", "Region", "Contact"], ["Alder", "North", "Oak office"]]
    rows += [["Birch", "South", "Pine office"], ["Cedar", "East", "Elm office"]]
    top, height, left, width = 620, 20, 72, 150
    if table:
        for r, cells in enumerate(rows):
            for c, text in enumerate(cells):
                pdf.drawString(left + c * width + 6, top - r * height - 14, text)
        for r in range(len(rows) + 1):
            pdf.line(left, top - r * height, left + 3 * width, top - r * height)
        for c in range(4):
            pdf.line(left + c * width, top, left + c * width, top - len(rows) * height)
    pdf.line(72, 60, 523, 60)
    pdf.drawString(72, 46, "Committee report")
    pdf.save()


def test_a_drawn_grid_of_words_is_searched_and_found(tmp_path: Path) -> None:
    # Real tables (ICDAR 2013 pages) of words in a drawn grid were skipped: too few paths
    # and no rows of figures. Rules drawn both ways now send a page to the search.
    ruled, plain = tmp_path / "ruled.pdf", tmp_path / "plain.pdf"
    _ruled_words_pdf(ruled, table=True)
    _ruled_words_pdf(plain, table=False)
    pdf, other = PdfFile(ruled), PdfFile(plain)
    try:
        layer = pdf.text_layer(0)
        assert layer.rules == (7, 4) and layer.paths < 20  # the grid's 5 and 4, prose's 2
        assert looks(pdf, 0)
        assert other.text_layer(0).rules == (2, 0) and not looks(other, 0)
    finally:
        pdf.close()
        other.close()
    found = pdf_page_tables(ruled, 0, TABLE_DPI, True)
    assert len(found.ruled) == 1
    cells = {(c.row, c.col): c.text for c in found.ruled[0].cells}
    assert cells[(0, 0)] == "Supplier" and cells[(2, 1)] == "South"
