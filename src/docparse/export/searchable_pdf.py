"""A searchable PDF, as OCRmyPDF makes one: the original pages as they are (a scan's image
untouched, a born-digital page with its own text not touched at all), and on each page
OCR read an invisible text layer (render mode 3) in the glyph-less font, each word
stretched (Tz) over the box it was read from, so a search hit or a selection falls on the
ink. An image document becomes a PDF of its pages first (export/image_pages.py).

Not PDF/A: converting to it through Ghostscript loses the Cyrillic text's mapping."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
from pikepdf import Dictionary, Name

from docparse.document import Document, Page, PageStatus
from docparse.errors import DAMAGED_IMAGE, CorruptDocument, without_path
from docparse.export.glyphless_font import (
    ADVANCE,
    DESCENT,
    UNITS_PER_EM,
    GlyphlessFont,
    flate_stream,
)
from docparse.export.image_pages import image_pdf
from docparse.export.layer_lines import TextLine, page_lines
from docparse.export.page_space import PageBox, drawn_to_user, unskew

PDF_HEADER_WINDOW = 1024  # as io/sniff.py: readers find the header in the first KiB
FONT_RESOURCE = "/DocparseOCR"


def searchable_pdf(source: Path, document: Document) -> bytes:
    """`source` (the PDF or image `document` was read from) with the Document's text laid
    invisibly over the pages OCR read. Every page of `source` is kept, read or not."""
    with source.open("rb") as handle:
        is_pdf = b"%PDF-" in handle.read(PDF_HEADER_WINDOW)
    read = {page.index: page for page in document.pages}
    try:
        if is_pdf:
            pdf = pikepdf.open(source)
        else:
            # A failed page's dpi is the model's default, not the resolution it was read at.
            read_at = {i: p.dpi for i, p in read.items() if p.status != PageStatus.failed}
            pdf = image_pdf(source, {i: dpi for i, dpi in read_at.items() if dpi > 0})
    except (pikepdf.PdfError, *DAMAGED_IMAGE) as exc:
        reason = without_path(str(exc), source, "the input")
        raise CorruptDocument(f"the searchable PDF cannot be made: {reason}") from exc
    with pdf:
        font: GlyphlessFont | None = None
        for index, target in enumerate(pdf.pages):
            page = read.get(index)
            if page is None or not has_own_reading(page):
                continue
            lines = page_lines(page)
            if not lines:
                continue
            font = font or GlyphlessFont(pdf)
            name = _add_font(target, font)
            box = PageBox.of(target)
            _add_layer(pdf, target, text_layer(page, box, lines, font, name))
            if page.rotation % 360:
                # Shown upright, as OCR read it (OCRmyPDF's --rotate-pages): a sideways
                # page reads and copies in order; its content stays as it was.
                target.rotation = (box.rotate - page.rotation) % 360
        if font is not None:
            font.finish()
        out = io.BytesIO()
        if pdf.is_encrypted:
            # The input's encryption kept (its owner password, its permissions): the copy
            # is no way around the owner's restrictions. qpdf decrypts and encrypts every
            # stream again then, so it takes no decode level.
            pdf.save(out, compress_streams=False, encryption=True)
        else:
            # The original's streams are copied byte for byte, not decoded and recoded.
            pdf.save(
                out, compress_streams=False, stream_decode_level=pikepdf.StreamDecodeLevel.none
            )
    return out.getvalue()


def has_own_reading(page: Page) -> bool:
    """Pages OCR read get a layer; a page read from its own text layer has that already."""
    return page.route == "ocr" and page.status != PageStatus.failed and page.width > 0


def text_layer(
    page: Page, box: PageBox, lines: list[TextLine], font: GlyphlessFont, name: str
) -> bytes:
    """The content stream of the text layer, a BT block per line (poppler forgets Tz
    across BT/ET), in the pixels of the page as drawn, before any deskew (the `cm` takes
    them, y up, to user space). Each word is stretched over its width, with a space after
    it but the last so that text extraction sees the gaps.

    A deskewed line is set level through its middle, each word at its own place along it:
    text along the skewed baseline would be exact, but poppler (pdftotext, Evince) splits
    a line that climbs half its height, and 1.5° over a line of a page does, so the
    halves came out in the wrong order. Level, a line's ends are off the ink by half its
    length times sin(skew): 6 pt for a 450 pt line at 1.5°."""
    straight, drawn = unskew(page)
    flip = pikepdf.Matrix(1, 0, 0, -1, 0, drawn[1])
    ops = [b"q", (flip @ drawn_to_user(page, box, drawn)).encode() + b" cm", b"3 Tr"]
    for line in lines:
        size = line.bottom - line.top
        if size <= 0 or not line.words:
            continue
        # The font's box is [baseline - 0.2 size, baseline + 0.8 size]: the line's box.
        baseline = line.bottom + DESCENT / UNITS_PER_EM * size
        middle = (line.words[0].x0 + line.words[-1].x1) / 2
        level = drawn[1] - straight.transform((middle, baseline))[1]
        ops.append(f"BT {name} {size:.2f} Tf".encode())
        for i, word in enumerate(line.words):
            width = word.x1 - word.x0
            x = straight.transform(((word.x0 + word.x1) / 2, baseline))[0] - width / 2
            natural = len(word.text) * ADVANCE / UNITS_PER_EM * size
            stretch = 100 * width / natural if width > 0 and natural > 0 else 100
            text = word.text if i == len(line.words) - 1 else word.text + " "
            ops.append(
                f"1 0 0 1 {x:.2f} {level:.2f} Tm {stretch:.2f} Tz "
                f"<{font.encode(text).hex()}> Tj".encode()
            )
        ops.append(b"ET")
    ops.append(b"Q")
    return b"\n".join(ops) + b"\n"


def _add_layer(pdf: pikepdf.Pdf, page: pikepdf.Page, layer: bytes) -> None:
    """The page's own content wrapped in q ... Q (closing any q it leaves open, so its
    transformations do not reach the layer), the layer after it; the page's own streams
    stay the objects they were."""
    depth = _open_saves(page)
    page.contents_add(pikepdf.Stream(pdf, b"q\n"), prepend=True)
    page.contents_add(flate_stream(pdf, b"Q\n" * (depth + 1) + layer))


def _add_font(page: pikepdf.Page, font: GlyphlessFont) -> str:
    """The font under a name the page does not use yet, in a copy of the page's
    resources (other pages may share them)."""
    resources = page.obj.get(Name.Resources)
    own = Dictionary(dict(resources.items())) if isinstance(resources, Dictionary) else Dictionary()
    fonts = own.get(Name.Font)
    own_fonts = Dictionary(dict(fonts.items())) if isinstance(fonts, Dictionary) else Dictionary()
    name, number = FONT_RESOURCE, 1
    while name in own_fonts:
        number += 1
        name = f"{FONT_RESOURCE}{number}"
    own_fonts[name] = font.font
    own[Name.Font] = own_fonts
    page.obj[Name.Resources] = own
    return name


def _open_saves(page: pikepdf.Page) -> int:
    """How many q the page's content leaves without their Q."""
    depth = 0
    try:
        operators = pikepdf.parse_content_stream(page, "q Q")
    except pikepdf.PdfError:
        return 0
    for instruction in operators:
        depth = depth + 1 if str(instruction.operator) == "q" else max(0, depth - 1)
    return depth
