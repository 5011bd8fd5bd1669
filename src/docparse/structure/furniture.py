"""Page furniture: running headers, footers and page numbers found by their place and
their repetition across pages, and text stamped up the outer margin."""

from __future__ import annotations

import re
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
            ):
                block.label = Label.header if band == "top" else Label.footer
