"""One document through the routes: per page, the text layer when it is good, else OCR
(upright first). Pages run concurrently, within the service's admission budget
(pipeline/admission.py) and time limits; the document fails only when no page could be
read."""

from __future__ import annotations

import asyncio
import functools
import time
from pathlib import Path

from docparse.document import Document, Page, PageStatus
from docparse.engines import OCR_ENGINES
from docparse.engines.languages import validate_languages
from docparse.errors import (
    ConversionFailed,
    CorruptDocument,
    InvalidOptions,
    RecognitionFailed,
    RequestTimeout,
)
from docparse.io.sources import Limits, PdfSource, Source, open_source, select_pages
from docparse.pipeline.admission import Admission, PageSlot, Ticket, render_pixels
from docparse.pipeline.figures import FIGURE_LABELS, crop_figures
from docparse.pipeline.layer_lines import add_missed_lines
from docparse.pipeline.ocr import choose_dpi, ocr_page, render_dpi, vlm_dpi
from docparse.pipeline.options import (
    ROUTES,
    Conversion,
    ConvertOptions,
    PageRead,
    ProgressCallback,
)
from docparse.pipeline.runtime import Engines
from docparse.pipeline.telemetry import observe_stage, page_in_flight, record_stage, timed
from docparse.pipeline.text_layer import layout_boxes, pdf_tables, read_layer, text_layer_page
from docparse.settings import VLM_ENGINE, Settings
from docparse.structure.furniture import mark_furniture_pages

LAYER_ENGINES = ("auto", "textlayer")  # routes that keep a PDF page's own text when it will do


def _close_opened(opening: asyncio.Future[Source]) -> None:
    if not opening.cancelled() and opening.exception() is None:
        opening.result().close()


class Converter:
    def __init__(self, settings: Settings, engines: Engines) -> None:
        self.settings = settings
        self.engines = engines
        self.limits = Limits(settings.max_pages, settings.max_image_pixels)
        self.admission = Admission.from_settings(settings)  # one for the whole service

    async def convert(
        self,
        path: Path,
        options: ConvertOptions,
        progress: ProgressCallback | None = None,
        bounded: bool = True,
    ) -> Conversion:
        """The document converted, within DOCPARSE_REQUEST_TIMEOUT when `bounded` (a
        request someone waits on; a job's pages are bounded by the page timeout only)."""
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
        damaged: set[int] = set()  # pages that failed as damaged input, not by an engine
        timed_out: set[int] = set()  # pages stopped at DOCPARSE_PAGE_TIMEOUT
        limit = self.settings.request_timeout if bounded else None
        try:
            async with asyncio.timeout(limit) as deadline:
                source = await self._open(path)
                try:
                    indices = select_pages(
                        options.pages, source.page_count, self.settings.max_pages
                    )
                    # Refused at once (429) when the service's queue is full.
                    with self.admission.admit(len(indices)) as ticket:
                        if options.engine in OCR_ENGINES:
                            # Fail fast when unavailable.
                            await self.engines.get(options.engine).load()
                        opened = time.perf_counter()
                        reads = await self._pages(
                            source, indices, options, progress, ticket, damaged, timed_out
                        )
                finally:
                    source.close()
        except TimeoutError as exc:
            if not deadline.expired():
                raise
            raise RequestTimeout(
                f"the conversion took longer than {limit:g} s (DOCPARSE_REQUEST_TIMEOUT) "
                "and was stopped",
                limit="request_timeout",
            ) from exc
        pages = [r.page for r in reads]
        mark_furniture_pages(pages)
        failed = [p for p in pages if p.status == PageStatus.failed]
        if failed and len(failed) == len(pages):
            # The input's fault (every page damaged) is a 422; every page over its time
            # limit a 504; an engine's fault a 500.
            error: type[ConversionFailed | CorruptDocument | RequestTimeout] = ConversionFailed
            if all(p.index in damaged for p in failed):
                error = CorruptDocument
            elif all(p.index in timed_out for p in failed):
                error = RequestTimeout
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

    async def _open(self, path: Path) -> Source:
        """The source, opened in a thread; cancelled meanwhile (a time limit, a client
        gone), it is closed as soon as the thread has opened it."""
        opening = asyncio.ensure_future(asyncio.to_thread(open_source, path, self.limits))
        try:
            return await asyncio.shield(opening)
        except asyncio.CancelledError:
            opening.add_done_callback(_close_opened)
            raise

    async def _pages(
        self,
        source: Source,
        indices: list[int],
        options: ConvertOptions,
        progress: ProgressCallback | None,
        ticket: Ticket,
        damaged: set[int],
        timed_out: set[int],
    ) -> list[PageRead]:
        # The service's page slots (admission.py): twice the workers, the next pages
        # render while others are read; a remote engine is bounded by its own request
        # limit, so its pages take the VLM route's slots.
        remote = self.engines.get(self.engines.engine_for(options.engine)).remote
        # A PDF page whose text layer may do starts in the light lane (admission.py).
        # Born-digital pages through the layout model are no lighter than OCR ones.
        light = (
            isinstance(source, PdfSource) and options.engine in LAYER_ENGINES and not options.layout
        )
        if isinstance(source, PdfSource):  # its text layer is read in the worker processes
            await self.engines.start_workers()
        finished = 0

        async def one(index: int) -> PageRead:
            nonlocal finished
            async with ticket.page("remote" if remote else "local", light) as slot:
                with page_in_flight():
                    page = await self._timed_page(source, index, options, damaged, timed_out, slot)
            finished += 1
            if progress:
                progress(finished, len(indices))
            return page

        tasks = [asyncio.create_task(one(i)) for i in indices]
        try:
            return list(await asyncio.gather(*tasks))
        finally:
            # On an error or a cancellation the other pages stop too, before the source
            # closes: those not started never start, and their places are handed back.
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _timed_page(
        self,
        source: Source,
        index: int,
        options: ConvertOptions,
        damaged: set[int],
        timed_out: set[int],
        slot: PageSlot,
    ) -> PageRead:
        """A page within DOCPARSE_PAGE_TIMEOUT; past it the page's work is cancelled and
        the page fails, saying why (a call already running in a thread or worker process
        runs to its end, but nothing after it does)."""
        limit = self.settings.page_timeout
        if self.engines.engine_for(options.engine) == VLM_ENGINE:
            # A block's answer may take the VLM's own read timeout (PaddleX: 600 s); a
            # page limit below it would cut off what the server is allowed to take.
            limit = max(limit, self.settings.vlm.timeout)
        try:
            async with asyncio.timeout(limit) as deadline:
                slot.deadline = deadline
                return await self._page(source, index, options, damaged, slot)
        except TimeoutError:
            if not deadline.expired():
                raise
            timed_out.add(index)
            return PageRead(
                Page(
                    index=index,
                    width=1,
                    height=1,
                    status=PageStatus.failed,
                    error=f"the page took longer than {limit:g} s (DOCPARSE_PAGE_TIMEOUT) "
                    "and was stopped",
                )
            )

    async def _page(
        self, source: Source, index: int, options: ConvertOptions, damaged: set[int], slot: PageSlot
    ) -> PageRead:
        try:
            if isinstance(source, PdfSource):
                read = await self._pdf_page(source, index, options, slot)
            else:
                pixels = await asyncio.to_thread(source.pixels, index)
                async with self.admission.reserve_pixels(pixels):
                    image, dpi = await asyncio.to_thread(timed("render", source.image), index)
                    read = await ocr_page(self.engines, index, image, dpi, options, "image")
            page = read.page
            if options.figures and any(b.label in FIGURE_LABELS for b in page.blocks):
                read.figures = await crop_figures(
                    self.engines, source, page, read.image, options.figures, read.drawn
                )
            return read
        except (RecognitionFailed, CorruptDocument) as exc:
            if isinstance(exc, CorruptDocument):
                damaged.add(index)
            return PageRead(
                Page(index=index, width=1, height=1, status=PageStatus.failed, error=exc.message)
            )

    async def _pdf_page(
        self, source: PdfSource, index: int, options: ConvertOptions, slot: PageSlot
    ) -> PageRead:
        pdfium = functools.partial(
            asyncio.get_running_loop().run_in_executor, self.engines.pdf_executor
        )
        judge, keep = options.engine in LAYER_ENGINES, options.engine == "textlayer"
        started = time.perf_counter()
        got = await self.engines.in_worker(
            read_layer, source.path, index, judge, keep, bool(options.figures)
        )
        record_stage("text_layer", time.perf_counter() - started - got.table_seconds)
        if got.tables is not None:  # looked for, if only to see none could be there
            record_stage("tables", got.table_seconds)
        layer, (width, height) = got.layer, got.size

        async def from_layer() -> PageRead:
            if got.tables is not None:
                tables = got.tables.all
            else:
                with observe_stage("tables"):
                    tables = await pdf_tables(self.engines, source, index, layer)
            boxes = None
            if options.layout:
                with observe_stage("layout"):
                    boxes = await layout_boxes(self.engines, source, index)
            with observe_stage("structure"):
                page = text_layer_page(index, layer, width, height, tables, boxes)
            page.rotation = got.turn
            return PageRead(page, drawn=got.pictures)

        verdict = got.verdict
        if keep or (verdict is not None and verdict.use_layer):
            return await from_layer()
        reason = verdict.reason if verdict is not None else "OCR requested"
        await slot.to_heavy()
        dpi = (
            render_dpi(options.dpi, width, height, self.settings)
            if options.dpi
            else vlm_dpi(width, height, self.settings)
            if self.engines.orders_blocks(self.engines.engine_for(options.engine))
            else choose_dpi(layer, width, height, self.settings)
        )
        # The render's pixels are reserved before it is drawn, until the page is read.
        async with self.admission.reserve_pixels(render_pixels(width, height, dpi)):
            image = await pdfium(timed("render", source.render), index, dpi)
            read = await ocr_page(self.engines, index, image, dpi, options, reason)
        upright = read.page.rotation == 0 and abs(read.page.skew) < 1  # boxes still line up
        if verdict is not None and verdict.partial and upright:
            # A title over a photo that OCR missed; a hostile layer holds thousands of
            # lines, so off the event loop.
            await asyncio.to_thread(add_missed_lines, read.page, layer)
        # Drawn turned as its layer was read: the turn adds to the one OCR found.
        read.page.rotation = (read.page.rotation + got.turn) % 360
        # The layer OCR replaced may be the better reading after all: OCR found nothing on
        # a cover in display type, or saw Latin letters where the layer looked like Russian.
        if verdict is not None and verdict.keep_layer(
            layer, "\n".join(b.text for b in read.page.blocks)
        ):
            return await from_layer()
        return read
