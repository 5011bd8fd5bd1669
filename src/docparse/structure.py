"""Document structure on any route: reading order by recursive XY-cut, and running
headers, footers and page numbers found by their place and their repetition across pages."""

from __future__ import annotations

import re
from collections import Counter
from difflib import SequenceMatcher

from docparse.model import Block, Label, Page, PageStatus

OUTER = 0.2  # running heads and folios sit in the outer fifth of the page…
EDGE = 0.08  # …and anything in the outer 8% is a candidate even if not the outermost
SIMILAR = 0.85  # running heads read by OCR on two pages agree at least this much
SET_APART = 2.0  # a lone edge line this many of its heights from the rest is furniture
_PAGE_NUMBER = re.compile(
    r"^[-–—\s]*(?:(?:page|p\.|стр\.?|страница|с\.)\s*)?(\d{1,4}|[ivxlcdm]{1,6})"
    r"(?:\s*(?:of|из|/)\s*\d{1,4})?[-–—\s]*$", re.IGNORECASE)
_DIGITS = re.compile(r"\d+")
_FOLIO_AT_END = re.compile(r"^\d{1,4}\s+\S|\S\s+\d{1,4}$")
_SPACES = re.compile(r"\s+")
_CAPTION = re.compile(r"^(fig(ure)?\.?|table|tab\.|chart|рис(унок)?\.?|таблица|табл\.|схема|"
                      r"диаграмма)\s*[\dIVX]+[.:\s]", re.IGNORECASE)
_FOOTNOTE_MARK = re.compile(r"^([*†‡§¹²³⁴⁵⁶⁷⁸⁹⁰]|\d{1,2}[\s).]|\[\d{1,2}\])")
FIGURES_AND_TABLES = frozenset({Label.image, Label.chart, Label.table})
MARGIN, SIDEWAYS, MIN_ASIDE_CHARS = 0.12, 4.0, 10  # outer share of the width; height/width
TALL_COLUMN = 0.5  # columns that touch are split only when each runs this share of the height
CAPTION_GAP = 3.0  # a caption sits within this many of its line heights of its figure
FOOTNOTE_ZONE = 0.3  # footnotes sit in the bottom part of the page…
FOOTNOTE_SIZE = 0.9  # …in text smaller than the body…
MIN_FOOTNOTE_WORDS = 3  # …and say something: "2 =" is a piece of a formula
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
        gaps = [min(b.bbox.y0 for b in bands[i + 1]) - max(b.bbox.y1 for b in bands[i])
                for i in range(len(bands) - 1)]
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
    spans = sorted(((b.bbox.x0, b.bbox.x1) if axis == 0 else (b.bbox.y0, b.bbox.y1), i)
                   for i, b in enumerate(blocks))
    groups: list[list[Block]] = [[]]
    reach = spans[0][0][1]
    for (start, end), index in spans:
        if groups[-1] and start - reach >= min_gap:
            groups.append([])
        groups[-1].append(blocks[index])
        reach = max(reach, end)
    return groups


def place_captions(blocks: list[Block]) -> list[Block]:
    """Captions ('Figure 2.', 'Таблица 1') labelled and read right after the picture or
    table they sit next to (above or below it, overlapping it across)."""
    targets = [b for b in blocks if b.label in FIGURES_AND_TABLES]
    if not targets:
        return blocks
    owner: dict[int, Block] = {}
    for block in blocks:
        named = block.label == Label.text and _CAPTION.match(block.text.strip())
        if block.label != Label.figure_title and not named:
            continue
        size = block.lines[0].text_size if block.lines else block.bbox.height
        near = [(max(t.bbox.y0 - block.bbox.y1, block.bbox.y0 - t.bbox.y1), i)
                for i, t in enumerate(targets)
                if t.bbox.x0 < block.bbox.x1 and block.bbox.x0 < t.bbox.x1]
        if near and min(near)[0] <= CAPTION_GAP * size:
            owner[id(block)] = targets[min(near)[1]]
            block.label = Label.figure_title  # "Figure 9 shows…" far from it stays text
    if not owner:
        return blocks
    ordered = [b for b in blocks if id(b) not in owner]
    for caption in (b for b in blocks if id(b) in owner):
        at = next(i for i, b in enumerate(ordered) if b is owner[id(caption)])
        while at + 1 < len(ordered) and id(ordered[at + 1]) in owner and \
                owner[id(ordered[at + 1])] is owner[id(caption)]:
            at += 1  # after the captions of the same figure already placed
        ordered.insert(at + 1, caption)
    return ordered


def mark_margin_text(blocks: list[Block], width: float) -> None:
    """A line running up or down the outer margin ('Downloaded from … on 24 October 2020'
    stamped along the edge) is aside text: kept in JSON, left out of Markdown."""
    for block in blocks:
        box = block.bbox
        if block.label in (Label.text, Label.paragraph_title) and \
                len(block.text) >= MIN_ASIDE_CHARS and box.height > SIDEWAYS * box.width and \
                (box.x1 <= MARGIN * width or box.x0 >= (1 - MARGIN) * width):
            block.label = Label.aside_text


def footnotes_last(blocks: list[Block], height: float) -> list[Block]:
    """Small print at the foot of the page that starts with a note mark ('1 See…', '*')
    is a footnote: labelled, and read after the page's text."""
    sizes = sorted(ln.text_size for b in blocks if b.label == Label.text for ln in b.lines)
    if len(sizes) < 3:
        return blocks
    body = sizes[len(sizes) // 2]
    notes = [b for b in blocks if b.label == Label.text and b.lines
             and b.bbox.y0 >= (1 - FOOTNOTE_ZONE) * height
             and max(ln.text_size for ln in b.lines) <= FOOTNOTE_SIZE * body
             and _FOOTNOTE_MARK.match(b.text.strip())
             and len(_WORD.findall(b.text)) >= MIN_FOOTNOTE_WORDS]
    for note in notes:
        note.label = Label.footnote
    moved = {id(b) for b in notes}
    return [b for b in blocks if id(b) not in moved] + notes


def _signature(text: str) -> str:
    """Running heads differ by page number only: compare them with digits masked."""
    return _SPACES.sub(" ", _DIGITS.sub("#", text.casefold())).strip()


def _bands(page: Page) -> dict[int, str]:
    """Blocks that may be page furniture: the topmost and bottommost block, and any block
    in the outer 8% of the page, as long as they sit in the outer fifth of it."""
    found: dict[int, str] = {}
    texts = [b for b in page.blocks if b.text]
    if not texts:
        return found
    top = min(texts, key=lambda b: b.bbox.y0)
    bottom = max(texts, key=lambda b: b.bbox.y1)
    for block in texts:
        if block.bbox.y1 <= page.height * OUTER and (
                block is top or block.bbox.y1 <= page.height * EDGE):
            found[id(block)] = "top"
        elif block.bbox.y0 >= page.height * (1 - OUTER) and (
                block is bottom or block.bbox.y0 >= page.height * (1 - EDGE)):
            found[id(block)] = "bottom"
    return found


def _similar(a: str, b: str) -> bool:
    if a == b:
        return True
    if abs(len(a) - len(b)) > 0.2 * max(len(a), len(b)):
        return False
    matcher = SequenceMatcher(None, a, b)  # the quick upper bound first: most pairs differ
    return matcher.quick_ratio() >= SIMILAR and matcher.ratio() >= SIMILAR


def _set_apart(block: Block, page: Page) -> bool:
    """A one-line block at the very edge, set in text no larger than the body and far from
    everything else: a letterhead or a footer line, even on a one-page document."""
    if len(block.lines) > 1 or "\n" in block.text or len(block.text) > 120:
        return False
    sizes = sorted([ln.text_size for b in page.blocks for ln in b.lines] or
                   [b.bbox.height for b in page.blocks if b.text])
    size = block.lines[0].text_size if block.lines else block.bbox.height
    if not sizes or size > 1.05 * sizes[len(sizes) // 2]:
        return False
    others = [b for b in page.blocks if b is not block and b.text]
    if not others:
        return False
    gap = min(max(o.bbox.y0 - block.bbox.y1, block.bbox.y0 - o.bbox.y1) for o in others)
    edge = min(block.bbox.y0, page.height - block.bbox.y1)
    return gap >= SET_APART * size and edge <= EDGE * page.height


def _looks_like_running_head(text: str) -> bool:
    """'2.1. INTRODUCTION 103': a short capitalised line with the folio at one end."""
    text = text.strip()
    letters = [c for c in text if c.isalpha()]
    return (len(text) <= 80 and "\n" not in text and len(letters) >= 4
            and sum(c.isupper() for c in letters) >= 0.8 * len(letters)
            and bool(_FOLIO_AT_END.search(text)))


def mark_furniture_pages(all_pages: list[Page]) -> None:
    """Label page numbers, and text that repeats in the top or bottom band of several
    pages, as number / header / footer: kept in JSON, left out of Markdown."""
    pages = [p for p in all_pages if p.status == PageStatus.ok]
    bands = {id(page): _bands(page) for page in pages}
    # Per page, the band candidates' signatures; OCR misreads a letter here and there, so
    # a head repeats when another page has one close enough.
    per_page = [{(band, _signature(b.text)) for b in page.blocks
                 if (band := bands[id(page)].get(id(b)))} for page in pages]
    seen: Counter[tuple[str, str]] = Counter()
    for i, keys in enumerate(per_page):
        for band, sig in keys:
            seen[(band, sig)] = 1 + sum(
                any(b == band and _similar(sig, other) for b, other in others)
                for j, others in enumerate(per_page) if j != i)
    # Odd and even pages often carry different heads: a third of the pages is enough.
    needed = max(2, round(len(pages) * 0.3))
    for page in pages:
        for block in page.blocks:
            band = bands[id(page)].get(id(block))
            if not band or block.label not in (Label.text, Label.paragraph_title,
                                               Label.doc_title, Label.footnote):
                continue
            if _PAGE_NUMBER.match(block.text.strip()):
                block.label = Label.number
            elif (len(pages) >= 2 and seen[(band, _signature(block.text))] >= needed) or \
                    _looks_like_running_head(block.text) or _set_apart(block, page):
                block.label = Label.header if band == "top" else Label.footer
