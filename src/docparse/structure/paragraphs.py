"""Lines to paragraphs, and paragraph text with hyphenation undone.
Shared by every route so that text-layer and OCR pages read alike."""

from __future__ import annotations

from docparse.document import BBox, Block, Line, mean_confidence
from docparse.structure.headings import short_title

HYPHENS = ("-", "\u2010", "\u00ad", "¬")
RESTYLED_SIZE = 1.5  # OCR sizes wobble (worse on poor scans): only a clear change parts
# First-line indents run from about one em to five (Russian standards: 12.5-17 mm).
MIN_INDENT, FIRST_LINE_INDENT = 1.0, 6.0
SHORT_LINE = 2.0  # ems short of the paragraph's right edge: its last line


def merge_fragments(lines: list[Line]) -> list[Line]:
    """Join pieces of one visual line that come apart (a superscript, a font change):
    next in order, on the same row, starting just right of the previous piece."""
    merged: list[Line] = []
    for line in lines:
        if merged:
            prev = merged[-1]
            height = max(1.0, min(prev.bbox.height, line.bbox.height))
            overlap = min(prev.bbox.y1, line.bbox.y1) - max(prev.bbox.y0, line.bbox.y0)
            gap = line.bbox.x0 - prev.bbox.x1
            if overlap >= 0.4 * height and -0.5 * height <= gap <= 1.5 * height:
                joiner = " " if gap > 0.1 * height else ""
                merged[-1] = Line(
                    text=prev.text + joiner + line.text,
                    bbox=prev.bbox.union(line.bbox),
                    confidence=prev.confidence,
                    size=max(prev.size or 0, line.size or 0) or None,
                    bold=prev.bold and line.bold,
                    italic=prev.italic and line.italic,
                    column_starts=prev.column_starts + line.column_starts,
                )
                continue
        merged.append(line)
    return merged


def group_lines(lines: list[Line]) -> list[list[Line]]:
    """Lines in reading order joined into paragraphs: a new paragraph starts at a vertical
    gap, at a jump to another column, where the text size changes, or at a line set in
    like the paragraph's first line after a line that stopped short of the right edge."""
    groups: list[list[Line]] = []
    for line in lines:
        if groups:
            prev = groups[-1][-1]
            height = max(1.0, min(prev.text_size, line.text_size))
            gap = line.bbox.y0 - prev.bbox.y1
            same_size = abs(line.text_size - prev.text_size) < 0.2 * height + 0.5
            same_weight = line.bold == prev.bold
            # A one-line italic title heading the upright paragraph under it.
            lead_in = (
                len(groups[-1]) == 1 and prev.italic and not line.italic and short_title(prev.text)
            )
            if (
                -0.5 * height <= gap < 0.8 * height
                and _same_column(groups[-1], line, height)
                and same_size
                and same_weight
                and not lead_in
                and not _next_paragraph(groups[-1], line, height)
            ):
                groups[-1].append(line)
                continue
        groups.append([line])
    return groups


def _same_column(group: list[Line], line: Line, height: float) -> bool:
    """The line runs under the one before it; or the paragraph so far is its first line,
    set in, and this line starts at the paragraph's edge: a two-line paragraph whose
    short last line ('(раздела).') ends before the first line's indent begins."""
    prev = group[-1].bbox
    box = line.bbox
    if box.x0 < prev.x1 and prev.x0 < box.x1:
        return True
    return (
        len(group) == 1
        and box.x0 < prev.x0 <= box.x0 + FIRST_LINE_INDENT * height
        and box.x1 <= prev.x1
    )


def _next_paragraph(group: list[Line], line: Line, height: float) -> bool:
    """Paragraphs set without space between them part where the line before stopped
    short of the paragraph's right edge (no hyphen) at its left edge, and this line is
    set in from that edge as a first line is (as far as this paragraph's own first line
    was, when that one was set in) and runs to the right edge. Both edges are the
    paragraph's own: with one line so far nothing is known (a list item's first line, a
    formula's), and centred lines never start at the left edge and end at the right."""
    if len(group) < 2 or group[-1].text.rstrip().endswith(HYPHENS):
        return False
    prev = group[-1].bbox
    left = min(ln.bbox.x0 for ln in group[1:])
    right = max(ln.bbox.x1 for ln in group)
    set_in = line.bbox.x0 - left
    own = group[0].bbox.x0 - left  # about 0 when the page opened mid-paragraph
    return (
        MIN_INDENT * height <= set_in <= FIRST_LINE_INDENT * height
        and (own < MIN_INDENT * height or abs(set_in - own) <= MIN_INDENT * height)
        and prev.x0 <= left + 0.5 * height
        and prev.x1 <= right - SHORT_LINE * height
        and line.bbox.x1 >= right - SHORT_LINE * height
    )


def split_blocks(blocks: list[Block]) -> list[Block]:
    """OCR paragraphs parted where the weight or clearly the size changes: a bold heading
    that the engine ran into the paragraph before or after it. (Not the slant: an
    author's italic affiliation stays with the name over it.)"""
    out: list[Block] = []
    for block in blocks:
        groups: list[list[Line]] = []
        for line in block.lines:
            if groups and not _restyled(groups[-1][-1], line):
                groups[-1].append(line)
            else:
                groups.append([line])
        if len(groups) <= 1:
            out.append(block)
            continue
        for k, group in enumerate(groups):
            out.append(
                block.model_copy(
                    update={
                        "id": f"{block.id}-{k}",
                        "lines": group,
                        "text": "\n".join(ln.text for ln in group),
                        "bbox": BBox.around([ln.bbox for ln in group]),
                        "confidence": mean_confidence(group) or block.confidence,
                    }
                )
            )
    return out


def _restyled(a: Line, b: Line) -> bool:
    small, large = sorted((a.text_size, b.text_size))
    return a.bold != b.bold or large >= RESTYLED_SIZE * max(small, 1.0)


def join_lines(lines: list[str]) -> str:
    """One paragraph from its lines: 'exam-' + 'ple' -> 'example', 'Jean-' + 'Paul' ->
    'Jean-Paul', other lines joined by a space."""
    text = ""
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        broken = text.endswith(HYPHENS) and len(text) > 1 and text[-2].isalnum()
        if broken and text[-2].isalpha() and line[:1].islower():
            text = text[:-1] + line  # a word split by hyphenation
        elif broken and text[-1] == "-":
            text += line  # a compound or range split at its hyphen: Jean-Paul, 10-12
        else:
            text = f"{text} {line}" if text else line
    return text
