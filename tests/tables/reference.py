"""Compare a found table with a human-checked HTML table (from a *.reference.md)."""

from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser

from docparse.tables.model import Table


class _Grid(HTMLParser):
    """<tr>/<td>/<th> with rowspan and colspan to a grid of cells (text, row, col)."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[tuple[str, int, int]] = []
        self._taken: set[tuple[int, int]] = set()
        self._row = -1
        self._col = 0
        self._text: list[str] | None = None
        self._start = (0, 0)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self._row, self._col = self._row + 1, 0
        elif tag in ("td", "th"):
            while (self._row, self._col) in self._taken:
                self._col += 1
            spans = dict(attrs)
            rows, cols = int(spans.get("rowspan") or 1), int(spans.get("colspan") or 1)
            self._taken.update((self._row + r, self._col + c)
                               for r in range(rows) for c in range(cols))
            self._start, self._text = (self._row, self._col), []
            self._col += cols

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._text is not None:
            self.cells.append((" ".join(self._text), *self._start))
            self._text = None

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)


def reference_cells(markdown: str) -> list[tuple[str, int, int]]:
    """The first HTML table of a reference file: (text, row, col) of every cell."""
    start, end = markdown.index("<table"), markdown.index("</table>") + len("</table>")
    parser = _Grid()
    parser.feed(markdown[start:end])
    return parser.cells


def norm(text: str) -> str:
    """Compare texts without case, spaces, dot leaders or accents' encoding."""
    return re.sub(r"[\s.]+", "", unicodedata.normalize("NFC", text)).casefold()


def cell_share(table: Table, reference: list[tuple[str, int, int]]) -> float:
    """Share of the reference's non-empty cells found with the same text in the same
    column and in the matching row; rows are matched in order (a monotone alignment
    maximising equal cells), so a missing or extra row costs only itself."""
    ref_rows: dict[int, dict[int, str]] = {}
    for text, r, c in reference:
        if norm(text):
            ref_rows.setdefault(r, {})[c] = norm(text)
    found = table.grid()
    ours = [{c: norm(t) for c, t in enumerate(row) if norm(t)} for row in found]
    refs = [ref_rows[r] for r in sorted(ref_rows)]
    total = sum(len(r) for r in refs)

    def score(a: dict[int, str], b: dict[int, str]) -> int:
        return sum(1 for c, t in a.items() if b.get(c) == t)

    # Needleman-Wunsch without gap costs: best[i][j] over the first i and j rows.
    best = [[0] * (len(ours) + 1) for _ in range(len(refs) + 1)]
    for i in range(1, len(refs) + 1):
        for j in range(1, len(ours) + 1):
            best[i][j] = max(best[i - 1][j], best[i][j - 1],
                             best[i - 1][j - 1] + score(refs[i - 1], ours[j - 1]))
    return best[-1][-1] / total if total else 0.0
