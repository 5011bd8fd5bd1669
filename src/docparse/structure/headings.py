"""Headings on any route: short blocks set clearly larger than the page's body text, or
bold and numbered, or numbered in Roman and set in capitals, or one italic line numbered
or heading the paragraph under it, become titles."""

from __future__ import annotations

import re
import statistics

from docparse.document import BBox, Block, Label

HEADING_RATIO = 1.3  # a block whose lines are this much taller than body text is a heading
TITLE_RATIO = 1.8
BOLD_HEADING_RATIO, BOLD_TITLE_RATIO = 1.15, 1.2  # bold needs less size
MAX_TITLE_WORDS = 6  # a bold line of more words is emphasis (a sum in words), no title
# The word `о`/`об` governs: a verbal noun or the like in the prepositional case, not
# a pronoun ('Об этом мы писали …', 'Обо всем этом …').
_SUBJECT = re.compile(
    r"^(?:О|Об)\s+[а-яё]{3,}(?:ии|ах|ях|ке|те|де|ре|не|ле|се)\b", re.IGNORECASE
)  # 'Об утверждении …'
MAX_SUBJECT_WORDS = 16
PROSE_WORDS = 20  # a block of running text, two lines or more: the body has begun
MIN_CONFIDENCE = 0.6  # OCR's guess at a rule or a smudge is no title, whatever its size
TITLES = frozenset([Label.doc_title, Label.paragraph_title])
MAX_TITLE_LINES = 3  # as a heading block may hold
SAME_SIZE, WRAP_GAP = 0.08, 0.6  # of the title's size: sizes alike, the gap between lines
WORD_LETTERS = 0.9  # …unless it reads as words: this share of its marks letters
_NUMBERED = re.compile(r"^(\d+(\.\d+)*\.?|[IVX]+\.|[A-ZА-Я]\.)\s+\S")
# A section numbered in Roman and set in capitals ('I. INTRODUCTION', 'II. ОБЩИЕ
# ПОЛОЖЕНИЯ'): a heading in any weight (IEEE papers set them in small capitals).
_ROMAN_CAPS = re.compile(r"^[IVXL]+\.\s+[^\W\d_a-zа-яё][^a-zа-яё]*$")
MAX_CAPS_WORDS = 8
# An italic line that says it is a caption or a note is none of the page's headings.
_CAPTION = re.compile(
    r"^(fig\.?|figure|table|tab\.|source|note|рис\.?|рисунок|таблица|источник|примечание)\b",
    re.IGNORECASE,
)
SMALL_CAPS = 0.75  # of the body's size: small capitals are about 0.8 of it
# People named with their initials ('Н. А. Алексеева, С. Г. Дроздов', 'Smith J.K. and
# A. Jones'): a paper's authors under its title, however large or bold, are no heading.
# One person a match, the list split at its separators first: one pattern over the
# whole list could match a space two ways and take exponential time.
_PERSON = re.compile(
    r"(?:(?:[A-ZА-ЯЁ]\.\s?){1,3}[A-ZА-ЯЁ][a-zа-яё'’-]+|[A-ZА-ЯЁ][a-zа-яё'’-]+\s(?:[A-ZА-ЯЁ]\.\s?){1,3})"
    r"[\d*†‡]*"
)
_COUNTRY_INITIALS = re.compile(r"(?:U\.S|U\.K|U\.N|E\.U)\.\s")  # 'U. K. Sharma' is a person
_BETWEEN_PEOPLE = re.compile(r"\s*(?:[,;&]|\band\b|\bи\b)\s*")


def label_headings(blocks: list[Block], first_page: bool) -> None:
    """Short blocks set clearly larger than the page's body text, or bold and numbered
    like '2.1 Introduction', become titles."""
    sizes = [ln.text_size for b in blocks if b.label == Label.text for ln in b.lines]
    if len(sizes) < 3:  # a page that is mostly a table: its caption and running heads
        sizes = [ln.text_size for b in blocks for ln in b.lines]  # tell the body's size
    if len(sizes) < 3:
        return
    body = statistics.median(sizes)
    largest = max(sizes)
    prose_seen = False  # a paper's subject stands over its text, on the first page
    for block, after in zip(blocks, [*blocks[1:], None], strict=True):
        if block.label == Label.text and len(block.text.split()) >= PROSE_WORDS:
            prose_seen = prose_seen or len(block.lines) >= 2
        if (
            block.label != Label.text
            or not block.lines
            or len(block.lines) > 3
            or len(block.text) > 200
            or (
                block.confidence is not None
                and block.confidence < MIN_CONFIDENCE
                and not _words_read(block.text)
            )
            or _authors(block.text.strip())
        ):
            continue
        size = statistics.fmean(ln.text_size for ln in block.lines)  # floats: mean() is exact, slow
        bold = all(ln.bold for ln in block.lines)
        if (
            first_page
            and size >= 0.95 * largest
            and (size >= TITLE_RATIO * body or (bold and size >= BOLD_TITLE_RATIO * body))
        ):
            block.label = Label.doc_title
        elif (
            size >= HEADING_RATIO * body
            or (bold and size >= BOLD_HEADING_RATIO * body)
            or (
                bold
                and size >= 0.85 * body
                and len(block.lines) == 1
                and (_NUMBERED.match(block.text) or short_title(block.text))
            )
            or (
                bold
                and first_page
                and not prose_seen
                and size >= 0.85 * body
                and _subject_line(block.text)
            )
            or (size >= 0.85 * body and _italic_heading(block, after))
            or (
                size >= SMALL_CAPS * body
                and len(block.lines) == 1
                and len(block.text.split()) <= MAX_CAPS_WORDS
                and _ROMAN_CAPS.match(block.text.strip())
            )
        ):
            block.label = Label.paragraph_title


def join_wrapped_titles(blocks: list[Block]) -> list[Block]:
    """A title wrapped over lines that OCR gave as blocks of their own ('Забота о
    здоровье' / 'всей семьи' in display type on a leaflet's panel) is one title: two
    titles of one kind in a row, set the same size, the second right under the first
    (less than WRAP_GAP of their size between), over the same stretch of the page."""
    out: list[Block] = []
    for block in blocks:
        last = out[-1] if out else None
        if last is not None and _wraps_onto(last, block):
            out[-1] = last.model_copy(
                update={
                    "lines": [*last.lines, *block.lines],
                    "text": f"{last.text}\n{block.text}",
                    "bbox": BBox.around([last.bbox, block.bbox]),
                }
            )
        else:
            out.append(block)
    return out


def _wraps_onto(upper: Block, lower: Block) -> bool:
    if (
        upper.label not in TITLES
        or lower.label != upper.label
        or not upper.lines
        or not lower.lines
        or len(upper.lines) + len(lower.lines) > MAX_TITLE_LINES
    ):
        return False
    size = statistics.fmean(ln.text_size for ln in upper.lines)
    other = statistics.fmean(ln.text_size for ln in lower.lines)
    gap = lower.bbox.y0 - upper.bbox.y1
    return (
        abs(size - other) <= SAME_SIZE * size
        and not _NUMBERED.match(lower.text)  # 'Глава 2. Методы' over '2.1. Выборка'
        and not upper.text.rstrip().endswith((".", ":", "!", "?"))
        and -0.1 * size <= gap <= WRAP_GAP * size
        and upper.bbox.x0 < lower.bbox.x1
        and lower.bbox.x0 < upper.bbox.x1
    )


def _subject_line(text: str) -> bool:
    """An official paper's subject, bold over its text: 'О проведении годовой
    инвентаризации имущества и обязательств', 'Об утверждении положения' (an order's,
    a letter's title, however many words; a sum in words or a sentence starts no way
    like it and ends with a stop)."""
    words = text.split()
    return (
        bool(_SUBJECT.match(text))
        and len(words) <= MAX_SUBJECT_WORDS
        and not text.rstrip().endswith((".", ":", ";", ",", "!", "?"))
    )


def _words_read(text: str) -> bool:
    """Is `text` words, whatever OCR's confidence in them: letters all through, one word
    of three different letters at least (display type on a tinted panel, 'Запись и
    оплата', reads at 0.48); a rule or a smudge reads as marks, scraps and one letter
    over and over ('| ——', 'ee', 'IIIIII')?"""
    chars = [ch for ch in text if not ch.isspace()]
    letters = sum(ch.isalpha() for ch in chars)
    varied = max((len({ch for ch in word if ch.isalpha()}) for word in text.split()), default=0)
    return letters >= WORD_LETTERS * len(chars) and varied >= 3  # not 'IIIIII', 'ооооо'


def _authors(text: str) -> bool:
    """People with their initials, two at least, or one with two initials: 'A. Methods'
    is a section lettered A."""
    people = _BETWEEN_PEOPLE.split(text)
    if any(_COUNTRY_INITIALS.match(p.strip()) for p in people):
        return False  # 'U.S. Navy', 'U.K. Ministry of Defence': a body, no person
    return all(_PERSON.fullmatch(p.strip()) for p in people) and (
        len(re.findall(r"\b[A-ZА-ЯЁ]\.", text)) >= 2
    )


def _italic_heading(block: Block, after: Block | None) -> bool:
    """One italic line, numbered ('A. Google DeepDream', IEEE's subsections), or a short
    title right over the upright paragraph it heads, at that paragraph's left edge
    (a handbook's 'Boots Self-Locking Nut'): not a caption's or a note's words."""
    line = block.lines[0]
    text = block.text.strip()
    if len(block.lines) != 1 or not line.italic or _CAPTION.match(text):
        return False
    if _NUMBERED.match(text) and len(text.split()) <= MAX_CAPS_WORDS:
        return True
    return (
        short_title(text)
        and text[:1].isupper()
        and after is not None
        and after.label == Label.text
        and bool(after.lines)
        and not after.lines[0].italic
        and abs(after.bbox.x0 - block.bbox.x0) <= line.text_size
        and 0 <= after.bbox.y0 - block.bbox.y1 <= 1.5 * line.text_size
    )


def short_title(text: str) -> bool:
    """'Введение', 'Results and discussion': a few words, mostly letters, no sentence."""
    words = text.split()
    return (
        0 < len(words) <= MAX_TITLE_WORDS
        and not text.rstrip().endswith((".", ",", ";", ":"))
        and sum(c.isdigit() for c in text) <= 0.2 * len(text)
    )
