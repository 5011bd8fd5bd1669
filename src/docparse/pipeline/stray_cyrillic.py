"""Cyrillic strays on an English page: Tesseract reading Russian and English together
takes a word of an English line or table for Cyrillic (`Арг-2015` for `Apr-2015`, `Зер`
for `Sep`, `Сапоп` for `Canon`) when OSD was not sure enough of the page's script to
leave the Cyrillic models out. On a page nearly all Latin, a word of look-alike letters
alone (`Мау-2015`) is written in Latin letters, and a Cyrillic word is read again
from its own crop twice, by the Latin models alone and by all, and takes the Latin
reading when that is about as sure: a real Russian word read by the Latin models alone
comes back unsure, and stays as it was."""

from __future__ import annotations

import asyncio
import re

from PIL import Image

from docparse.document import BBox, Block, Line, mean_confidence
from docparse.engines.base import Engine, PageImage, RecognizeOptions
from docparse.pipeline.line_crops import crop_line
from docparse.structure.script import (
    CYRILLIC_LOOKALIKE,
    CYRILLIC_ONLY,
    Script,
    classify,
    to_script,
)
from docparse.tables.model import strip_rule_marks

CYRILLIC_LANGS = {"rus", "ukr", "bel", "bul", "srp", "mkd", "kaz", "kir", "tgk", "mon"}
LATIN_PAGE_SHARE = 0.85  # of the page's words in one script or the other
MIN_PAGE_WORDS = 20  # fewer say nothing of the page's language
# On a Latin page a Latin reading nearly as sure is taken: a Russian word read by the
# Latin models alone scores far lower (0.3-0.6 against 0.9).
LATIN_PRIOR = 0.05
MAX_WORDS = 40  # read again at most, a page: the cost stays a fraction of the page's


def latin_only(languages: str) -> str:
    """`languages` without the Cyrillic ones ('' when nothing else is left)."""
    return "+".join(lang for lang in languages.split("+") if lang not in CYRILLIC_LANGS)


def _cyrillic(text: str) -> bool:
    return any(classify(word) is Script.cyrillic for word in text.split())


async def reread_strays(
    engine: Engine, page: PageImage, blocks: list[Block], languages: str
) -> list[Block]:
    """`blocks` of a Latin page with their words of look-alike letters alone in Latin,
    and their Cyrillic words read again, each from its crop, by the Latin models of
    `languages` where that reading is about as sure."""
    latin = latin_only(languages)
    if not latin or latin == languages:
        return blocks
    lines = [ln for b in blocks for ln in b.lines]
    kinds = [classify(word) for ln in lines for word in ln.text.split()]
    latin_words, cyrillic_words = kinds.count(Script.latin), kinds.count(Script.cyrillic)
    written = latin_words + cyrillic_words
    if written < MIN_PAGE_WORDS or latin_words < LATIN_PAGE_SHARE * written:
        return blocks
    for line in lines:
        _latin_lookalikes(line)
    strays = [
        (line, k)
        for line in lines
        for k, (word, _) in enumerate(line.words)
        if classify(word) is Script.cyrillic
    ][:MAX_WORDS]
    crops = [_word_alone(page, line.words[k][1]) for line, k in strays]
    as_latin = await _read_all(engine, crops, latin)
    as_read = await _read_all(engine, crops, languages)
    for (line, k), by_latin, by_all in zip(strays, as_latin, as_read, strict=True):
        text = strip_rule_marks(" ".join(ln.text for b in by_latin for ln in b.lines))
        sure = mean_confidence([ln for b in by_latin for ln in b.lines]) or 0.0
        first = mean_confidence([ln for b in by_all for ln in b.lines]) or 0.0
        if not text or " " in text or _cyrillic(text) or sure < first - LATIN_PRIOR:
            continue
        _replace_word(line, k, text)
    for block in blocks:
        block.text = "\n".join(ln.text for ln in block.lines)
    return blocks


def _latin_lookalikes(line: Line) -> None:
    """A word of look-alike letters alone (`Мау-2015`) on a Latin page is Latin, unless
    a Cyrillic word stands beside it (a Russian line: `ВСЕ СОТРУДНИКИ`) or it is a word
    only Russian writes (`ООО`)."""
    words = [word for word, _ in line.words]
    kinds = [classify(word) for word in words]
    for k, word in enumerate(words):
        near = kinds[max(0, k - 1) : k] + kinds[k + 1 : k + 2]
        if (
            kinds[k] in (Script.lookalike, Script.model)
            and any(ch in CYRILLIC_LOOKALIKE for ch in word)
            and Script.cyrillic not in near
            and "".join(filter(str.isalpha, word)) not in CYRILLIC_ONLY
        ):
            _replace_word(line, k, to_script(word, Script.latin))


def _replace_word(line: Line, k: int, new: str) -> None:
    """The line's word k written as `new`, in its words and its text."""
    word, box = line.words[k]
    line.words[k] = (new, box)
    line.text = re.sub(rf"(?<!\S){re.escape(word)}(?!\S)", new, line.text, count=1)


async def _read_all(engine: Engine, crops: list[PageImage], languages: str) -> list[list[Block]]:
    request = RecognizeOptions(languages=languages)
    return list(await asyncio.gather(*(engine.recognize(crop, request) for crop in crops)))


def _word_alone(page: PageImage, box: BBox) -> PageImage:
    """The word's crop with its margin blank: a table's rule beside it is no part of it."""
    crop, (x0, y0) = crop_line(page, box)
    blank = Image.new(crop.image.mode, crop.image.size, "white")
    inner = (
        round(box.x0) - x0 - 1,
        round(box.y0) - y0 - 1,
        round(box.x1) - x0 + 1,
        round(box.y1) - y0 + 1,
    )
    blank.paste(crop.image.crop(inner), inner[:2])
    return PageImage(page.index, blank, page.dpi)
