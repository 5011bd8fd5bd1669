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

from docparse.document import FURNITURE_LABELS, Block, Label, Page, PageStatus

OUTER = 0.2  # running heads and folios sit in the outer fifth of the page…
EDGE = 0.08  # …and anything in the outer 8% is a candidate even if not the outermost
SIMILAR = 0.85  # running heads read by OCR on two pages agree at least this much
SET_APART = 1.5  # small and a head's words: this many of its heights from the body is apart
# A folio: '12', 'xiv', 'Page 3 of 5', a chapter's page '7-45' or '3 - 2', an
# appendix's or summary's 'A-3', 'ES-7', a gazette's '47698'.
_PAGE_NUMBER = re.compile(
    r"^[-–—\s]*(?:(?:page|p\.|стр\.?|страница|с\.)\s*)?"
    r"(\d{1,5}|\d{1,2}\s?[-–]\s?\d{1,3}|[a-z]{1,3}-\d{1,3}|[ivxlcdm]{1,6})"
    r"(?:\s*(?:of|из|/)\s*\d{1,4})?[-–—\s]*$",
    re.IGNORECASE,
)
# What a publisher's head or footer says, bold or not: an address, a copyright, a
# journal's volume and issue ('Vol. 85, No. 152', 'Том 5, № 3'), a repository's
# download stamp ('Download date: 28 Dec 2018', 'Downloaded from …').
_PUBLISHER_TEXT = (
    r"https?://|www\.|\bdoi\b|\bissn\b|\bisbn\b|\S@\S|©|\(c\)\s|copyright|all rights reserved"
    r"|\bdownload(?:ed)?\s+(?:date|from|by|on)\b"
    r"|\b(?:vol|volume|том|т)\.?\s*\d+\s*[,.;]?\s*(?:no|nr|issue|iss|№|n|вып)\.?\s*\d+"
)
_PUBLISHED = re.compile(_PUBLISHER_TEXT, re.IGNORECASE)
# What a lone head or footer says: that, or a document or form code.
_FURNITURE_TEXT = re.compile(
    _PUBLISHER_TEXT + r"|\b(?:гост|ост|сто|снип|iso|iec|din|astm)\b[^\n]{0,12}\d"
    r"|\b(?:форма|form|окуд|окпо)\b[^\n]{0,12}\d"
    r"|\b(?:page|стр\.?|страница|лист|sheet)\s*\d+\s*(?:of|из|/)\s*\d+",
    re.IGNORECASE,
)
# A document's status marked on every page, the whole line: 'Contains Nonbinding
# Recommendations' (FDA guidance), 'Draft — Not for Implementation', 'CONFIDENTIAL',
# 'Для служебного пользования'. A heading 'Confidential Information' is no marking.
_MARKING = re.compile(
    r"(?:contains\s+non-?\s?binding\s+recommendations"
    r"|(?:preliminary\s+)?draft(?:\s*[-–—:]?\s*not\s+for\s+(?:implementation|citation))?"
    r"|(?:company|strictly|business|highly)?\s*confidential|proprietary(?:\s+and\s+confidential)?"
    r"|(?:for\s+)?(?:official|internal)\s+use\s+only|not\s+for\s+(?:distribution|publication)"
    r"|do\s+not\s+(?:distribute|cite)|для\s+служебного\s+пользования|конфиденциально"
    r"|коммерческая\s+тайна)",
    re.IGNORECASE,
)
# What names a document's revision or number: a page or a date alone does not (an
# order's 'Order No. 15   Date 12/03/2024   Moscow', a total 'for page 1').
_CONTROL = re.compile(
    r"\b(?:rev|revision|ver|version|edition|doc|document|p/n|ред|редакция|изм|изменение|версия)\b",
    re.IGNORECASE,
)
_NOTE_MARK = re.compile(r"^\s*([*†‡§¹²³⁴⁵⁶⁷⁸⁹⁰]|\d{1,2}\)?\s+\S|\[\d{1,2}\])")
SMALL_TYPE = 0.92  # set smaller than the body's text
BODY_SIZE = 1.05  # no larger than the body: a line larger than this is a title…
HEADING_SIZE = 1.3  # …unless it reads like furniture; this large it is a heading anyway
SPREAD = 1.0  # a line this many of its em wide per character has its words set far apart
SPACED, PARAGRAPHS_APART = 2.0, 1.25  # a head's gap: past twice the line gap, past paragraphs'
LINE_GAP = 0.25  # of the text size: the gap between lines when no paragraph shows it
MIN_GAPS = 3  # gaps between blocks needed to tell how far apart paragraphs are
_DIGITS = re.compile(r"\d+")
_FOLIO_AT_END = re.compile(r"^\d{1,4}\s+\S|\S\s+\d{1,4}$")
# A running title and its folio at the two ends of one line: '446 Advocacy in Action',
# 'Transition in Turner syndrome, 2015, Vol. 113 55'. A number that a word or sign
# before it names ('№ 32115', 'Vol. 113', 'Приложение 2', 'Итого: 1500') is no folio.
_LEADING_FOLIO = re.compile(r"^(\d{1,4})\s+\S")
_TRAILING_FOLIO = re.compile(r"(\S+)\s+(\d{1,4})$")
_YEAR = re.compile(r"(?:19|20)\d\d$")  # 'Москва 2021' under a title page is its text
_NAMES_A_NUMBER = re.compile(
    r"(?:[№#:]|\b(?:n|no|nr|p|pp|vol|volume|issue|part|chapter|section|article|item|table"
    r"|fig|figure|appendix|annex|form|sheet|том|вып|выпуск|часть|глава|раздел|статья|пункт"
    r"|таблица|рис|рисунок|приложение|форма|лист|стр|с)\.?)$",
    re.IGNORECASE,
)
_SPACES = re.compile(r"\s+")
_WORDS = re.compile(r"[^\W\d_]{4,}")  # words long enough to be capitalised in a title
TITLED = 0.75  # of a running title's words start with a capital
_TITLES = (Label.paragraph_title, Label.doc_title)  # what the heading pass found large
_CANDIDATES = (Label.text, *_TITLES, Label.footnote)  # what may turn out a head or footer
_REQUISITES = re.compile(r"\b(?:ИНН|КПП|ОГРН|ОГРНИП|БИК)\s*(?:/\s*КПП\s*)?:?\s*\d{9}")
_MODEL_BANDS = {Label.header: "top", Label.footer: "bottom"}  # a layout model's heads
MARGIN, SIDEWAYS, MIN_ASIDE_CHARS = 0.12, 4.0, 10  # outer share of the width; height/width
# A margin column's running title and folio: short, in the page's top quarter, wholly
# beside the body's paragraphs (three lines or more, a third of the page wide).
SIDE_TOP, SIDE_MAX_CHARS, BODY_WIDTH = 0.25, 60, 0.3
MAX_STACK = 12  # candidates nearest each edge judged as a lone head
MIN_BODY_LINES = 3  # lines outside tables needed to tell the body's size
# A typed rule under a head: characters, its heights below it, times its width at least.
MIN_RULE_CHARS, RULE_GAP, RULE_WIDTH = 10, 1.5, 1.5
MIN_BODY_WORDS = 20  # a page with fewer (a poster, a cover) is all content: no lone heads
CONTROL_WORDS = 12  # words at most in a control line's three or more parts
CENTRED = 0.1  # of the page width: how far a centred folio's middle may stray, twice over


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
    # The outermost block, and the outermost with a word or figure in it: a stray dash
    # or dot above the running head (an OCR layer's speck) does not hide the head.
    worded = [b for b in texts if any(c.isalnum() for c in b.text)] or texts
    top = {id(min(blocks, key=lambda b: b.bbox.y0)) for blocks in (texts, worded)}
    bottom = {id(max(blocks, key=lambda b: b.bbox.y1)) for blocks in (texts, worded)}
    lowest = max(worded, key=lambda b: b.bbox.y1)
    top |= _folio_inside(min(worded, key=lambda b: b.bbox.y0), texts, "top")
    bottom |= _folio_inside(lowest, texts, "bottom")
    if _ends_short(lowest, texts, page.width):
        found[id(lowest)] = "bottom"
    for block in texts:
        if block.bbox.y1 <= page.height * OUTER and (
            id(block) in top or block.bbox.y1 <= page.height * EDGE
        ):
            found[id(block)] = "top"
        elif block.bbox.y0 >= page.height * (1 - OUTER) and (
            id(block) in bottom or block.bbox.y0 >= page.height * (1 - EDGE)
        ):
            found[id(block)] = "bottom"
    return found


def _ends_short(lowest: Block, texts: list[Block], width: float) -> bool:
    """The folio of a page whose text ends short, wherever it stands: a filing converted
    from HTML breaks its pages early and sets '62' centred under the last paragraph,
    the rest of the page white. A page number of up to three figures, alone, centred on
    the page and two of its heights clear of the text above it."""
    text, box = lowest.text.strip(), lowest.bbox
    above = [b.bbox.y1 for b in texts if b.bbox.y1 <= box.y0]
    return (
        _is_folio(text)
        and len(text) <= 3
        and abs(box.x0 + box.x1 - width) <= CENTRED * width
        and bool(above)
        and box.y0 - max(above) >= 2 * box.height
    )


def _folio_inside(outermost: Block, texts: list[Block], band: str) -> set[int]:
    """The next row in from the outermost block, when it is a folio alone: a page number
    over the publisher's line at the foot ('1' over 'Alderson Reporting Company')."""
    if band == "top":
        inside = [b for b in texts if b.bbox.y0 >= outermost.bbox.y1]
        nearest = min(inside, key=lambda b: b.bbox.y0, default=None)
    else:
        inside = [b for b in texts if b.bbox.y1 <= outermost.bbox.y0]
        nearest = max(inside, key=lambda b: b.bbox.y1, default=None)
    if nearest is None or not _is_folio(nearest.text):
        return set()
    alone = not any(b is not nearest and _same_row(b, nearest) for b in texts)
    return {id(nearest)} if alone else set()


def _side_blocks(page: Page) -> set[int]:
    """Blocks where some journals set the running title and folio: in the top quarter of
    a side margin, wholly left or right of every paragraph of the body (Emerald's 'ER
    29,2' over '162', 'Shift work interventions' over '163' on the facing page). A margin
    with more than two numbers in it numbers its lines: none of them is a folio."""
    body = [
        b.bbox
        for b in page.blocks
        if b.text and _line_count(b) >= 3 and b.bbox.width >= BODY_WIDTH * page.width
    ]
    if not body:
        return set()
    left, right = min(b.x0 for b in body), max(b.x1 for b in body)
    beside = [b for b in page.blocks if b.text and (b.bbox.x1 <= left or b.bbox.x0 >= right)]
    numbered = sum(_is_folio(b.text) for b in beside) > 2
    return {
        id(b)
        for b in beside
        if _line_count(b) <= 3
        and len(b.text) <= SIDE_MAX_CHARS
        and b.bbox.y1 <= SIDE_TOP * page.height
        and not (numbered and _is_folio(b.text))
    }


def _heads_a_side_folio(block: Block, page: Page) -> bool:
    """Is the next block below this margin block, in its column, the page's folio?"""
    box = block.bbox
    below = [
        b
        for b in page.blocks
        if b is not block
        and b.text
        and b.bbox.y0 >= box.y1
        and b.bbox.x0 < box.x1
        and box.x0 < b.bbox.x1
    ]
    return bool(below) and min(below, key=lambda b: b.bbox.y0).label == Label.number


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


def _same_row(a: Block, b: Block) -> bool:
    overlap = min(a.bbox.y1, b.bbox.y1) - max(a.bbox.y0, b.bbox.y0)
    return a is b or overlap >= 0.5 * min(a.bbox.height, b.bbox.height)


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def _line_count(block: Block) -> int:
    return len(block.lines) or block.text.strip().count("\n") + 1


def _body_size(page: Page) -> float:
    """The size most of the page's text is set in: the median line weighted by its
    letters, so a table's or a reference list's many short lines do not pass for the
    body. Without lines (a layout model's boxes), a block's height per line."""
    sized = [(ln.text_size, len(ln.text)) for b in page.blocks for ln in b.lines if ln.text]
    if not sized:
        sized = [(b.bbox.height / _line_count(b), 1) for b in page.blocks if b.text]
    if not sized:
        return 0.0
    sized.sort()
    half, seen = sum(n for _, n in sized) / 2, 0
    for size, letters in sized:
        seen += letters
        if seen >= half:
            return size
    return sized[-1][0]


def _body_spacing(page: Page, heads: set[int]) -> tuple[float, float]:
    """The body's text size and the least gap a head or footer keeps from it: wider than
    twice the gap between the body's lines and than the gaps between its paragraphs."""
    body = [b for b in page.blocks if b.text and id(b) not in heads]
    size = _body_size(page)
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
    # Two gaps say nothing of paragraphs: a table page's are caption-table and
    # table-notes, and their median kept its running foot from ever being apart.
    paragraph_gap = _median(block_gaps) if len(block_gaps) >= MIN_GAPS else 0.0
    return size, max(SPACED * line_gap, PARAGRAPHS_APART * (paragraph_gap or 0.0))


def _is_folio(text: str) -> bool:
    return bool(_PAGE_NUMBER.match(text.strip()))


def _ends_in_folio(text: str, years: bool = False) -> bool:
    """One line with a number at one end that no word before it names: a running title
    and its folio ('Chapter 2. Roles and separation of duties 11'). A year counts only
    when `years` (a line spread across the page: 'Awardee Guide        June 2011')."""
    if "\n" in text:
        return False
    leading = _LEADING_FOLIO.match(text)
    trailing = _TRAILING_FOLIO.search(text)
    return bool(leading and (years or not _YEAR.match(leading.group(1)))) or bool(
        trailing
        and not _NAMES_A_NUMBER.search(trailing.group(1))
        and (years or not _YEAR.match(trailing.group(2)))
    )


def _folio_in_line(block: Block) -> bool:
    """A running title with its folio at the other end of the line, the words spread
    across the measure ('446        Advocacy in Action'), or the folio set apart from
    the title by a tab (a gap of an em or more in the text layer: '42      Styrene-
    Acrylonitrile Trimer, NTP TR 573'). Measured on a line the PDF or OCR set (a
    layout model's box may be wider than its text)."""
    if len(block.lines) != 1:
        return False
    line = block.lines[0]
    text = line.text.strip()
    spread = line.bbox.width >= SPREAD * len(text) * line.text_size or bool(line.column_starts)
    return spread and _ends_in_folio(text, years=True)


def _is_marking(text: str) -> bool:
    return bool(_MARKING.fullmatch(text.strip(" \t\n.*-–—")))


def _folios(page: Page) -> list[Block]:
    return [b for b in page.blocks if b.text and _is_folio(b.text)]


def _names_a_party(text: str) -> bool:
    """Does `text` give a party's registration numbers (`ИНН 1052434634, КПП 596418239`)?
    A letterhead's or a signature block's requisites on a page alone are the document's
    own data, small and at the edge as they are; repeated on every page they are a head."""
    return bool(_REQUISITES.search(text))


def _reads_like_furniture(block: Block, folios: list[Block]) -> bool:
    """What a head or footer says and nothing else does: an address, a copyright, a
    document or form code, 'Page 2 of 5'; or a title with one of the page's `folios` in
    its row."""
    return (
        bool(_FURNITURE_TEXT.search(block.text))
        or _is_marking(block.text)
        or _ends_in_folio(block.text.strip())
        or _folio_in_line(block)
        or any(b is not block and _same_row(b, block) for b in folios)
    )


def _folio_leads(block: Block, folios: list[Block]) -> bool:
    """A foot whose leading number is the page's folio, not a footnote's mark: the page
    has no folio elsewhere, and the rest is a running title ('32 Reference Tables',
    '4 U.S. Census Bureau', '22 MMWR / January 14, 2011 / Vol. 60') or an address. A
    note is a sentence or a citation: it ends in a full stop or runs in lower case."""
    text = block.text.strip()
    if "\n" in text or not _LEADING_FOLIO.match(text):
        return False
    if any(not _same_row(b, block) for b in folios):
        return False
    words = _WORDS.findall(text)
    titled = bool(words) and sum(w[0].isupper() for w in words) >= TITLED * len(words)
    return not text.endswith(".") and (titled or bool(_PUBLISHED.search(text)))


def _gap(a: Block, b: Block) -> float:
    return max(a.bbox.y0 - b.bbox.y1, b.bbox.y0 - a.bbox.y1)


def _lone_head(
    block: Block,
    page: Page,
    band: str,
    size: float,
    apart: float,
    others: list[Block],
    folios: list[Block],
) -> bool:
    """A head or footer on a page with nothing to repeat it: one short line at the top or
    foot, no bolder than the body and not larger (a title there is a heading); set
    smaller than the body or reading like furniture (a document code, an address, a
    copyright, 'Page 2 of 5', a title with its folio); at the very edge of the page and
    further from the body than its paragraphs are from each other. Place and gap alone
    make no head: a registration note, a date or a town and year set apart at the top
    or foot is the document's text. Away from the edge, or nearer the body than a
    paragraph, only when size and words both say furniture and it is 1.5 of its heights
    clear; a publisher's or repository's line in the outer half of the edge band needs
    only the words and the 1.5 heights. Two lines only when they read like furniture. A
    line the heading pass found large is small by no measure of this one's. A footnote
    is the document's text: nothing at the foot that starts with a note mark, unless
    that number is the page's folio before a running title (`_folio_leads`). `others`:
    the body, the blocks a head keeps its distance from; `folios`: the page's page
    numbers."""
    lines = _line_count(block)
    # A publisher's imprint beside the folio at the foot may take three short lines
    # ('ECB / Working Paper Series No 1299 / February 2011' by '16').
    beside_folio = any(b is not block and _same_row(b, block) for b in folios)
    if (
        lines > (3 if band == "bottom" and beside_folio else 2)
        or len(block.text) > 120
        or (block.label == Label.footnote and not _folio_leads(block, folios))
        or not size
        or sum(len(o.text.split()) for o in others) < MIN_BODY_WORDS
    ):
        return False
    text_size = max((ln.text_size for ln in block.lines), default=block.bbox.height / lines)
    # A head set over a rule typed across the text: the rule is the head's, its gap is
    # to the body beyond it, and the rule says what a head's words would.
    rule = _rule_under(block, others, text_size) if band == "top" else None
    others = [o for o in others if o is not rule] or others
    # A folio stands out in the margin, left of the text next to it; a note's mark does not.
    nearest = min(others, key=lambda o: _gap(o, block))
    outdented = block.bbox.x0 < nearest.bbox.x0 - text_size
    if (
        band == "bottom"
        and _NOTE_MARK.match(block.text)
        and not outdented
        and not _folio_leads(block, folios)
    ):
        return False
    reads = _reads_like_furniture(block, folios) or rule is not None
    if lines > 1 and not reads:
        return False
    if _control_line(block) and text_size <= HEADING_SIZE * size:
        return True
    # Bold or large at the top is a heading, unless a folio spreads the line across the
    # page, or it says what only a publisher's head says (a gazette's 'Federal Register /
    # Vol. 85, No. 152 / … 47699', bold and larger than its small print). At the foot, a
    # bold line beside the page's folio is the running foot (a spread's 'Annex   209',
    # which OCR reads apart from '208   Global Study …' on the facing page).
    published = bool(_PUBLISHED.search(block.text)) or _is_marking(block.text)
    by_folio = band == "bottom" and (beside_folio or _ends_in_folio(block.text.strip()))
    small = text_size <= SMALL_TYPE * size and block.label not in _TITLES
    # No heading is set smaller than the text it heads: a bold line in small type is a
    # report's running head ('HIGHLIGHTS FROM PIRLS 2011 EXECUTIVE SUMMARY').
    bold = any(ln.bold for ln in block.lines) and not (
        published or by_folio or _folio_in_line(block) or small
    )
    if bold or (not published and text_size > (HEADING_SIZE if reads else BODY_SIZE) * size):
        return False
    gap = _gap(nearest, block)
    from_edge = min(block.bbox.y0, page.height - block.bbox.y1)
    # In the outer half of the edge band only a publisher's or repository's line stands
    # ('Download date: …' under a cover page whose paragraphs stand far apart): there
    # its words need not be small as well.
    verge = published and from_edge <= EDGE / 2 * page.height
    both = (small or verge) and reads and gap >= SET_APART * text_size
    edge = from_edge <= EDGE * page.height
    if edge:
        return (small or reads) and (gap >= apart or both)
    return both and gap >= apart


def _control_line(block: Block) -> bool:
    """A document's control line: three or more short parts set apart by tabs across
    one line, with figures, one of them named as a revision, a version, a document or
    part number ('Revision: 2.4      P/N 119-036      10 June 2019', 'Doc. 12-345
    Rev. B      Page 3 of 10'), as a template's head or foot sets it left, centre and
    right. A town beside a date has two parts; a row of totals, an order's number and
    date, a signature line with its blanks name no revision."""
    if len(block.lines) != 1:
        return False
    line = block.lines[0]
    return (
        len(line.column_starts) >= 2
        and len(line.text.split()) <= CONTROL_WORDS
        and len(_DIGITS.findall(line.text)) >= 2
        and bool(_CONTROL.search(line.text))
        and "_" not in line.text  # a signature's blank
    )


def _rule_under(block: Block, others: list[Block], text_size: float) -> Block | None:
    """A line of underscores or dashes typed just under the head, across it and half
    as wide again at least: the rule a report sets under its running head (a block of its
    own, or the first line of the body's block under it)."""
    for other in others:
        first = other.lines[0] if other.lines else None
        text, box = (first.text.strip(), first.bbox) if first else (other.text.strip(), other.bbox)
        if (
            len(text) >= MIN_RULE_CHARS
            and set(text) <= set("_-–—")
            and 0 <= box.y0 - block.bbox.y1 <= RULE_GAP * text_size
            and box.x0 <= block.bbox.x0 + text_size
            and box.x1 >= block.bbox.x1 - text_size
            and box.width >= RULE_WIDTH * block.bbox.width
        ):
            return other
    return None


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


def _reads_like_text(block: Block, page: Page, size: float, folios: list[Block]) -> bool:
    """A line the CPU route's layout model took for a head by its place alone
    ('Зарегистрировано в Минюсте России …', an invoice's title 'Счет на оплату № …')
    and that no other page repeats: set in the body's size and saying nothing a head
    says, it is text. Measured lines only (the VLM route's blocks carry none, and its
    layout model sees more). A page whose text is nearly all in tables has no body to
    measure against (a statement's '(In thousands of dollars)' under its title): its
    words alone decide."""
    measured = sum(len(b.lines) for b in page.blocks if b is not block) >= MIN_BODY_LINES
    return (
        bool(block.lines)
        and bool(size)
        and (not measured or max(ln.text_size for ln in block.lines) > SMALL_TYPE * size)
        and not _is_folio(block.text)
        and not _looks_like_running_head(block.text)
        and not _reads_like_furniture(block, folios)
    )


def _from_edge(block: Block, page: Page, band: str) -> float:
    """How far in from its edge a candidate sits: a margin column's from the top, so
    that its folio, lower down, is judged before the title over it."""
    return block.bbox.y0 if band in ("top", "side") else page.height - block.bbox.y1


def mark_furniture_pages(all_pages: list[Page]) -> None:
    """Label page numbers, and text that repeats in the top or bottom band of several
    pages, as number / header / footer: kept in JSON, left out of Markdown. On a page
    with nothing to repeat them, a head or footer needs its place, size, gap and words
    to agree (`_lone_head`)."""
    pages = [p for p in all_pages if p.status == PageStatus.ok]
    bands = {id(page): _bands(page) for page in pages}
    # What a layout model called a head or footer is judged here too: repeated, or
    # small, or reading like one, it stays.
    for page in pages:
        for block in page.blocks:
            if block.text and block.label in _MODEL_BANDS:
                bands[id(page)].setdefault(id(block), _MODEL_BANDS[block.label])
    for page in pages:
        for key in _side_blocks(page):
            bands[id(page)][key] = "side"
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
        band_of = bands[id(page)]
        size, apart = _body_spacing(page, set(band_of))
        folios = _folios(page)
        for block in page.blocks:
            band = band_of.get(id(block), "")
            if (
                block.label in _MODEL_BANDS
                and not (len(pages) >= 2 and seen[(band, _signature(block.text))] >= needed)
                and (_reads_like_text(block, page, size, folios) or _names_a_party(block.text))
            ):
                block.label = Label.text
        # The innermost first: heads stack at the edge ('Downloaded from …' over the
        # running title), and a head's gap is the one to the body, not to the head
        # beyond it, which is judged after it with what was found.
        candidates = sorted(
            (b for b in page.blocks if id(b) in band_of),
            key=lambda b: -_from_edge(b, page, band_of[id(b)]),
        )
        texts = [b for b in page.blocks if b.text and not _is_folio(b.text)]
        # Heads stack a few lines deep: a page whose edge holds more (a hostile or a
        # dense page) has only its outermost judged alone, each against the whole page.
        outer = Counter(band_of.values())  # candidates still nearer the edge, by band
        for block in candidates:
            band = band_of[id(block)]
            outer[band] -= 1
            repeated = len(pages) >= 2 and seen[(band, _signature(block.text))] >= needed
            # A line over a table is taken for its caption; over every page's table,
            # at the same place, it is the running head ('Конфиденциально …').
            if block.label == Label.figure_title and repeated:
                block.label = Label.footer if band == "bottom" else Label.header
                continue
            if block.label not in _CANDIDATES or (not repeated and _names_a_party(block.text)):
                continue
            if _is_folio(block.text):
                block.label = Label.number
                continue
            if repeated or _looks_like_running_head(block.text):
                block.label = Label.footer if band == "bottom" else Label.header
                continue
            if band == "side":  # no lone head: a margin note there is the text's
                if _heads_a_side_folio(block, page):
                    block.label = Label.header
                continue
            if outer[band] >= MAX_STACK:
                continue
            from_edge = _from_edge(block, page, band)
            # The body: not the rest of the row (a folio at its other end), no folio, no
            # furniture found already, no line reading like furniture between this one
            # and the page's edge (a letterhead's lines stay one another's body).
            others = [
                b
                for b in texts
                if not _same_row(b, block)
                and b.label not in FURNITURE_LABELS
                and not (
                    band_of.get(id(b)) == band
                    and _from_edge(b, page, band) < from_edge
                    and _reads_like_furniture(b, folios)
                )
            ]
            if _lone_head(block, page, band, size, apart, others, folios):
                block.label = Label.header if band == "top" else Label.footer
