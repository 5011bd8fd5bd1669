"""Is a PDF page's own text good enough to use instead of OCR? Garbage, a partial layer
over a scan, a bad invisible OCR layer, or text running sideways say no."""

from __future__ import annotations

import re
from dataclasses import dataclass

from docparse.io.pdf_content import TextLayer

_TOKEN = re.compile(r"\S+")
_EDGE_PUNCT = "\"'“”„«»‘’()[]{}<>.,;:!?*•·-–—/"
_NUMBERISH = re.compile(r"^[\d.,:/%+\-–№#$€£₽()]+$")
_VOWELS = set("aeiouyAEIOUYаеёиоуыэюяАЕЁИОУЫЭЮЯ")
# A page mostly covered by images whose text layer is this sparse (chars per square inch)
# is a scan with a partial layer: a full text page has 20–40.
MIN_CHARS_PER_SQIN_ON_SCAN = 8.0
# An invisible OCR layer over a scan is kept only when nearly every word is plausible:
# a bad one (horribleocr.pdf) still scores ~95% on word shape, a good one 97%+.
MIN_GOOD_WORD_SHARE_OCR_LAYER = 0.965
MIN_GOOD_WORD_SHARE = 0.5
GARBAGE_SAMPLE = 150  # tokens
SIDEWAYS_SHARE = 0.5  # of the characters, in lines that run up or down the page


@dataclass
class Verdict:
    use_layer: bool
    reason: str


def _word_is_plausible(token: str) -> bool:
    word = token.strip(_EDGE_PUNCT)
    if not word:
        return False
    if _NUMBERISH.match(word):
        return True
    parts = re.split(r"[-'’]", word)
    for part in parts:
        if not part.isalpha():
            return False
        # Case inside a word: lower, Title, or UPPER; "hrT" or "FKIDA.Y" are OCR noise.
        if not (part.islower() or part.isupper() or part.istitle()):
            return False
        if len(part) > 3 and not (set(part) & _VOWELS) and part.isascii():
            return False
    return True


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
                False, f"text layer covers only part of a scanned page ({density:.1f} chars/in²)"
            )
        if layer.hidden_text_share >= 0.5 and share < MIN_GOOD_WORD_SHARE_OCR_LAYER:
            return Verdict(
                False, f"invisible OCR layer over a scan looks bad ({share:.1%} plausible words)"
            )
    if share < MIN_GOOD_WORD_SHARE:
        return Verdict(False, f"text layer looks like garbage ({share:.0%} plausible words)")
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
