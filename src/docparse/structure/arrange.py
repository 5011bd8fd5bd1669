"""The one post-recognition pass both CPU routes run on a page's blocks: what the layout
model says each block is, text up the margin set aside, reading order, captions after
their figure, footnotes last, headings."""

from __future__ import annotations

from docparse.document import Block, Label
from docparse.layout.apply import apply_layout
from docparse.layout.boxes import LayoutBox
from docparse.structure.captions import place_captions
from docparse.structure.furniture import mark_margin_text
from docparse.structure.headings import join_wrapped_titles, label_headings
from docparse.structure.reading_order import footnotes_last, xy_cut


def arrange(
    blocks: list[Block],
    width: float,
    height: float,
    dpi: float,
    page_index: int,
    layout: list[LayoutBox] | None = None,
    ordered: bool = False,
    stream: bool = False,
) -> list[Block]:
    """The page's blocks labelled and in reading order. `layout`: boxes of a layout model
    in the blocks' pixel space; `ordered`: the blocks come in reading order already (the
    VLM route's layout stage gives its own), so only headings are found; `stream`: they
    come in the PDF's order, kept where it reads a column top to bottom."""
    if not ordered:
        if layout is not None:
            blocks = apply_layout(blocks, layout, width, height, page_index)
        mark_margin_text(blocks, width)
        # Text up the margin is read last: a stamp running the page's height would hold
        # the columns and the foot together.
        aside = [b for b in blocks if b.label == Label.aside_text]
        flow = [b for b in blocks if b.label != Label.aside_text]
        # Gaps narrower than a fourth of a line (at 18 pt per inch) part nothing.
        blocks = footnotes_last(
            place_captions(xy_cut(flow, min_gap=dpi / 18, stream=stream)), height
        )
        blocks += aside
    label_headings(blocks, first_page=page_index == 0)
    return join_wrapped_titles(blocks)
