"""Lines to paragraphs, headings by size, and paragraph text with hyphenation undone.
Shared by every route so that text-layer and OCR pages read alike."""

from __future__ import annotations

import statistics

from docparse.model import Block, Label, Line

HYPHENS = ("-", "\u2010", "\u00ad", "¬")
HEADING_RATIO = 1.3  # a block whose lines are this much taller than body text is a heading
TITLE_RATIO = 1.8


def group_lines(lines: list[Line]) -> list[list[Line]]:
    """Lines in reading order joined into paragraphs: a new paragraph starts at a vertical
    gap, at a jump to another column, or where the text size changes."""
    groups: list[list[Line]] = []
    for line in lines:
        if groups:
            prev = groups[-1][-1]
            height = max(1.0, min(prev.bbox.height, line.bbox.height))
            gap = line.bbox.y0 - prev.bbox.y1
            overlaps = line.bbox.x0 < prev.bbox.x1 and prev.bbox.x0 < line.bbox.x1
            same_size = abs(line.bbox.height - prev.bbox.height) < 0.35 * height + 1
            if -0.5 * height <= gap < 0.8 * height and overlaps and same_size:
                groups[-1].append(line)
                continue
        groups.append([line])
    return groups


def join_lines(lines: list[str]) -> str:
    """One paragraph from its lines: 'exam-' + 'ple' -> 'example', others joined by a space."""
    text = ""
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if text.endswith(HYPHENS) and len(text) > 1 and text[-2].isalpha() \
                and line[:1].islower():
            text = text[:-1] + line
        else:
            text = f"{text} {line}" if text else line
    return text


def label_headings(blocks: list[Block], first_page: bool) -> None:
    """Short blocks set clearly larger than the page's body text become titles."""
    heights = [ln.bbox.height for b in blocks if b.label == Label.text for ln in b.lines]
    if len(heights) < 3:
        return
    body = statistics.median(heights)
    for block in blocks:
        if block.label != Label.text or not block.lines or len(block.lines) > 3:
            continue
        size = statistics.mean(ln.bbox.height for ln in block.lines)
        if first_page and size >= TITLE_RATIO * body and block is _tallest(blocks):
            block.label = Label.doc_title
        elif size >= HEADING_RATIO * body and len(block.text) < 200:
            block.label = Label.paragraph_title


def _tallest(blocks: list[Block]) -> Block:
    return max(blocks, key=lambda b: max((ln.bbox.height for ln in b.lines), default=0))
