"""Reading order on any route: recursive XY-cut (columns before bands; the PDF's own
order where it reads one column downwards), and footnotes read after the page's text."""

from __future__ import annotations

import bisect
import itertools
import re

from docparse.document import Block, Label

TALL_COLUMN = 0.5  # columns that touch are split only when each runs this share of the height
BESIDE = 0.3  # columns stand side by side: some of the smaller one's height beside the other
MIN_PARAGRAPH_LINES = 2  # a paragraph's lines: single lines are labels, captions, cells
FOOTNOTE_ZONE = 0.3  # footnotes sit in the bottom part of the page…
FOOTNOTE_SIZE = 0.9  # …in text smaller than the body…
MIN_FOOTNOTE_WORDS = 3  # …and say something: "2 =" is a piece of a formula
_FOOTNOTE_MARK = re.compile(r"^([*†‡§¹²³⁴⁵⁶⁷⁸⁹⁰]|\d{1,2}[\s).]|\[\d{1,2}\])")
_WORD = re.compile(r"[^\W\d_]{2,}")


def xy_cut(blocks: list[Block], min_gap: float = 4.0, stream: bool = False) -> list[Block]:
    """Blocks in reading order. Columns first: where a gutter runs the full height of the
    region and text stands on both sides of it at the same heights, read the columns left
    to right. Else split the region in two at its widest horizontal gap (one cut at a
    time, and not between two rows of paragraphs side by side, so that paragraph gaps
    that happen to line up across columns do not interleave them) and read top to
    bottom. `stream`: the blocks come in the PDF's own order, which is kept wherever it
    reads a region top to bottom with nothing side by side."""
    rank = {id(b): i for i, b in enumerate(blocks)} if stream else None
    return _cut(blocks, min_gap, rank)


def _cut(blocks: list[Block], min_gap: float, rank: dict[int, int] | None) -> list[Block]:
    if len(blocks) <= 1:
        return list(blocks)
    if rank is not None:
        # The PDF's order explains itself here: one column, read downwards. The boxes
        # may still leave a gutter (a short last line beside the next first line).
        ordered = sorted(blocks, key=lambda b: rank[id(b)])
        if _downwards(ordered, min_gap) and not _side_by_side(blocks, min_gap):
            return ordered
    columns = _columns(blocks, min_gap)
    if len(columns) > 1:
        return [b for part in columns for b in _cut(part, min_gap, rank)]
    bands = _groups(blocks, axis=1, min_gap=min_gap)
    if len(bands) > 1:
        gaps = [
            min(b.bbox.y0 for b in bands[i + 1]) - max(b.bbox.y1 for b in bands[i])
            for i in range(len(bands) - 1)
        ]
        # The widest gap, but not across columns of paragraphs whose gaps line up.
        widest = sorted(range(len(gaps)), key=lambda i: -gaps[i])
        cut = 1 + next(
            (i for i in widest if not _across_columns(bands[i], bands[i + 1], min_gap)),
            widest[0],
        )
        upper = [b for band in bands[:cut] for b in band]
        lower = [b for band in bands[cut:] for b in band]
        return _cut(upper, min_gap, rank) + _cut(lower, min_gap, rank)
    parts = _paragraph_columns(blocks, min_gap)
    if len(parts) > 1 and all(parts):  # each part smaller than the region: it ends
        return [b for part in parts for b in _cut(part, min_gap, rank)]
    return sorted(blocks, key=lambda b: (b.bbox.y0, b.bbox.x0))


def _paragraph_columns(blocks: list[Block], min_gap: float) -> list[list[Block]]:
    """Columns of paragraphs that a figure, its labels or a caption run across (a
    handbook's two columns over a row of drawings): the gutters between the paragraphs
    (blocks of two lines or more) side by side, every block in the column its middle
    falls in; [blocks] when the paragraphs stand in no columns."""
    paragraphs = [b for b in blocks if len(b.lines) >= MIN_PARAGRAPH_LINES]
    columns = _columns(paragraphs, min_gap) if len(paragraphs) > 1 else [paragraphs]
    if len(columns) < 2:
        return [blocks]
    edges = [
        (max(c.bbox.x1 for c in a) + min(c.bbox.x0 for c in b)) / 2
        for a, b in itertools.pairwise(columns)
    ]
    parts: list[list[Block]] = [[] for _ in columns]
    for block in blocks:
        parts[bisect.bisect_right(edges, (block.bbox.x0 + block.bbox.x1) / 2)].append(block)
    return parts


def _columns(blocks: list[Block], min_gap: float) -> list[list[Block]]:
    """The region's columns, or the region whole: parts split by a gutter (OCR'd ragged
    columns may touch: tall parts only) that hold text at the same heights. Parts that
    take turns down the page (indented first lines, then short last lines) are one
    column whose lines happen to leave a gap."""
    columns = _groups(blocks, axis=0, min_gap=min_gap)
    if len(columns) == 1:
        loose = _groups(blocks, axis=0, min_gap=-min_gap)
        span = _extent(blocks)
        if len(loose) > 1 and all(_extent(part) >= TALL_COLUMN * span for part in loose):
            columns = loose
    if len(columns) > 1 and all(
        _shared(_cover(a), _cover(b)) >= BESIDE * min(_length(a), _length(b))
        for a, b in itertools.pairwise(columns)
    ):
        return columns
    return [blocks]


def _across_columns(above: list[Block], below: list[Block], min_gap: float) -> bool:
    """Would a cut between these bands run across columns: paragraphs on both sides of
    one gutter above it and below it? (Rows of a form, single lines, may be cut.)"""
    columns = _columns(above + below, min_gap)
    if len(columns) < 2:
        return False
    for band in (above, below):
        inside = {id(b) for b in band}
        for part in columns:
            if not any(id(b) in inside and len(b.lines) >= 2 for b in part):
                return False
    return True


def _cover(blocks: list[Block]) -> list[tuple[float, float]]:
    """The heights the blocks cover, as disjoint spans, top down."""
    spans: list[tuple[float, float]] = []
    for y0, y1 in sorted((b.bbox.y0, b.bbox.y1) for b in blocks):
        if spans and y0 <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], y1))
        else:
            spans.append((y0, y1))
    return spans


def _length(blocks: list[Block]) -> float:
    return sum(y1 - y0 for y0, y1 in _cover(blocks))


def _shared(a: list[tuple[float, float]], b: list[tuple[float, float]]) -> float:
    """How much height two covers have in common (both top down)."""
    shared, i, j = 0.0, 0, 0
    while i < len(a) and j < len(b):
        shared += max(0.0, min(a[i][1], b[j][1]) - max(a[i][0], b[j][0]))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return shared


def _downwards(ordered: list[Block], slack: float) -> bool:
    """Each block starts and ends no higher than the one before it."""
    return all(
        b.bbox.y0 >= a.bbox.y0 - slack and b.bbox.y1 >= a.bbox.y1 - slack
        for a, b in itertools.pairwise(ordered)
    )


def _side_by_side(blocks: list[Block], slack: float) -> bool:
    """Do two blocks stand at the same height apart across (columns, cells of a row)?"""
    by_top = sorted(blocks, key=lambda b: b.bbox.y0)
    for i, a in enumerate(by_top):
        for b in by_top[i + 1 :]:
            if b.bbox.y0 >= a.bbox.y1 - slack:
                break
            if b.bbox.x0 >= a.bbox.x1 or a.bbox.x0 >= b.bbox.x1:
                return True
    return False


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
