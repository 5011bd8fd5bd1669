"""The invisible font of a searchable PDF's text layer, after Tesseract's and OCRmyPDF's
GlyphLessFont: a Type0 font (Identity-H) over an embedded TrueType font with no ink, every
glyph 500/1000 em wide. Each character the layer uses gets a CID of its own and a
ToUnicode entry, so text copies and searches as written (Cyrillic, and characters past
U+FFFF too). The text is drawn in render mode 3 (invisible) anyway; the glyphs give it
extent only."""

from __future__ import annotations

import functools
import struct
import zlib

import pikepdf
from pikepdf import Array, Dictionary, Name

UNITS_PER_EM = 1000
ADVANCE = 500  # every glyph: half an em (the PDF's /DW says the same)
ASCENT, DESCENT = 800, -200  # a line's box is [baseline - 0.2 size, baseline + 0.8 size]
FONT_NAME = "GlyphLessFont"
BFCHAR_CHUNK = 100  # entries a beginbfchar section may hold
MAX_CID = 0xFFFF


# Glyph 1, the one every CID shows: one contour of two points, a diagonal from the descent
# to the ascent, so no area and no ink even if filled. An empty glyph (as .notdef is)
# would do for poppler, but PDFium takes a text's extent from its glyphs' outlines and
# drops text turned a quarter (a sideways scan's layer) when they have none.
INKLESS_GLYPH = (
    struct.pack(">5h", 1, 0, DESCENT, ADVANCE, ASCENT)  # contours, bounding box
    + struct.pack(">HH", 1, 0)  # the contour's last point; no instructions
    + bytes([1, 1])  # both points on the curve, coordinates as 16-bit deltas
    + struct.pack(">2h", 0, ADVANCE)
    + struct.pack(">2h", DESCENT, ASCENT - DESCENT)
)


def _checksum(data: bytes) -> int:
    padded = data + b"\0" * (-len(data) % 4)
    words: tuple[int, ...] = struct.unpack(f">{len(padded) // 4}I", padded)
    return sum(words) & 0xFFFFFFFF


def _name_table(names: dict[int, str]) -> bytes:
    records, strings = b"", b""
    for name_id, text in sorted(names.items()):
        encoded = text.encode("utf-16-be")  # Windows, Unicode BMP, US English
        records += struct.pack(">6H", 3, 1, 0x409, name_id, len(encoded), len(strings))
        strings += encoded
    return struct.pack(">3H", 0, len(names), 6 + len(records)) + records + strings


def _cmap_table() -> bytes:
    """Format 4, U+0020 to glyph 1: PDF readers select glyphs by CIDToGIDMap, but font
    loaders (FreeType) want a cmap to be there."""
    ends, starts, deltas = (0x20, 0xFFFF), (0x20, 0xFFFF), ((1 - 0x20) & 0xFFFF, 1)
    seg_x2 = 2 * len(ends)
    body = struct.pack(">4H", seg_x2, 4, 1, 0)  # segCountX2, searchRange, entrySel, rangeShift
    body += struct.pack(">2H", *ends) + b"\0\0" + struct.pack(">2H", *starts)
    body += struct.pack(">2H", *deltas) + struct.pack(">2H", 0, 0)
    subtable = struct.pack(">3H", 4, 6 + len(body), 0) + body
    return struct.pack(">2H", 0, 1) + struct.pack(">2HI", 3, 1, 12) + subtable


@functools.cache
def truetype_program() -> bytes:
    """The font program: .notdef (empty) and the inkless glyph every CID maps to."""
    tables = {
        b"OS/2": struct.pack(
            ">hhHHH10hh10s4I4s3H3h2H2I2h3H",
            4,  # version
            ADVANCE,  # xAvgCharWidth
            400,  # usWeightClass
            5,  # usWidthClass
            0,  # fsType: installable, embedding allowed
            *(650, 700, 0, 140, 650, 700, 0, 480, 50, 250),  # sub/superscript, strikeout
            0,  # sFamilyClass
            b"\0" * 10,  # panose
            *(0, 0, 0, 0),  # ulUnicodeRange
            b"NONE",
            0x40,  # fsSelection: regular
            0x20,  # usFirstCharIndex
            0xFFFF,  # usLastCharIndex
            *(ASCENT, DESCENT, 0, ASCENT, -DESCENT),  # typo and win metrics
            *(1, 0),  # ulCodePageRange: Latin 1
            *(500, 700),  # sxHeight, sCapHeight
            *(0, 0x20, 1),  # usDefaultChar, usBreakChar, usMaxContext
        ),
        b"cmap": _cmap_table(),
        b"glyf": INKLESS_GLYPH,
        b"head": struct.pack(
            ">IIIIHHqqhhhhHHhhh",
            0x00010000,
            0x00010000,
            0,  # checkSumAdjustment, set below
            0x5F0F3CF5,
            0b1011,  # baseline and left sidebearing at 0, integer ppem
            UNITS_PER_EM,
            0,
            0,  # created, modified
            *(0, DESCENT, ADVANCE, ASCENT),
            0,  # macStyle
            3,  # lowestRecPPEM
            2,  # fontDirectionHint
            0,  # indexToLocFormat: short
            0,
        ),
        b"hhea": struct.pack(
            ">IhhhHhhhhhh4hhH",
            0x00010000,
            *(ASCENT, DESCENT, 0, ADVANCE, 0, 0, 0, 1, 0, 0),
            *(0, 0, 0, 0),
            0,
            2,  # numberOfHMetrics
        ),
        b"hmtx": struct.pack(">4h", ADVANCE, 0, ADVANCE, 0),
        b"loca": struct.pack(">3H", 0, 0, len(INKLESS_GLYPH) // 2),
        b"maxp": struct.pack(">IH13H", 0x00010000, 2, 2, 1, 0, 0, 2, *([0] * 8)),
        b"name": _name_table(
            {1: FONT_NAME, 2: "Regular", 3: f"docparse:{FONT_NAME}", 4: FONT_NAME, 6: FONT_NAME}
        ),
        b"post": struct.pack(">IihhIIIII", 0x00030000, 0, -100, 50, 1, 0, 0, 0, 0),
    }
    count = len(tables)
    power = 1 << (count.bit_length() - 1)  # the binary-search fields of the directory
    header = struct.pack(
        ">IHHHH", 0x00010000, count, power * 16, power.bit_length() - 1, (count - power) * 16
    )
    offset = 12 + 16 * count
    directory, body, head_at = b"", b"", 0
    for tag in sorted(tables):
        data = tables[tag]
        if tag == b"head":
            head_at = offset + len(body)
        directory += struct.pack(">4sIII", tag, _checksum(data), offset + len(body), len(data))
        body += data + b"\0" * (-len(data) % 4)
    font = bytearray(header + directory + body)
    adjustment = (0xB1B0AFBA - _checksum(bytes(font))) & 0xFFFFFFFF
    font[head_at + 8 : head_at + 12] = struct.pack(">I", adjustment)
    return bytes(font)


class GlyphlessFont:
    """The text layer's font in one PDF: `encode` gives each character its CID as the
    text is written; `finish` writes the ToUnicode CMap and CIDToGIDMap for them."""

    def __init__(self, pdf: pikepdf.Pdf) -> None:
        self._pdf = pdf
        self._cids: dict[str, int] = {}
        descriptor = Dictionary(
            Type=Name.FontDescriptor,
            FontName=Name("/" + FONT_NAME),
            Flags=5,  # fixed pitch, symbolic
            FontBBox=Array([0, DESCENT, ADVANCE, ASCENT]),
            ItalicAngle=0,
            Ascent=ASCENT,
            Descent=DESCENT,
            CapHeight=700,
            StemV=80,
            FontFile2=flate_stream(pdf, truetype_program()),
        )
        self._cid_font = Dictionary(
            Type=Name.Font,
            Subtype=Name.CIDFontType2,
            BaseFont=Name("/" + FONT_NAME),
            CIDSystemInfo=Dictionary(Registry="Adobe", Ordering="Identity", Supplement=0),
            FontDescriptor=pdf.make_indirect(descriptor),
            DW=ADVANCE,
        )
        self.font = pdf.make_indirect(
            Dictionary(
                Type=Name.Font,
                Subtype=Name.Type0,
                BaseFont=Name("/" + FONT_NAME),
                Encoding=Name("/Identity-H"),
                DescendantFonts=Array([pdf.make_indirect(self._cid_font)]),
            )
        )

    def encode(self, text: str) -> bytes:
        """Two bytes a character: its CID (1 up; 0 is .notdef)."""
        codes = bytearray()
        for char in text:
            cid = self._cids.get(char)
            if cid is None:
                if len(self._cids) < MAX_CID - 1:
                    cid = self._cids[char] = len(self._cids) + 1
                else:  # no CID left (no OCR result has 65,534 letters): U+FFFD
                    cid = self._cids.setdefault("\ufffd", MAX_CID)
            codes += cid.to_bytes(2, "big")
        return bytes(codes)

    def finish(self) -> None:
        """Every CID to the one empty glyph, and to the character it stands for."""
        last = max(self._cids.values(), default=0)
        self._cid_font.CIDToGIDMap = flate_stream(self._pdf, b"\0\0" + b"\0\1" * last)
        self.font.ToUnicode = flate_stream(self._pdf, to_unicode_cmap(self._cids))


def to_unicode_cmap(cids: dict[str, int]) -> bytes:
    """A ToUnicode CMap: each CID to its character in UTF-16BE (surrogate pairs past
    U+FFFF), in sections of at most 100 entries as the CMap format asks."""
    entries = [
        f"<{cid:04X}> <{char.encode('utf-16-be').hex().upper()}>"
        for char, cid in sorted(cids.items(), key=lambda item: item[1])
    ]
    sections = [
        f"{len(chunk)} beginbfchar\n" + "\n".join(chunk) + "\nendbfchar"
        for chunk in (entries[i : i + BFCHAR_CHUNK] for i in range(0, len(entries), BFCHAR_CHUNK))
    ]
    return "\n".join(
        [
            "/CIDInit /ProcSet findresource begin",
            "12 dict begin",
            "begincmap",
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
            "/CMapName /Adobe-Identity-UCS def",
            "/CMapType 2 def",
            "1 begincodespacerange",
            "<0000> <FFFF>",
            "endcodespacerange",
            *sections,
            "endcmap",
            "CMapName currentdict /CMap defineresource pop",
            "end",
            "end",
        ]
    ).encode("ascii")


def flate_stream(pdf: pikepdf.Pdf, data: bytes) -> pikepdf.Stream:
    """A Flate-compressed stream: the PDF is saved with its streams as they are (qpdf
    left to compress would also recode the original's ASCII85 streams)."""
    return pikepdf.Stream(pdf, zlib.compress(data), Filter=Name.FlateDecode)
