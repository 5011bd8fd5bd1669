"""Captions ('Figure 2.', 'Таблица 1') found and read beside their figure or table: right
before it when set above it (a table's title, as it is read), right after it otherwise."""

from __future__ import annotations

from docparse.document import Block, Label
from docparse.layout.apply import is_caption

FIGURES_AND_TABLES = frozenset({Label.image, Label.chart, Label.table})
CAPTION_GAP = 3.0  # a caption sits within this many of its line heights of its figure


def place_captions(blocks: list[Block]) -> list[Block]:
    """Captions ('Figure 2.', 'Таблица 1') labelled and read next to the picture or
    table they sit by (above or below it, overlapping it across): before it when above
    it, after it when below or beside it."""
    targets = [b for b in blocks if b.label in FIGURES_AND_TABLES]
    if not targets:
        return blocks
    owner: dict[int, Block] = {}
    for block in blocks:
        named = block.label == Label.text and is_caption(block.text)
        if block.label != Label.figure_title and not named:
            continue
        size = block.lines[0].text_size if block.lines else block.bbox.height
        near = [
            (max(t.bbox.y0 - block.bbox.y1, block.bbox.y0 - t.bbox.y1), i)
            for i, t in enumerate(targets)
            if t.bbox.x0 < block.bbox.x1 and block.bbox.x0 < t.bbox.x1
        ]
        if near and min(near)[0] <= CAPTION_GAP * size:
            owner[id(block)] = targets[min(near)[1]]
            block.label = Label.figure_title  # "Figure 9 shows…" far from it stays text
    if not owner:
        return blocks
    ordered = [b for b in blocks if id(b) not in owner]
    for caption in (b for b in blocks if id(b) in owner):
        target = owner[id(caption)]
        at = next(i for i, b in enumerate(ordered) if b is target)
        if caption.bbox.y1 <= target.bbox.y0:  # above it: read before it
            ordered.insert(at, caption)
            continue
        while (
            at + 1 < len(ordered)
            and id(ordered[at + 1]) in owner
            and owner[id(ordered[at + 1])] is target
        ):
            at += 1  # after the captions of the same figure already placed
        ordered.insert(at + 1, caption)
    return ordered
