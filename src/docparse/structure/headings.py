"""Headings on any route: short blocks set clearly larger than the page's body text, or
bold and numbered, or numbered in Roman and set in capitals, or one italic line numbered
or heading the paragraph under it, become titles."""

from __future__ import annotations

import re
import statistics

from docparse.document import Block, Label

HEADING_RATIO = 1.3  # a block whose lines are this much taller than body text is a heading
TITLE_RATIO = 1.8
BOLD_HEADING_RATIO, BOLD_TITLE_RATIO = 1.15, 1.2  # bold needs less size
MAX_TITLE_WORDS = 6  # a bold line of more words is emphasis (a sum in words), no title
MIN_CONFIDENCE = 0.6  # OCR's guess at a rule or a smudge is no title, whatever its size
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
_BETWEEN_PEOPLE = re.compile(r"\s*(?:[,;&]|\band\b|\bи\b)\s*")


def label_headings(blocks: list[Block], first_page: bool) -> None:
    """Short blocks set clearly larger than the page's body text, or bold and numbered
    like '2.1 Introduction', become titles."""
    sizes = [ln.text_size for b in blocks if b.label == Label.text for ln in b.lines]
    if len(sizes) < 3:
        return
    body = statistics.median(sizes)
    largest = max(sizes)
    for block, after in zip(blocks, [*blocks[1:], None], strict=True):
        if (
            block.label != Label.text
            or not block.lines
            or len(block.lines) > 3
            or len(block.text) > 200
            or (block.confidence is not None and block.confidence < MIN_CONFIDENCE)
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
            or (size >= 0.85 * body and _italic_heading(block, after))
            or (
                size >= SMALL_CAPS * body
                and len(block.lines) == 1
                and len(block.text.split()) <= MAX_CAPS_WORDS
                and _ROMAN_CAPS.match(block.text.strip())
            )
        ):
            block.label = Label.paragraph_title


def _authors(text: str) -> bool:
    """People with their initials, two at least, or one with two initials: 'A. Methods'
    is a section lettered A."""
    people = _BETWEEN_PEOPLE.split(text)
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
