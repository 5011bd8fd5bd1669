"""A fixed-width report (a police property listing printed to PDF in Courier): column
heads over rulers of dash groups, a record on two lines, each line under its own heads.
The rulers say where each column starts; each record line takes the ruler it is set
to. Before, no table was found: the report was a run of lines."""

from __future__ import annotations

from pathlib import Path

from reportlab.pdfgen import canvas

from docparse.io.pdf import PdfFile
from docparse.tables.grid import find_tables
from docparse.tables.model import Word

# (column start in characters, width) of each ruler's groups.
FIRST = [(0, 12), (13, 15), (29, 22), (52, 14), (67, 7)]
SECOND = [(0, 9), (13, 14), (29, 21)]
HEADS = (["TYPE", "ITEM", "MAKE", "MODEL", "CALIBRE"], ["SERIAL", "REPORT/TAG", "CASE/FILE"])
RECORDS = [
    (["PISTOL", "SEMI-AUTOMATIC", "TAURUS FORJAS", "PT40 PRO", "40"],
     ["SZH77919", "Tag#:SJ3360-1", "GO SJ 2012-122670386"]),
    (["RIFLE", "LEVER ACTION", "SEARS ROEBUCK & CO.", "5", "22"],
     ["63723", "Tag#:SJ4172-1", "GO SJ 2012-122860208"]),
    (["PISTOL", "SEMI-AUTOMATIC", "COLT", "MATCH TARGET", ".22"],
     ["142061S", "Tag#:SJ4324-1", "GO SJ 2012-122890285"]),
]  # fmt: skip


def typed(cells: list[str], groups: list[tuple[int, int]]) -> str:
    line = ""
    for text, (start, _) in zip(cells, groups, strict=False):
        line = line.ljust(start) + text
    return line


def report(path: Path) -> None:
    pdf = canvas.Canvas(str(path), pagesize=(612, 792))
    pdf.setFont("Courier", 8)
    lines = ["SAN JOSE POLICE DEPT        FIREARM SEARCH", ""]
    for heads, groups in zip(HEADS, (FIRST, SECOND), strict=True):
        lines.append(typed(heads, groups))
        lines.append(typed(["-" * width for _, width in groups], groups))
    lines.append("")
    for first, second in RECORDS:
        lines += [typed(first, FIRST), typed(second, SECOND), ""]
    lines.append("Flags = e (evidence) d (disposed)")
    for k, line in enumerate(lines):
        pdf.drawString(30, 740 - 10 * k, line)
    pdf.save()


def test_a_fixed_width_reports_columns_come_from_its_rulers(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    report(path)
    words = [Word(text, box) for text, box in PdfFile(path).words(0)]
    (found,) = find_tables(words, None, 72)
    grid = found.table.grid()
    assert grid[0] == HEADS[0] and grid[1][:3] == HEADS[1]
    for k, (first, second) in enumerate(RECORDS):
        assert grid[2 + 2 * k] == first
        assert grid[3 + 2 * k][:3] == second
    taken = " ".join(w.text for w in found.words)
    assert "Flags" not in taken and "POLICE" not in taken
