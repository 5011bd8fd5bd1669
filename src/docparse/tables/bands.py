"""Tables drawn with horizontal rules only (LaTeX's booktabs, journal tables): three or
more rules of one width, a top rule, one under the header and a bottom rule, and no
rule down the page. The rules prove a table where word alignment alone would not: a
table whose rows hold a group heading, a sub-table or a lone figure is sparse, and the
borderless search wants most rows full."""

from __future__ import annotations

import itertools
import re

from docparse.document import BBox
from docparse.tables.lines import text_lines
from docparse.tables.model import Word
from docparse.tables.ruling import Segment

MIN_RULE_SHARE = 0.2  # of the page width: a column's table, not an underline
SAME_EDGE = 0.02  # of the page width: the rules of one table start and end together
MIN_RULES = 3
MAX_HEAD_WORDS, HEAD_CLEARANCE = 4, 1.0  # a group's head on the top rule: words, heights
_CAPTION = re.compile(r"^\s*(?:table|tab\.|таблица|табл\.)\s*[\dIVXA-Z]", re.IGNORECASE)


def rule_bands(h_lines: list[Segment], width: float, words: list[Word]) -> list[BBox]:
    """Boxes from the first to the last of three or more long rules that start and end
    together (page pixels), cut where a table's title stands between two of them: tables
    stacked down a page share their rules' ends. A rule runs left to right; on a skewed
    scan its ends stand at different heights."""
    tol = SAME_EDGE * width
    groups: list[list[Segment]] = []
    for rule in sorted(
        (s for s in h_lines if s[2] - s[0] >= MIN_RULE_SHARE * width), key=lambda s: s[1] + s[3]
    ):
        ends = rule[0], rule[2]
        group = next((g for g in groups if _apart(g[-1], ends) <= tol), None)
        if group is None:
            groups.append([rule])
        else:
            group.append(rule)
    return [
        BBox(
            x0=min(s[0] for s in band),
            y0=min(min(s[1], s[3]) for s in band),
            x1=max(s[2] for s in band),
            y1=max(max(s[1], s[3]) for s in band),
        )
        for group in groups
        for band in _cut_at_titles(group, words)
        if len(band) >= MIN_RULES
    ]


def with_head_above(band: BBox, words: list[Word]) -> BBox:
    """`band` raised over a group's head set on its first rule ('Year Ended' over the
    rule that spans a statement's year columns): one short line, no caption, within the
    rules' width and standing on the top rule, less than its height above it."""
    above = [w for w in words if w.bbox.y1 <= band.y0 and w.cy > band.y0 - 3 * w.bbox.height]
    lines = text_lines(above)
    if not lines:
        return band
    head = max(lines, key=lambda ln: max(w.bbox.y1 for w in ln))
    height = max(w.bbox.height for w in head)
    if (
        len(head) > MAX_HEAD_WORDS
        or band.y0 - max(w.bbox.y1 for w in head) > HEAD_CLEARANCE * height
        or min(w.bbox.x0 for w in head) < band.x0
        or max(w.bbox.x1 for w in head) > band.x1
        or is_caption(" ".join(w.text for w in head))
    ):
        return band
    return BBox(x0=band.x0, y0=min(w.bbox.y0 for w in head), x1=band.x1, y1=band.y1)


def with_row_labels(band: BBox, words: list[Word]) -> BBox:
    """`band` widened left over its rows' labels: a statement's rules run under its
    figure columns only, and its labels stand far left of them, on the rows' lines. Only
    when every line with words left of the band has words inside it too: a column of
    prose beside a table keeps lines of its own."""
    lines = text_lines([w for w in words if band.y0 < w.cy < band.y1])
    left = [ln for ln in lines if any(w.bbox.x1 <= band.x0 for w in ln)]
    if not left or not all(any(w.cx > band.x0 for w in ln) for ln in left):
        return band
    return BBox(x0=min(w.bbox.x0 for ln in left for w in ln), y0=band.y0, x1=band.x1, y1=band.y1)


def cut_from_rows(band: BBox, words: list[Word]) -> bool:
    """Do most of the lines within `band` run on left of it, and it was not widened over
    them? Its rules were seen under part of a wider table's rows only (a scan's faint row
    rules, found on its right half): the band alone would cut each row in two tables."""
    lines = text_lines([w for w in words if band.y0 < w.cy < band.y1])
    inside = [ln for ln in lines if any(w.cx > band.x0 for w in ln)]
    cut = [ln for ln in inside if any(w.bbox.x1 <= band.x0 for w in ln)]
    return bool(inside) and 2 * len(cut) > len(inside)


def _apart(rule: Segment, ends: tuple[float, float]) -> float:
    """How far the rule's left and right ends are from `ends`, the further of the two."""
    return max(abs(rule[0] - ends[0]), abs(rule[2] - ends[1]))


def _cut_at_titles(rules: list[Segment], words: list[Word]) -> list[list[Segment]]:
    """The rules in runs, a new run after each gap that holds a table's title."""
    runs: list[list[Segment]] = [[rules[0]]]
    x0, x1 = rules[0][0], rules[0][2]
    for above, below in itertools.pairwise(rules):
        top, bottom = max(above[1], above[3]), min(below[1], below[3])
        between = [w for w in words if top < w.cy < bottom and x0 <= w.cx <= x1]
        if any(is_caption(" ".join(w.text for w in line)) for line in text_lines(between)):
            runs.append([])
        runs[-1].append(below)
    return runs


def is_caption(text: str) -> bool:
    """'Table 2 Development and …': a table's title drawn inside its top rules."""
    return bool(_CAPTION.match(text))
