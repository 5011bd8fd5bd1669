"""Fuzzy sentence matching of ground truth against OCR or extracted text.

A sentence counts as found when some substring of the text is within Levenshtein
distance max(1, ratio * len(sentence)) of it, both sides normalised.  The search
is an exact semi-global edit distance (Sellers' algorithm) vectorised with numpy
row by row, so unlike a heuristic aligner it never misses a qualifying match.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np

_TRANSLATE = str.maketrans({
    "ё": "е", "«": '"', "»": '"', "“": '"', "”": '"', "„": '"', "‟": '"',
    "‘": "'", "’": "'", "‚": "'", "—": "-", "–": "-", "‑": "-", "‐": "-", "−": "-",
    "#": " ", "*": " ", "|": " ", "`": " ", "\u00ad": None,
})
# Cyrillic letters whose capitals look exactly like Latin ones: in mixed Russian/English
# text no OCR engine can tell «ООО» from «OOO» or «ВА» from «BA», so such swaps are no error.
_HOMOGLYPHS = str.maketrans("авекмнорстухіјѕ", "abekmhopctyxijs")
_ANGLE_QUOTES = re.compile(r"<<|>>")  # OCR often reads « » as doubled angle brackets
_TABLE_RULE = re.compile(r"(?m)^[ \t|:-]*-{3,}[ \t|:-]*$")  # Markdown |---|:--:| rows
_SPACE = re.compile(r"\s+")


def normalize(text: str) -> str:
    """Casefold; unify ё, quotes and dashes; drop Markdown markup; collapse whitespace."""
    text = unicodedata.normalize("NFKC", text).casefold()  # NFKC: NBSP -> space, ligatures
    text = _TABLE_RULE.sub(" ", text)
    text = _ANGLE_QUOTES.sub('"', text).translate(_TRANSLATE)
    return _SPACE.sub(" ", text).strip()


def _prepare(text: str, fold_homoglyphs: bool) -> str:
    text = normalize(text)
    return text.translate(_HOMOGLYPHS) if fold_homoglyphs else text


def _codes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


def _best_distance(pattern: np.ndarray, text: np.ndarray, limit: int) -> int:
    """Min edit distance of `pattern` to any substring of `text`; gives up once above `limit`.

    Row i of the DP is D[i][j] = min(E[j], D[i][j-1] + 1), E coming from row i-1; the
    left-to-right term is a running minimum, so D = cummin(E - j) + j.
    """
    n = len(text)
    idx = np.arange(n + 1, dtype=np.int32)
    row = np.zeros(n + 1, dtype=np.int32)  # a match may start anywhere: D[0][j] = 0
    e = np.empty(n + 1, dtype=np.int32)
    for i, ch in enumerate(pattern, 1):
        e[0] = i
        np.minimum(row[:-1] + (text != ch), row[1:] + 1, out=e[1:])
        row = np.minimum.accumulate(e - idx) + idx
        if row.min() > limit:  # row minima never decrease, so this settles it
            return int(row.min())
    return int(row.min())


def _found(sentence: str, text: str, codes: np.ndarray, max_edit_ratio: float) -> bool:
    if sentence in text:  # the common case, and free
        return True
    limit = max(1, int(max_edit_ratio * len(sentence)))
    return _best_distance(_codes(sentence), codes, limit) <= limit


def find_sentence(sentence: str, text: str, max_edit_ratio: float = 0.1,
                  fold_homoglyphs: bool = True) -> bool:
    """True if `sentence` occurs in `text` with at most max(1, ratio * len) edits.

    With `fold_homoglyphs`, Latin/Cyrillic look-alike letters compare equal.
    """
    text = _prepare(text, fold_homoglyphs)
    return _found(_prepare(sentence, fold_homoglyphs), text, _codes(text), max_edit_ratio)


def sentence_recall(sentences: list[str], text: str, max_edit_ratio: float = 0.1,
                    fold_homoglyphs: bool = True) -> tuple[float, list[str]]:
    """Fraction of `sentences` found in `text` (1.0 when there are none) and the missed ones."""
    norm = _prepare(text, fold_homoglyphs)
    codes = _codes(norm)  # encode the text once for all sentences
    missed = [s for s in sentences
              if not _found(_prepare(s, fold_homoglyphs), norm, codes, max_edit_ratio)]
    return (1.0 - len(missed) / len(sentences) if sentences else 1.0), missed
