"""PDF access through pypdfium2. PDFium is not thread-safe, so every call holds one lock."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image

from docparse.document import BBox
from docparse.errors import CorruptDocument, PasswordProtected
from docparse.io.clipped_text import clipped_chars, may_be_clipped
from docparse.io.page_turn import upright_rotation
from docparse.io.pdf_content import (
    TextLayer,
    TextLine,
    moved,
    page_origin,
    page_words,
    read_text_layer,
    unrotated,
)

PDFIUM_LOCK = threading.RLock()
# A page's side in points: PDF's own limits are 3 to 14,400 units (200 inches).
MIN_PAGE_POINTS = 1.0
MAX_PAGE_POINTS = 14_400.0
MAX_RENDER_PIXELS = 1_000_000_000  # a bitmap past this is no page anyone printed


class PdfFile:
    """An open PDF. Methods are safe to call from any thread.

    A page PDFium cannot load (a damaged page object, a cycle in the page tree, /Count
    larger than the pages there are) or with an impossible size raises CorruptDocument
    for that page alone; a PDF none of whose pages can be read is refused when opened."""

    def __init__(self, path: Path, password: str | None = None) -> None:
        self._broken: dict[int, str] = {}  # page index -> why it cannot be read
        self._sizes: dict[int, tuple[float, float]] = {}  # pages checked sound, their size
        self._turned: dict[int, tuple[int, int]] = {}  # page -> its /Rotate, the one read
        self._clipped: dict[int, frozenset[int]] = {}  # page -> chars its clips hide
        # The page last loaded (and its text page once made), kept for the next call.
        self._held: tuple[int, pdfium.PdfPage, pdfium.PdfTextPage | None] | None = None
        with PDFIUM_LOCK:
            self._pdf = pdfium.PdfDocument(_load(path, password))
            try:
                self.page_count = len(self._pdf)
                # Stops at the first good page: one page load for a sound PDF.
                if self.page_count and not any(self._check(i) for i in range(self.page_count)):
                    reasons = "; ".join(list(self._broken.values())[:3])
                    raise CorruptDocument(
                        f"the PDF is damaged: no page of it can be read ({reasons})",
                        pages=self.page_count,
                    )
            except BaseException:
                self._pdf.close()  # a refused PDF leaves no file handle open
                raise

    def close(self) -> None:
        with PDFIUM_LOCK:
            self._let_go()
            self._pdf.close()

    def _check(self, index: int) -> bool:
        """Whether the page loads and has a size a page can have (under the lock)."""
        try:
            with self._page(index):
                return True
        except CorruptDocument:
            return False

    def _let_go(self) -> None:
        """Close the page held from the last call (under the lock)."""
        if self._held is not None:
            _, page, textpage = self._held
            if textpage is not None:
                textpage.close()
            page.close()
            self._held = None

    @contextmanager
    def _page(self, index: int) -> Iterator[pdfium.PdfPage]:
        """The loaded page, under the lock; CorruptDocument when it cannot be loaded or
        has an impossible size (checked on its first load, and remembered either way).
        The page stays loaded until another one is asked for: a born-digital page's text,
        words and table render are three calls, and one load does for them all."""
        with PDFIUM_LOCK:
            if index in self._broken:
                raise CorruptDocument(self._broken[index], page=index + 1)
            if self._held is not None and self._held[0] == index:
                yield self._held[1]
                return
            self._let_go()
            textpage: pdfium.PdfTextPage | None = None
            try:
                page = self._pdf[index]
            except (pdfium.PdfiumError, IndexError, ValueError) as exc:
                self._broken[index] = f"page {index + 1} cannot be loaded: {exc}"
                raise CorruptDocument(self._broken[index], page=index + 1) from exc
            if index not in self._sizes:
                _show_the_mediabox_when_cropped_away(page)
                width, height = page.get_size()
                if not (
                    MIN_PAGE_POINTS <= width <= MAX_PAGE_POINTS
                    and MIN_PAGE_POINTS <= height <= MAX_PAGE_POINTS
                ):
                    page.close()
                    self._broken[index] = (
                        f"page {index + 1} has an impossible size ({width:g} × {height:g} pt)"
                    )
                    raise CorruptDocument(self._broken[index], page=index + 1)
                textpage = self._turn_upright(index, page)
                self._sizes[index] = page.get_size()
            elif index in self._turned:
                page.set_rotation(self._turned[index][1])
            self._held = (index, page, textpage)
            yield page

    def _turn_upright(self, index: int, page: pdfium.PdfPage) -> pdfium.PdfTextPage | None:
        """On a page's first load, turn it to show its text running left to right
        (io.page_turn), remembered for every later load: its size, words, lines and
        renders all follow the turn. The text page made to tell is returned to be kept
        when the page stays as it is (made anew after a turn: PDFium made it for the page
        as shown)."""
        shown = page.get_rotation()
        try:
            textpage = page.get_textpage()
        except pdfium.PdfiumError:
            return None  # reading the text says why, when it is asked for
        try:
            upright = upright_rotation(textpage.raw, shown)
        except BaseException:
            textpage.close()
            raise
        if upright == shown:
            return textpage
        textpage.close()
        page.set_rotation(upright)
        self._turned[index] = (shown, upright)
        return None

    def turn(self, index: int) -> int:
        """Degrees counter-clockwise the page was turned from how it is shown, to read
        its text running left to right (0 for most pages)."""
        with PDFIUM_LOCK:
            shown, upright = self._turned.get(index, (0, 0))
            return (shown - upright) % 360

    def _textpage(self, index: int, page: pdfium.PdfPage) -> pdfium.PdfTextPage:
        """The held page's text page, made once (under the lock, inside `_page`)."""
        assert self._held is not None and self._held[0] == index
        textpage = self._held[2]
        if textpage is None:
            try:
                textpage = page.get_textpage()
            except pdfium.PdfiumError as exc:
                raise CorruptDocument(f"page {index + 1} cannot be read: {exc}") from exc
            self._held = (index, page, textpage)
        return textpage

    def _clipped_chars(
        self, index: int, page: pdfium.PdfPage, lines: list[TextLine] | None = None
    ) -> frozenset[int]:
        """The text page's characters that do not show (io.clipped_text), found once. PDFium
        is asked only when `lines`, read with every character, say text may hide; asked
        without them (words before the text layer), always."""
        if index not in self._clipped:
            hides = lines is None or may_be_clipped(lines, *page.get_size())
            textpage = self._textpage(index, page)
            self._clipped[index] = clipped_chars(page, textpage) if hides else frozenset()
        return self._clipped[index]

    def page_size(self, index: int) -> tuple[float, float]:
        """Displayed width and height in points (PDFium applies /Rotate); remembered from
        the page's first load, so asking costs no second one."""
        with PDFIUM_LOCK:
            if index in self._sizes:
                return self._sizes[index]
        with self._page(index):
            return self._sizes[index]

    def render(self, index: int, dpi: float, grey: bool = False) -> Image.Image:
        """The page drawn at `dpi`: RGB, or greyscale (cheaper, enough to find rules)."""
        with self._page(index) as page:
            try:
                _check_pixels(index, page.get_size(), dpi)
                bitmap = page.render(scale=dpi / 72, may_draw_forms=True, grayscale=grey)
                image: Image.Image = bitmap.to_pil()
                return image.convert("L" if grey else "RGB")
            except RENDER_ERRORS as exc:
                raise CorruptDocument(f"page {index + 1} cannot be rendered: {exc}") from exc

    def render_region(self, index: int, dpi: float, box: BBox) -> Image.Image:
        """Only a region of the page (display points, top-left origin): PDFium draws just
        what is inside, far cheaper than the whole page for a figure crop."""
        with self._page(index) as page:
            try:
                width, height = page.get_size()
                crop = (
                    max(box.x0, 0),
                    max(height - box.y1, 0),
                    max(width - box.x1, 0),
                    max(box.y0, 0),
                )
                _check_pixels(index, (width - crop[0] - crop[2], height - crop[1] - crop[3]), dpi)
                bitmap = page.render(scale=dpi / 72, crop=crop, may_draw_forms=True)
                crop_image: Image.Image = bitmap.to_pil().convert("RGB")
                return crop_image
            except RENDER_ERRORS as exc:
                raise CorruptDocument(f"page {index + 1} cannot be rendered: {exc}") from exc

    def words(self, index: int) -> list[tuple[str, BBox]]:
        """Words with tight boxes (display points), split at spaces and at pen moves wider
        than a letter gap: many PDFs set columns apart without space characters."""
        with self._page(index) as page:
            textpage = self._textpage(index, page)
            clipped = self._clipped_chars(index, page)
            words = page_words(textpage.raw, *unrotated(page), clipped)
            if (origin := page_origin(page)) != (0.0, 0.0):
                words = [(text, moved(box, origin)) for text, box in words]
            return words

    def text_layer(self, index: int) -> TextLayer:
        with self._page(index) as page:
            try:
                textpage = self._textpage(index, page)
                known = index in self._clipped
                layer = read_text_layer(page, textpage, self._clipped.get(index, frozenset()))
                if not known and (hidden := self._clipped_chars(index, page, layer.lines)):
                    layer = read_text_layer(page, textpage, hidden)
                return layer
            except (pdfium.PdfiumError, ValueError, OverflowError) as exc:
                raise CorruptDocument(f"page {index + 1} cannot be read: {exc}") from exc


_ANY = 1e7  # points: further out than any page's box


def _show_the_mediabox_when_cropped_away(page: pdfium.PdfPage) -> None:
    """A CropBox that leaves nothing of the MediaBox (outside it, or of no area) is
    ignored, as viewers (pdf.js, Acrobat) and export.page_space do: PDFium would make a
    page of 0 × 0 pt of it. Either box may be inherited from the page tree, which
    PDFium's box getters do not look at; the page's shown box does. The page's dict is
    changed in memory only, so every later load of the page sees the MediaBox too."""
    left, bottom, right, top = page.get_bbox()  # the CropBox within the MediaBox
    if right <= left or top <= bottom:
        # A crop round everything leaves the MediaBox, whichever dict it is set in.
        page.set_cropbox(-_ANY, -_ANY, _ANY, _ANY)
        page.set_cropbox(*page.get_bbox())


def _load(path: Path, password: str | None) -> Any:
    """PDFium's document handle. Loaded here rather than by pypdfium2, which refuses a
    document with no pages without closing it (one file handle kept per such request)."""
    try:
        name = (str(path.resolve()) + "\0").encode("utf-8")
    except (OSError, ValueError, UnicodeError) as exc:
        raise CorruptDocument(f"the PDF cannot be opened: {exc}") from exc
    secret = (password + "\0").encode("utf-8") if password is not None else None
    raw = pdfium_c.FPDF_LoadDocument(name, secret)
    if pdfium_c.FPDF_GetPageCount(raw) >= 1:
        return raw
    error = pdfium_c.FPDF_GetLastError()
    if raw:
        pdfium_c.FPDF_CloseDocument(raw)
    if error == pdfium_c.FPDF_ERR_PASSWORD:
        raise PasswordProtected("the PDF is password-protected")
    reason = {
        pdfium_c.FPDF_ERR_FILE: "the file cannot be read",
        pdfium_c.FPDF_ERR_FORMAT: ("not a PDF or damaged"),
    }.get(error, "damaged, or no pages")
    raise CorruptDocument(f"the PDF is damaged or truncated ({reason})")


# PDFium's own errors, and what a page with absurd numbers makes of Pillow and ctypes.
RENDER_ERRORS = (pdfium.PdfiumError, ValueError, OverflowError, MemoryError)


def _check_pixels(index: int, size: tuple[float, float], dpi: float) -> None:
    """A bitmap of at least one pixel and at most MAX_RENDER_PIXELS: anything else is a
    page with numbers no drawing can have."""
    width, height = (side * dpi / 72 for side in size)
    if not (width >= 1 and height >= 1 and width * height <= MAX_RENDER_PIXELS):
        raise CorruptDocument(
            f"page {index + 1} cannot be rendered at {dpi:g} dpi ({size[0]:g} × {size[1]:g} pt)",
            page=index + 1,
        )
