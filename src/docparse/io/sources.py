"""Open a document on disk as pages: PDFs through PDFium, images (multi-page TIFF too)
through Pillow. An image's pixels are checked against DOCPARSE_MAX_IMAGE_PIXELS from its
header, before anything is decoded; Pillow's own decompression-bomb guard (a warning past
89,478,485 pixels, an error past twice that) stays on as a backstop above that limit, so
the configured limit is the one that applies."""

from __future__ import annotations

import contextlib
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, ImageSequence

from docparse.document import BBox
from docparse.errors import (
    DAMAGED_IMAGE,
    CorruptDocument,
    InvalidOptions,
    LimitExceeded,
    without_path,
)
from docparse.io.pdf import PdfFile
from docparse.io.pdf_content import TextLayer
from docparse.io.sniff import Kind, sniff
from docparse.settings import MAX_IMAGE_SIDE

DEFAULT_IMAGE_DPI = 200.0  # what to assume when an image does not say


@dataclass
class Limits:
    max_pages: int
    max_image_pixels: int


def pillow_guard_above(limit: int) -> None:
    """Raise Pillow's process-wide decompression-bomb guard to `limit` when it is below:
    at its default (89,478,485 pixels) it refused images the configured limit allows.
    Only ever raised, so services with different limits in one process each keep theirs
    (each checks its own limit from the header first)."""
    guard = Image.MAX_IMAGE_PIXELS
    if guard is not None and guard < limit:
        Image.MAX_IMAGE_PIXELS = limit


class PdfSource:
    kind = Kind.pdf

    def __init__(self, path: Path) -> None:
        self.path = path
        self.file = PdfFile(path)
        self.page_count = self.file.page_count

    def text_layer(self, index: int) -> TextLayer:
        return self.file.text_layer(index)

    def page_size(self, index: int) -> tuple[float, float]:
        return self.file.page_size(index)

    def render(self, index: int, dpi: float) -> Image.Image:
        return self.file.render(index, dpi)

    def words(self, index: int) -> list[tuple[str, BBox]]:
        return self.file.words(index)

    def render_region(self, index: int, dpi: float, box: BBox) -> Image.Image:
        return self.file.render_region(index, dpi, box)

    def close(self) -> None:
        self.file.close()


class ImageSource:
    def __init__(self, path: Path, kind: Kind, limits: Limits) -> None:
        self.kind = kind
        self._limits = limits
        self._lock = threading.Lock()
        pillow_guard_above(limits.max_image_pixels)
        with contextlib.ExitStack() as on_failure:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("error", Image.DecompressionBombWarning)
                    image = on_failure.enter_context(Image.open(path))
                    self._check_pixels(image.size)
                    self.page_count = getattr(image, "n_frames", 1)
            except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
                # Only past the configured limit (the guard is above it): say that one.
                raise LimitExceeded(
                    f"image is over the limit of {limits.max_image_pixels:,} pixels per page "
                    "(DOCPARSE_MAX_IMAGE_PIXELS)",
                    limit="max_image_pixels",
                ) from exc
            except DAMAGED_IMAGE as exc:
                reason = without_path(str(exc), path, "the upload")
                raise CorruptDocument(f"the image is damaged or truncated: {reason}") from exc
            on_failure.pop_all()  # opened and within the limits: the source keeps it open
        self._image = image

    def _check_pixels(self, size: tuple[int, int]) -> None:
        if max(size) > MAX_IMAGE_SIDE:
            raise LimitExceeded(
                f"image is {size[0]}×{size[1]} pixels; no side may be over "
                f"{MAX_IMAGE_SIDE:,} pixels",
                limit="max_image_side",
                value=max(size),
            )
        pixels = size[0] * size[1]
        if pixels > self._limits.max_image_pixels:
            raise LimitExceeded(
                f"image is {size[0]}×{size[1]} = {pixels:,} pixels; the limit is "
                f"{self._limits.max_image_pixels:,} pixels per page (DOCPARSE_MAX_IMAGE_PIXELS)",
                limit="max_image_pixels",
                value=pixels,
            )

    def pixels(self, index: int) -> int:
        """The page's pixel count from its header, nothing decoded (a frame that cannot
        be read counts as the limit: `image` then says what is wrong)."""
        try:
            with self._lock:
                frame = ImageSequence.Iterator(self._image)[index]
                return int(frame.size[0] * frame.size[1])
        except (*DAMAGED_IMAGE, IndexError):
            return self._limits.max_image_pixels

    def image(self, index: int) -> tuple[Image.Image, float]:
        """The page as RGB pixels and the resolution the file states (or 200 dpi)."""
        try:
            with self._lock:  # seeking a frame moves the one shared file pointer
                frame = ImageSequence.Iterator(self._image)[index]
                self._check_pixels(frame.size)
                dpi = frame.info.get("dpi", (DEFAULT_IMAGE_DPI,))[0]
                page = _eight_bit(ImageOps.exif_transpose(frame)).convert("RGB")
        except Image.DecompressionBombError as exc:  # a frame past twice the limit
            raise LimitExceeded(
                f"page {index + 1} of the image is over the limit of "
                f"{self._limits.max_image_pixels:,} pixels per page (DOCPARSE_MAX_IMAGE_PIXELS)",
                limit="max_image_pixels",
            ) from exc
        except DAMAGED_IMAGE as exc:
            raise CorruptDocument(
                f"page {index + 1} of the image cannot be decoded: {exc}"
            ) from exc
        dpi = float(dpi) if dpi and 50 <= float(dpi) <= 1200 else DEFAULT_IMAGE_DPI
        return page, dpi

    def close(self) -> None:
        self._image.close()


Source = PdfSource | ImageSource


def open_source(path: Path, limits: Limits) -> Source:
    with path.open("rb") as handle:
        kind = sniff(handle.read(2048))
    source: Source = PdfSource(path) if kind == Kind.pdf else ImageSource(path, kind, limits)
    return source


def select_pages(spec: str | None, page_count: int, max_pages: int) -> list[int]:
    """0-based page indices from a 1-based range like '1-3,5,8-' (None: every page); a
    range needs its first page ('-5' is refused, not read as 1-5)."""
    if page_count == 0:
        raise CorruptDocument("the document has no pages")
    if not spec or not spec.strip():
        indices = list(range(page_count))
    else:
        chosen: set[int] = set()
        for part in spec.replace(" ", "").split(","):
            first, dash, last = part.partition("-")
            if dash and not first:
                # '-5' is no page range: a negative number, or a range without its start.
                raise InvalidOptions(
                    f"page range {part!r} has no first page: use e.g. '1-5' (or '3-' for "
                    "page 3 to the end)"
                )
            try:
                start = int(first) if first else 1
                end = (int(last) if last else page_count) if dash else start
            except ValueError as exc:
                raise InvalidOptions(f"bad page range {spec!r}: use e.g. '1-3,5'") from exc
            if start < 1 or end < start or start > page_count:
                raise InvalidOptions(
                    f"page range {part!r} is outside the document's {page_count} pages"
                )
            chosen.update(range(start - 1, min(end, page_count)))
        indices = sorted(chosen)
    if len(indices) > max_pages:
        raise LimitExceeded(
            f"{len(indices)} pages selected; the limit is {max_pages} pages per document "
            f"(choose fewer with the 'pages' option)",
            limit="max_pages",
            value=len(indices),
        )
    return indices


def _eight_bit(image: Image.Image) -> Image.Image:
    """A 16-bit or float grey scan as 8-bit grey: Pillow's own conversion clips its values
    to 0..255, which turns paper and most ink white. 16-bit and integer values are read as
    0..65535 unless none passes 255; float ones as 0..1 unless some pass 1."""
    if image.mode not in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        return image
    values = np.asarray(image)
    top = float(values.max()) if values.size else 0.0
    if image.mode == "F" and top <= 1.0:
        values = values * 255
    elif top > 255:
        values = values // 257  # integers stay integers: half the memory of floats
    return Image.fromarray(np.clip(values, 0, 255).astype(np.uint8), "L")
