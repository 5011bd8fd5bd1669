"""One document through the routes: per page, the text layer when it is good, else OCR
(upright first). Pages run concurrently; OCR work runs on a shared executor."""

from __future__ import annotations

import asyncio
import functools
import io
import logging
import multiprocessing
import statistics
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from PIL import Image
from pydantic import BaseModel, Field

from docparse import orientation
from docparse.engines import OCR_ENGINES, create_engine
from docparse.engines.base import Engine, EngineState, EngineStatus, PageImage, RecognizeOptions
from docparse.errors import (
    ConversionFailed,
    CorruptDocument,
    DocparseError,
    EngineUnavailable,
    InvalidOptions,
    RecognitionFailed,
)
from docparse.layout.boxes import LayoutBox
from docparse.layout.cdla import CDLALayout
from docparse.layout.ppdoclayout import PPDocLayout
from docparse.layout_hints import MIN_SCORE, apply_layout
from docparse.model import Block, Document, Label, Line, Page, PageStatus
from docparse.paragraphs import group_lines, label_headings, merge_fragments, split_blocks
from docparse.pdf import TextLayer
from docparse.settings import Settings
from docparse.sources import ImageSource, Limits, PdfSource, Source, open_source, select_pages
from docparse.structure import (
    footnotes_last,
    mark_furniture_pages,
    mark_margin_text,
    place_captions,
    xy_cut,
)
from docparse.table_blocks import (
    MIN_RULE_PATHS,
    line_words,
    merge_into,
    paragraph_tables,
    pdf_page_tables,
    prefer,
    table_blocks,
    without_tables,
    worth_a_look,
)
from docparse.tables import Word
from docparse.textlayer import assess

log = logging.getLogger(__name__)

ROUTES = ("auto", "textlayer", *OCR_ENGINES)
TARGET_LINE_PX = 40  # rendered text-line height that OCR reads well
CYRILLIC_LANGS = {"rus", "ukr", "bel", "bul", "srp", "mkd", "kaz", "kir", "tgk", "mon"}

ProgressCallback = Callable[[int, int], None]
FIGURE_LABELS = frozenset({Label.image, Label.chart})
FIGURE_DPI = 150
TABLE_DPI = 100  # enough to see ruling lines
LAYOUT_DPI = 96  # the layout model looks at 608x800: more pixels add nothing
# Pictures worth a figure: not a logo speck, not the page-sized scan under a text layer.
MIN_FIGURE_SHARE, MAX_FIGURE_SHARE, MIN_FIGURE_PT = 0.005, 0.85, 24


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()


class ConvertOptions(BaseModel):
    engine: str = "auto"
    languages: str | None = None
    pages: str | None = None
    dpi: int | None = None
    spotting: bool = False  # VLM: text lines with positions
    vlm: dict[str, Any] = Field(default_factory=dict)  # VLM sampling overrides
    keep_images: bool = False  # return the upright page images of OCR pages
    figures: str | None = None  # crop figures to PNGs under this relative folder
    orientation: bool = True  # turn scans upright and straighten them before reading
    # Born-digital pages through the layout model too (pictures drawn as vectors,
    # captions, formulas, running heads), text still from the PDF: ~0.15 s a page more.
    layout: bool = False


@dataclass
class Conversion:
    document: Document
    timings: dict[str, float] = field(default_factory=dict)
    images: dict[int, Image.Image] = field(default_factory=dict)  # with keep_images
    figures: dict[str, bytes] = field(default_factory=dict)  # relative path -> PNG


class Engines:
    """The engines of one process, created on first use and loaded in the background."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.executor = ThreadPoolExecutor(settings.workers, thread_name_prefix="ocr")
        # PDFium takes one call at a time (a global lock): one thread of its own, so pages
        # waiting for it do not fill the default pool other work needs.
        self.pdf_executor = ThreadPoolExecutor(1, thread_name_prefix="pdfium")
        self._processes: ProcessPoolExecutor | None = None
        self._engines: dict[str, Engine] = {}
        self._errors: dict[str, str] = {}
        self._layout: CDLALayout | PPDocLayout | None = None
        self._layout_error: str | None = None

    def get(self, name: str) -> Engine:
        if name not in self._engines:
            try:
                self._engines[name] = create_engine(name, self.settings, self.executor)
            except EngineUnavailable as exc:
                self._errors[name] = exc.message
                raise
        return self._engines[name]

    def layout(self) -> CDLALayout | PPDocLayout | None:
        """The CPU route's layout model, loaded on first use; None when switched off or
        unavailable (pages are then read without it, and /health says why)."""
        if self.settings.cpu_layout == "none" or self._layout_error:
            return None
        if self._layout is None:
            path = self.settings.layout_model_path
            model = PPDocLayout(path, self.settings.layout_model_version) \
                if self.settings.cpu_layout == "model" and path else CDLALayout()
            try:
                model.load()
            except EngineUnavailable as exc:
                self._layout_error = exc.message
                log.error("layout model unavailable, OCR pages go without it: %s",
                          exc.message)
                return None
            self._layout = model
        return self._layout

    def layout_status(self) -> dict[str, Any]:
        if self.settings.cpu_layout == "none":
            return {"state": "off"}
        if self._layout_error:
            return {"state": EngineState.failed, "reason": self._layout_error}
        if self._layout is None:
            return {"state": EngineState.not_loaded, "model": self.settings.cpu_layout}
        return {"state": EngineState.ready, "model": self._layout.name,
                "path": str(self._layout.model_path)}

    def status(self, name: str) -> EngineStatus:
        if name in self._errors and name not in self._engines:
            return EngineStatus(EngineState.failed, self._errors[name])
        engine = self._engines.get(name)
        return engine.status() if engine else EngineStatus(EngineState.not_loaded)

    async def preload(self, names: list[str]) -> None:
        if names:  # start the OSD worker processes now rather than on the first page
            loop = asyncio.get_running_loop()
            await asyncio.gather(*(
                loop.run_in_executor(self.processes(), orientation.warm_up,
                                     self.settings.tessdata_dir)
                for _ in range(self.settings.workers)), return_exceptions=True)
        for name in names:
            try:
                await self.get(name).load()
            except DocparseError as exc:
                log.error("engine %s is unavailable: %s", name, exc.message)
        if set(names) & {"tesseract", "ppocr"}:
            await asyncio.get_running_loop().run_in_executor(self.executor, self.layout)

    def processes(self) -> ProcessPoolExecutor:
        """Worker processes for work that holds the GIL (Tesseract's OSD), started on first
        use; 'spawn' because forking a process that runs threads is unsafe."""
        if self._processes is None:
            self._processes = ProcessPoolExecutor(
                self.settings.workers, mp_context=multiprocessing.get_context("spawn"))
        return self._processes

    async def aclose(self) -> None:
        """Close engines that hold connections (the VLM client), then the pools."""
        for engine in self._engines.values():
            closer = getattr(engine, "close", None)
            if closer is not None:
                await closer()
        self.close()

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.pdf_executor.shutdown(wait=False, cancel_futures=True)
        if self._processes is not None:
            self._processes.shutdown(wait=True, cancel_futures=True)


class Converter:
    def __init__(self, settings: Settings, engines: Engines) -> None:
        self.settings = settings
        self.engines = engines
        self.limits = Limits(settings.max_pages, settings.max_image_pixels)

    async def convert(self, path: Path, options: ConvertOptions,
                      progress: ProgressCallback | None = None) -> Conversion:
        if options.engine not in ROUTES:
            raise InvalidOptions(f"unknown engine {options.engine!r}; use one of "
                                 f"{', '.join(ROUTES)}")
        if options.dpi is not None and not 50 <= options.dpi <= 600:
            raise InvalidOptions("dpi must be between 50 and 600")
        started = time.perf_counter()
        source = await asyncio.to_thread(open_source, path, self.limits)
        try:
            indices = select_pages(options.pages, source.page_count, self.settings.max_pages)
            if options.engine in OCR_ENGINES:
                await self.engines.get(options.engine).load()  # fail fast when unavailable
            opened = time.perf_counter()
            pages = await self._pages(source, indices, options, progress)
        finally:
            source.close()
        mark_furniture_pages(pages)
        failed = [p for p in pages if p.status == PageStatus.failed]
        if failed and len(failed) == len(pages):
            raise ConversionFailed("no page could be read: " + "; ".join(
                f"page {p.index + 1}: {p.error}" for p in failed[:5]),
                pages=[{"page": p.index + 1, "error": p.error} for p in failed])
        document = Document(pages=pages, metadata={
            "source_type": source.kind.value, "page_count": source.page_count,
            "pages_selected": len(indices), "engine": options.engine})
        done = time.perf_counter()
        images = {p.index: p.image for p in pages if p.image is not None and
                  options.keep_images}
        figures = {path: png for p in pages for path, png in (p.figures or {}).items()}
        for page in pages:
            page.image = page.figures = None
        return Conversion(document, {"open_s": round(opened - started, 4),
                                     "pages_s": round(done - opened, 4),
                                     "total_s": round(done - started, 4)}, images, figures)

    async def _pages(self, source: Source, indices: list[int], options: ConvertOptions,
                     progress: ProgressCallback | None) -> list[Page]:
        # Twice the workers in flight: the next pages render while others are read. A
        # remote engine is bounded by its own request limit, so keep more pages going.
        remote = options.engine == "paddleocr-vl" or (
            options.engine == "auto" and self.settings.ocr_engine == "paddleocr-vl")
        gate = asyncio.Semaphore(self.settings.vlm_pages_in_flight if remote
                                 else self.settings.workers * 2)
        finished = 0

        async def one(index: int) -> Page:
            nonlocal finished
            async with gate:
                page = await self._page(source, index, options)
            finished += 1
            if progress:
                progress(finished, len(indices))
            return page

        return list(await asyncio.gather(*(one(i) for i in indices)))

    async def _page(self, source: Source, index: int, options: ConvertOptions) -> Page:
        try:
            if isinstance(source, PdfSource):
                page = await self._pdf_page(source, index, options)
            else:
                image, dpi = await asyncio.to_thread(source.image, index)
                page = await self._ocr_page(index, image, dpi, options, "image")
            if options.figures and any(b.label in FIGURE_LABELS for b in page.blocks):
                await self._crop_figures(source, page, options.figures)
            return page
        except (RecognitionFailed, CorruptDocument) as exc:
            return Page(index=index, width=1, height=1, status=PageStatus.failed,
                        error=exc.message)

    async def _pdf_page(self, source: PdfSource, index: int, options: ConvertOptions) -> Page:
        pdfium = functools.partial(asyncio.get_running_loop().run_in_executor,
                                   self.engines.pdf_executor)
        layer = await pdfium(source.text_layer, index)
        width, height = await pdfium(source.page_size, index)
        reason = "OCR requested"
        if options.engine in ("auto", "textlayer"):
            verdict = assess(layer, width, height)
            if verdict.use_layer or options.engine == "textlayer":
                tables = await self._pdf_tables(source, index, layer)
                boxes = await self._layout_boxes(source, index) if options.layout else None
                return text_layer_page(index, layer, width, height, tables, boxes)
            reason = verdict.reason
        dpi = options.dpi or choose_dpi(layer, width, height, self.settings)
        image = await pdfium(source.render, index, dpi)
        return await self._ocr_page(index, image, dpi, options, reason)

    async def _ocr_page(self, index: int, image: Image.Image, dpi: float,
                        options: ConvertOptions, why: str) -> Page:
        name = self.settings.ocr_engine if options.engine in ("auto", "textlayer") \
            else options.engine
        loop = asyncio.get_running_loop()
        threads = self.engines.executor
        upright = orientation.Orientation()
        if options.orientation:
            pixels, size = await loop.run_in_executor(threads, orientation.analysis_copy,
                                                      image)
            upright = await loop.run_in_executor(self.engines.processes(), orientation.detect,
                                               pixels, size, self.settings.tessdata_dir)
            image = await loop.run_in_executor(threads, orientation.apply, image, upright)
        languages = page_languages(options.languages or self.settings.languages, upright)
        request = RecognizeOptions(languages=languages, spotting=options.spotting,
                                   vlm=options.vlm)
        layout = self.engines.layout() if name != "paddleocr-vl" else None
        # The layout model runs beside the OCR engine: cores left idle by OCR's serial
        # parts take it (a VLM page that falls back to the CPU runs it afterwards).
        laid_out = loop.run_in_executor(threads, layout.detect, image, MIN_SCORE) \
            if layout is not None else None
        try:
            name, blocks, fallback = await self._recognize(
                name, PageImage(index, image, dpi), request)
        except BaseException:
            if laid_out is not None:
                laid_out.cancel()
            raise
        if name != "paddleocr-vl":  # the VLM's layout stage gives its own order
            words = line_words(blocks) if name == "tesseract" else [
                Word(ln.text, ln.bbox) for b in blocks for ln in b.lines]
            found = await loop.run_in_executor(threads, table_blocks, words, image, 1.0,
                                               index, name)
            tables = found.all
            if name == "tesseract":  # a paragraph's own columns beat a page-wide guess,
                own = await loop.run_in_executor(threads, paragraph_tables, blocks,
                                                 found.ruled, index, name)
                tables = found.ruled + prefer(own, found.borderless)  # not ruled ones
            blocks = split_blocks(merge_into(blocks, tables))
            if laid_out is None and (layout := self.engines.layout()) is not None:
                laid_out = loop.run_in_executor(threads, layout.detect, image, MIN_SCORE)
            if laid_out is not None:  # what the text is: heads, captions, pictures
                blocks = apply_layout(blocks, await laid_out, image.width, image.height,
                                      index)
            mark_margin_text(blocks, image.width)
            blocks = footnotes_last(place_captions(xy_cut(blocks, min_gap=dpi / 18)),
                                    image.height)
        label_headings(blocks, first_page=index == 0)
        page = Page(index=index, width=image.width, height=image.height, dpi=dpi,
                    rotation=upright.rotation, skew=round(upright.skew, 2), route="ocr",
                    engine=name, blocks=blocks, fallback=fallback,
                    status=PageStatus.ok if blocks else PageStatus.empty)
        page.normalise_boxes()
        if options.keep_images or options.figures:
            page.image = image
        log.debug("page %d by %s (%s)", index + 1, name, why)
        return page

    async def _pdf_tables(self, source: PdfSource, index: int, layer: TextLayer
                          ) -> list[Block]:
        """Tables of a born-digital page: words from the PDF, rules from a light render;
        skipped quickly on pages with no rules, rows of numbers or aligned columns."""
        if not worth_a_look([ln.text for ln in layer.lines], layer.paths,
                            [ln.column_starts for ln in layer.lines]):
            return []
        # A few rules can make a small table: draw the page to find them.
        rules = layer.paths >= MIN_RULE_PATHS // 10
        found = await asyncio.get_running_loop().run_in_executor(
            self.engines.processes(), pdf_page_tables, source.path, index, TABLE_DPI, rules)
        return found.all

    async def _layout_boxes(self, source: PdfSource, index: int) -> list[LayoutBox] | None:
        """A born-digital page's layout boxes, in points: from the VLM route's layout
        model (PP-DocLayout) when one is configured, so that both routes share one
        layout stage, else from the CPU route's."""
        vlm = self.settings.ocr_engine == "paddleocr-vl" and self.settings.layout_model_path
        if not vlm and self.engines.layout() is None:
            return None
        loop = asyncio.get_running_loop()
        image = await loop.run_in_executor(self.engines.pdf_executor, source.render, index,
                                           LAYOUT_DPI)
        boxes = await self.engines.get("paddleocr-vl").layout_only(  # type: ignore[attr-defined]
            PageImage(index, image, LAYOUT_DPI)) if vlm else None
        if boxes is None and (model := self.engines.layout()) is not None:
            boxes = await loop.run_in_executor(self.engines.executor, model.detect, image,
                                               MIN_SCORE)
        scale = 72 / LAYOUT_DPI
        return [replace(b, bbox=b.bbox.scaled(scale)) for b in boxes or []]

    async def _crop_figures(self, source: Source, page: Page, folder: str) -> None:
        """PNG crops of the page's pictures: from the OCR'd page image, or drawn from the
        PDF region by region on a born-digital page."""
        loop = asyncio.get_running_loop()
        page.figures = {}
        for block in page.blocks:
            if block.label not in FIGURE_LABELS:
                continue
            if page.image is not None:
                box = block.bbox.scaled(page.image.width / page.width)
                crop = page.image.crop((int(box.x0), int(box.y0), int(box.x1 + 0.999),
                                        int(box.y1 + 0.999)))
            else:
                assert isinstance(source, PdfSource)
                crop = await loop.run_in_executor(self.engines.pdf_executor,
                                                  source.render_region, page.index,
                                                  FIGURE_DPI, block.bbox)
            block.image = f"{folder}/{block.id}.png"
            page.figures[block.image] = await asyncio.to_thread(png_bytes, crop)

    async def _recognize(self, name: str, page: PageImage, options: RecognizeOptions
                         ) -> tuple[str, list[Block], str | None]:
        """Blocks from the engine; when the VLM server is down and the policy is 'cpu',
        from the CPU engine instead, saying why."""
        try:
            return name, await self.engines.get(name).recognize(page, options), None
        except EngineUnavailable as exc:
            if name != "paddleocr-vl" or self.settings.vlm_fallback != "cpu":
                raise
            cpu = self.settings.cpu_ocr_engine
            log.warning("page %d: %s; read by %s instead", page.index + 1, exc.message, cpu)
            blocks = await self.engines.get(cpu).recognize(page, options)
            return cpu, blocks, f"paddleocr-vl unavailable: {exc.message}"


def text_layer_page(index: int, layer: TextLayer, width: float, height: float,
                    tables: list[Block] | None = None,
                    boxes: list[LayoutBox] | None = None) -> Page:
    lines = merge_fragments([Line(text=ln.text, bbox=ln.bbox, size=ln.font_size or None,
                                  bold=ln.bold) for ln in layer.lines])
    lines = without_tables(lines, tables or [])
    blocks = [
        Block(id=f"p{index}-b{i}", label=Label.text, bbox=group[0].bbox.around(
            [ln.bbox for ln in group]), text="\n".join(ln.text for ln in group),
            lines=group, source_engine="textlayer")
        for i, group in enumerate(group_lines(lines))
    ]
    area = width * height
    blocks += [Block(id=f"p{index}-img{i}", label=Label.image, bbox=box,
                     source_engine="textlayer")
               for i, box in enumerate(layer.image_boxes)
               if MIN_FIGURE_SHARE * area <= box.width * box.height <= MAX_FIGURE_SHARE * area
               and min(box.width, box.height) >= MIN_FIGURE_PT]
    blocks += tables or []
    if boxes is not None:  # the layout stage, with the PDF's text in place of OCR
        blocks = apply_layout(blocks, boxes, width, height, index)
    mark_margin_text(blocks, width)
    blocks = footnotes_last(place_captions(xy_cut(blocks)), height)
    label_headings(blocks, first_page=index == 0)
    page = Page(index=index, width=width, height=height, dpi=72, route="text_layer",
                engine="textlayer", blocks=blocks,
                status=PageStatus.ok if blocks else PageStatus.empty)
    page.normalise_boxes()
    return page


def choose_dpi(layer: TextLayer, width: float, height: float, settings: Settings) -> float:
    """Enough resolution for the text on the page, not more: a scan's own resolution, or
    the size of the text the (bad) layer reports, within the configured bounds."""
    dpi = 200.0
    if layer.image_coverage >= 0.5 and layer.image_dpi:
        dpi = layer.image_dpi
    elif layer.lines:
        line_pt = statistics.median(ln.font_size for ln in layer.lines)
        if line_pt > 0:
            dpi = TARGET_LINE_PX * 72 / line_pt
    dpi = min(max(dpi, settings.min_dpi), settings.max_dpi)
    # Never render past the pixel limit: a huge page gets fewer dots per inch.
    max_dpi_for_pixels = 72 * (settings.max_image_pixels / max(width * height, 1.0)) ** 0.5
    return float(round(min(dpi, max_dpi_for_pixels)))


def page_languages(languages: str, found: orientation.Orientation) -> str:
    """Drop Cyrillic models on a page OSD sees as Latin script: with both loaded, Tesseract
    reads English words as look-alike Cyrillic letters."""
    if found.script != "Latin" or found.script_conf < 1.0:
        return languages
    latin = [lang for lang in languages.split("+") if lang not in CYRILLIC_LANGS]
    return "+".join(latin) if latin else languages


__all__ = ["ROUTES", "Conversion", "ConvertOptions", "Converter", "Engines", "ImageSource"]
