"""Words with boxes from a PDF page's text layer (pypdfium2 raw character API)."""

from __future__ import annotations

import ctypes
from collections.abc import Iterator
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image

from docparse.document import BBox
from docparse.tables.model import Word

# A gap between loose character boxes (advance widths) wider than this share of their
# height splits a word: many PDFs leave out space characters and only move the pen.
# Letters sit 0-0.05 apart, word spaces 0.2+ (a narrow font's space is ~0.22 em).
GAP_SHARE = 0.12


def _chars(textpage: pdfium.PdfTextPage, page_height: float,
           scale: float) -> Iterator[tuple[str, BBox | None, BBox | None]]:
    """(char, tight box, loose box) in page pixels; whitespace yields no boxes."""
    raw = textpage.raw
    left, right = ctypes.c_double(), ctypes.c_double()
    bottom, top = ctypes.c_double(), ctypes.c_double()
    loose = pdfium_c.FS_RECTF()

    def box(x0: float, y0: float, x1: float, y1: float) -> BBox:  # PDF points, y up
        return BBox(x0=x0 * scale, y0=(page_height - y1) * scale,
                    x1=x1 * scale, y1=(page_height - y0) * scale)

    for i in range(pdfium_c.FPDFText_CountChars(raw)):
        char = chr(pdfium_c.FPDFText_GetUnicode(raw, i))
        if char.isspace() or not pdfium_c.FPDFText_GetCharBox(raw, i, left, right, bottom, top):
            yield char, None, None
            continue
        pdfium_c.FPDFText_GetLooseCharBox(raw, i, loose)
        yield (char, box(left.value, bottom.value, right.value, top.value),
               box(loose.left, loose.bottom, loose.right, loose.top))


def page_words(path: Path, index: int, dpi: float = 150.0) -> tuple[list[Word], Image.Image]:
    """The page's words (tight boxes, page pixels at `dpi`) and the page rendered at `dpi`."""
    scale = dpi / 72.0
    pdf = pdfium.PdfDocument(str(path))
    try:
        page = pdf[index]
        image = page.render(scale=scale).to_pil().convert("RGB")
        textpage = page.get_textpage()
        words: list[Word] = []
        text, tight, last = "", None, None
        for char, cbox, lbox in _chars(textpage, page.get_size()[1], scale):
            if tight is not None and (lbox is None or last is None or _breaks(last, lbox)):
                words.append(Word(text, tight))
                text, tight = "", None
            if cbox is not None:
                text += char
                tight = cbox if tight is None else tight.union(cbox)
            last = lbox
        if tight is not None:
            words.append(Word(text, tight))
        textpage.close()
        page.close()
        return words, image
    finally:
        pdf.close()


def _breaks(prev: BBox, char: BBox) -> bool:
    """Does `char` start a new word after `prev` (a gap, a line change, a step back)?"""
    if char.y1 < prev.y0 or char.y0 > prev.y1 or char.x1 < prev.x0:
        return True
    return char.x0 - prev.x1 > GAP_SHARE * max(prev.height, char.height, 1e-6)
