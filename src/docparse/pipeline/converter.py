"""One document through the routes: per page, the text layer when it is good, else OCR
(upright first). Pages run concurrently, bounded; the document fails only when no page
could be read."""

from __future__ import annotations

import asyncio
import functools
import time
from pathlib import Path

from docparse.document import Document, Page, PageStatus
from docparse.engines import OCR_ENGINES
from docparse.engines.languages import validate_languages
from docparse.errors import ConversionFailed, CorruptDocument, InvalidOptions, RecognitionFailed
from docparse.io.sources import Limits, PdfSource, Source, open_source, select_pages
from docparse.pipeline.figures import FIGURE_LABELS, crop_figures
from docparse.pipeline.layer_quality import assess
from docparse.pipeline.ocr import choose_dpi, ocr_page, render_dpi
from docparse.pipeline.options import (
    ROUTES,
    Conversion,
    ConvertOptions,
    PageRead,
    ProgressCallback,
)
from docparse.pipeline.runtime import Engines
from docparse.pipeline.text_layer import layout_boxes, pdf_tables, text_layer_page
from docparse.settings import Settings
from docparse.structure.furniture import mark_furniture_pages


class Converter:
    def __init__(self, settings: Settings, engines: Engines) -> None:
        self.settings = settings
        self.engines = engines
        self.limits = Limits(settings.max_pages, settings.max_image_pixels)

    async def convert(
        self, path: Path, options: ConvertOptions, progress: ProgressCallback | None = None
    ) -> Conversion:
        if options.engine not in ROUTES:
            raise InvalidOptions(
                f"unknown engine {options.engine!r}; use one of {', '.join(ROUTES)}"
            )
        if options.dpi is not None and not 50 <= options.dpi <= 600:
            raise InvalidOptions("dpi must be between 50 and 600")
        options = options.model_copy(
            update={"languages": validate_languages(options.languages, self.settings.tessdata_dir)}
        )
        started = time.perf_counter()
        source = await asyncio.to_thread(open_source, path, self.limits)
        damaged: set[int] = set()  # pages that failed as damaged input, not by an engine
        try:
            indices = select_pages(options.pages, source.page_count, self.settings.max_pages)
            if options.engine in OCR_ENGINES:
                await self.engines.get(options.engine).load()  # fail fast when unavailable
            opened = time.perf_counter()
            reads = await self._pages(source, indices, options, progress, damaged)
        finally:
            source.close()
        pages = [r.page for r in reads]
        mark_furniture_pages(pages)
        failed = [p for p in pages if p.status == PageStatus.failed]
        if failed and len(failed) == len(pages):
            # The input's fault (every page damaged) is a 422; an engine's is a 500.
            error = CorruptDocument if all(p.index in damaged for p in failed) else ConversionFailed
            raise error(
                "no page could be read: "
                + "; ".join(f"page {p.index + 1}: {p.error}" for p in failed[:5]),
                pages=[{"page": p.index + 1, "error": p.error} for p in failed],
            )
        document = Document(
            pages=pages,
            metadata={
                "source_type": source.kind.value,
                "page_count": source.page_count,
                "pages_selected": len(indices),
                "engine": options.engine,
            },
        )
        done = time.perf_counter()
        images = {r.page.index: r.image for r in reads if r.image and options.keep_images}
        figures = {path: png for r in reads for path, png in r.figures.items()}
        return Conversion(
            document,
            {
                "open_s": round(opened - started, 4),
                "pages_s": round(done - opened, 4),
                "total_s": round(done - started, 4),
            },
            images,
            figures,
        )

    async def _pages(
        self,
        source: Source,
        indices: list[int],
        options: ConvertOptions,
        progress: ProgressCallback | None,
        damaged: set[int],
    ) -> list[PageRead]:
        # Twice the workers in flight: the next pages render while others are read. A
        # remote engine is bounded by its own request limit, so keep more pages going.
        remote = self.engines.get(self.engines.engine_for(options.engine)).remote
        gate = asyncio.Semaphore(
            self.settings.vlm.pages_in_flight if remote else self.settings.workers * 2
        )
        finished = 0

        async def one(index: int) -> PageRead:
            nonlocal finished
            async with gate:
                page = await self._page(source, index, options, damaged)
            finished += 1
            if progress:
                progress(finished, len(indices))
            return page

        return list(await asyncio.gather(*(one(i) for i in indices)))

    async def _page(
        self, source: Source, index: int, options: ConvertOptions, damaged: set[int]
    ) -> PageRead:
        try:
            if isinstance(source, PdfSource):
                read = await self._pdf_page(source, index, options)
            else:
                image, dpi = await asyncio.to_thread(source.image, index)
                read = await ocr_page(self.engines, index, image, dpi, options, "image")
            page = read.page
            if options.figures and any(b.label in FIGURE_LABELS for b in page.blocks):
                read.figures = await crop_figures(
                    self.engines, source, page, read.image, options.figures
                )
            return read
        except (RecognitionFailed, CorruptDocument) as exc:
            if isinstance(exc, CorruptDocument):
                damaged.add(index)
            return PageRead(
                Page(index=index, width=1, height=1, status=PageStatus.failed, error=exc.message)
            )

    async def _pdf_page(self, source: PdfSource, index: int, options: ConvertOptions) -> PageRead:
        pdfium = functools.partial(
            asyncio.get_running_loop().run_in_executor, self.engines.pdf_executor
        )
        layer = await pdfium(source.text_layer, index)
        width, height = await pdfium(source.page_size, index)
        reason = "OCR requested"
        if options.engine in ("auto", "textlayer"):
            verdict = assess(layer, width, height)
            if verdict.use_layer or options.engine == "textlayer":
                tables = await pdf_tables(self.engines, source, index, layer)
                boxes = await layout_boxes(self.engines, source, index) if options.layout else None
                return PageRead(text_layer_page(index, layer, width, height, tables, boxes))
            reason = verdict.reason
        dpi = (
            render_dpi(options.dpi, width, height, self.settings)
            if options.dpi
            else choose_dpi(layer, width, height, self.settings)
        )
        image = await pdfium(source.render, index, dpi)
        return await ocr_page(self.engines, index, image, dpi, options, reason)
