"""Latin and Cyrillic look-alike letters: OCR reading both scripts mixes them up (`СЧЁТ HA
ОПЛАТУ`, `НР 85А`).

A word with letters that exist in one script only is in that script, and its look-alike
letters are written in it (`Тoвар` → `Товар`). A word made of look-alike letters alone
says nothing by itself: it is changed only on firm evidence, a model number beside it
(`НР 85А` → `HP 85A`), or the words on both sides of it in the other script and set the
same way, so that it is part of their running text (`СЧЁТ HA ОПЛАТУ`, `товар o
поставке`). A capitalised word among lower-case ones is a name or an abbreviation in
either script (`Картридж HP черный`, `договор с ООО «Вектор»`), and one-sided evidence
says nothing either (`ООО «Nord Trade»` at a line start): such words stay as read. The
Russian legal forms `ООО` and `ОАО` are words of no other language: always Cyrillic. On
a line known to be in one script (a Russian line on an English page, read again), a word
of look-alikes alone is in that script unless a word beside it says otherwise."""

from __future__ import annotations

import re
from enum import Enum

# Cyrillic letter -> the Latin letter drawn the same way.
_CYR_TO_LAT = dict(zip("АВСЕНКМОРТХУаеосрху", "ABCEHKMOPTXYaeocpxy", strict=True))
_LAT_TO_CYR = {lat: cyr for cyr, lat in _CYR_TO_LAT.items()}
LOOKALIKE = frozenset(_CYR_TO_LAT) | frozenset(_LAT_TO_CYR)
CYRILLIC_LOOKALIKE = frozenset(_CYR_TO_LAT)
_SPACE = re.compile(r"(\s+)")
_JOINER = re.compile(r"([-‐–/])")  # parts of a compound, each in its own script: IT-отдел
ACRONYM_LETTERS = 3  # a maker's name beside a model number: HP 85A, APC SU1000
_WRITTEN = ("cyrillic", "latin")
CYRILLIC_ONLY = frozenset(["ООО", "ОАО"])  # look-alikes alone, yet Cyrillic words only
_NUMBER_SIGN_READS = frozenset(["Ne", "Nе", "N°", "Nº", "N⁰"])  # `№` in Latin letters
_INITIAL = re.compile(r"^(?:[A-ZА-ЯЁ]\.){1,2},?$")  # initials: `Х.`, `А.С.`
_ZERO_READ = re.compile(r"[\[|(]?[оОoO][\]|).,]?")  # a zero read as a letter, a rule beside it
_FIGURE = re.compile(r"[^\w]*\d[\d.,:/%-]*[^\w]*")  # 18,870 · 2.5% · (12) · 0.
_RULE_MARK = re.compile(r"[\[\]|]+")
MIN_FIGURES = 3
_ABOUT_READS = frozenset(["06", "0б", "О6"])
_GOVERNED = re.compile(r"[аеиоуэ][а-яё]{2,}(?:ии|ах|ях|ом|ем|ке|те|де|ре|не)")
_LEGAL_FORMS = frozenset(["ООО", "ОАО", "ЗАО", "ПАО", "АО", "НАО"])
_OPENING_QUOTES = frozenset('«"„“')
_LETTERS_AND_ZEROS = re.compile(r"[А-ЯЁа-яё0]+")
_ZERO_INITIALS = re.compile(r"(?=.*0)(?=.*[А-ЯЁ])(?:[А-ЯЁ0]\.){2}")  # `0.Г.`, `Н.0.`


class Script(Enum):
    cyrillic = "cyrillic"
    latin = "latin"
    lookalike = "lookalike"  # letters, every one of them a look-alike
    model = "model"  # digits and look-alike letters: 85A, A4
    none = "none"  # no letters: numbers, punctuation


def is_cyrillic(ch: str) -> bool:
    return "\u0400" <= ch <= "\u04ff"


def is_latin(ch: str) -> bool:
    return ch.isalpha() and (ch.isascii() or "\u00c0" <= ch <= "\u024f")


def counts(word: str) -> tuple[int, int, int]:
    """(Cyrillic-only letters, Latin-only letters, look-alike letters) in `word`."""
    cyr = lat = alike = 0
    for ch in word:
        if ch in LOOKALIKE:
            alike += 1
        elif is_cyrillic(ch):
            cyr += 1
        elif is_latin(ch):
            lat += 1
    return cyr, lat, alike


def classify(word: str) -> Script:
    cyr, lat, alike = counts(word)
    if cyr or lat:
        return Script.cyrillic if cyr >= lat else Script.latin
    if alike:
        return Script.model if any(ch.isdigit() for ch in word) else Script.lookalike
    return Script.none


def to_script(word: str, script: Script) -> str:
    """`word` with its look-alike letters written in `script` (latin or cyrillic)."""
    table = _CYR_TO_LAT if script is Script.latin else _LAT_TO_CYR
    return "".join(table.get(ch, ch) for ch in word)


def is_mixed(word: str) -> bool:
    return any(is_cyrillic(ch) for ch in word) and any(is_latin(ch) for ch in word)


def _as_written(word: str) -> Script:
    """The script most of a look-alike-only word's letters are written in (a tie: Latin)."""
    cyr = sum(is_cyrillic(ch) for ch in word)
    lat = sum(is_latin(ch) for ch in word)
    return Script.cyrillic if cyr > lat else Script.latin


def fix_words(words: list[str], script: Script | None = None) -> list[str]:
    """The words of one line with look-alike letters put in the script each word is in,
    and `№` where OCR read it in Latin letters on a Russian line. `script`, when known, is
    the script the whole line is in (a Russian line on an English page, read again with
    the Latin model first): a word of look-alike letters alone that nothing beside it
    contradicts is written in it (`BCE СОТРУДНИКИ`, `OT 12.03.2024` → `ВСЕ`, `ОТ`)."""
    kinds = [classify(w) for w in words]
    out = _number_signs(words, kinds)
    for i, (word, kind) in enumerate(zip(words, kinds, strict=True)):
        if kind.value in _WRITTEN:
            if is_mixed(word):
                out[i] = "".join(_fixed_part(part, kind) for part in _JOINER.split(word))
        elif kind in (Script.lookalike, Script.model):
            firm, hint = _context(words, kinds, i)
            if _letters(to_script(word, Script.cyrillic)) in CYRILLIC_ONLY:
                firm = Script.cyrillic
            if firm is not None:
                out[i] = to_script(word, firm)
            elif script and kind is Script.lookalike and _fits(words, kinds, i, script):
                out[i] = to_script(word, script)
            elif is_mixed(word):  # one script it must be: the hint, or most letters
                out[i] = to_script(word, hint or _as_written(word))
    return _about(_legal_forms(_zeros([_letter_o(word) for word in out])))


def _about(words: list[str]) -> list[str]:
    """`Об` read as a number at a line's start (`06 организации пропускного режима`):
    an order's subject. Only before a word that `об` governs, as an order's subject
    has it: one starting with a vowel, in the prepositional case (`организации`,
    `итогах`, `отмене`); a count, a unit, a date's month or a conjunction follow a
    number (`06 ед.`, `06 апреля`, `06 и 07`)."""
    if len(words) >= 2 and words[0] in _ABOUT_READS and _GOVERNED.fullmatch(words[1]):
        return ["Об", *words[1:]]
    return words


def _legal_forms(words: list[str]) -> list[str]:
    """A company's legal form read in digits before its quoted name (`000 «Медтехника
    Плюс»`, `3АО "Лес"`): Tesseract takes `О` for a zero and `З` for a three. Only
    before an opening quote: `000` elsewhere is a number."""
    out = list(words)
    for i, word in enumerate(words[:-1]):
        form = to_script(word.replace("0", "О").replace("3", "З"), Script.cyrillic)
        latin = any(is_latin(ch) for ch in word)  # `Bank AO "Raiffeisen"` stays Latin
        if (
            words[i + 1][:1] in _OPENING_QUOTES
            and not latin
            and word != form
            and form in _LEGAL_FORMS
        ):
            out[i] = form
    return out


def _letter_o(word: str) -> str:
    """A Cyrillic `О` read as a zero inside a word: between two Cyrillic letters
    (`Д0ГОВОР`, `д0говор`), after two (`ПВ0`), or before the letters of a code's prefix
    (`0С-002321`). A part of letters and zeros only: a zero before a unit (`0шт`,
    `0,00руб`, `0В`) or after one letter (`А0`, a paper size) is a figure's and stays."""
    parts = _JOINER.split(word)
    coded = len(parts) >= 3 and parts[2][:1].isdigit()  # `ОС-002321`: letters, a number
    return "".join(_letter_o_part(part, code=coded and k == 0) for k, part in enumerate(parts))


def _letter_o_part(part: str, code: bool) -> str:
    if _ZERO_INITIALS.fullmatch(part):  # `Михайлова 0.Г.`
        return part.replace("0", "О")
    if "0" not in part or not _LETTERS_AND_ZEROS.fullmatch(part):
        return part
    chars = list(part)
    letters = sum(ch.isalpha() for ch in chars)
    for k, ch in enumerate(chars):
        if ch != "0":
            continue
        before = k > 0 and chars[k - 1].isalpha()
        after = k + 1 < len(chars) and chars[k + 1].isalpha()
        if (before and after) or (before and letters >= 2) or (code and after and k == 0):
            chars[k] = _o_like(chars, k)
    return "".join(chars)


def _o_like(chars: list[str], k: int) -> str:
    """`О` or `о`: a capital at a word's start or beside a capital, else small."""
    near = [chars[j] for j in (k - 1, k + 1) if 0 <= j < len(chars) and chars[j].isalpha()]
    if k == 0 or not chars[k - 1].isalpha() or any(ch.isupper() for ch in near):
        return "О"
    return "о"


def _zeros(words: list[str]) -> list[str]:
    """A lone `о` or `O` among figures is a zero: Tesseract reading Russian and English
    takes a table's zeros for the letter (`0 о 0`, `[о 18 9`), which no language writes
    between two numbers. On a line of three figures or more, a run of lone letters o
    (either script) with figures or the line's ends on both sides, a figure on one at
    least; a rule read as `[` or `|` between them is passed over."""
    if sum(bool(_FIGURE.fullmatch(w)) for w in words) < MIN_FIGURES:
        return words
    kept = [i for i, w in enumerate(words) if not _RULE_MARK.fullmatch(w)]
    kinds = [
        "o" if _ZERO_READ.fullmatch(words[i]) else "9" if _FIGURE.fullmatch(words[i]) else "a"
        for i in kept
    ]
    out = list(words)
    for run in re.finditer("o+", "".join(kinds)):
        sides = kinds[run.start() - 1 : run.start()] + kinds[run.end() : run.end() + 1]
        if "9" in sides and "a" not in sides:
            for k in range(run.start(), run.end()):
                out[kept[k]] = "0"
    return out


def _fits(words: list[str], kinds: list[Script], i: int, script: Script) -> bool:
    """Does nothing beside word i say it is not in the line's `script`? No word right
    beside it is in the other script, and it is set as those with letters (a capitalised
    word among lower-case ones is a name or an abbreviation: `Картридж HP черный`)."""
    near = [k for k in (i - 1, i + 1) if 0 <= k < len(words) and _letters(words[k])]
    if any(kinds[k].value in _WRITTEN and kinds[k] is not script for k in near):
        return False
    case = _case(words[i])
    return case == "lower" or all(_case(words[k]) == case for k in near)


def _number_signs(words: list[str], kinds: list[Script]) -> list[str]:
    """`Ne`, `N°`, `Nº` on a line mostly in Cyrillic are `№` as Tesseract reads it with
    the Latin model beside the Russian one (an invoice's `Ne` column, `Счёт Ne 179`);
    `No` too, before a number. An English line keeps them all."""
    cyrillic = sum(k is Script.cyrillic for k in kinds)
    if not cyrillic or cyrillic < sum(k is Script.latin for k in kinds):
        return list(words)
    out = list(words)
    for i, word in enumerate(words):
        before_number = i + 1 < len(words) and words[i + 1][:1].isdigit()
        if word in _NUMBER_SIGN_READS or (word == "No" and before_number):
            out[i] = "№"
    return out


def _fixed_part(part: str, word: Script) -> str:
    """A part of a compound word (`Wi-Fi-роутер`) in its own script when it has letters of
    one script only, else in the script of the `word` it is part of."""
    if not is_mixed(part):
        return part
    kind = classify(part)
    return to_script(part, kind if kind.value in _WRITTEN else word)


def _context(words: list[str], kinds: list[Script], i: int) -> tuple[Script | None, Script | None]:
    """(firm, hint) for the look-alike-only word i: the script it is certainly in, and the
    one the words beside it suggest. Firm: two or three capitals beside a model number are
    Latin (`HP 85A`; not `СЕКТОР 3В`); else the script of the words right on both sides,
    when they agree and the word is set as they are (`СЧЁТ HA ОПЛАТУ`) or is a model
    number, whose letters are the maker's, not the sentence's (`Logitech К120, USB`). A word
    beside made of look-alikes counts in the script it was read in. Only the words right
    beside count: a number between says nothing (`650 ВА`)."""
    if _INITIAL.match(words[i]) and (name := _name_by(words, kinds, i)) is not None:
        return name, name
    near = [k for k in (i - 1, i + 1) if 0 <= k < len(words)]
    pair = [i, *near]
    if any(kinds[k] is Script.model for k in pair) and any(
        kinds[k] is Script.lookalike and _acronym(words[k]) for k in pair
    ):
        return Script.latin, Script.latin
    sides = [_script_of(words[k], kinds[k]) for k in near]
    known = [s for s in sides if s is not None]
    if (
        len(known) == 2
        and known[0] is known[1]
        and (_set_alike(words, i) or kinds[i] is Script.model)
    ):
        return known[0], known[0]
    if len(set(known)) == 1:
        return None, known[0]
    return None, None


def _name_by(words: list[str], kinds: list[Script], i: int) -> Script | None:
    """The script of the surname an initial belongs to (`Зинштейн Х. В.`, `В. И.
    Морозову`): the nearest word past the initials beside it, when it is a capitalised
    word of one script."""
    for step in (-1, 1):
        k = i + step
        while 0 <= k < len(words) and _INITIAL.match(words[k]):
            k += step
        if 0 <= k < len(words) and kinds[k].value in _WRITTEN and words[k][:1].isupper():
            return kinds[k]
    return None


def _script_of(word: str, kind: Script) -> Script | None:
    if kind.value in _WRITTEN:
        return kind
    return _as_written(word) if kind in (Script.lookalike, Script.model) else None


def _letters(word: str) -> str:
    return "".join(ch for ch in word if ch.isalpha())


def _acronym(word: str) -> bool:
    """Two or three capitals: a maker's name beside a model number (`HP`, `APC`)."""
    letters = [ch for ch in word if ch.isalpha()]
    return 2 <= len(letters) <= ACRONYM_LETTERS and all(ch.isupper() for ch in letters)


def _case(word: str) -> str:
    letters = [ch for ch in word if ch.isalpha()]
    if all(ch.islower() for ch in letters):
        return "lower"
    return "upper" if all(ch.isupper() for ch in letters) else "title"


def _set_alike(words: list[str], i: int) -> bool:
    """Is word i set as the words on both sides of it: lower case, or capitals among
    capitals? (A capitalised word among lower-case ones is a name or an abbreviation.)"""
    case = _case(words[i])
    return case == "lower" or case == _case(words[i - 1]) == _case(words[i + 1]) == "upper"


def fix_text(text: str, script: Script | None = None) -> str:
    """`text` with look-alike letters fixed word by word, line by line; spacing kept.
    `script`: the script every line is known to be in (see `fix_words`)."""
    return "\n".join(_fix_line(line, script) for line in text.split("\n"))


def _fix_line(line: str, script: Script | None) -> str:
    parts = _SPACE.split(line)
    at = [k for k, part in enumerate(parts) if part and not part.isspace()]
    for k, word in zip(at, fix_words([parts[k] for k in at], script), strict=True):
        parts[k] = word
    return "".join(parts)
