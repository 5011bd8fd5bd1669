"""A scanned page with a little real text on it (a poster's or a cover's title set over
its photo, a typed field on a scanned form) goes to OCR, its layer too sparse to read
the page by. OCR may miss what the layer holds: cyan display type on a photo. Those
lines of the layer, visible and made of words, are added to the OCR reading where OCR
found none of their words."""

from __future__ import annotations

import re

from docparse.document import Block, Label, Line, Page, PageStatus
from docparse.io.pdf_content import TextLayer
from docparse.pipeline.layer_quality import good_word_share

_WORD = re.compile(r"[^\W\d_]{3,}")  # words long enough to tell a reading by
FOUND_SHARE = 0.5  # of a line's words OCR read: the line is OCR's already
MIN_GOOD_WORDS = 0.5  # of a line's words plausible: no garbage from the layer
MAX_HIDDEN = 0.5  # a layer mostly invisible is an earlier OCR's: nothing to add from it


def add_missed_lines(page: Page, layer: TextLayer) -> int:
    """Add to `page` (read by OCR, in pixels at its dpi) the lines of the PDF's visible
    `layer` (in points) whose words OCR did not read, each a text block in reading
    place by its height on the page; how many were added."""
    if layer.hidden_text_share >= MAX_HIDDEN or not page.dpi:
        return 0
    read = {w.casefold() for b in page.blocks for w in _WORD.findall(b.text)}
    scale = page.dpi / 72
    added: list[Block] = []
    for line in layer.lines:
        words = [w.casefold() for w in _WORD.findall(line.text)]
        if not words or good_word_share(line.text) < MIN_GOOD_WORDS:
            continue
        if sum(w in read for w in words) >= FOUND_SHARE * len(words):
            continue
        box = line.bbox.scaled(scale)
        added.append(
            Block(
                id=f"p{page.index}-layer{len(added)}",
                label=Label.text,
                bbox=box,
                text=line.text,
                lines=[Line(text=line.text, bbox=box, size=line.font_size * scale or None)],
                source_engine="textlayer",
            )
        )
    if added:
        page.blocks = _in_reading_place(sorted(page.blocks, key=lambda b: b.order), added)
        page.status = PageStatus.ok
        page.normalise_boxes()
    return len(added)


def _in_reading_place(ordered: list[Block], added: list[Block]) -> list[Block]:
    """`ordered` with each of `added` before the first block that starts below it ends.
    That first block lies no earlier for a line lower down: the added lines, lowest end
    last, are placed in one pass over the page's blocks (a layer may hold thousands)."""
    before: list[list[Block]] = [[] for _ in range(len(ordered) + 1)]
    at = 0
    for block in sorted(added, key=lambda b: b.bbox.y1):
        while at < len(ordered) and ordered[at].bbox.y0 < block.bbox.y1:
            at += 1
        before[at].append(block)
    return [*(b for i, block in enumerate(ordered) for b in (*before[i], block)), *before[-1]]
