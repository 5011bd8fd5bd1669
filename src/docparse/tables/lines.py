"""Words into lines, phrases and column gaps: what both the ruled and the borderless
table search read a page's words through."""

from __future__ import annotations

import itertools
import math
import re
import statistics
from collections.abc import Callable

import numpy as np

from docparse.document import BBox
from docparse.tables.model import Table, Word

# Inside a row, words further apart than this (in line heights) belong to different
# cells: a word space is ~0.3 em, a column gap rarely under one em.
PHRASE_GAP_EM = 0.8
MIN_COLUMN_GAP_EM = 0.5
# A column boundary may be crossed by this share of lines (headers spanning columns).
CROSSING_SHARE = 0.12
# ... and needs text on both sides in this share of lines (at least two).
SUPPORT_SHARE = 0.2
# ... and every column needs text in this share of lines.
SPARSE_COLUMN_SHARE = 0.15
# A word joins a line when it overlaps the line's band by this share of the lower one
# (a little under half: header cells are often centred a bit off each other).
SAME_LINE_SHARE = 0.4
# Borderless candidates: lines at most this far apart (in line heights) stay together,
# with at most a few one-phrase lines in a row (section titles, wrapped labels), more
# when they sit right of the block's left edge (in a later column).
BLOCK_GAP_EM = 3.6
MAX_SINGLE_LINES = 2
MAX_INNER_LINES = 8
MIN_ROWS = 3
# Two borderless tables with the same columns this close (line heights) are one.
MERGE_GAP_EM = 8.0
# A line this many times the line pitch away from the rest is no part of the table.
FAR_GAP = 2.0
GROUP_CENTRED = 0.1  # of the columns' width: how far a group head's middle may stray
HEAD_PHRASES, HEAD_SHARE = 3, 0.75  # a head row over its columns: phrases, share over one
HEAD_PIECE_WORDS = 4  # words at most in one line of a wrapped column head
STACK_GAP, STACK_FLUSH = 1.0, 0.5  # ems: a wrapped head's line gap, and how flush its lines
# Cells of a real table: a median and a largest size, in words.
# A figure: '1,136', '(2,518)', '12.5%', '№ 15'; a magnitude's letter too ('3.71T',
# '78.7M'); a unit or two after it ('1 500,00 руб.', '100 тыс. руб.', '01.02.2024 г.').
# No other letter, of any script: 'Мешок для мусора 120 л' is a name, no figure.
_NUMERIC = re.compile(r"^[^\w]*\d[\d\W_]*[a-z%KMBGT]?$|^[-–—]$|^(n/?a|nd|NA|N/A)$")
_UNITS = re.compile(r"(?<=[\d\W])(?:\s*[^\W\d_]{1,4}\.?){1,2}$")


def text_lines(words: list[Word]) -> list[list[Word]]:
    """Words grouped into lines, top to bottom, each left to right. A word joins the line
    whose mean band (of its full-height words) it overlaps enough; sub- and superscripts
    and punctuation join without moving the band."""
    if len(words) < 2:  # most table cells: one word, one line
        return [list(words)] if words else []
    if len(words) == 2:  # the next most: "33 003", "Total assets"
        return _two_words(*words)
    lines: list[list[Word]] = []
    bands: list[list[float]] = []  # mean y0, mean y1, sums of y0 and y1, count
    for w in sorted(words, key=lambda w: w.cy):
        top, bottom = w.bbox.y0, w.bbox.y1
        best, best_share = -1, 0.0
        for i in range(len(lines) - 1, max(-1, len(lines) - 8), -1):
            y0, y1 = bands[i][0], bands[i][1]
            # min() and max() spelled out: this runs for every word against 8 lines.
            overlap = (y1 if y1 < bottom else bottom) - (y0 if y0 > top else top)
            if overlap <= 0:
                continue
            lower = y1 - y0 if y1 - y0 < bottom - top else bottom - top
            share = overlap / (lower if lower > 1e-6 else 1e-6)
            if share > best_share:
                best, best_share = i, share
        if best >= 0 and best_share >= SAME_LINE_SHARE:
            lines[best].append(w)
            band = bands[best]
            if bottom - top >= 0.6 * (band[1] - band[0]):  # not "-", "." or "¹"
                n = band[4] + 1
                bands[best] = [
                    (band[2] + top) / n,
                    (band[3] + bottom) / n,
                    band[2] + top,
                    band[3] + bottom,
                    n,
                ]
        else:
            lines.append([w])
            bands.append([top, bottom, top, bottom, 1])
    order = sorted(range(len(lines)), key=lambda i: bands[i][0] + bands[i][1])
    return [sorted(lines[i], key=lambda w: w.bbox.x0) for i in order]


def _two_words(a: Word, b: Word) -> list[list[Word]]:
    """`text_lines` of two words, without its bands: one line when they overlap enough."""
    if b.cy < a.cy:
        a, b = b, a
    overlap = min(a.bbox.y1, b.bbox.y1) - max(a.bbox.y0, b.bbox.y0)
    lower = max(min(a.bbox.height, b.bbox.height), 1e-6)
    if overlap > 0 and overlap / lower >= SAME_LINE_SHARE:
        return [sorted([a, b], key=lambda w: w.bbox.x0)]
    return [[a], [b]]


def line_height(words: list[Word]) -> float:
    heights = [w.bbox.height for w in words if not w.leader and w.bbox.height > 0]
    return statistics.median(heights) if heights else 10.0


def phrases(line: list[Word], em: float) -> list[list[Word]]:
    """Split a sorted line where the gap between words is wider than a cell gap."""
    out: list[list[Word]] = []
    for w in line:
        if out and w.bbox.x0 - max(v.bbox.x1 for v in out[-1]) <= PHRASE_GAP_EM * em:
            out[-1].append(w)
        else:
            out.append([w])
    return out


def join_text(words: list[Word]) -> str:
    """Reading order: lines top to bottom, joined by spaces; dot leaders left out."""
    kept = [w for w in words if not w.leader]
    return " ".join(w.text.strip() for line in text_lines(kept) for w in line).strip()


def split_points(
    lines: list[list[tuple[float, float]]], em: float, crossing_share: float = CROSSING_SHARE
) -> list[float]:
    """Column boundaries: x where (nearly) no line has text but many lines have text on
    both sides. `lines` holds each line's occupied x intervals (its phrases)."""
    spans = [s for line in lines for s in line]
    if len(lines) < 2 or not spans:
        return []
    left = math.floor(min(a for a, _ in spans))
    cover = np.zeros(math.ceil(max(b for _, b in spans)) - left + 2, dtype=np.int32)
    for line in lines:
        mask = np.zeros_like(cover, dtype=bool)
        for a, b in line:
            mask[int(a) - left : math.ceil(b) - left + 1] = True
        cover += mask
    allowed = max(1, int(crossing_share * len(lines)))
    low = np.flatnonzero(np.diff(np.concatenate([[0], (cover <= allowed).view(np.int8), [0]])))
    points: list[tuple[float, int]] = []  # boundary, width of its gap
    for start, stop in zip(low[::2], low[1::2], strict=True):
        if start == 0 or stop >= len(cover) or stop - start < MIN_COLUMN_GAP_EM * em:
            continue  # margins outside the text, or too narrow for a column gap
        run = cover[start:stop]
        best = np.flatnonzero(run == run.min())
        x = left + start + (best[0] + best[-1]) / 2
        support = sum(
            1 for line in lines if any(b < x for _, b in line) and any(a > x for a, _ in line)
        )
        if support >= max(2, SUPPORT_SHARE * len(lines)):
            points.append((float(x), int(stop - start)))
    # A column that few lines use (OCR junk from dot leaders, a stray mark) is no column:
    # drop its narrower boundary, until every column is used.
    while points:
        xs = [-math.inf] + [x for x, _ in points] + [math.inf]
        used = [
            sum(1 for line in lines if any(xs[i] < (a + b) / 2 < xs[i + 1] for a, b in line))
            for i in range(len(xs) - 1)
        ]
        sparse = min(range(len(used)), key=used.__getitem__)
        if used[sparse] >= max(2, SPARSE_COLUMN_SHARE * len(lines)):
            break
        sides = [i for i in (sparse - 1, sparse) if 0 <= i < len(points)]
        del points[min(sides, key=lambda i: points[i][1])]
    return [x for x, _ in points]


def is_numeric(text: str) -> bool:
    text = text.strip()
    return bool(_NUMERIC.match(text) or _NUMERIC.match(_UNITS.sub("", text)))


def x_span(ws: list[Word]) -> tuple[float, float]:
    return min(w.bbox.x0 for w in ws), max(w.bbox.x1 for w in ws)


def candidate_blocks(words: list[Word]) -> list[list[Word]]:
    """Runs of consecutive lines that split into several phrases (cells), allowing a few
    one-phrase lines inside (section titles, wrapped labels); dot leaders come along."""
    content = [w for w in words if not w.leader and w.text.strip() and w.upright]
    leaders = [w for w in words if w.leader]
    em = line_height(content)
    blocks: list[list[list[Word]]] = []
    current: list[list[Word]] = []
    singles = 0  # one-phrase lines at the end of `current`
    left = 0.0
    for line in text_lines(content):
        multi = len(phrases(line, em)) >= 2
        gap = min(w.bbox.y0 for w in line) - max(w.bbox.y1 for w in current[-1]) if current else 0.0
        # A one-phrase line well right of the block's left edge sits in a later column
        # (a list inside a cell); one at the left edge may be prose, so only a few pass.
        inner = bool(current) and line[0].bbox.x0 > left + 2 * em
        limit = MAX_INNER_LINES if inner else MAX_SINGLE_LINES
        if current and (gap > BLOCK_GAP_EM * em or (not multi and singles >= limit)):
            blocks.append(current)
            current, singles = [], 0
        if multi or current:
            left = line[0].bbox.x0 if not current else min(left, line[0].bbox.x0)
            current.append(line)
            singles = 0 if multi else singles + 1
    if current:
        blocks.append(current)
    out = []
    for lines in blocks:
        if len(lines) < MIN_ROWS:
            continue
        ws = [w for line in lines for w in line]
        box = BBox.around([w.bbox for w in ws])
        out.append(ws + [w for w in leaders if w.within(box, 0.0)])
    return out


def stacked_tables(
    words: list[Word], detect: Callable[[list[Word]], Table | None]
) -> list[tuple[list[Word], Table]]:
    """`detect` run on each candidate block; two tables with the same columns, apart by
    a wider gap and a section title or two, are one table (detected again as one)."""
    em = line_height(words)
    found: list[tuple[list[Word], Table]] = []
    for block, table in _detected(candidate_blocks(words), detect):
        if found and found[-1][1].cols == table.cols:
            above = found[-1][0]
            top, bottom = max(w.bbox.y1 for w in above), min(w.bbox.y0 for w in block)
            between = [w for w in words if top < w.cy < bottom]
            if (
                bottom - top <= MERGE_GAP_EM * em
                and len(text_lines([w for w in between if not w.leader])) <= MAX_SINGLE_LINES
            ):
                merged = detect(above + between + block)
                if merged is not None and merged.cols == table.cols:
                    found[-1] = (above + between + block, merged)
                    continue
        found.append((block, table))
    return found


def _detected(
    blocks: list[list[Word]], detect: Callable[[list[Word]], Table | None]
) -> list[tuple[list[Word], Table]]:
    """The blocks that are tables; a block that is none as a whole is tried again in its
    parts between line gaps far wider than its line pitch (a table run on into the
    footnotes and two-column prose below it, each line of which splits in two)."""
    out = []
    for block in blocks:
        table = detect(block)
        if table is not None:
            out.append((block, table))
            continue
        for part in _parts(block):
            table = detect(part)
            if table is not None:
                out.append((part, table))
    return out


def _parts(block: list[Word]) -> list[list[Word]]:
    """A block's words split where the gap to the next line is over FAR_GAP line pitches;
    parts of fewer than MIN_ROWS lines are left out. One part: none (nothing new)."""
    lines = text_lines(block)
    if len(lines) < 2 * MIN_ROWS:
        return []
    tops = [min(w.bbox.y0 for w in line) for line in lines]
    pitch = statistics.median(b - a for a, b in itertools.pairwise(tops))
    parts: list[list[list[Word]]] = [[lines[0]]]
    for line, gap in zip(lines[1:], itertools.pairwise(tops), strict=True):
        if gap[1] - gap[0] > FAR_GAP * pitch:
            parts.append([])
        parts[-1].append(line)
    if len(parts) < 2:
        return []
    return [[w for line in part for w in line] for part in parts if len(part) >= MIN_ROWS]


def _wrapped_head_top(lines: list[list[list[Word]]], em: float) -> bool:
    """Is the top line's one phrase stacked on a phrase of the head line under it, both
    a few words (a head's pieces; a letterhead's name over its address is no head)?"""
    return (
        len(lines) >= 2
        and len(lines[1]) >= 2
        and len(lines[0][0]) <= HEAD_PIECE_WORDS
        and any(
            len(phrase) <= HEAD_PIECE_WORDS and stacked_on(lines[0][0], phrase, em)
            for phrase in lines[1]
        )
    )


def _group_head(lines: list[list[list[Word]]]) -> bool:
    """Is the top line one phrase centred over two or more phrases of the next line?"""
    if len(lines) < 2 or len(lines[0]) != 1 or len(lines[1]) < 2:
        return False
    a, b = x_span(lines[0][0])
    lo, hi = x_span([w for phrase in lines[1] for w in phrase])
    return b - a < hi - lo and centred_over((a, b), (lo, hi), GROUP_CENTRED)


def _top(words: list[Word]) -> float:
    return min(w.bbox.y0 for w in words)


def stacked_on(
    upper: list[Word], lower: list[Word], em: float, around: tuple[float, float] | None = None
) -> bool:
    """Is `upper` the line above `lower` in one wrapped column head: close over it (a
    line's gap) and flush with it at the left or the right ('Combined' over 'weighted
    school' over 'participation', set flush right), or centred on it ('Инвентарный' over
    'номер'), unless as centred on `around`, the heads beside `lower` too (a group's
    head over three columns is centred on the middle one's)?"""
    (a, b), (lo, hi) = x_span(upper), x_span(lower)
    # Letters' boxes may touch or overlap by a descender between wrapped lines.
    gap = _top(lower) - max(w.bbox.y1 for w in upper)
    if not (-STACK_GAP * em <= gap <= STACK_GAP * em and _top(upper) < _top(lower)):
        return False
    middle, near = (a + b) / 2, STACK_FLUSH * em
    centred = abs(middle - (lo + hi) / 2) <= near and not (
        around is not None and abs(middle - sum(around) / 2) <= near
    )
    return abs(a - lo) <= near or abs(b - hi) <= near or centred


def centred_over(span: tuple[float, float], under: tuple[float, float], share: float) -> bool:
    """Does `span`'s middle stand within `share` of `under`'s width of `under`'s middle?"""
    (a, b), (lo, hi) = span, under
    return abs((a + b) / 2 - (lo + hi) / 2) <= share * (hi - lo)


def _heads_columns(line: list[list[Word]], below: list[list[Word]]) -> bool:
    """Does `line` stand over the columns of the line below, a phrase over each of most
    of its phrases: a table's head row, set apart by the space under a head rule, not a
    running head?"""
    spans = [x_span(p) for p in below]
    over = sum(any(a < x1 and x0 < b for x0, x1 in spans) for a, b in map(x_span, line))
    return len(line) >= HEAD_PHRASES and over >= HEAD_SHARE * len(line)


def trim_lines(
    lines: list[list[list[Word]]], em: float, framed: bool = False
) -> list[list[list[Word]]]:
    """Drop one-phrase lines at the top (titles) and, at the bottom, those at the left
    edge (notes) or of a few characters (page numbers), and lines set apart by a gap far
    wider than the line pitch (a running head, footnotes), unless the line at the top
    heads the columns below it. Inside a table's rules (`framed`) a phrase centred over
    the columns of the line below is their group's head ('Year Ended'); anywhere, one
    stacked on a phrase of it is the top of a wrapped column head ('Combined'): no
    title."""
    while True:
        while (
            lines
            and len(lines[0]) < 2
            and not ((framed and _group_head(lines)) or _wrapped_head_top(lines, em))
        ):
            lines = lines[1:]
        left = min((line[0][0].bbox.x0 for line in lines), default=0.0)
        while (
            lines
            and len(lines[-1]) < 2
            and (lines[-1][0][0].bbox.x0 <= left + 2 * em or len(join_text(lines[-1][0])) <= 4)
        ):
            lines = lines[:-1]
        if len(lines) < MIN_ROWS:
            return lines
        tops = [min(w.bbox.y0 for p in line for w in p) for line in lines]
        pitch = statistics.median(b - a for a, b in itertools.pairwise(tops))
        if tops[1] - tops[0] > FAR_GAP * pitch and not _heads_columns(lines[0], lines[1]):
            lines = lines[1:]
        elif tops[-1] - tops[-2] > FAR_GAP * pitch:
            lines = lines[:-1]
        else:
            return lines
