"""A paper's table (olmOCR-bench's olmo2-pg4.pdf): a group title centred across the
columns under the head row, figures with a magnitude's letter ('3.71T', '83.0B'), and
a source's name over its grey sub-label, the row's figures on the sub-label's line.
Before: the group title was folded into the head row ('Type Tokens Words Pretraining …'
one cell), figures with a letter were no figures, so three sources' rows ran together,
and 'StarCoder' stood on an empty row of its own. A justified paragraph's lines are no
group titles."""

from __future__ import annotations

from docparse.document import BBox
from docparse.tables.grid import table_from_alignment
from docparse.tables.model import Word

COLUMNS = (135.0, 250.0, 330.0, 370.0, 420.0, 460.0)  # left edges
ROWS = [  # y, size, cells by column (None: empty)
    (68, 9, ["Source", "Type", "Tokens", "Words", "Bytes", "Docs"]),
    (83, 9, [None, "Pretraining ✦ OLMo 2 1124 Mix"]),
    (97, 8, ["DCLM-Baseline", "Web pages", "3.71T", "3.32T", "21.32T", "2.95B"]),
    (110, 8, ["StarCoder"]),
    (118, 6, ["filtered version", "Code", "83.0B", "70.0B", "459B", "78.7M"]),
    (128, 6, ["from OLMoE Mix"]),
    (141, 8, ["peS2o", "Academic papers", "58.6B", "51.1B", "413B", "38.8M"]),
    (150, 6, ["from Dolma 1.7"]),
    (163, 8, ["arXiv", "STEM papers", "20.8B", "19.3B", "77.2B", "3.95M"]),
    (176, 8, ["OpenWebMath", "Math web pages", "12.2B", "11.1B", "47.2B", "2.89M"]),
    (226, 8, ["Total", None, "3.90T", "3.48T", "22.38T", "3.08B"]),
]


def words() -> list[Word]:
    out = []
    for y, size, cells in ROWS:
        for column, cell in enumerate(cells):
            x = COLUMNS[column] + (14 if size == 6 else 0)  # sub-labels set in
            if column == 1 and cell and cell.startswith("Pretraining"):
                x = 190.0  # centred across the columns
            for text in (cell or "").split():
                width = 0.5 * size * len(text)
                out.append(Word(text, BBox(x0=x, y0=y, x1=x + width, y1=y + size)))
                x += width + 0.3 * size
    return out


def test_a_group_title_sources_and_magnitudes() -> None:
    table = table_from_alignment(words())
    assert table is not None
    rows = [[c.text for c in table.cells if c.row == row and c.text] for row in range(table.rows)]
    assert rows[0] == ["Source", "Type", "Tokens", "Words", "Bytes", "Docs"]
    assert rows[1] == ["Pretraining ✦ OLMo 2 1124 Mix"]  # a row of its own
    starcoder = ["StarCoder filtered version from OLMoE Mix", "Code", "83.0B", "70.0B", "459B"]
    assert [*starcoder, "78.7M"] in rows
    assert ["peS2o from Dolma 1.7", "Academic papers", "58.6B", "51.1B", "413B", "38.8M"] in rows
    assert ["arXiv", "STEM papers", "20.8B", "19.3B", "77.2B", "3.95M"] in rows


LEAFLET = [  # a justified leaflet paragraph read at 150 dpi: its words stand far apart
    ("s", (114, 225, 145, 264)),
    ("принимают", (210, 258, 322, 274)),
    ("заявления", (337, 258, 436, 271)),
    ("от", (453, 259, 473, 271)),
    ("граждан", (489, 259, 568, 275)),
    ("и", (62, 286, 72, 297)),
    ("составляют", (110, 285, 219, 298)),
    ("индивидуальную", (256, 286, 424, 303)),
    ("программу", (462, 287, 569, 303)),
    ("предоставления", (62, 313, 219, 329)),
    ("социальных", (255, 314, 370, 329)),
    ("услуг", (405, 315, 454, 331)),
    ("(ИППСУ)", (489, 311, 568, 331)),
    ("с", (61, 341, 70, 353)),
    ("учетом", (75, 341, 144, 357)),
    ("индивидуальной", (151, 338, 315, 358)),
    ("нуждаемости", (323, 343, 452, 358)),
]


def test_a_justified_paragraphs_lines_are_no_group_titles() -> None:
    """A line with a phrase across two of the line above's cells and more beside it is
    no group's title: only a phrase alone on its line is. Before the fix, the leaflet's
    paragraph came out as a table (leaflet_coso at 150 dpi)."""
    words = [Word(t, BBox(x0=a, y0=b, x1=c, y1=d)) for t, (a, b, c, d) in LEAFLET]
    assert table_from_alignment(words) is None
