"""Write the ICDAR set: real born-digital tables from the ICDAR 2013 table competition (EU
and US government documents), as shipped in camelot's repository, with `table` checks
whose truth is the competition's own structure ground truth (`-str.xml`).

    .venv/bin/python eval/make_icdar.py /work/.mirror/camelot-dev+camelot/repo /work/evaldata/icdar
    .venv/bin/docparse eval /work/evaldata/icdar             # reads checks.jsonl

MIRROR is a git directory of camelot (a bare clone is enough; files are read from HEAD
with `git show`), holding tests/files/tabula/icdar2013-dataset/competition-dataset-{eu,us}/
NAME.pdf and NAME-str.xml. Ground truth without its PDF (the `b` variants, a second
annotation of an `a` document) is skipped.

Per page that holds a table OUT gets NAME_pN.pdf (the page as published) and
NAME_pN_scan.png (it drawn at 200 dpi in grey, resolution stated). Checks, the same for
both files:

- `table`, up to CHECKS_PER_TABLE per table region, spread over it in reading order: a
  cell whose text is non-empty, at most MAX_CELL characters and unique on the page, with
  its `right` neighbour (the next cell past its span in its first row) and its `down`
  neighbour (the next cell below its span in its first column), each when present and
  non-empty. Regions with fewer than 2 rows or columns, or with cells that overlap or
  lack coordinates, are skipped. A region is a grid of its own: the pieces of a table
  wrapped into side-by-side blocks are not joined.
- `present`, PRESENT_PER_PAGE per page: the text of cells of 8 to 60 characters.
- Hand-written page furniture checks, from eval/icdar_furniture.jsonl: `absent` for the
  running heads and feet of these pages alone (each string once in the page's text
  layer), `present` for body text at the pages' edges (footnotes, captions) that must
  stay.

Every cell used must have all its words in the page's text layer (a guard against a page
number or an annotation that is off, and against one that lost its spaces); nothing is
tuned to docparse. No randomness: the same mirror gives the same bytes.
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium

sys.path.insert(0, str(Path(__file__).resolve().parent))  # make_public, beside this file

from make_public import published  # the chosen pages of a PDF, with fixed date and /ID

from docparse.ops.checks import normalize

DATASET = "tests/files/tabula/icdar2013-dataset"
DPI = 200
CHECKS_PER_TABLE = 8
PRESENT_PER_PAGE = 3
MAX_CELL = 40
FURNITURE = Path(__file__).with_name("icdar_furniture.jsonl")  # hand-written heads and feet


@dataclass(frozen=True)
class Cell:
    """One ground-truth cell: its text (whitespace collapsed) and the grid span it covers."""

    text: str
    row: int
    col: int
    end_row: int
    end_col: int


@dataclass(frozen=True)
class Region:
    """One table region on one page: a grid of cells, position -> cell."""

    name: str  # t1, or t2r1, t2r2 ... for a table in several regions
    page: int  # 1-based
    grid: dict[tuple[int, int], Cell]


def git_show(mirror: Path, path: str) -> bytes:
    return subprocess.run(
        ["git", "--git-dir", str(mirror), "show", f"HEAD:{path}"], check=True, capture_output=True
    ).stdout


def dataset_files(mirror: Path) -> list[str]:
    out = subprocess.run(
        ["git", "--git-dir", str(mirror), "ls-tree", "-r", "--name-only", "HEAD", DATASET],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return sorted(out.split())


def parse_region(element: ET.Element, name: str) -> Region | str:
    """The region's grid, or why it is not used."""
    grid: dict[tuple[int, int], Cell] = {}
    for node in element.iter("cell"):
        try:
            row, col = int(node.attrib["start-row"]), int(node.attrib["start-col"])
            end_row = int(node.get("end-row", row))
            end_col = int(node.get("end-col", col))
        except (KeyError, ValueError):
            return "a cell without coordinates"
        if end_row < row or end_col < col:
            return "a cell that ends before it starts"
        text = " ".join((node.findtext("content") or "").split())  # newlines -> spaces
        cell = Cell(text, row, col, end_row, end_col)
        for r in range(row, end_row + 1):
            for c in range(col, end_col + 1):
                if (r, c) in grid:
                    return f"cells overlap at row {r}, column {c}"
                grid[(r, c)] = cell
    rows, cols = {r for r, _ in grid}, {c for _, c in grid}
    if len(rows) < 2 or len(cols) < 2:
        return f"{len(rows)} rows, {len(cols)} columns"
    return Region(name, int(element.attrib["page"]), grid)


def parse_structure(xml: bytes) -> tuple[list[Region], list[str]]:
    """The usable regions of a -str.xml, and a note for each one skipped."""
    regions: list[Region] = []
    notes: list[str] = []
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as error:
        return [], [f"malformed XML ({error})"]
    for t, table in enumerate(root.iter("table"), 1):
        elements = table.findall("region")
        for k, element in enumerate(elements, 1):
            name = f"t{t}" if len(elements) == 1 else f"t{t}r{k}"
            region = parse_region(element, name)
            if isinstance(region, str):
                notes.append(f"{name} skipped: {region}")
            else:
                regions.append(region)
    return regions, notes


def cells(region: Region) -> list[Cell]:
    """Each cell once, in reading order (by its first row, then its first column)."""
    return sorted(set(region.grid.values()), key=lambda c: (c.row, c.col))


def neighbours(region: Region, cell: Cell) -> dict[str, str]:
    """The cell's `right` and `down` neighbours past its span, when there and non-empty."""
    found = {}
    for relation, position in (
        ("right", (cell.row, cell.end_col + 1)),
        ("down", (cell.end_row + 1, cell.col)),
    ):
        other = region.grid.get(position)
        if other is not None and normalize(other.text):
            found[relation] = other.text
    return found


def spread(items: list[Any], n: int) -> list[Any]:
    """n items spread evenly over the list (all of them when there are no more than n)."""
    if len(items) <= n:
        return items
    return [items[round((i + 0.5) * len(items) / n - 0.5)] for i in range(n)]


def page_text(page: pdfium.PdfPage) -> str:
    """The page's text layer, normalised."""
    textpage = page.get_textpage()
    text = textpage.get_text_bounded()
    textpage.close()
    return normalize(text)


def page_checks(
    doc: str, page: int, regions: list[Region], layer: str
) -> tuple[list[dict[str, Any]], list[str]]:
    """The table and present checks of one page (without `pdf`), as the PDF's ids."""
    counts: dict[str, int] = {}
    for region in regions:
        for cell in cells(region):
            counts[normalize(cell.text)] = counts.get(normalize(cell.text), 0) + 1

    def sound(text: str) -> bool:
        # Every word of it is in the text layer. Not whole words: PDFium runs table cells
        # together ("Enquiries3.597"). A word the annotation ran together ("NewYork") fails.
        return bool(normalize(text)) and all(w in layer for w in normalize(text).split())

    checks: list[dict[str, Any]] = []
    present: list[str] = []
    dropped = 0
    for region in regions:
        candidates = []
        for cell in cells(region):
            key = normalize(cell.text)
            if not key or counts[key] > 1 or len(key) > MAX_CELL:
                continue
            near = {k: v for k, v in neighbours(region, cell).items() if len(v) <= 200}  # no essays
            if not near:
                continue
            if not sound(cell.text) or not all(sound(v) for v in near.values()):
                dropped += 1
                continue
            candidates.append((cell, near))
        for k, (cell, near) in enumerate(spread(candidates, CHECKS_PER_TABLE), 1):
            checks.append(
                {"id": f"{doc}-{region.name}-c{k}", "type": "table", "cell": cell.text, **near}
            )
        present += [
            c.text
            for c in cells(region)
            if 8 <= len(normalize(c.text)) <= 60 and counts[normalize(c.text)] == 1
            and sound(c.text)
        ]  # fmt: skip
    for k, text in enumerate(spread(present, PRESENT_PER_PAGE), 1):
        checks.append({"id": f"{doc}-p{page}-present-{k}", "type": "present", "text": text})
    notes = [f"p{page}: {dropped} cells not in the text layer"] if dropped else []
    return checks, notes


def scan(pdf: bytes) -> bytes:
    """The one-page PDF drawn at DPI in grey, as a PNG that states its resolution."""
    page = pdfium.PdfDocument(pdf)[0]
    image = page.render(scale=DPI / 72, grayscale=True).to_pil().convert("L")
    buf = io.BytesIO()
    image.save(buf, "PNG", dpi=(DPI, DPI))
    return buf.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mirror", type=Path, help="camelot's git directory (bare is fine)")
    parser.add_argument("out", type=Path, help="folder for the files and checks.jsonl")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    files = dataset_files(args.mirror)
    checks: list[dict[str, Any]] = []
    pages_written = 0
    for xml_path in (f for f in files if f.endswith("-str.xml")):
        doc = Path(xml_path).name.removesuffix("-str.xml")
        pdf_path = xml_path.removesuffix("-str.xml") + ".pdf"
        if pdf_path not in files:
            print(f"{doc}: skipped, no PDF")
            continue
        source = git_show(args.mirror, pdf_path)
        document = pdfium.PdfDocument(source)
        regions, notes = parse_structure(git_show(args.mirror, xml_path))
        counts = []
        for page in sorted({r.page for r in regions}):
            if not 1 <= page <= len(document):
                notes.append(f"p{page}: not in the PDF ({len(document)} pages)")
                continue
            on_page = [r for r in regions if r.page == page]
            found, page_notes = page_checks(doc, page, on_page, page_text(document[page - 1]))
            notes += page_notes
            if not found:
                continue
            name = f"{doc}_p{page}"
            pdf = published(source, [page])
            (args.out / f"{name}.pdf").write_bytes(pdf)
            (args.out / f"{name}_scan.png").write_bytes(scan(pdf))
            pages_written += 1
            for check in found:  # the PDF's check, then the scan's
                checks.append({"pdf": f"{name}.pdf", **check, "page": 1})
                checks.append({"pdf": f"{name}_scan.png", **check, "id": f"{check['id']}-scan"})
            counts.append(f"p{page} {sum(c['type'] == 'table' for c in found)}")
        print(
            f"{doc}: table checks {', '.join(counts) or 'none'}" + "".join(f"; {n}" for n in notes)
        )
    written = {c["pdf"] for c in checks}
    for check in map(json.loads, FURNITURE.read_text(encoding="utf-8").splitlines()):
        if check["pdf"] in written:  # the PDF's check, then the scan's
            scan_name = check["pdf"].removesuffix(".pdf") + "_scan.png"
            checks += [check, {**check, "pdf": scan_name, "id": f"{check['id']}-scan"}]
    with (args.out / "checks.jsonl").open("w", encoding="utf-8") as out:
        out.writelines(json.dumps(c, ensure_ascii=False) + "\n" for c in checks)
    print(f"{len(checks)} checks for {pages_written} pages (each a PDF and a scan) in {args.out}")


if __name__ == "__main__":
    main()
