"""The plain readings `docparse eval` sets beside docparse's, per document: Tesseract
alone (rus+eng, no structure work, at the resolution docparse read the page at) and, for
PDFs with text, the PDF's own text layer — the guard against regressions. `Converted` is
one document's reading, docparse's or a baseline's."""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from docparse.settings import Settings


@dataclass
class Converted:
    """One document's Markdown, whole (key None) and per 1-based page."""

    pages: int = 0
    seconds: float = 0.0
    markdown: dict[int | None, str] = field(default_factory=dict)
    failed: set[int] = field(default_factory=set)  # pages that could not be read
    error: str | None = None
    dpi: dict[int, float] = field(default_factory=dict)  # OCR pages: the resolution read at

    def add_page(self, number: int, markdown: str) -> None:
        self.markdown[number] = markdown
        self.markdown[None] = "\n\n".join(
            self.markdown[k] for k in sorted(k for k in self.markdown if k is not None)
        )


BASELINE_LANGUAGES = "rus+eng"
BASELINES = ("tesseract", "layer")


def plain_readings(
    folder: Path, runs: dict[str, Converted], workers: int | None = None
) -> dict[str, dict[str, Converted]]:
    """Per baseline, per document: Tesseract's plain text of every page (rus+eng, the page
    drawn at the resolution docparse read it at, or would have: a born-digital page's
    `choose_dpi`; an image as it is, at its stated resolution or 200 dpi), and a PDF's own
    text layer (PDFium's text of each page in its stored order; only for PDFs with text)."""
    from docparse.settings import Settings

    settings = Settings()
    out: dict[str, dict[str, Converted]] = {name: {} for name in BASELINES}
    reader = _PlainTesseract(settings.tessdata_dir, workers or settings.workers)
    try:
        for name, run in runs.items():
            if not run.error:
                tesseract, layer = _plain_document(folder / name, run, reader, settings)
                out["tesseract"][name] = tesseract
                if layer is not None:
                    out["layer"][name] = layer
    finally:
        reader.close()
    return out


def _plain_document(
    path: Path, run: Converted, reader: _PlainTesseract, settings: Settings
) -> tuple[Converted, Converted | None]:
    """One document's plain Tesseract reading, and its text layer when it has one. Pages
    are drawn here, one at a time (PDFium is not for threads), and read in the reader's
    threads, a few at a time."""
    from docparse.errors import DocparseError
    from docparse.io.sources import Limits, PdfSource, open_source
    from docparse.pipeline.ocr import choose_dpi

    tesseract, layer = Converted(), Converted()
    started = time.perf_counter()
    try:
        source = open_source(path, Limits(settings.max_pages, settings.max_image_pixels))
    except (DocparseError, OSError) as exc:
        return Converted(error=str(exc)), None
    pending: deque[tuple[int, Future[str]]] = deque()
    try:
        if isinstance(source, PdfSource):
            for number, text in enumerate(layer_texts(path), 1):
                layer.add_page(number, text)
        for index in range(source.page_count):
            if isinstance(source, PdfSource):
                width, height = source.page_size(index)
                dpi = run.dpi.get(index + 1) or choose_dpi(
                    source.text_layer(index), width, height, settings
                )
                image = source.render(index, dpi)
            else:
                image, stated = source.image(index)
                dpi = run.dpi.get(index + 1) or stated
            pending.append((index, reader.submit(image.convert("L"), dpi)))
            while len(pending) > 2 * reader.threads or (pending and pending[0][1].done()):
                done, future = pending.popleft()
                tesseract.add_page(done + 1, future.result())
        while pending:
            done, future = pending.popleft()
            tesseract.add_page(done + 1, future.result())
    except (DocparseError, RuntimeError) as exc:
        tesseract.error = str(exc)
    finally:
        source.close()
    tesseract.pages = layer.pages = source.page_count
    tesseract.seconds = time.perf_counter() - started
    return tesseract, layer if any(t.strip() for t in layer.markdown.values()) else None


def layer_texts(path: Path) -> list[str]:
    """A PDF's own text, page by page, in the order it is stored (PDFium)."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(path)
    try:
        texts = []
        for index in range(len(pdf)):
            page = pdf[index]
            textpage = page.get_textpage()
            texts.append(textpage.get_text_bounded())
            textpage.close()
            page.close()
        return texts
    finally:
        pdf.close()


class _PlainTesseract:
    """Tesseract in a few threads, one engine each: rus+eng, page segmentation left to
    Tesseract, its plain text."""

    def __init__(self, tessdata: str, threads: int) -> None:
        self.tessdata = tessdata
        self.threads = threads
        self.pool = ThreadPoolExecutor(threads)
        self.local = threading.local()
        self.apis: list[Any] = []
        self.lock = threading.Lock()

    def submit(self, image: Any, dpi: float) -> Future[str]:
        return self.pool.submit(self._read, image, dpi)

    def _read(self, image: Any, dpi: float) -> str:
        from tesserocr import PyTessBaseAPI

        api = getattr(self.local, "api", None)
        if api is None:
            os.environ.setdefault("OMP_THREAD_LIMIT", "1")
            api = self.local.api = PyTessBaseAPI(
                path=self.tessdata.rstrip("/") + "/", lang=BASELINE_LANGUAGES
            )
            with self.lock:
                self.apis.append(api)
        api.SetImage(image)
        api.SetSourceResolution(round(dpi))
        return str(api.GetUTF8Text() or "").strip()

    def close(self) -> None:
        self.pool.shutdown()
        for api in self.apis:
            api.End()
