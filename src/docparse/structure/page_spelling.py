"""Words of look-alike letters alone, read in Latin on a Russian page, spelled as the page
spells them elsewhere. Tesseract reading rus+eng takes a short Cyrillic word drawn with
look-alike glyphs for Latin now and then: `OMC` in a leaflet that says `ОМС` twenty
times, `Ha` for `на`, `TOM` for `том` (small Cyrillic т and м are small capitals). The
letters alone cannot tell (`HP` is Latin in `Картридж HP 85A`); the page can: a word it
also holds in Cyrillic letters is that word, and so is a code's letter part (`OC-001415`
in a register of `ОС-002321`). A Latin word the page never spells in Cyrillic stays as
read."""

from __future__ import annotations

import re
from collections import Counter

from docparse.document import Block
from docparse.structure.script import Script, classify, is_cyrillic, is_latin, to_script

_TOKEN = re.compile(r"^(\W*)(\w+)(\W*)$")
_JOINER = re.compile(r"([-‐–/])")  # a code's parts are words too: `OC-001415` on `ОС-002321`'s page
_SENTENCE_END = (".", "!", "?", ":")


def spell_as_the_page(blocks: list[Block]) -> None:
    """Each look-alike Latin word of a mostly Cyrillic page that the page holds in
    Cyrillic letters elsewhere, written as the page writes it there most often (in the
    read case at a sentence's start), in the lines, their words and the blocks' text."""
    spellings: dict[str, Counter[str]] = {}
    cyrillic = latin = 0
    for line in (ln for b in blocks for ln in b.lines):
        for token in (part for word in line.text.split() for part in _JOINER.split(word)):
            found = _TOKEN.match(token)
            core = found.group(2) if found else ""
            letters = [ch for ch in core if ch.isalpha()]
            if letters and all(is_cyrillic(ch) for ch in letters):
                cyrillic += 1
                spellings.setdefault(core.casefold(), Counter())[core] += 1
            elif letters and all(is_latin(ch) for ch in letters):
                latin += 1
    if cyrillic <= latin or not spellings:
        return

    def respell(token: str, starts: bool) -> str:
        found = _TOKEN.match(token)
        if not found or classify(core := found.group(2)) is not Script.lookalike:
            return token
        if not all(is_latin(ch) for ch in core) or len(core) < 2:
            return token
        read = to_script(core, Script.cyrillic)
        forms = spellings.get(read.casefold())
        if not forms:
            return token
        word = read if starts else forms.most_common(1)[0][0]
        return found.group(1) + word + found.group(3)

    def respell_parts(token: str, starts: bool) -> str:
        parts = _JOINER.split(token)
        if len(parts) == 1:
            return respell(token, starts)
        if "@" in token or "://" in token or any(classify(part) is Script.latin for part in parts):
            return token  # an address, or an English compound: `co-working`, `Wi-Fi/BT`
        return "".join(respell(part, starts and k == 0) for k, part in enumerate(parts))

    def respelled(tokens: list[str]) -> list[str]:
        """A line's tokens respelled, each knowing whether it starts a sentence."""
        return [
            respell_parts(t, i == 0 or tokens[i - 1].endswith(_SENTENCE_END))
            for i, t in enumerate(tokens)
        ]

    for block in blocks:
        for line in block.lines:
            line.text = " ".join(respelled(line.text.split(" ")))
            texts = respelled([text for text, _ in line.words])
            line.words = [(t, box) for t, (_, box) in zip(texts, line.words, strict=True)]
        if block.lines:
            block.text = "\n".join(ln.text for ln in block.lines)
