"""Write the camelot set: real born-digital tables, mostly borderless ("stream": budgets,
statistics, financial key figures, listings), from the test files camelot ships, with
`table` checks whose truth is camelot's own expected extraction (`tests/data.py`).

    .venv/bin/python eval/make_camelot.py CAMELOT_GIT_DIR /work/evaldata/camelot
    .venv/bin/docparse eval /work/evaldata/camelot           # reads checks.jsonl

CAMELOT_GIT_DIR is a git directory of camelot (a bare clone is enough; files are read from HEAD
with `git show`). `tests/data.py` is plain data (lists of rows) and is run as it is; PAGES
below says which PDF page each expected table belongs to, as camelot's test modules read
it (test_stream, test_network, test_hybrid, test_lattice). A table is used only when its
expected data is the whole table as camelot reads it: no tests on rotated pages, password
files, images, or with hints that cut text apart (m27's `columns` + `split_text`),
rewrite it (`strip_text`) or crop the table (`twotables_2`'s `table_areas`); camelot's
reading of each file with the fewest options is taken. The ICDAR 2013 pages are
eval/make_icdar.py's.

Per page OUT gets NAME_pN.pdf (the page as published). Checks:

- `table`, up to CHECKS_PER_TABLE per table, spread over it in reading order: a cell
  whose text is non-empty, at most MAX_CELL characters and unique among the page's
  expected cells, with its `right` and `down` neighbours, each when non-empty (camelot
  gives no spans: a cell is one grid position).
- `present`, PRESENT_PER_PAGE per page: the text of cells of 8 to 60 characters.

Cell texts are camelot's with whitespace collapsed, three repairs aside: the `<s>` marks of
`flag_size` are dropped, and two ways camelot breaks a word are mended when the text layer
has the word whole and never apart: an initial on a line of its own (`C\\nlass A`, all of
edge_tol.pdf's labels) and a space before a decimal point (`398 .8`, 12s0324.pdf). Every cell
used must have all its words in the page's text layer (PDFium's `get_text_range`);
nothing is tuned to docparse. No randomness: the same mirror gives the same bytes.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium

sys.path.insert(0, str(Path(__file__).resolve().parent))  # make_icdar, beside this file

from make_icdar import spread  # n items spread evenly over a list
from make_public import published  # the chosen pages of a PDF, with fixed date and /ID

from docparse.ops.checks import normalize

CHECKS_PER_TABLE = 8
PRESENT_PER_PAGE = 3
MAX_CELL = 40


@dataclass(frozen=True)
class Page:
    """One PDF page and the expected tables on it (names of lists in tests/data.py)."""

    pdf: str  # path in the repository
    page: int  # 1-based
    tables: tuple[str, ...]
    test: str  # where camelot reads it so


PAGES = (
    Page("tests/files/health.pdf", 1, ("data_stream",), "test_stream::test_stream"),
    Page(
        "tests/files/tabula/12s0324.pdf",
        1,
        ("data_network_two_tables_1", "data_network_two_tables_2"),
        "test_network::test_network_two_tables_a (stream's lists add title and notes rows)",
    ),
    Page(
        "tests/files/multiple_tables.pdf",
        1,
        ("data_network_two_tables_b_1", "data_network_two_tables_b_2"),
        "test_network::test_network_two_tables_b",
    ),
    Page(
        "tests/files/tabula/us-007.pdf",
        1,
        ("data_network_table_regions",),
        "test_network::test_network_table_regions (a region to look in, the whole table)",
    ),
    Page(
        "tests/files/vertical_header.pdf",
        1,
        ("data_network_vertical_headers",),
        "test_network::test_network_vertical_header",
    ),
    Page(
        "tests/files/mexican_towns.pdf",
        1,
        ("data_stream_columns",),
        "test_stream::test_stream_columns (column positions given; nothing cut)",
    ),
    Page(
        "tests/files/superscript.pdf",
        1,
        ("data_stream_flag_size",),
        "test_stream::test_stream_flag_size",
    ),
    Page(
        "tests/files/detect_vertical_false.pdf",
        1,
        ("data_stream_layout_kwargs",),
        "test_stream::test_stream_layout_kwargs (strip_text's list has its spaces removed)",
    ),
    Page(
        "tests/files/edge_tol.pdf",
        1,
        ("data_stream_edge_tol",),
        "test_stream::test_stream_edge_tol",
    ),
    Page(
        "tests/files/stream_inner_outer_columns.pdf",
        1,
        ("data_stream_inner_outer_columns",),
        "test_stream::test_stream_inner_outer_columns",
    ),
    Page(
        "tests/files/twotables_2.pdf",
        1,
        ("data_lattice_two_tables_1", "data_lattice_two_tables_2"),
        "test_lattice::test_lattice_two_tables",
    ),
    Page(
        "tests/files/table_region.pdf",
        1,
        ("data_lattice_table_regions",),
        "test_lattice::test_lattice_table_regions (a region to look in, the whole table)",
    ),
    Page(
        "tests/files/background_lines_1.pdf",
        1,
        ("data_lattice_process_background",),
        "test_lattice::test_lattice_process_background (the page's second table)",
    ),
    Page(
        "tests/files/row_span_1.pdf",
        1,
        ("data_lattice_copy_text",),
        "test_lattice::test_lattice_copy_text (a row span's text in each row it covers)",
    ),
    Page(
        "tests/files/column_span_2.pdf",
        1,
        ("data_lattice_shift_text_left_top",),
        "test_lattice::test_lattice_shift_text (the default: a span's text at its top left)",
    ),
    Page(
        "tests/files/split_text_lattice.pdf",
        1,
        ("data_lattice_split_text",),
        "test_lattice::test_lattice_split_text",
    ),
    # Not used: arabic.pdf (camelot keeps Arabic in visual order as presentation forms,
    # the text layer in logical order: no cell could be checked fairly); the rotated,
    # password and ICDAR files; data_stream_duplicated_text (no test names its PDF).
)


def git_show(mirror: Path, path: str) -> bytes:
    return subprocess.run(
        ["git", "--git-dir", str(mirror), "show", f"HEAD:{path}"], check=True, capture_output=True
    ).stdout


def expected_tables(mirror: Path) -> dict[str, list[list[str]]]:
    """The lists of rows in camelot's tests/data.py (plain literals, run as they are)."""
    namespace: dict[str, Any] = {}
    exec(git_show(mirror, "tests/data.py").decode("utf-8"), namespace)
    return {k: v for k, v in namespace.items() if k.startswith("data_")}


def page_text(page: pdfium.PdfPage) -> str:
    """The page's text layer, normalised."""
    textpage = page.get_textpage()
    text = textpage.get_text_range()
    textpage.close()
    return normalize(text)


def cell_text(raw: str, layer: str) -> str:
    """camelot's cell text with whitespace collapsed, `<s>` marks dropped and camelot's two
    ways of breaking a word mended where the text layer has it whole and never apart: an
    initial on a line of its own (`C\\nlass A`), a space before a decimal point (`398 .8`)."""
    parts = re.split(r"(\s+)", raw.replace("<s>", "").replace("</s>", "").strip())
    words = [parts[0]]
    for gap, word in zip(parts[1::2], parts[2::2], strict=True):
        left = words[-1]
        broken = (len(left) == 1 and left.isupper() and "\n" in gap and word[:1].islower()) or (
            left[-1:].isdigit() and re.match(r"\.\d", word) is not None
        )
        if broken and normalize(left + word) in layer and normalize(f"{left} {word}") not in layer:
            words[-1] += word
        else:
            words.append(word)
    return " ".join(words)


def table_checks(
    doc: str, label: str, rows: list[list[str]], counts: dict[str, int], layer: str
) -> tuple[list[dict[str, Any]], list[str], int]:
    """One table's checks (without `pdf` and `page`), its present texts, and how many
    cells the text layer did not bear out."""

    def sound(text: str) -> bool:
        # Every word of it is in the text layer. Not whole words: PDFium may run cells
        # together. A word camelot split or joined wrongly fails.
        return bool(normalize(text)) and all(w in layer for w in normalize(text).split())

    def at(r: int, c: int) -> str:
        return rows[r][c] if r < len(rows) and c < len(rows[r]) else ""

    candidates, present, dropped = [], [], 0
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            key = normalize(text)
            if not key or counts[key] > 1:
                continue
            if 8 <= len(key) <= 60 and sound(text):
                present.append(text)
            if len(key) > MAX_CELL:
                continue
            near = {
                relation: other
                for relation, other in (("right", at(r, c + 1)), ("down", at(r + 1, c)))
                if normalize(other) and len(other) <= 200  # no essays
            }
            if not near:
                continue
            if not sound(text) or not all(sound(v) for v in near.values()):
                dropped += 1
                continue
            candidates.append((text, near))
    checks = [
        {"id": f"{doc}-{label}-c{k}", "type": "table", "cell": text, **near}
        for k, (text, near) in enumerate(spread(candidates, CHECKS_PER_TABLE), 1)
    ]
    return checks, present, dropped


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mirror", type=Path, help="camelot's git directory (bare is fine)")
    parser.add_argument("out", type=Path, help="folder for the files and checks.jsonl")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    data = expected_tables(args.mirror)
    checks: list[dict[str, Any]] = []
    tables_used = 0
    for entry in PAGES:
        source = git_show(args.mirror, entry.pdf)
        layer = page_text(pdfium.PdfDocument(source)[entry.page - 1])
        name = f"{Path(entry.pdf).stem}_p{entry.page}"
        tables = [
            [[cell_text(cell, layer) for cell in row] for row in data[table]]
            for table in entry.tables
        ]
        counts: dict[str, int] = {}
        for cell in (cell for rows in tables for row in rows for cell in row):
            counts[normalize(cell)] = counts.get(normalize(cell), 0) + 1
        found: list[dict[str, Any]] = []
        present: list[str] = []
        notes = []
        for t, (table, rows) in enumerate(zip(entry.tables, tables, strict=True), 1):
            table_found, table_present, dropped = table_checks(name, f"t{t}", rows, counts, layer)
            found += table_found
            present += table_present
            tables_used += bool(table_found)
            size = f"{len(rows)}x{max(map(len, rows))}"
            notes.append(
                f"t{t} {table} ({size}): {len(table_found)} table checks"
                + (f", {dropped} cells not in the text layer" if dropped else "")
            )
        found += [
            {"id": f"{name}-present-{k}", "type": "present", "text": text}
            for k, text in enumerate(spread(present, PRESENT_PER_PAGE), 1)
        ]
        print(f"{name}: " + "; ".join(notes))
        if not any(c["type"] == "table" for c in found):
            continue
        (args.out / f"{name}.pdf").write_bytes(published(source, [entry.page]))
        checks += [{"pdf": f"{name}.pdf", **check, "page": 1} for check in found]
    with (args.out / "checks.jsonl").open("w", encoding="utf-8") as out:
        out.writelines(json.dumps(c, ensure_ascii=False) + "\n" for c in checks)
    pages = len({c["pdf"] for c in checks})
    print(f"{len(checks)} checks on {tables_used} tables, {pages} pages, in {args.out}")


if __name__ == "__main__":
    main()
