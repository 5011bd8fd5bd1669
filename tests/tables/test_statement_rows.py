"""A statement's rows from its words: an item indented under a total is the next row,
not the total's wrapped label; a label wrapped with its figures on its last line is one
row with those figures (before: 'Total revenues Cost of revenues (exclusive of …' one
cell, and the figures on a row of their own with the label's last words); a dollar sign
set apart at the left of its column belongs to the figure (before: the row's three
figures one cell, '$ 93,736 $ 96,995 $ 99,803')."""

from __future__ import annotations

from docparse.document import BBox
from docparse.tables.grid import table_from_alignment
from docparse.tables.model import Word

PITCH, WRAP = 13.0, 11.0


def words_of(lines: list[tuple[float, str, list[str]]], top: float = 100.0) -> list[Word]:
    """Lines of (label's left edge, label, figures), figures flush right at 400, 470, 540."""
    out, y = [], top
    for x, label, figures in lines:
        for text in label.split():
            out.append(Word(text, BBox(x0=x, y0=y, x1=x + 4.5 * len(text), y1=y + 9)))
            x += 4.5 * len(text) + 2.5
        for right, figure in zip((400.0, 470.0, 540.0), figures, strict=False):
            out.append(Word(figure, BBox(x0=right - 4.5 * len(figure), y0=y, x1=right, y1=y + 9)))
        y += WRAP if not figures and label.startswith("Cost") else PITCH
    return out


STATEMENT = [
    (72, "Product", ["12,418", "11,022", "9,874"]),
    (72, "Services and other", ["3,905", "3,511", "3,106"]),
    (60, "Total revenues", ["16,323", "14,533", "12,980"]),
    (72, "Cost of revenues (exclusive of depreciation and", []),
    (84, "amortization shown separately below)", ["9,210", "8,377", "7,655"]),
    (72, "Research and development", ["1,402", "1,296", "1,180"]),
    (60, "Operating income", ["3,400", "2,593", "2,068"]),
]


def test_an_item_under_a_total_and_a_label_wrapped_over_its_figures() -> None:
    table = table_from_alignment(words_of(STATEMENT))
    assert table is not None
    rows = [line.strip("| ").split(" | ") for line in table.markdown().splitlines()]
    assert ["Total revenues", "16,323", "14,533", "12,980"] in rows
    label = "Cost of revenues (exclusive of depreciation and amortization shown separately below)"
    assert [label, "9,210", "8,377", "7,655"] in rows
    assert ["Research and development", "1,402", "1,296", "1,180"] in rows


def test_a_dollar_sign_apart_from_its_figure_is_part_of_it() -> None:
    words = words_of(STATEMENT)
    extra = words_of([(72, "Net income", ["2,547", "1,856", "1,461"])], top=191.0)
    signs = [Word("$", BBox(x0=x, y0=191, x1=x + 5, y1=200)) for x in (350.0, 420.0, 490.0)]
    table = table_from_alignment(words + extra + signs)
    assert table is not None
    rows = [line.strip("| ").split(" | ") for line in table.markdown().splitlines()]
    assert ["Net income", "$ 2,547", "$ 1,856", "$ 1,461"] in rows


def test_a_head_row_set_apart_by_the_space_under_its_rule_stays_in_the_table() -> None:
    """A survey table's head 'Proportion 1.0 1.1 …' stands a rule's space above its rows,
    more than twice their pitch: it heads their columns, so it is the table's first row,
    not a running head above it (before: dropped from the table, read after it)."""

    def word(text: str, x: float, y: float) -> Word:
        return Word(text, BBox(x0=x, y0=y, x1=x + 9 * len(text), y1=y + 20))

    head = [word("Proportion", 262, 345)] + [word(f"1.{k}", 703 + 120 * k, 346) for k in range(5)]
    rows = [
        [word(f"0.{99 - 4 * r}", 203, 417 + 35 * r)]
        + [word(str(800 - 100 * r + 80 * k), 703 + 120 * k, 417 + 35 * r) for k in range(5)]
        for r in range(4)
    ]
    table = table_from_alignment(head + [w for row in rows for w in row])
    assert table is not None and table.rows == 5
    assert table.markdown().splitlines()[0].split(" | ")[:2] == ["| Proportion", "1.0"]
