"""The OCR route: a page image turned upright, read by an OCR engine (the VLM falls back
to the CPU engine by policy), its tables found and its blocks arranged; and the render
resolution and language choices that route makes."""

from __future__ import annotations

import asyncio
import logging
import math
import statistics

from PIL import Image

from docparse.document import Block, Page, PageStatus
from docparse.engines.base import PageImage, RecognizeOptions
from docparse.errors import EngineUnavailable
from docparse.io.pdf_content import TextLayer
from docparse.layout.apply import MIN_SCORE
from docparse.pipeline import orientation
from docparse.pipeline.options import ConvertOptions, PageRead
from docparse.pipeline.runtime import Engines
from docparse.settings import MAX_IMAGE_SIDE, VLM_ENGINE, Settings
from docparse.structure.arrange import arrange
from docparse.structure.headings import label_headings
from docparse.structure.paragraphs import split_blocks
from docparse.tables.model import Word
from docparse.tables.page import line_words, merge_into, paragraph_tables, prefer, table_blocks

log = logging.getLogger(__name__)

TARGET_LINE_PX = 40  # rendered text-line height that OCR reads well
CYRILLIC_LANGS = {"rus", "ukr", "bel", "bul", "srp", "mkd", "kaz", "kir", "tgk", "mon"}


async def ocr_page(
    runtime: Engines, index: int, image: Image.Image, dpi: float, options: ConvertOptions, why: str
) -> PageRead:
    settings = runtime.settings
    name = runtime.engine_for(options.engine)
    loop = asyncio.get_running_loop()
    threads = runtime.executor
    upright = orientation.Orientation()
    if options.orientation:
        pixels, size = await loop.run_in_executor(threads, orientation.analysis_copy, image)
        upright = await loop.run_in_executor(
            runtime.processes(), orientation.detect, pixels, size, settings.tessdata_dir
        )
        image = await loop.run_in_executor(threads, orientation.apply, image, upright)
    languages = page_languages(options.languages or settings.languages, upright)
    request = RecognizeOptions(languages=languages, spotting=options.spotting, vlm=options.vlm)
    layout = None if runtime.orders_blocks(name) else runtime.layout()
    # The layout model runs beside the OCR engine: cores left idle by OCR's serial
    # parts take it (a VLM page that falls back to the CPU runs it afterwards).
    laid_out = (
        loop.run_in_executor(threads, layout.detect, image, MIN_SCORE)
        if layout is not None
        else None
    )
    try:
        name, blocks, fallback = await recognize(
            runtime, name, PageImage(index, image, dpi), request
        )
    except BaseException:
        if laid_out is not None:
            laid_out.cancel()
        raise
    if not runtime.orders_blocks(name):  # else its own layout stage gave blocks and order
        words = (
            line_words(blocks)
            if name == "tesseract"
            else [Word(ln.text, ln.bbox) for b in blocks for ln in b.lines]
        )
        found = await loop.run_in_executor(threads, table_blocks, words, image, 1.0, index, name)
        tables = found.all
        if name == "tesseract":  # a paragraph's own columns beat a page-wide guess,
            own = await loop.run_in_executor(
                threads, paragraph_tables, blocks, found.ruled, index, name
            )
            tables = found.ruled + prefer(own, found.borderless)  # not ruled ones
        blocks = split_blocks(merge_into(blocks, tables))
        if laid_out is None and (layout := runtime.layout()) is not None:
            laid_out = loop.run_in_executor(threads, layout.detect, image, MIN_SCORE)
        # What the text is (heads, captions, pictures), then order and headings.
        boxes = await laid_out if laid_out is not None else None
        blocks = arrange(blocks, image.width, image.height, dpi, index, layout=boxes)
    else:
        label_headings(blocks, first_page=index == 0)
    page = Page(
        index=index,
        width=image.width,
        height=image.height,
        dpi=dpi,
        rotation=upright.rotation,
        skew=round(upright.skew, 2),
        route="ocr",
        engine=name,
        blocks=blocks,
        fallback=fallback,
        status=PageStatus.ok if blocks else PageStatus.empty,
    )
    page.normalise_boxes()
    log.debug("page %d by %s (%s)", index + 1, name, why)
    return PageRead(page, image)


async def recognize(
    runtime: Engines, name: str, page: PageImage, options: RecognizeOptions
) -> tuple[str, list[Block], str | None]:
    """Blocks from the engine; when the VLM server is down and the policy is 'cpu',
    from the CPU engine instead, saying why."""
    try:
        return name, await runtime.get(name).recognize(page, options), None
    except EngineUnavailable as exc:
        if name != VLM_ENGINE or runtime.settings.vlm.fallback != "cpu":
            raise
        cpu = runtime.settings.cpu_ocr_engine
        log.warning("page %d: %s; read by %s instead", page.index + 1, exc.message, cpu)
        blocks = await runtime.get(cpu).recognize(page, options)
        return cpu, blocks, f"{name} unavailable: {exc.message}"


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
    return render_dpi(min(max(dpi, settings.min_dpi), settings.max_dpi), width, height, settings)


def render_dpi(dpi: float, width: float, height: float, settings: Settings) -> float:
    """`dpi` (chosen or asked for), lowered where the page's bitmap would pass the pixel
    limit or the longest side an OCR engine takes: decided before anything is drawn."""
    by_pixels = 72 * (settings.max_image_pixels / max(width * height, 1.0)) ** 0.5
    by_side = 72 * MAX_IMAGE_SIDE / max(width, height, 1.0)
    return float(min(round(dpi), math.floor(by_pixels), math.floor(by_side)))


def page_languages(languages: str, found: orientation.Orientation) -> str:
    """Drop Cyrillic models on a page OSD sees as Latin script: with both loaded, Tesseract
    reads English words as look-alike Cyrillic letters."""
    if found.script != "Latin" or found.script_conf < 1.0:
        return languages
    latin = [lang for lang in languages.split("+") if lang not in CYRILLIC_LANGS]
    return "+".join(latin) if latin else languages
