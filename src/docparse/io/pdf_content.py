"""What a PDF page holds, read through PDFium's raw API: its text lines (with size, weight
and the column starts tables need), its words with tight boxes, and its images and vector
paths. Callers hold PDFium's lock (io.pdf.PdfFile does)."""

from __future__ import annotations

import collections
import functools
import itertools
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from docparse.document import BBox
from docparse.io.accents import COMBINING, placed_accents
from docparse.io.gutters import column_gutters, column_of, crosses, in_column_order

# Weights in font names; TeX's bold faces say so in a code: cmbx (Computer Modern), ecbx
# and ecbi (EC), sfbx and sfbi (CM-Super). Slants likewise: cmti, ecti, ecbi, sfti, sfbi.
BOLD_NAMES = ("bold", "black", "heavy", "semibold", "demi", "cmbx", "ecbx", "ecbi", "sfbx", "sfbi")
# A face's style part ('PTSerif-Regular', 'Arial,Italic') naming no bold weight.
REGULAR_NAMES = (
    "regular",
    "book",
    "roman",
    "light",
    "thin",
    "normal",
    "medium",
    "italic",
    "oblique",
)
ITALIC_NAMES = ("italic", "oblique", "cmti", "ecti", "ecbi", "sfti", "sfbi")
# URW's Nimbus faces name their bold "Medi" (NimbusRomNo9L-Medi: Times Bold in TeX); a
# face's "Medium" is no bold.
_NIMBUS_BOLD = re.compile(r"-medi(?:ital)?$")


@dataclass
class TextLine:
    text: str
    bbox: BBox  # in points, origin top-left of the displayed (rotated) page
    font_size: float  # em height of the line's first letter, in points
    bold: bool = False
    italic: bool = False
    segments: int = 1  # runs PDFium split the line into at wide gaps (table columns)
    column_starts: tuple[float, ...] = ()  # where runs start after a gap of an em or more
    overprinted: bool = False  # runs of it lie over one another (io.clipped_text asks)


@dataclass
class TextLayer:
    lines: list[TextLine]
    char_count: int
    image_coverage: float  # share of the page area covered by image objects (0..1+)
    image_dpi: float | None  # resolution of the largest image, when there is one
    hidden_text_share: float  # text objects invisible or under a page-sized image (0..1)
    image_boxes: list[BBox] = field(default_factory=list)  # pictures, display coordinates
    paths: int = 0  # vector path objects: table rules among them
    # Thin vector paths across and down the displayed page: the rules a table grid draws.
    rules: tuple[int, int] = (0, 0)
    # The most rules across the displayed page that start and end together: a table
    # ruled across only (booktabs) has three or more.
    stacked_rules: int = 0


def unrotated(page: pdfium.PdfPage) -> tuple[float, float, int]:
    """Width and height of the unrotated page that PDF coordinates live on, and /Rotate."""
    rotation = page.get_rotation()
    width, height = page.get_size()
    if rotation in (90, 270):
        width, height = height, width
    return width, height, rotation


def page_origin(page: pdfium.PdfPage) -> tuple[float, float]:
    """The move in display points that `_displayed`'s boxes need when the page box
    (CropBox, else MediaBox) does not start at (0, 0): a cropped page, a box set off
    ([50 50 662 842]) or upside down ([0 0 612 -792]). PDFium shows the box's corner at
    the top left; the move is the same for every box on the page."""
    left, bottom, right, top = page.get_bbox()  # the CropBox as shown: inherited too
    x, y = min(left, right), min(bottom, top)
    return {90: (-y, -x), 180: (x, -y), 270: (y, x)}.get(page.get_rotation(), (-x, y))


def moved(box: BBox, by: tuple[float, float]) -> BBox:
    dx, dy = by
    return BBox(x0=box.x0 + dx, y0=box.y0 + dy, x1=box.x1 + dx, y1=box.y1 + dy)


def read_text_layer(
    page: pdfium.PdfPage, textpage: pdfium.PdfTextPage, clipped: frozenset[int] = frozenset()
) -> TextLayer:
    """The page's text lines and what else it holds; `clipped`: indices of characters
    that do not show (io.clipped_text), left out of the lines."""
    width, height, rotation = unrotated(page)
    lines = _lines(textpage, width, height, rotation, clipped)
    char_count = sum(len(line.text.strip()) for line in lines)
    coverage, image_dpi, hidden, boxes, paths, rules, stacked = _images(
        page, width, height, rotation
    )
    if (origin := page_origin(page)) != (0.0, 0.0):
        for line in lines:
            line.bbox = moved(line.bbox, origin)
            line.column_starts = tuple(x + origin[0] for x in line.column_starts)
        boxes = [moved(box, origin) for box in boxes]
    return TextLayer(
        lines=lines,
        char_count=char_count,
        image_coverage=coverage,
        image_dpi=image_dpi,
        hidden_text_share=hidden,
        image_boxes=boxes,
        paths=paths,
        rules=rules,
        stacked_rules=stacked,
    )


Box = tuple[float, float, float, float]  # x0, y0, x1, y1: a BBox without validation
# A rule: a path at least this long and at most this thick (points). Thicker is a bar or
# a fill, shorter a tick, a dash or a bullet.
MIN_RULE_PT, MAX_RULE_THICKNESS_PT = 10.0, 3.0


def _to_display(
    left: float, bottom: float, right: float, top: float, w: float, h: float, rotation: int
) -> BBox:
    """PDF user space (origin bottom-left, unrotated w×h) to top-left display coordinates
    after the page's clockwise /Rotate."""
    x0, y0, x1, y1 = _displayed(left, bottom, right, top, w, h, rotation)
    return BBox(x0=x0, y0=y0, x1=x1, y1=y1)


def _displayed(
    left: float, bottom: float, right: float, top: float, w: float, h: float, rotation: int
) -> Box:
    """`_to_display` as a plain tuple: a line's runs are many, and only their left and
    right edges are looked at."""
    if rotation == 90:
        return bottom, left, top, right
    if rotation == 180:
        return w - right, bottom, w - left, top
    if rotation == 270:
        return h - top, w - right, h - bottom, w - left
    return left, h - top, right, h - bottom


# Out-parameters of PDFium's box calls, made once: callers hold PDFium's lock.
_EDGES = tuple(pdfium_c.c_double() for _ in range(4))
_RECT = pdfium_c.FS_RECTF()


def _lines(
    textpage: pdfium.PdfTextPage, w: float, h: float, rotation: int, clipped: frozenset[int]
) -> list[TextLine]:
    """Lines as PDFium breaks them (and where it ran two lines of the page into one), each
    with the union box of its visible characters. A line with clipped characters in it is
    the runs of characters between them, each a line."""
    raw = textpage.raw
    count = pdfium_c.FPDFText_CountChars(raw)
    if count <= 0:
        return []
    # One call for all the text: a UTF-16 buffer aligned with char indices.
    buffer = (pdfium_c.c_ushort * (count + 1))()
    pdfium_c.FPDFText_GetText(raw, 0, count, buffer)
    data = _with_accents_placed(raw, bytes(buffer)[: 2 * count])
    spans: list[tuple[int, int, TextLine]] = []
    start = 0
    for end in [*_line_breaks(data), count]:
        for a, b in _shown_runs(start, end, clipped):
            spans += _line(raw, data, a, b, w, h, rotation) or []
        start = end + 1
    lines = [line for _, _, line in spans]
    gutters = column_gutters(lines, h if rotation in (90, 270) else w)
    if not gutters:
        return lines
    # Lines that run across a column gutter are parted there: each column's own lines.
    parted: list[TextLine] = []
    top, bottom = math.inf, -math.inf
    for a, b, line in spans:
        across = [g for g in gutters if crosses(line, g)]
        if not across:
            parted.append(line)
            continue
        top, bottom = min(top, line.bbox.y0), max(bottom, line.bbox.y1)
        cuts = _gutter_cuts(raw, a, b, across, w, h, rotation)
        for c, d in itertools.pairwise([a, *cuts, b]):
            parted += [piece for _, _, piece in _line(raw, data, c, d, w, h, rotation) or []]
    return in_column_order(parted, gutters, top, bottom)


def _with_accents_placed(raw: object, data: bytes) -> bytes:
    """The page's UTF-16 text with accents set as glyphs of their own put on their
    letters (io.accents); a dropped character becomes U+FFFE, which lines leave out."""
    text = data.decode("utf-16-le", "replace")
    if not any(accent in text for accent in COMBINING):
        return data
    units = bytearray(data)
    for i, char in placed_accents(raw, _chars(raw)).items():
        units[2 * i : 2 * i + 2] = (ord(char) if char else 0xFFFE).to_bytes(2, "little")
    return bytes(units)


def _shown_runs(start: int, end: int, clipped: frozenset[int]) -> Iterator[tuple[int, int]]:
    """The ranges of [start, end) that hold no clipped character."""
    if not clipped:
        yield start, end
        return
    a = start
    for i in range(start, end):
        if i in clipped:
            if i > a:
                yield a, i
            a = i + 1
    if end > a:
        yield a, end


def _line(
    raw: object,
    data: bytes,
    start: int,
    end: int,
    w: float,
    h: float,
    rotation: int,
    split: bool = True,
) -> list[tuple[int, int, TextLine]] | None:
    """The line of chars [start, end), or the lines it runs over when PDFium missed a
    break (looked for when `split`), each with its char range; None when it shows
    nothing."""
    decoded = data[2 * start : 2 * end].decode("utf-16-le", "replace")
    # Some generators (ConsultantPlus) set justified words apart with tabs.
    text = _TAB.sub(" ", decoded.translate(_UNPRINTABLE)).strip()
    # TeX's `` and '' quotes come out of some fonts as two single quotes each.
    text = text.replace("\u2018\u2018", "\u201c").replace("\u2019\u2019", "\u201d")
    if not text:
        return None
    left, right, bottom, top = _EDGES
    # PDFium merges the character boxes of a range into a few rects, in C.
    x0 = y0 = float("inf")
    x1 = y1 = float("-inf")
    segments = pdfium_c.FPDFText_CountRects(raw, start, end - start)
    runs: list[Box] = []
    for r in range(segments):
        if pdfium_c.FPDFText_GetRect(raw, r, left, top, right, bottom):
            x0, x1 = min(x0, left.value), max(x1, right.value)
            y0, y1 = min(y0, bottom.value), max(y1, top.value)
            if segments > 1:
                runs.append(
                    _displayed(left.value, bottom.value, right.value, top.value, w, h, rotation)
                )
    if x0 >= x1:
        return None
    if split and _wraps(runs) and (cuts := _missed_breaks(raw, start, end, w, h, rotation)):
        return [
            line
            for a, b in itertools.pairwise([start, *cuts, end])
            for line in _line(raw, data, a, b, w, h, rotation, split=False) or []
        ]
    size, bold, italic = _letter_style(raw, _letters(data, decoded, start, end), _RECT)
    line = TextLine(
        text=text,
        bbox=_to_display(x0, y0, x1, y1, w, h, rotation),
        font_size=size,
        bold=bold,
        italic=italic,
        segments=max(1, segments),
        column_starts=_column_starts(runs),
        overprinted=_overprinted(runs),
    )
    return [(start, end, line)]


def _wraps(runs: list[Box]) -> bool:
    """Does a run start below the one before it and back to its left: the next line of
    the page, which PDFium joined to this one with no line break (an OCR layer's head
    and first line of a page, set as one run of text)?"""
    return any(b[1] >= a[3] and b[0] < a[2] for a, b in itertools.pairwise(runs))


def _visible_boxes(
    raw: object, start: int, end: int, w: float, h: float, rotation: int
) -> Iterator[tuple[int, Box]]:
    """The chars in [start, end) that show, with their boxes on the displayed page
    (spaces and empty glyphs have none)."""
    left, right, bottom, top = _EDGES
    for i in range(start, end):
        if not pdfium_c.FPDFText_GetCharBox(raw, i, left, right, bottom, top):
            continue
        box = _displayed(left.value, bottom.value, right.value, top.value, w, h, rotation)
        if box[2] > box[0] and box[3] > box[1]:
            yield i, box


def _missed_breaks(
    raw: object, start: int, end: int, w: float, h: float, rotation: int
) -> list[int]:
    """The char indices in (start, end) where the text goes on at the start of a lower
    line: a letter wholly below the last one and wholly left of it. Not after a hyphen
    where the line below starts: PDFium joins a word broken over two lines on purpose.
    Text set down the page (a sideways table head) goes on below but not to the left."""
    cuts: list[int] = []
    last: Box | None = None
    last_index = start
    line_x, tall = math.inf, 0.0  # where the current line starts; its tallest letter
    for i, box in _visible_boxes(raw, start, end, w, h, rotation):
        if (
            last is not None
            and box[1] >= last[3]
            and box[2] <= last[0]
            and (
                (
                    box[0] < line_x - BROKEN_WORD_INDENT * tall
                    and box[1] - last[3] > LINE_APART * tall
                )
                or not any(
                    pdfium_c.FPDFText_GetUnicode(raw, k) in _HYPHENS for k in range(last_index, i)
                )
            )
        ):
            cuts.append(i)
            line_x, tall = math.inf, 0.0
        last, last_index = box, i
        line_x, tall = min(line_x, box[0]), max(tall, box[3] - box[1])
    return cuts


def _gutter_cuts(
    raw: object, start: int, end: int, gutters: list[float], w: float, h: float, rotation: int
) -> list[int]:
    """The char indices in (start, end) where the text crosses one of the gutters (the
    next column's line, or back to this one's next line)."""
    cuts: list[int] = []
    side: int | None = None
    for i, box in _visible_boxes(raw, start, end, w, h, rotation):
        now = column_of(box[0], gutters)
        if side is not None and now != side:
            cuts.append(i)
        side = now
    return cuts


# A word broken over two lines goes on in the next line, where the line above started
# give or take an indent (in letter heights); far below and far left of it, a page's
# last word broken to the next page ran into a stamp at the foot (a Federal Register
# page's "Soekarno-" and "VerDate ...").
BROKEN_WORD_INDENT, LINE_APART = 3.0, 2.5
# A line-end hyphen as PDFium gives it (the marker of one it joined, or the hyphen).
_HYPHENS = frozenset({0x02, 0xFFFE, 0xAD, ord("-"), 0x2010, 0x2011})


def _overprinted(runs: list[Box]) -> bool:
    """Does a run lie over another, more than a letter's height along it: text set on
    text (a cell's text running on under the next cell's, clipped away)?"""
    runs = sorted(runs, key=lambda b: b[0])
    return any(
        a[2] - b[0] > max(a[3] - a[1], b[3] - b[1]) and min(a[3], b[3]) > max(a[1], b[1])
        for a, b in itertools.pairwise(runs)
    )


def _column_starts(runs: list[Box]) -> tuple[float, ...]:
    """Left edges of the runs that follow a gap of at least their height: a table's
    next column, rarely a word space."""
    runs = sorted(runs, key=lambda b: b[0])
    return tuple(
        b[0]
        for a, b in itertools.pairwise(runs)
        if b[0] - a[2] >= max(a[3] - a[1], b[3] - b[1], 1.0)
    )


def _line_breaks(data: bytes) -> list[int]:
    """Char indices of the newlines PDFium puts between lines (UTF-16LE `\\n`)."""
    breaks = []
    at = data.find(_NEWLINE)
    while at >= 0:
        if at % 2 == 0:  # not the high byte of one unit and the low byte of the next
            breaks.append(at // 2)
        at = data.find(_NEWLINE, at + 1)
    return breaks


def _letters(data: bytes, decoded: str, start: int, end: int) -> list[int]:
    """Char indices of the first, a middle and the last letter or digit in [start, end):
    found in the decoded text, which lines up with the indices unless it holds surrogate
    pairs."""
    if len(decoded) == end - start:
        count = len(_LETTER.findall(decoded))
        if not count:
            return []
        matches = _LETTER.finditer(decoded)
        first = next(matches).start()
        middle = (
            next(itertools.islice(matches, count // 2 - 1, None)).start() if count > 1 else first
        )
        rest = collections.deque(matches, maxlen=1)
        last = rest[0].start() if rest else middle
        return [start + first, start + middle, start + last]
    units = [data[2 * i] | data[2 * i + 1] << 8 for i in range(start, end)]
    found = [start + k for k, u in enumerate(units) if chr(u).isalnum()]
    return found and [found[0], found[len(found) // 2], found[-1]]


def _letter_style(
    raw: object, letters: list[int], rect: pdfium_c.FS_RECTF
) -> tuple[float, bool, bool]:
    """Text size, weight and slant of a line from its first, middle and last letters (a
    superscript at one end, a bold or italic term in the middle must not decide): the
    loose box is the font's em height whatever the text matrix says (GetFontSize reports
    1.0 under a scaled matrix)."""
    if not letters:
        return 0.0, False, False
    sizes = []
    sampled = set(letters)
    for i in sampled:
        if pdfium_c.FPDFText_GetLooseCharBox(raw, i, rect):
            size, width = abs(rect.top - rect.bottom), abs(rect.right - rect.left)
            sizes.append(max(size, width) if size < 0.5 * width else size)
    sizes.sort()
    # Bold (italic) when most of the three are: a term inside a sentence sets no line.
    styles = [_style(raw, i) for i in sampled]
    bold = sum(b for b, _ in styles) * 2 > len(styles)
    italic = sum(i for _, i in styles) * 2 > len(styles)
    return (sizes[len(sizes) // 2] if sizes else 0.0), bold, italic


# One buffer for font names: callers hold PDFium's lock, so one call uses it at a time.
_FONT_NAME = pdfium_c.create_string_buffer(128)
_FONT_FLAGS = pdfium_c.c_int()
_ITALIC_FLAG = 1 << 6  # the font descriptor's Italic flag


def _style(raw: object, index: int) -> tuple[bool, bool]:
    """Is the character's font bold, is it italic: by its weight and flags, and by its
    name where many Type 1 fonts report neither (CMBX10, Times-Bold, CMTI10)."""
    length = pdfium_c.FPDFText_GetFontInfo(raw, index, _FONT_NAME, 128, _FONT_FLAGS)
    name = _FONT_NAME.value if length > 0 else b""
    named = _named_weight(name) if length > 0 else None
    bold = named if named is not None else pdfium_c.FPDFText_GetFontWeight(raw, index) >= 600
    italic = length > 0 and (bool(_FONT_FLAGS.value & _ITALIC_FLAG) or _italic_name(name))
    return bold, italic


@functools.lru_cache(maxsize=256)
def _italic_name(name: bytes) -> bool:
    lowered = name.decode("latin-1", "replace").lower()
    return any(mark in lowered for mark in ITALIC_NAMES)


@functools.lru_cache(maxsize=256)
def _named_weight(name: bytes) -> bool | None:
    """Bold or not as the font's name says, None when it says neither. A name whose
    style part says regular or italic outweighs the weight PDFium reports: Chromium's
    PDFs give PT Serif Regular a weight of 764 and its Italic 1076."""
    if _bold_name(name):
        return True
    lowered = name.decode("latin-1", "replace").lower()
    style = re.split(r"[-,]", lowered.rsplit("+", 1)[-1], maxsplit=1)[1:]
    return False if style and any(mark in style[0] for mark in REGULAR_NAMES) else None


@functools.lru_cache(maxsize=256)
def _bold_name(name: bytes) -> bool:
    lowered = name.decode("latin-1", "replace").lower()
    return any(mark in lowered for mark in BOLD_NAMES) or bool(_NIMBUS_BOLD.search(lowered))


WORD_GAP_SHARE = 0.12  # of the char height: letters sit 0-0.05 apart, spaces 0.2+
SPACE_GAP_SHARE = 0.8  # after a space char: the space's own width and a letter gap
SIDEWAYS_SINE = 0.9  # a character's angle this close to 90° or 270°: sideways text


def page_words(
    raw: object, w: float, h: float, rotation: int, clipped: frozenset[int] = frozenset()
) -> list[tuple[str, BBox]]:
    """Words with tight boxes: split at spaces and where a letter's loose box leaves the
    last one's line, steps back or stands a gap wider than between letters. Two PDFium
    calls per character, so the loop keeps to locals and plain floats. Text set up or
    down an upright page (a table's rotated column heads) runs on across its spaces:
    one phrase is one word, its letters in reading order. `clipped` characters (clipped
    away, io.clipped_text) part words as a line break does."""
    get_box, get_loose = pdfium_c.FPDFText_GetCharBox, pdfium_c.FPDFText_GetLooseCharBox
    left, right, bottom, top = (pdfium_c.c_double() for _ in range(4))
    loose = pdfium_c.FS_RECTF()
    words: list[tuple[str, BBox]] = []
    text = ""
    tight: list[float] = []  # the word's x0, y0, x1, y1 (PDF space); empty: no letter yet
    last: tuple[float, float, float, float] | None = None  # the last letter's loose box
    upright_page = rotation in (0, 180)
    stacked = False  # the word's letters go up or down the page
    chars = _chars(raw)
    for i, placed in placed_accents(raw, chars).items():
        chars[i] = placed
    for i in clipped:
        chars[i] = "\n"
    for i, char in enumerate(chars):
        if not char:  # an accent put on its letter, or a surrogate pair's second half
            continue
        if char.isspace() or not get_box(raw, i, left, right, bottom, top):
            if char == " " and (stacked or _tall_sideways(raw, i - 1, text, tight, upright_page)):
                stacked = True
                text += " "  # a space inside a phrase of sideways text
                continue
            _add_word(words, text, tight, w, h, rotation)
            text, tight, last, stacked = "", [], None, False
            continue
        get_loose(raw, i, loose)
        x0, y0, x1, y1 = loose.left, loose.bottom, loose.right, loose.top
        if rotation:  # letters compared as the page is shown: its lines run left to right
            x0, y0, x1, y1 = _displayed(x0, y0, x1, y1, w, h, rotation)
        if last is not None:
            if y1 < last[1] or y0 > last[3]:  # another line, or sideways text going on
                stacked = upright_page and _goes_on(raw, i, x0, y0, x1, y1, last, text)
                split = not stacked
            else:  # a step back, or a gap wider than between letters
                split = x1 < last[0] or x0 - last[2] > WORD_GAP_SHARE * max(
                    last[3] - last[1], y1 - y0, 1e-6
                )
            if split:
                _add_word(words, text, tight, w, h, rotation)
                text, tight = "", []
        a, b, c, d = left.value, bottom.value, right.value, top.value
        if tight:
            if a < tight[0]:
                tight[0] = a
            if b < tight[1]:
                tight[1] = b
            if c > tight[2]:
                tight[2] = c
            if d > tight[3]:
                tight[3] = d
        else:
            tight = [a, b, c, d]
        text += char
        last = (x0, y0, x1, y1)
    _add_word(words, text, tight, w, h, rotation)
    return words


def _sideways(raw: object, index: int) -> float:
    """The sine of the character's angle when it is set up (< 0) or down (> 0) the page,
    else 0."""
    sine = math.sin(pdfium_c.FPDFText_GetCharAngle(raw, index))
    return sine if abs(sine) > SIDEWAYS_SINE else 0.0


def _tall_sideways(
    raw: object, index: int, text: str, tight: list[float], upright_page: bool
) -> bool:
    """Is the word so far sideways text (asked only of a word taller than wide, whose
    letters' loose boxes overlapped along the line)?"""
    return (
        upright_page
        and len(text) > 1
        and tight[3] - tight[1] > 1.2 * (tight[2] - tight[0])
        and bool(_sideways(raw, index))
    )


def _goes_on(
    raw: object,
    index: int,
    x0: float,
    y0: float,
    x1: float,
    y1: float,
    last: tuple[float, float, float, float],
    text: str,
) -> bool:
    """Does this letter of sideways text follow the last one (beside it across, next
    along, within a letter gap, or a space's after a space)?"""
    sine = _sideways(raw, index)
    if not sine or x0 > last[2] or x1 < last[0]:
        return False
    gap = (SPACE_GAP_SHARE if text.endswith(" ") else WORD_GAP_SHARE) * max(
        last[2] - last[0], x1 - x0, 1e-6
    )
    if sine < 0:  # reads upwards
        return y0 >= last[1] and y0 - last[3] <= gap
    return y1 <= last[3] and last[1] - y1 <= gap


def _chars(raw: object) -> list[str]:
    """The page's characters by index, as FPDFText_GetUnicode gives them: one call for
    all the text when it lines up with the indices. It does not when PDFium left a
    character out (it then writes fewer units) or one outside the BMP took two."""
    count = pdfium_c.FPDFText_CountChars(raw)
    if count <= 0:
        return []
    buffer = (pdfium_c.c_ushort * (count + 1))()
    written = pdfium_c.FPDFText_GetText(raw, 0, count, buffer)
    units = buffer[:count]
    if written != count + 1 or any(0xD800 <= unit <= 0xDFFF for unit in units):
        return _paired([pdfium_c.FPDFText_GetUnicode(raw, i) for i in range(count)])
    # The text has U+FFFE for a line-end hyphen PDFium joined and for a glyph with no
    # Unicode: the char itself says which (0x02 or 0).
    return [
        chr(pdfium_c.FPDFText_GetUnicode(raw, i) if unit == 0xFFFE else unit)
        for i, unit in enumerate(units)
    ]


def _paired(units: list[int]) -> list[str]:
    """Characters by index from PDFium's UTF-16 units, one per index: a character outside
    the BMP takes two indices, so it stands at the first and the second is empty; a lone
    surrogate (a broken ToUnicode map) is U+FFFD, as in the page's text."""
    chars = []
    pending = None  # a high surrogate waiting for its low half
    for unit in units:
        if 0xDC00 <= unit <= 0xDFFF and pending is not None:
            chars[-1] = chr(0x10000 + ((pending - 0xD800) << 10) + (unit - 0xDC00))
            chars.append("")
            pending = None
            continue
        pending = unit if 0xD800 <= unit <= 0xDBFF else None
        chars.append("\ufffd" if 0xD800 <= unit <= 0xDFFF else chr(unit))
    return chars


def _add_word(
    words: list[tuple[str, BBox]], text: str, tight: list[float], w: float, h: float, rotation: int
) -> None:
    """The word so far, when it has a letter (a module function, not a closure: the loop's
    variables stay plain locals)."""
    if tight and text.strip():
        left, bottom, right, top = tight
        words.append((text.rstrip(" "), _to_display(left, bottom, right, top, w, h, rotation)))


# Control characters some PDFs map glyphs to; 0x02 / U+FFFE is a hyphen PDFium found at a
# line end it joined (the word is whole).
_UNPRINTABLE = {**{c: None for c in range(32) if chr(c) not in "\t"}, 0x7F: None, 0xFFFE: None}


_NEWLINE = b"\n\x00"
_TAB = re.compile(r" *\t[\t ]*")
_LETTER = re.compile(r"[^\W_]")  # what str.isalnum() says yes to


# Path segments looked at per page: a chart's curves should not cost a page's time.
MAX_WALKED_SEGMENTS, MAX_PATH_SEGMENTS = 4000, 400
GRID_STROKES = 3  # each way, in one path: a grid (a box has two)
_LINETO = pdfium_c.FPDF_SEGMENT_LINETO
_POINT = (pdfium_c.c_float(), pdfium_c.c_float())
_MATRIX = pdfium_c.FS_MATRIX()


def _rule_way(xs: Sequence[float], ys: Sequence[float]) -> int | None:
    """0 for a rule across PDF space, 1 for one down it, None for neither: `xs` and `ys`
    are a path's or a stroke's extent, low to high."""
    across, down = xs[1] - xs[0], ys[1] - ys[0]
    if across >= MIN_RULE_PT and down <= MAX_RULE_THICKNESS_PT:
        return 0
    if down >= MIN_RULE_PT and across <= MAX_RULE_THICKNESS_PT:
        return 1
    return None


def _segment_rules(
    handle: object,
    rules: list[int],
    ends: tuple[collections.Counter[tuple[int, int]], ...],
) -> int:
    """Add the rules of a path that draws a grid by itself (three or more straight
    strokes of a rule's length each way, as thin paths of their own would be) to `rules`
    and `ends`; a box, an arrow or a chart's curve adds none. Returns the segments
    looked at."""
    count = pdfium_c.FPDFPath_CountSegments(handle)
    if not 6 <= count <= MAX_PATH_SEGMENTS or not pdfium_c.FPDFPageObj_GetMatrix(handle, _MATRIX):
        return 0
    m, (x, y) = _MATRIX, _POINT
    found: tuple[list[tuple[int, int]], list[tuple[int, int]]] = ([], [])
    last: tuple[float, float] | None = None
    for i in range(count):
        segment = pdfium_c.FPDFPath_GetPathSegment(handle, i)
        if not pdfium_c.FPDFPathSegment_GetPoint(segment, x, y):
            last = None
            continue
        point = (m.a * x.value + m.c * y.value + m.e, m.b * x.value + m.d * y.value + m.f)
        if last is not None and pdfium_c.FPDFPathSegment_GetType(segment) == _LINETO:
            span = sorted((last[0], point[0])), sorted((last[1], point[1]))
            if (way := _rule_way(*span)) is not None:
                found[way].append((round(span[way][0]), round(span[way][1])))
        last = point
    if min(len(found[0]), len(found[1])) >= GRID_STROKES:
        for way in (0, 1):
            rules[way] += len(found[way])
            ends[way].update(found[way])
    return int(count)


def _objects(page: object, depth: int) -> list[object]:
    """Raw handles of the page's objects, and of objects inside form XObjects."""
    return _children(page, depth, pdfium_c.FPDFPage_CountObjects, pdfium_c.FPDFPage_GetObject)


def _children(parent: object, depth: int, count: Any, get: Any) -> list[object]:
    handles = []
    for i in range(count(parent)):
        handle = get(parent, i)
        handles.append(handle)
        if depth > 1 and pdfium_c.FPDFPageObj_GetType(handle) == pdfium_c.FPDF_PAGEOBJ_FORM:
            handles += _children(
                handle, depth - 1, pdfium_c.FPDFFormObj_CountObjects, pdfium_c.FPDFFormObj_GetObject
            )
    return handles


def _images(
    page: pdfium.PdfPage, w: float, h: float, rotation: int
) -> tuple[float, float | None, float, list[BBox], int, tuple[int, int], int]:
    """Image coverage of the page, the largest image's resolution, the share of text
    objects that cannot be seen (render mode 3, the usual OCR layer, or painted before an
    image that covers most of the page), each image's box on the displayed page, the
    count of vector paths and of thin ones across and down the page (rules), and the most
    rules across the displayed page with the same ends."""
    area = 0.0
    boxes: list[BBox] = []
    paths = 0
    rules = [0, 0]  # PDF space: horizontal, vertical
    ends: tuple[collections.Counter[tuple[int, int]], ...] = (
        collections.Counter(),
        collections.Counter(),
    )  # each rule's ends, to the point: horizontal, vertical
    best_dpi: float | None = None
    best_area = 0.0
    texts = hidden = texts_before_best = walked = 0
    # Raw PDFium calls: pages with thousands of vector paths (ruled tables) would cost
    # a Python wrapper object each through pypdfium2's iterator.
    left, bottom, right, top = (pdfium_c.c_float() for _ in range(4))
    for handle in _objects(page.raw, depth=2):
        kind = pdfium_c.FPDFPageObj_GetType(handle)
        if kind == pdfium_c.FPDF_PAGEOBJ_TEXT:
            texts += 1
            mode = pdfium_c.FPDFTextObj_GetTextRenderMode(handle)
            hidden += mode == pdfium_c.FPDF_TEXTRENDERMODE_INVISIBLE
        elif kind == pdfium_c.FPDF_PAGEOBJ_PATH:
            paths += 1
            if pdfium_c.FPDFPageObj_GetBounds(handle, left, bottom, right, top):
                span = (left.value, right.value), (bottom.value, top.value)
                if (way := _rule_way(*span)) is not None:
                    rules[way] += 1
                    ends[way][round(span[way][0]), round(span[way][1])] += 1
                elif walked < MAX_WALKED_SEGMENTS:
                    # One path may draw a whole grid, a stroke per rule (a table frame).
                    walked += _segment_rules(handle, rules, ends)
        elif kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            if not pdfium_c.FPDFPageObj_GetBounds(handle, left, bottom, right, top):
                continue
            x0, y0, x1, y1 = left.value, bottom.value, right.value, top.value
            shown_x0, shown_y0 = max(x0, 0), max(y0, 0)
            shown_x1, shown_y1 = min(x1, w), min(y1, h)
            if shown_x1 <= shown_x0 or shown_y1 <= shown_y0:  # wholly off the page
                continue
            obj_area = max(0.0, x1 - x0) * max(0.0, y1 - y0)
            area += obj_area
            boxes.append(_to_display(shown_x0, shown_y0, shown_x1, shown_y1, w, h, rotation))
            if obj_area > best_area:
                best_area = obj_area
                px_w, px_h = pdfium_c.c_uint(), pdfium_c.c_uint()
                pdfium_c.FPDFImageObj_GetImagePixelSize(handle, px_w, px_h)
                best_dpi = px_w.value / max((x1 - x0) / 72, 1e-6)
                texts_before_best = texts
    if best_area >= 0.5 * w * h:
        hidden = max(hidden, texts_before_best)
    sideways = rotation in (90, 270)
    shown = (rules[1], rules[0]) if sideways else (rules[0], rules[1])
    stacked = max(ends[1 if sideways else 0].values(), default=0)
    hidden_share = hidden / texts if texts else 0.0
    return area / max(w * h, 1e-6), best_dpi, hidden_share, boxes, paths, shown, stacked
