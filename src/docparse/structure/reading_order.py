"""Reading order on any route: recursive XY-cut (columns before bands), and footnotes
read after the page's text."""

from __future__ import annotations

import re

from docparse.document import Block, Label

TALL_COLUMN = 0.5  # columns that touch are split only when each runs this share of the height
FOOTNOTE_ZONE = 0.3  # footnotes sit in the bottom part of the page…
FOOTNOTE_SIZE = 0.9  # …in text smaller than the body…
MIN_FOOTNOTE_WORDS = 3  # …and say something: "2 =" is a piece of a formula
_FOOTNOTE_MARK = re.compile(r"^([*†‡§¹²³⁴⁵⁶⁷⁸⁹⁰]|\d{1,2}[\s).]|\[\d{1,2}\])")
_WORD = re.compile(r"[^\W\d_]{2,}")


def xy_cut(blocks: list[Block], min_gap: float = 4.0) -> list[Block]:
    """Blocks in reading order. Columns first: where a gutter runs the full height of the
    region, read the columns left to right. Else split the region in two at its widest
    horizontal gap (one cut at a time, so that paragraph gaps that happen to line up across
    columns do not interleave them) and read top to bottom."""
    if len(blocks) <= 1:
        return list(blocks)
    columns = _groups(blocks, axis=0, min_gap=min_gap)
    if len(columns) == 1:  # OCR'd columns of ragged lines may touch: tall parts only
        loose = _groups(blocks, axis=0, min_gap=-min_gap)
        span = _extent(blocks)
        if len(loose) > 1 and all(_extent(part) >= TALL_COLUMN * span for part in loose):
            columns = loose
    if len(columns) > 1:
        return [b for part in columns for b in xy_cut(part, min_gap)]
    bands = _groups(blocks, axis=1, min_gap=min_gap)
    if len(bands) > 1:
        gaps = [
            min(b.bbox.y0 for b in bands[i + 1]) - max(b.bbox.y1 for b in bands[i])
            for i in range(len(bands) - 1)
        ]
        cut = gaps.index(max(gaps)) + 1
        upper = [b for band in bands[:cut] for b in band]
        lower = [b for band in bands[cut:] for b in band]
        return xy_cut(upper, min_gap) + xy_cut(lower, min_gap)
    return sorted(blocks, key=lambda b: (b.bbox.y0, b.bbox.x0))


def _extent(blocks: list[Block]) -> float:
    return max(b.bbox.y1 for b in blocks) - min(b.bbox.y0 for b in blocks)


def _groups(blocks: list[Block], axis: int, min_gap: float) -> list[list[Block]]:
    """The blocks split wherever no block covers a stretch of the axis (0: x, 1: y) at
    least min_gap long, in order along the axis."""
    spans = sorted(
        ((b.bbox.x0, b.bbox.x1) if axis == 0 else (b.bbox.y0, b.bbox.y1), i)
        for i, b in enumerate(blocks)
    )
    groups: list[list[Block]] = [[]]
    reach = spans[0][0][1]
    for (start, end), index in spans:
        if groups[-1] and start - reach >= min_gap:
            groups.append([])
        groups[-1].append(blocks[index])
        reach = max(reach, end)
    return groups


def footnotes_last(blocks: list[Block], height: float) -> list[Block]:
    """Small print at the foot of the page that starts with a note mark ('1 See…', '*')
    is a footnote: labelled, and read after the page's text."""
    sizes = sorted(ln.text_size for b in blocks if b.label == Label.text for ln in b.lines)
    if len(sizes) < 3:
        return blocks
    body = sizes[len(sizes) // 2]
    notes = [
        b
        for b in blocks
        if b.label == Label.text
        and b.lines
        and b.bbox.y0 >= (1 - FOOTNOTE_ZONE) * height
        and max(ln.text_size for ln in b.lines) <= FOOTNOTE_SIZE * body
        and _FOOTNOTE_MARK.match(b.text.strip())
        and len(_WORD.findall(b.text)) >= MIN_FOOTNOTE_WORDS
    ]
    for note in notes:
        note.label = Label.footnote
    moved = {id(b) for b in notes}
    return [b for b in blocks if id(b) not in moved] + notes
