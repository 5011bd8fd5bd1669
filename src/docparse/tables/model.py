"""The shared vocabulary of table recognition: words with boxes, a grid of cells with
spans (rendered as PaddleX's HTML or a pipe table), and a table found on a page."""

from __future__ import annotations

import html
import math
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field

from docparse.document import BBox, TableCell

MAX_MEDIAN_CELL_WORDS, MAX_CELL_WORDS = 40, 150
_LEADER = re.compile(r"^[.·…_]+$")  # dot leaders (contents pages, statistics tables)


@dataclass(frozen=True, eq=False)
class Word:
    """A word and its box in page pixels (from the text layer or from OCR)."""

    text: str
    bbox: BBox
    # Worked out once: table search asks each word these thousands of times.
    cx: float = field(init=False, repr=False)
    cy: float = field(init=False, repr=False)
    leader: bool = field(init=False, repr=False)  # dot leaders (contents pages, statistics)

    def __post_init__(self) -> None:
        box = self.bbox
        object.__setattr__(self, "cx", (box.x0 + box.x1) / 2)
        object.__setattr__(self, "cy", (box.y0 + box.y1) / 2)
        object.__setattr__(self, "leader", bool(_LEADER.match(self.text.strip())))

    @property
    def upright(self) -> bool:
        """Not a word of vertical text (a margin note, a rotated axis title)."""
        return len(self.text.strip()) < 3 or self.bbox.width >= 0.7 * self.bbox.height

    def within(self, box: BBox, pad: float = 0.0) -> bool:
        """Is the word's centre inside `box` grown by `pad`?"""
        return box.x0 - pad <= self.cx <= box.x1 + pad and box.y0 - pad <= self.cy <= box.y1 + pad


@dataclass
class Table:
    """A grid of cells with spans; every grid slot is covered by exactly one cell."""

    rows: int
    cols: int
    cells: list[TableCell]
    header_rows: int = 0

    def is_simple(self) -> bool:
        return all(c.row_span == 1 and c.col_span == 1 for c in self.cells)

    def html(self) -> str:
        """<table><tr><td rowspan colspan>…: PaddleX's shape (no header rows)."""
        by_start = {(c.row, c.col): c for c in self.cells}
        rows = []
        for r in range(self.rows):
            tds = []
            for c in range(self.cols):
                cell = by_start.get((r, c))
                if cell is None:
                    continue
                spans = (f' rowspan="{cell.row_span}"' if cell.row_span > 1 else "") + (
                    f' colspan="{cell.col_span}"' if cell.col_span > 1 else ""
                )
                tds.append(f"<td{spans}>{html.escape(cell.text)}</td>")
            rows.append("<tr>" + "".join(tds) + "</tr>")
        return "<table>" + "".join(rows) + "</table>"

    def markdown(self) -> str:
        """A pipe table, or HTML when cells span (pipe tables cannot)."""
        if not self.is_simple():
            return self.html()
        grid = [["" for _ in range(self.cols)] for _ in range(self.rows)]
        for cell in self.cells:
            grid[cell.row][cell.col] = cell.text.replace("|", "\\|").replace("\n", " ")
        lines = ["| " + " | ".join(grid[0]) + " |", "|" + " --- |" * self.cols]
        lines += ["| " + " | ".join(row) + " |" for row in grid[1:]]
        return "\n".join(lines)

    def grid(self) -> list[list[str]]:
        """Text per slot; a spanning cell's text sits in its top-left slot only."""
        out = [["" for _ in range(self.cols)] for _ in range(self.rows)]
        for c in self.cells:
            out[c.row][c.col] = c.text
        return out

    def gutters(self) -> list[BBox]:
        """The blank strips between neighbouring columns' text, row by row where no cell
        spans the boundary (cells of borderless tables are boxed tight around their words)."""
        right, left = [-math.inf] * self.cols, [math.inf] * self.cols
        for c in self.cells:
            if c.text and c.col_span == 1 and c.bbox is not None:
                right[c.col] = max(right[c.col], c.bbox.x1)
                left[c.col] = min(left[c.col], c.bbox.x0)
        out = []
        for c in self.cells:
            end = c.col + c.col_span
            if (
                c.bbox is not None
                and end < self.cols
                and -math.inf < right[end - 1] < left[end] < math.inf
            ):
                out.append(BBox(x0=right[end - 1], y0=c.bbox.y0, x1=left[end], y1=c.bbox.y1))
        return out

    def is_data_grid(self) -> bool:
        """2x2 or more, two rows parted into cells or no more run across whole than are
        parted (strokes of display type inside a panel cut the line over its title into
        "cells", and the title's two lines ran across whole; a head over one row of 'No
        results' is a table, and so is a registration form of many rows across whole
        and a few parted, and a questionnaire whose answer column is empty), a fair
        share of cells filled, and cells of table size (a newspaper's column rules
        enclose whole articles)."""
        sizes = [len(c.text.split()) for c in self.cells if c.text]
        filled = Counter(c.row for c in self.cells if c.text)
        parted = sum(n >= 2 for n in filled.values())
        whole = sum(1 for c in self.cells if c.text and c.col_span >= self.cols)
        return (
            min(self.rows, self.cols) >= 2
            and (parted >= 2 or whole <= parted)
            and len(sizes) >= max(3, 0.25 * len(self.cells))
            and statistics.median(sizes) <= MAX_MEDIAN_CELL_WORDS
            and max(sizes) <= MAX_CELL_WORDS
        )

    def cell_at(self, row: int, col: int) -> TableCell | None:
        for c in self.cells:
            if c.row <= row < c.row + c.row_span and c.col <= col < c.col + c.col_span:
                return c
        return None


@dataclass
class TableResult:
    """A table found on a page, where it is, and which of the page's words it took."""

    bbox: BBox
    table: Table
    words: list[Word] = field(default_factory=list)  # consumed: drop from the text flow
    ruled: bool = False


_RULE_MARK = re.compile(r"(?:(?<=\s)|^)[|¦]+|[|¦]+(?=\s|$)")
# A figure with a bracket or brace at one end and none at the other: a rule beside it
# (`18,870]`, `[0`, `107.5}`); `[12]`, a reference, is a figure in brackets.
_RULE_BY_FIGURE = re.compile(r"[\[{](?P<a>[-\d.,%]*\d[-\d.,%]*)|(?P<b>[-\d.,%]*\d[-\d.,%]*)[\]}]")


def strip_rule_marks(text: str) -> str:
    """OCR text without the `|` OCR reads a table rule as (`1 |`, `384 650,00|`, `|Товар`):
    a bar standing alone or at a word's edge; spaces tidied. (In a PDF's own text a `|` is
    a character someone typed: this is for OCR's words only.)"""
    text = " ".join(_RULE_MARK.sub(" ", text).split())
    return " ".join(
        figure.group("a") or figure.group("b")
        if (figure := _RULE_BY_FIGURE.fullmatch(word))
        else word
        for word in text.split()
    )
