"""A handbook page (docling's amt_handbook sample): two columns of paragraphs over a row
of drawings whose pictures and labels run across the gutter, the left column longer
than the right. No gutter runs the page's height and no gap runs across it, so the
blocks were read row by row, the columns interleaved. The paragraphs still show the
columns: every block goes with the column its middle falls in."""

from __future__ import annotations

from docparse.document import BBox, Block, Label, Line
from docparse.structure.reading_order import xy_cut


def paragraph(name: str, x0: float, y0: float, lines: int = 3) -> Block:
    rows = [
        Line(
            text=f"{name} line {k}",
            bbox=BBox(x0=x0, y0=y0 + 12 * k, x1=x0 + 240, y1=y0 + 12 * k + 9),
        )
        for k in range(lines)
    ]
    return Block(
        id=name,
        bbox=BBox.around([ln.bbox for ln in rows]),
        text="\n".join(ln.text for ln in rows),
        lines=rows,
    )


def label(name: str, x0: float, y0: float, x1: float, y1: float, kind: Label) -> Block:
    return Block(id=name, label=kind, bbox=BBox(x0=x0, y0=y0, x1=x1, y1=y1), text=name)


def test_columns_of_paragraphs_over_drawings_across_the_gutter() -> None:
    # The page's own paragraphs: (top, lines), the left column down to y 519.
    left = [
        paragraph(f"L{k}", 72, top, lines)
        for k, (top, lines) in enumerate(
            [(46, 4), (108, 6), (196, 7), (298, 6), (385, 8), (498, 2)]
        )
    ]
    right = [
        paragraph(f"R{k}", 321, top, lines)
        for k, (top, lines) in enumerate([(46, 6), (133, 18), (369, 3)])
    ]
    drawings = [
        label("picture across", 203, 542, 341, 606, Label.image),  # over the gutter
        label("Elastic anchor nut", 218, 590, 276, 595, Label.text),
        label("picture right", 320, 451, 530, 588, Label.image),
        label("Nut case", 457, 434, 485, 440, Label.text),
        label("caption across both", 73, 702, 478, 712, Label.text),
    ]
    blocks = [*drawings, *right, *left]
    order = [b.id for b in xy_cut(sorted(blocks, key=lambda b: b.bbox.y0), min_gap=4.0)]
    reading = [name for name in order if name[0] in "LR" and name[1:].isdigit()]
    assert reading == [b.id for b in left] + [b.id for b in right]


def test_a_region_the_paragraphs_cannot_part_ends() -> None:
    # A hostile probe's three blocks: two flat paragraphs inside one wide line's span
    # recursed for ever (every block in one of the paragraph columns).
    def flat(name: str, x0: float, x1: float, y1: float, lines: int) -> Block:
        box = BBox(x0=x0, y0=0, x1=x1, y1=y1)
        rows = [Line(text="l", bbox=box) for _ in range(lines)]
        return Block(id=name, bbox=box, text="t", lines=rows)

    blocks = [flat("a", 20, 24, 0, 2), flat("b", 20, 24, 0, 2), flat("c", 10, 300, 4, 1)]
    assert sorted(b.id for b in xy_cut(blocks, min_gap=4.0)) == ["a", "b", "c"]
