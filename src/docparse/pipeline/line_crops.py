"""Lines of a page read again, each from its own crop, with other languages: the
reading is kept where a caller's test says it is the better one."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from docparse.document import BBox, Block, Line, mean_confidence
from docparse.engines.base import Engine, PageImage, RecognizeOptions
from docparse.structure.script import Script, fix_text, fix_words

# (the line as first read, the new reading's text, its confidence) -> keep it?
Better = Callable[[Line, str, float], bool]


def crop_line(page: PageImage, box: BBox) -> tuple[PageImage, tuple[int, int]]:
    """The line's pixels with some margin, and where they start on the page."""
    pad = max(4, round(0.3 * box.height))
    x0, y0 = max(0, round(box.x0) - pad), max(0, round(box.y0) - pad)
    x1 = min(page.image.width, round(box.x1) + pad)
    y1 = min(page.image.height, round(box.y1) + pad)
    return PageImage(page.index, page.image.crop((x0, y0, x1, y1)), page.dpi), (x0, y0)


def _shifted(box: BBox, dx: int, dy: int) -> BBox:
    return BBox(x0=box.x0 + dx, y0=box.y0 + dy, x1=box.x1 + dx, y1=box.y1 + dy)


async def read_lines_again(
    engine: Engine,
    page: PageImage,
    blocks: list[Block],
    lines: list[Line],
    languages: str,
    better: Better,
    script: Script,
) -> list[Block]:
    """`lines` (of `blocks`) read again from their crops with `languages`; a line takes
    the new reading where `better` says so, its words of look-alike letters alone in
    `script` unless their neighbours say otherwise. The blocks' text follows."""
    crops = [crop_line(page, ln.bbox) for ln in lines]
    request = RecognizeOptions(languages=languages)
    readings = await asyncio.gather(*(engine.recognize(crop, request) for crop, _ in crops))
    changed = False
    for line, (_, (dx, dy)), found in zip(lines, crops, readings, strict=True):
        new = [ln for b in found for ln in b.lines]
        confidence = mean_confidence(new)
        text = " ".join(ln.text for ln in new)
        if confidence is None or not better(line, text, confidence):
            continue
        words = [(word, _shifted(box, dx, dy)) for ln in new for word, box in ln.words]
        fixed = fix_words([word for word, _ in words], script)
        line.text = fix_text(text, script)
        line.confidence = confidence
        line.words = [(word, box) for word, (_, box) in zip(fixed, words, strict=True)]
        changed = True
    if changed:
        for block in blocks:
            block.text = "\n".join(ln.text for ln in block.lines)
            block.confidence = mean_confidence(block.lines)
    return blocks
