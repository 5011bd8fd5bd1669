"""PDF access through pypdfium2. PDFium is not thread-safe, so every call holds one lock."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image

from docparse.errors import CorruptDocument, PasswordProtected
from docparse.model import BBox

PDFIUM_LOCK = threading.RLock()


@dataclass
class TextLine:
    text: str
    bbox: BBox  # in points, origin top-left of the displayed (rotated) page
    font_size: float


@dataclass
class TextLayer:
    lines: list[TextLine]
    char_count: int
    image_coverage: float  # share of the page area covered by image objects (0..1+)
    image_dpi: float | None  # resolution of the largest image, when there is one
    hidden_text_share: float  # text objects invisible or under a page-sized image (0..1)


class PdfFile:
    """An open PDF. Methods are safe to call from any thread."""

    def __init__(self, path: Path, password: str | None = None) -> None:
        with PDFIUM_LOCK:
            try:
                self._pdf = pdfium.PdfDocument(str(path), password=password)
            except pdfium.PdfiumError as exc:
                if getattr(exc, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD:
                    raise PasswordProtected("the PDF is password-protected") from exc
                raise CorruptDocument(f"the PDF is damaged or truncated: {exc}") from exc
            self.page_count = len(self._pdf)

    def close(self) -> None:
        with PDFIUM_LOCK:
            self._pdf.close()

    def page_size(self, index: int) -> tuple[float, float]:
        """Displayed width and height in points (page rotation applied)."""
        with PDFIUM_LOCK:
            page = self._pdf[index]
            try:
                width, height = page.get_size()
                if page.get_rotation() in (90, 270):
                    width, height = height, width
                return width, height
            finally:
                page.close()

    def render(self, index: int, dpi: float) -> Image.Image:
        with PDFIUM_LOCK:
            page = self._pdf[index]
            try:
                bitmap = page.render(scale=dpi / 72, may_draw_forms=True)
                return bitmap.to_pil().convert("RGB")
            except pdfium.PdfiumError as exc:
                raise CorruptDocument(f"page {index + 1} cannot be rendered: {exc}") from exc
            finally:
                page.close()

    def text_layer(self, index: int) -> TextLayer:
        with PDFIUM_LOCK:
            page = self._pdf[index]
            try:
                return _read_text_layer(page)
            except pdfium.PdfiumError as exc:
                raise CorruptDocument(f"page {index + 1} cannot be read: {exc}") from exc
            finally:
                page.close()


def _read_text_layer(page: pdfium.PdfPage) -> TextLayer:
    width, height = page.get_size()
    rotation = page.get_rotation()
    textpage = page.get_textpage()
    try:
        lines = _lines(textpage, width, height, rotation)
        char_count = sum(len(line.text.strip()) for line in lines)
    finally:
        textpage.close()
    coverage, image_dpi, hidden = _images(page, width, height)
    return TextLayer(lines=lines, char_count=char_count, image_coverage=coverage,
                     image_dpi=image_dpi, hidden_text_share=hidden)


def _to_display(l: float, b: float, r: float, t: float, w: float, h: float,
                rotation: int) -> BBox:
    """PDF user space (origin bottom-left) to top-left display coordinates after /Rotate."""
    if rotation == 90:
        return BBox(x0=b, y0=l, x1=t, y1=r)
    if rotation == 180:
        return BBox(x0=w - r, y0=b, x1=w - l, y1=t)
    if rotation == 270:
        return BBox(x0=h - t, y0=w - r, x1=h - b, y1=w - l)
    return BBox(x0=l, y0=h - t, x1=r, y1=h - b)


def _lines(textpage: pdfium.PdfTextPage, w: float, h: float, rotation: int) -> list[TextLine]:
    """Lines as PDFium breaks them, each with the union box of its visible characters."""
    raw = textpage.raw
    count = pdfium_c.FPDFText_CountChars(raw)
    if count <= 0:
        return []
    # One call for all the text: a UTF-16 buffer aligned with char indices.
    buffer = (pdfium_c.c_ushort * (count + 1))()
    pdfium_c.FPDFText_GetText(raw, 0, count, buffer)
    units = list(buffer[:count])
    left, right, bottom, top = (pdfium_c.c_double() for _ in range(4))
    count_rects, get_rect = pdfium_c.FPDFText_CountRects, pdfium_c.FPDFText_GetRect
    lines: list[TextLine] = []
    start = 0
    for end in [*(i for i, u in enumerate(units) if u == 10), count]:
        segment = units[start:end]
        # 0x02 / U+FFFE: a hyphen PDFium found at a line end it joined; the word is whole.
        text = _decode(segment).replace("\x02", "").replace("\ufffe", "").strip()
        if text:
            # PDFium merges the character boxes of a range into a few rects, in C.
            x0 = y0 = float("inf")
            x1 = y1 = float("-inf")
            for r in range(count_rects(raw, start, end - start)):
                if get_rect(raw, r, left, top, right, bottom):
                    x0, x1 = min(x0, left.value), max(x1, right.value)
                    y0, y1 = min(y0, bottom.value), max(y1, top.value)
            if x0 < x1:
                box = _to_display(x0, y0, x1, y1, w, h, rotation)
                size = box.width if rotation in (90, 270) and box.height > box.width else box.height
                lines.append(TextLine(text=text, bbox=box, font_size=size))
        start = end + 1
    return lines


def _decode(units: list[int]) -> str:
    return bytes(b for u in units for b in (u & 0xFF, u >> 8)).decode("utf-16-le", "replace")


def _images(page: pdfium.PdfPage, w: float, h: float) -> tuple[float, float | None, float]:
    """Image coverage of the page, the largest image's resolution, and the share of text
    objects that cannot be seen: render mode 3 (the usual OCR layer) or painted before an
    image that covers most of the page."""
    area = 0.0
    best_dpi: float | None = None
    best_area = 0.0
    texts = hidden = texts_before_best = 0
    for obj in page.get_objects(max_depth=2):
        kind = obj.type
        if kind == pdfium_c.FPDF_PAGEOBJ_TEXT:
            texts += 1
            if pdfium_c.FPDFTextObj_GetTextRenderMode(obj.raw) == pdfium_c.FPDF_TEXTRENDERMODE_INVISIBLE:
                hidden += 1
        elif kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            l, b, r, t = obj.get_bounds()
            obj_area = max(0.0, r - l) * max(0.0, t - b)
            area += obj_area
            if obj_area > best_area:
                best_area = obj_area
                best_dpi = obj.get_px_size()[0] / max((r - l) / 72, 1e-6)
                texts_before_best = texts
    if best_area >= 0.5 * w * h:
        hidden = max(hidden, texts_before_best)
    return area / max(w * h, 1e-6), best_dpi, hidden / texts if texts else 0.0
