"""Lines to paragraphs, and paragraph text with hyphenation undone.
Shared by every route so that text-layer and OCR pages read alike."""

from __future__ import annotations

from docparse.document import BBox, Block, Line, mean_confidence

HYPHENS = ("-", "\u2010", "\u00ad", "¬")
RESTYLED_SIZE = 1.5  # OCR sizes wobble (worse on poor scans): only a clear change parts


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
                )
                continue
        merged.append(line)
    return merged


def group_lines(lines: list[Line]) -> list[list[Line]]:
    """Lines in reading order joined into paragraphs: a new paragraph starts at a vertical
    gap, at a jump to another column, or where the text size changes."""
    groups: list[list[Line]] = []
    for line in lines:
        if groups:
            prev = groups[-1][-1]
            height = max(1.0, min(prev.text_size, line.text_size))
            gap = line.bbox.y0 - prev.bbox.y1
            overlaps = line.bbox.x0 < prev.bbox.x1 and prev.bbox.x0 < line.bbox.x1
            same_size = abs(line.text_size - prev.text_size) < 0.2 * height + 0.5
            same_weight = line.bold == prev.bold
            if -0.5 * height <= gap < 0.8 * height and overlaps and same_size and same_weight:
                groups[-1].append(line)
                continue
        groups.append([line])
    return groups


def split_blocks(blocks: list[Block]) -> list[Block]:
    """OCR paragraphs parted where the weight or clearly the size changes: a bold heading
    that the engine ran into the paragraph before or after it."""
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
