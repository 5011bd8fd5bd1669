"""A statistical table's column heads wrapped over several lines, each set flush right
over its figures (ICDAR us-020: 'Combined / weighted school / participation / and
student / response rate'). Before: every line of the heads was a row of its own, the
top one ('Combined', one phrase) was dropped from a table inside rules as a title, and
'Percentage of' spread over five columns. A group's head centred over its columns is
no line of a wrapped head."""

from __future__ import annotations

import pytest

from docparse.document import BBox
from docparse.tables.grid import table_from_alignment
from docparse.tables.model import Word

SIZE, PITCH = 8.0, 10.0
RIGHTS = (260.0, 340.0, 420.0, 500.0)  # the figure columns' right edges; labels at 60
HEADS = [  # each figure column's head, bottom line last; set flush right
    ["Percentage of", "international", "desired population", "coverage"],
    ["National desired", "population overall", "exclusion rate"],
    ["Weighted student", "response rate"],
    ["Combined", "weighted school", "participation", "and student", "response rate"],
]
ROWS = [
    ("Australia", ["100", "4", "95", "93"]),
    ("Austria", ["100", "5", "98", "98"]),
    ("Azerbaijan", ["100", "7", "100", "100"]),
    ("Bulgaria", ["100", "3", "95", "95"]),
]


def _phrase(text: str, right: float, y: float) -> list[Word]:
    """Words of `text` on one line, ending at `right`."""
    out, x = [], right - 0.5 * SIZE * len(text)
    for word in text.split():
        width = 0.5 * SIZE * len(word)
        out.append(Word(word, BBox(x0=x, y0=y, x1=x + width, y1=y + SIZE)))
        x += width + 0.5 * SIZE
    return out


def words(group_head: bool = False) -> list[Word]:
    lines = max(map(len, HEADS))
    top = 100.0
    out = []
    for head, right in zip(HEADS, RIGHTS, strict=True):
        for i, text in enumerate(head):
            out += _phrase(text, right, top + (lines - len(head) + i) * PITCH)
    first = top + lines * PITCH
    out += _phrase("Education system", 60 + 0.5 * SIZE * 16, first - PITCH)
    if group_head:  # a group's head centred over the last two columns, a line above all
        out += _phrase("Response rates", (420 + 500) / 2 + 0.25 * SIZE * 14, top - 1.6 * PITCH)
    for r, (label, figures) in enumerate(ROWS):
        y = first + 0.6 * PITCH + r * PITCH
        out += _phrase(label, 60 + 0.5 * SIZE * len(label), y)
        for figure, right in zip(figures, RIGHTS, strict=True):
            out += _phrase(figure, right, y)
    return out


@pytest.mark.parametrize("framed", [True, False])
def test_wrapped_column_heads_are_one_head_row(framed: bool) -> None:
    table = table_from_alignment(words(), framed=framed)
    assert table is not None
    head = [c.text for c in table.cells if c.row == 0]
    assert head == ["Education system", *(" ".join(lines) for lines in HEADS)]
    assert all(c.col_span == 1 for c in table.cells)
    assert [c.text for c in table.cells if c.row == 1] == ["Australia", "100", "4", "95", "93"]


def test_a_group_head_over_wrapped_heads_is_not_folded_in() -> None:
    table = table_from_alignment(words(group_head=True), framed=True)
    assert table is not None
    texts = [c.text for c in table.cells]
    assert "Response rates" not in " ".join(t for t in texts if t != "Response rates")
    assert "Combined weighted school participation and student response rate" in texts


def test_a_sections_label_under_the_head_stays_a_row() -> None:
    """'Assets' under 'Item   Amount   Share', flush with 'Item', over the section's
    figures (found by a hostile probe): a section's label, not the head's last line."""
    out: list[Word] = []
    for y, cells in [
        (100, [("Item", 60.0), ("Amount", 260.0), ("Share", 340.0)]),
        (114, [("Assets", 60.0)]),
        (128, [("Cash", 60.0), ("100", 260.0), ("10%", 340.0)]),
        (142, [("Receivables", 60.0), ("200", 260.0), ("20%", 340.0)]),
        (156, [("Inventory", 60.0), ("300", 260.0), ("30%", 340.0)]),
    ]:
        for text, x in cells:
            out.append(Word(text, BBox(x0=x, y0=y, x1=x + 0.5 * SIZE * len(text), y1=y + SIZE)))
    table = table_from_alignment(out)
    assert table is not None
    rows = [[c.text for c in table.cells if c.row == r and c.text] for r in range(table.rows)]
    assert rows[:3] == [["Item", "Amount", "Share"], ["Assets"], ["Cash", "100", "10%"]]
