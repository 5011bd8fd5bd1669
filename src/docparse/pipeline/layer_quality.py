"""Is a PDF page's own text good enough to use instead of OCR? Garbage, a partial layer
over a scan, a bad invisible OCR layer, text running sideways, or Russian stored as Latin
look-alike letters say no. Once OCR has read such a page, the verdict is looked at again:
the better reading of the two is kept."""

from __future__ import annotations

import itertools
import logging
import re
from dataclasses import dataclass

from docparse.io.pdf_content import TextLayer
from docparse.structure.script import Script, classify

log = logging.getLogger(__name__)

_TOKEN = re.compile(r"\S+")
_EDGE_PUNCT = "\"'“”„«»‘’()[]{}<>.,;:!?*•·-–—/"
_NUMBERISH = re.compile(r"^[\d.,:/%+\-–№#$€£₽()]+$")
# Figures with signs among them and a unit after: sizes '1300(+420)х800', prices
# '22’000', numbers and measures '125н', '10мм', '5шт.'.
_FIGURE = r"[\d.,:/%+\-–№#$€£₽()'’‘×xхXХ]"
_FIGURES = re.compile(rf"^{_FIGURE}*\d{_FIGURE}*(?:[^\W\d_]{{1,3}}\.?)?$")
_ADDRESS = re.compile(r"^(?:[\w.+-]+@[\w-]+(?:\.[\w-]+)+|(?:https?://|www\.)\S+)$")
_HAS_LETTER = re.compile(r"[A-Za-z]")
_VOWELS = frozenset("aeiouyAEIOUYаеёиоуыэюяАЕЁИОУЫЭЮЯ")
# A page mostly covered by images whose text layer is this sparse (chars per square inch)
# is a scan with a partial layer: a full text page has 20–40.
MIN_CHARS_PER_SQIN_ON_SCAN = 8.0
# An invisible OCR layer over a scan is kept only when nearly every word is plausible:
# a bad one (horribleocr.pdf) still scores ~95% on word shape, a good one 97%+.
MIN_GOOD_WORD_SHARE_OCR_LAYER = 0.965
MIN_GOOD_WORD_SHARE = 0.5
GARBAGE_SAMPLE = 150  # tokens
LOOKALIKE_SAMPLE = 300  # words looked at for look-alike Russian on a page
SIDEWAYS_SHARE = 0.5  # of the characters, in lines that run up or down the page
# Russian stored as Latin look-alike glyphs (`Hanorosas` for «Налоговая», a known PDF
# generator bug): its short function words come out as these, which English never
# writes as words, while English's own function words are missing. Look-alike forms (и u,
# в B s, на Ha, не He, от oT, за 3a, из u3, что 4to, или unu, при npu, об o6, для gnr, к
# k, с c) and transliterations (v, na, ne, ...). Other Latin-script languages write some
# of them too (Czech `v`, `na`, `s`): the test only sends the page to OCR, and what OCR
# sees there decides (`Verdict.keep_layer`).
# fmt: off
_RUSSIAN_AS_LATIN = frozenset([
    "u", "B", "s", "Ha", "ha", "He", "oT", "om", "3a", "u3", "4to", "4mo", "unu", "npu", "o6",
    "gnr", "k", "c", "v", "na", "ne", "ot", "za", "iz", "chto", "ili", "pri", "ob", "dlya",
    "dlja",
])
_ENGLISH = frozenset([
    "the", "of", "and", "to", "in", "is", "for", "on", "with", "as", "by", "at", "from",
    "that", "this", "be", "are", "or", "an", "it", "was", "not", "which", "will", "we", "you",
    "have", "has",
])
# fmt: on
_NUMBER_SIGNS = frozenset(["N", "No", "Nо"])
MIN_LATIN_WORDS = 20  # words before the function-word test says anything
MIN_RUSSIAN_FUNCTION_SHARE = 0.05  # of the Latin words (Russian prose: 15-25%)
# A page OCR read this much worse than its text layer (characters in plausible words)
# keeps the layer: OCR found nothing or missed most of it (display type on a cover).
KEEP_LAYER_BELOW = 0.5


@dataclass
class Verdict:
    use_layer: bool
    reason: str
    lookalike: bool = False  # Latin words that read like Russian in look-alike letters
    partial: bool = False  # a few real lines over a scan: OCR reads the page, they may add

    def keep_layer(self, layer: TextLayer, ocr_text: str) -> bool:
        """Is the page's text layer, sent to OCR by this verdict, the better reading after
        all? A look-alike layer is kept when OCR saw Latin letters on the page too (a
        Latin-script language, not the generator bug); any other when OCR read far less
        of it (a colour cover in display type: OCR found nothing)."""
        if not layer.char_count:
            return False
        text = "\n".join(line.text for line in layer.lines)
        if self.lookalike:
            kinds = [classify(word) for word in ocr_text.split()]
            return kinds.count(Script.cyrillic) <= kinds.count(Script.latin)
        found, kept = plausible_chars(ocr_text), plausible_chars(text)
        if found < KEEP_LAYER_BELOW * kept:
            log.debug("OCR read %d plausible characters, the layer %d: layer kept", found, kept)
            return True
        return False


def _word_is_plausible(token: str) -> bool:
    word = token.strip(_EDGE_PUNCT)
    if not word:
        return False
    if word.isalpha():  # most words: one part, no split needed
        return _part_is_plausible(word)
    if _NUMBERISH.match(word) or _FIGURES.match(word) or _ADDRESS.match(word):
        return True
    parts = re.split(r"[-'’/]", word)  # 'северо-западный', 'и/или', 'Н/р'
    return all(part.isalpha() and _part_is_plausible(part) for part in parts)


def _part_is_plausible(part: str) -> bool:
    # Case inside a word: lower, Title, or UPPER; "hrT" or "FKIDA.Y" are OCR noise.
    if not (part.islower() or part.isupper() or part.istitle()):
        return False
    return len(part) <= 3 or not part.isascii() or not _VOWELS.isdisjoint(part)


def good_word_share(text: str, sample: int | None = None) -> float:
    """Share of the text's characters that sit in plausible words (by length); from about
    `sample` tokens spread over the text, when given."""
    total = good = 0
    tokens = _TOKEN.findall(text)
    if sample and len(tokens) > sample:
        tokens = tokens[:: len(tokens) // sample]
    for token in tokens:
        if not token.strip(_EDGE_PUNCT):
            continue  # dot leaders and bullets say nothing either way
        total += len(token)
        if _word_is_plausible(token):
            good += len(token)
    return good / total if total else 0.0


def lookalike_russian(text: str) -> bool:
    """Could `text` be Russian written in Latin look-alike letters or transliteration (a
    PDF generator that stored Cyrillic as Latin glyph names)? Its words pass every shape
    test; its function words give it away."""
    tokens = _TOKEN.findall(text)
    if len(tokens) > LOOKALIKE_SAMPLE:  # shares, so an even sample tells as well as all
        tokens = tokens[:: len(tokens) // LOOKALIKE_SAMPLE]
    words = [w.strip(_EDGE_PUNCT) for w in tokens]
    # `N 125н`, `No 5`: the number sign as many Russian texts type it is no Latin word.
    numbered = [w in _NUMBER_SIGNS and n[:1].isdigit() for w, n in itertools.pairwise([*words, ""])]
    latin = [
        w
        for w, sign in zip(words, numbered, strict=True)
        if not sign and w.isascii() and _HAS_LETTER.search(w)
    ]
    if len(latin) < MIN_LATIN_WORDS:
        return False
    russian = sum(w in _RUSSIAN_AS_LATIN for w in latin)
    english = sum(w.lower() in _ENGLISH for w in latin)
    return russian >= MIN_RUSSIAN_FUNCTION_SHARE * len(latin) and russian > english


def plausible_chars(text: str) -> int:
    """Characters in plausible words."""
    tokens = [t for t in _TOKEN.findall(text) if t.strip(_EDGE_PUNCT)]
    return sum(len(t) for t in tokens if _word_is_plausible(t))


def assess(layer: TextLayer, width_pt: float, height_pt: float) -> Verdict:
    """Is the page's text layer good enough to use instead of OCR?"""
    if layer.char_count == 0:
        return Verdict(False, "no text layer")
    text = "\n".join(line.text for line in layer.lines)
    # Over a scan the bar is high and every word counts; elsewhere the bar is a half, and
    # a sample of a page's words tells garbage from text as well as all of them.
    scan = layer.image_coverage >= 0.5
    share = good_word_share(text, None if scan else GARBAGE_SAMPLE)
    if scan:
        density = layer.char_count / max(width_pt * height_pt / 72**2, 1e-6)
        if density < MIN_CHARS_PER_SQIN_ON_SCAN:
            return Verdict(
                False,
                f"text layer covers only part of a scanned page ({density:.1f} chars/in²)",
                partial=True,
            )
        if layer.hidden_text_share >= 0.5 and share < MIN_GOOD_WORD_SHARE_OCR_LAYER:
            return Verdict(
                False, f"invisible OCR layer over a scan looks bad ({share:.1%} plausible words)"
            )
    if share < MIN_GOOD_WORD_SHARE:
        return Verdict(False, f"text layer looks like garbage ({share:.0%} plausible words)")
    if lookalike_russian(text):
        return Verdict(False, "text layer reads like Russian in Latin look-alike letters", True)
    sideways = sum(
        len(ln.text)
        for ln in layer.lines
        if len(ln.text) >= 5 and ln.bbox.height > 2 * ln.bbox.width
    )
    if sideways > SIDEWAYS_SHARE * layer.char_count:
        # Lines, columns and paragraphs are found in reading direction; OCR turns the
        # page upright first (OSD), which the text layer cannot say.
        return Verdict(False, "text runs sideways on the page: read upright by OCR")
    return Verdict(True, f"text layer ({share:.0%} plausible words)")
