"""Page furniture: running headers, footers and page numbers found by their place and
their repetition across pages (or, on a page alone, by several cues agreeing), and text
stamped up the outer margin."""

from __future__ import annotations

import functools
import itertools
import re
import statistics
from collections import Counter
from difflib import SequenceMatcher

from docparse.document import Block, Label, Page, PageStatus

OUTER = 0.2  # running heads and folios sit in the outer fifth of the page…
EDGE = 0.08  # …and anything in the outer 8% is a candidate even if not the outermost
SIMILAR = 0.85  # running heads read by OCR on two pages agree at least this much
SET_APART = 2.0  # a lone edge line this many of its heights from the rest is furniture
_PAGE_NUMBER = re.compile(
    r"^[-–—\s]*(?:(?:page|p\.|стр\.?|страница|с\.)\s*)?(\d{1,4}|[ivxlcdm]{1,6})"
    r"(?:\s*(?:of|из|/)\s*\d{1,4})?[-–—\s]*$",
    re.IGNORECASE,
)
# What a lone head or footer says: an address, a copyright, a document or form code.
_FURNITURE_TEXT = re.compile(
    r"https?://|www\.|\bdoi\b|\bissn\b|\bisbn\b|\S@\S|©|\(c\)\s|copyright|all rights reserved"
    r"|\b(?:гост|ост|сто|снип|iso|iec|din|astm)\b[^\n]{0,12}\d"
    r"|\b(?:форма|form|окуд|окпо)\b[^\n]{0,12}\d"
    r"|\b(?:page|стр\.?|страница|лист|sheet)\s*\d+\s*(?:of|из|/)\s*\d+",
    re.IGNORECASE,
)
_NOTE_MARK = re.compile(r"^\s*([*†‡§¹²³⁴⁵⁶⁷⁸⁹⁰]|\d{1,2}\)?\s+\S|\[\d{1,2}\])")
SMALL_TYPE = 0.92  # set smaller than the body's median line
SPACED, PARAGRAPHS_APART = 2.0, 1.25  # a head's gap: past twice the line gap, past paragraphs'
LINE_GAP = 0.25  # of the text size: the gap between lines when no paragraph shows it
_DIGITS = re.compile(r"\d+")
_FOLIO_AT_END = re.compile(r"^\d{1,4}\s+\S|\S\s+\d{1,4}$")
_SPACES = re.compile(r"\s+")
MARGIN, SIDEWAYS, MIN_ASIDE_CHARS = 0.12, 4.0, 10  # outer share of the width; height/width


def mark_margin_text(blocks: list[Block], width: float) -> None:
    """A line running up or down the outer margin ('Downloaded from … on 24 October 2020'
    stamped along the edge) is aside text: kept in JSON, left out of Markdown."""
    for block in blocks:
        box = block.bbox
        if (
            block.label in (Label.text, Label.paragraph_title)
            and len(block.text) >= MIN_ASIDE_CHARS
            and box.height > SIDEWAYS * box.width
            and (box.x1 <= MARGIN * width or box.x0 >= (1 - MARGIN) * width)
        ):
            block.label = Label.aside_text


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
            block is top or block.bbox.y1 <= page.height * EDGE
        ):
            found[id(block)] = "top"
        elif block.bbox.y0 >= page.height * (1 - OUTER) and (
            block is bottom or block.bbox.y0 >= page.height * (1 - EDGE)
        ):
            found[id(block)] = "bottom"
    return found


def _similar(a: str, b: str) -> bool:
    if a == b:
        return True
    return _close(a, b) if a < b else _close(b, a)


@functools.lru_cache(maxsize=4096)  # every page's heads are held against every other's
def _close(a: str, b: str) -> bool:
    if abs(len(a) - len(b)) > 0.2 * max(len(a), len(b)):
        return False
    matcher = SequenceMatcher(None, a, b)  # the quick upper bound first: most pairs differ
    return matcher.quick_ratio() >= SIMILAR and matcher.ratio() >= SIMILAR


def _set_apart(block: Block, page: Page) -> bool:
    """A one-line block at the very edge, set in text no larger than the body and far from
    everything else: a letterhead or a footer line, even on a one-page document."""
    if len(block.lines) > 1 or "\n" in block.text or len(block.text) > 120:
        return False
    sizes = sorted(
        [ln.text_size for b in page.blocks for ln in b.lines]
        or [b.bbox.height for b in page.blocks if b.text]
    )
    size = block.lines[0].text_size if block.lines else block.bbox.height
    if not sizes or size > 1.05 * sizes[len(sizes) // 2]:
        return False
    others = [b for b in page.blocks if b is not block and b.text]
    if not others:
        return False
    gap = min(max(o.bbox.y0 - block.bbox.y1, block.bbox.y0 - o.bbox.y1) for o in others)
    edge = min(block.bbox.y0, page.height - block.bbox.y1)
    return gap >= SET_APART * size and edge <= EDGE * page.height


def _same_row(a: Block, b: Block) -> bool:
    overlap = min(a.bbox.y1, b.bbox.y1) - max(a.bbox.y0, b.bbox.y0)
    return a is b or overlap >= 0.5 * min(a.bbox.height, b.bbox.height)


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def _body_spacing(page: Page, heads: set[int]) -> tuple[float, float]:
    """The body's text size and the least gap a head or footer keeps from it: wider than
    twice the gap between the body's lines and than the gaps between its paragraphs."""
    body = [b for b in page.blocks if b.text and id(b) not in heads]
    size = _median([ln.text_size for b in page.blocks for ln in b.lines]) or 0.0
    line_gaps = [
        ln.bbox.y0 - prev.bbox.y1
        for b in body
        for prev, ln in itertools.pairwise(b.lines)
        if ln.bbox.y0 > prev.bbox.y1 and ln.bbox.x0 < prev.bbox.x1 and prev.bbox.x0 < ln.bbox.x1
    ]
    stacked = sorted(body, key=lambda b: b.bbox.y0)
    block_gaps = [
        b.bbox.y0 - a.bbox.y1
        for a, b in itertools.pairwise(stacked)
        if b.bbox.y0 > a.bbox.y1 and b.bbox.x0 < a.bbox.x1 and a.bbox.x0 < b.bbox.x1
    ]
    line_gap = _median(line_gaps) or LINE_GAP * size
    return size, max(SPACED * line_gap, PARAGRAPHS_APART * (_median(block_gaps) or 0.0))


def _lone_head(block: Block, page: Page, band: str, size: float, apart: float) -> bool:
    """A head or footer on a page with nothing to repeat it: one short line at the top or
    foot, no larger and no bolder than the body (a title there is a heading), further
    from the body than its paragraphs are from each other; set smaller than the body or
    reading like furniture (a document code, an address, a copyright, 'Page 2 of 5');
    and at the very edge or far apart. A footnote is the document's text: nothing at
    the foot that starts with a note mark."""
    if (
        len(block.lines) != 1
        or len(block.text) > 120
        or block.label == Label.footnote
        or (band == "bottom" and _NOTE_MARK.match(block.text))
        or not size
    ):
        return False
    line = block.lines[0]
    # The body, that is: not the rest of the row (a folio at its other end), no folio.
    others = [
        b
        for b in page.blocks
        if b.text and not _same_row(b, block) and not _PAGE_NUMBER.match(b.text.strip())
    ]
    if line.bold or line.text_size > 1.05 * size or not others:
        return False
    gap = min(max(o.bbox.y0 - block.bbox.y1, block.bbox.y0 - o.bbox.y1) for o in others)
    if gap < apart:
        return False
    small = line.text_size <= SMALL_TYPE * size
    reads = bool(_FURNITURE_TEXT.search(block.text))
    edge = min(block.bbox.y0, page.height - block.bbox.y1) <= EDGE * page.height
    far = gap >= SET_APART * line.text_size
    return (small or reads) and (edge or far)


def _looks_like_running_head(text: str) -> bool:
    """'2.1. INTRODUCTION 103': a short capitalised line with the folio at one end."""
    text = text.strip()
    letters = [c for c in text if c.isalpha()]
    return (
        len(text) <= 80
        and "\n" not in text
        and len(letters) >= 4
        and sum(c.isupper() for c in letters) >= 0.8 * len(letters)
        and bool(_FOLIO_AT_END.search(text))
    )


def mark_furniture_pages(all_pages: list[Page]) -> None:
    """Label page numbers, and text that repeats in the top or bottom band of several
    pages, as number / header / footer: kept in JSON, left out of Markdown."""
    pages = [p for p in all_pages if p.status == PageStatus.ok]
    bands = {id(page): _bands(page) for page in pages}
    # Per page, the band candidates' signatures; OCR misreads a letter here and there, so
    # a head repeats when another page has one close enough.
    per_page = [
        {(band, _signature(b.text)) for b in page.blocks if (band := bands[id(page)].get(id(b)))}
        for page in pages
    ]
    seen: Counter[tuple[str, str]] = Counter()
    for i, keys in enumerate(per_page):
        for band, sig in keys:
            seen[(band, sig)] = 1 + sum(
                any(b == band and _similar(sig, other) for b, other in others)
                for j, others in enumerate(per_page)
                if j != i
            )
    # Odd and even pages often carry different heads: a third of the pages is enough.
    needed = max(2, round(len(pages) * 0.3))
    spacing = {id(page): _body_spacing(page, set(bands[id(page)])) for page in pages}
    for page in pages:
        for block in page.blocks:
            band = bands[id(page)].get(id(block))
            if not band or block.label not in (
                Label.text,
                Label.paragraph_title,
                Label.doc_title,
                Label.footnote,
            ):
                continue
            if _PAGE_NUMBER.match(block.text.strip()):
                block.label = Label.number
            elif (
                (len(pages) >= 2 and seen[(band, _signature(block.text))] >= needed)
                or _looks_like_running_head(block.text)
                or _set_apart(block, page)
                or _lone_head(block, page, band, *spacing[id(page)])
            ):
                block.label = Label.header if band == "top" else Label.footer
