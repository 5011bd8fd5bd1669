"""The OCR route: a page image turned upright, read by an OCR engine (the VLM falls back
to the CPU engine by policy), its tables found and its blocks arranged; and the render
resolution and language choices that route makes."""

from __future__ import annotations

import asyncio
import logging
import math
import statistics

from PIL import Image

from docparse.document import Block, Line, Page, PageStatus, mean_confidence
from docparse.engines.base import Engine, PageImage, RecognizeOptions
from docparse.errors import EngineUnavailable
from docparse.io.pdf_content import TextLayer
from docparse.layout.apply import MIN_SCORE
from docparse.pipeline import dewarp, orientation
from docparse.pipeline.dewarp import boxes_to_photo
from docparse.pipeline.empty_cells import read_empty_cells
from docparse.pipeline.layer_quality import good_word_share
from docparse.pipeline.line_crops import read_lines_again
from docparse.pipeline.options import ConvertOptions, PageRead
from docparse.pipeline.runtime import Engines
from docparse.pipeline.stray_cyrillic import CYRILLIC_LANGS, latin_only, reread_strays
from docparse.pipeline.telemetry import Stage, observe_stage, timed
from docparse.settings import MAX_IMAGE_SIDE, VLM_ENGINE, Settings
from docparse.structure.arrange import arrange
from docparse.structure.headings import label_headings
from docparse.structure.page_spelling import spell_as_the_page
from docparse.structure.paragraphs import split_blocks
from docparse.structure.script import Script, classify, fix_text, fix_words
from docparse.tables.model import Word
from docparse.tables.page import (
    line_words,
    merge_into,
    page_lines,
    paragraph_tables,
    prefer,
    table_blocks,
)

log = logging.getLogger(__name__)

TARGET_LINE_PX = 40  # rendered text-line height that OCR reads well
# A line the Latin-only first reading is less sure of than this is read again with every
# language the user asked for (Russian read by the Latin models scores 0.1-0.5, printed
# English 0.85+); the new reading must be Cyrillic and surer by REREAD_MARGIN.
REREAD_BELOW = 0.7
REREAD_MARGIN = 0.05
WHOLE_PAGE_SHARE = 0.5  # of the page's letters in such lines: read the page again


async def ocr_page(
    runtime: Engines, index: int, image: Image.Image, dpi: float, options: ConvertOptions, why: str
) -> PageRead:
    settings = runtime.settings
    name = runtime.engine_for(options.engine)
    loop = asyncio.get_running_loop()
    threads = runtime.image_executor
    upright = orientation.Orientation()
    photo, to_photo = image, None
    if options.orientation:
        # A sheet photographed at an angle is found on the photo as it came (its desk all
        # round it) and flattened before it is turned upright and straightened.
        source = image
        sheet = await loop.run_in_executor(threads, dewarp.find_sheet, image)
        if sheet is not None:
            image = await loop.run_in_executor(threads, sheet.flatten, image)
        with observe_stage("orientation"):
            pixels, size = await loop.run_in_executor(threads, orientation.analysis_copy, image)
            upright = await runtime.in_worker(
                orientation.detect, pixels, size, settings.tessdata_dir
            )
            flat_size = image.size
            image = await loop.run_in_executor(threads, orientation.apply, image, upright)
        photo = image
        if sheet is not None:  # the page is the photo turned as the sheet was
            photo = await loop.run_in_executor(threads, orientation.apply, source, upright)
            to_photo = dewarp.to_page(sheet, upright, flat_size, source.size)
    wanted = options.languages or settings.languages
    languages = page_languages(wanted, upright)
    request = RecognizeOptions(languages=languages, spotting=options.spotting, vlm=options.vlm)
    layout = None if runtime.orders_blocks(name) else runtime.layout()
    # The layout model runs beside the OCR engine: cores left idle by OCR's serial
    # parts take it (a VLM page that falls back to the CPU runs it afterwards).
    laid_out = (
        loop.run_in_executor(threads, timed("layout", layout.detect), image, MIN_SCORE)
        if layout is not None
        else None
    )
    # So do the table search's ruling lines, which need the image and not the words.
    ruled = (
        None
        if runtime.orders_blocks(name)
        else loop.run_in_executor(threads, page_lines, image, 1.0)
    )
    try:
        name, blocks, fallback = await recognize(
            runtime, name, PageImage(index, image, dpi), request
        )
    except BaseException:
        for pending in (laid_out, ruled):
            if pending is not None:
                pending.cancel()
        raise
    if name == "tesseract" and languages != wanted:
        # The first reading left the Cyrillic models out on OSD's word: what it could not
        # read (Russian read as `3eKTpOHHbIii apXHB`) is read again with all of them.
        blocks = await reread(runtime, name, PageImage(index, image, dpi), blocks, wanted)
    elif name == "tesseract":
        # Read with every language: an English line's word read as Cyrillic (`Арг-2015`)
        # is read again by the Latin models alone.
        read = PageImage(index, image, dpi)
        blocks = await reread_strays(runtime.get(name), read, blocks, languages)
    if not runtime.orders_blocks(name):  # else its own layout stage gave blocks and order
        fix_scripts(blocks)
        spell_as_the_page(blocks)
        words = (
            line_words(blocks)
            if name == "tesseract"
            else [Word(ln.text, ln.bbox) for b in blocks for ln in b.lines]
        )
        with observe_stage("tables"):  # the page's wait for them: the lines ran beside OCR
            lines = await ruled if ruled is not None else None
            found = await loop.run_in_executor(
                threads, table_blocks, words, image, 1.0, index, name, lines
            )
            tables = found.all
            if name == "tesseract" and found.ruled:  # what the page reading left out
                page_image = PageImage(index, image, dpi)
                await read_empty_cells(runtime.get(name), page_image, found.ruled, wanted)
            if name == "tesseract":  # a paragraph's own columns beat a page-wide guess,
                own = await loop.run_in_executor(
                    threads, paragraph_tables, blocks, found.ruled, index, name
                )
                tables = found.ruled + prefer(own, found.borderless)  # not ruled ones
        if laid_out is None and (layout := runtime.layout()) is not None:
            detect = timed("layout", layout.detect)
            laid_out = loop.run_in_executor(threads, detect, image, MIN_SCORE)
        # What the text is (heads, captions, pictures), then order and headings.
        boxes = await laid_out if laid_out is not None else None
        with observe_stage("structure"):
            blocks = split_blocks(merge_into(blocks, tables))
            blocks = arrange(blocks, image.width, image.height, dpi, index, layout=boxes)
    else:
        with observe_stage("structure"):
            label_headings(blocks, first_page=index == 0)
    if to_photo is not None:
        boxes_to_photo(blocks, to_photo)
    page = Page(
        index=index,
        width=photo.width,
        height=photo.height,
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
    return PageRead(page, photo)


async def recognize(
    runtime: Engines, name: str, page: PageImage, options: RecognizeOptions
) -> tuple[str, list[Block], str | None]:
    """Blocks from the engine; when the VLM server is down and the policy is 'cpu',
    from the CPU engine instead, saying why."""
    try:
        with observe_stage(_stage(name)):
            return name, await runtime.get(name).recognize(page, options), None
    except EngineUnavailable as exc:
        if name != VLM_ENGINE or runtime.settings.vlm.fallback != "cpu":
            raise
        cpu = runtime.settings.cpu_ocr_engine
        log.warning("page %d: %s; read by %s instead", page.index + 1, exc.message, cpu)
        with observe_stage(_stage(cpu)):
            blocks = await runtime.get(cpu).recognize(page, options)
        return cpu, blocks, f"{name} unavailable: {exc.message}"


def _stage(engine: str) -> Stage:
    """The VLM server's time apart from the CPU engines': it is another machine's."""
    return "vlm" if engine == VLM_ENGINE else "ocr"


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
    """The languages of a page's first reading: without the Cyrillic models on a page OSD
    sees as Latin script (with both loaded, Tesseract reads English words as look-alike
    Cyrillic letters: `Canon` as `Сапоп`). A guess only: `reread` gives the user's
    languages back to every line the Latin models read badly."""
    if found.script != "Latin" or found.script_conf < 1.0:
        return languages
    return latin_only(languages) or languages


def latin_first(languages: str) -> str:
    """`languages` with the Latin-script ones first: how a line of a page OSD saw as Latin
    is read again from its own crop. Tesseract tries a word with the language of the word
    before it, the first language listed at the start of an image, and keeps what that
    language reads acceptably: on a whole English page the Latin model soon leads, but a
    line cropped alone with `rus` first came back with its English words in Cyrillic
    letters (`Мас Рго`, `ОрепАТ Кеуз` for `OpenAT Keys`). With the Latin model first, a
    Russian word still goes to the Cyrillic model, as the Latin one reads it badly."""
    parts = languages.split("+")
    return "+".join(sorted(parts, key=lambda lang: lang in CYRILLIC_LANGS))


async def reread(
    runtime: Engines, name: str, page: PageImage, blocks: list[Block], languages: str
) -> list[Block]:
    """Doubtful lines (confidence below REREAD_BELOW, a word no language writes) read
    again with `languages`, Latin ones first (`latin_first`), each from its own crop; the
    new reading kept when it is Cyrillic, the surer and more of it is words. When most of
    the page's text is in such lines, OSD's script guess was wrong: the page is read again
    whole with `languages` as given, and that reading kept when it is Cyrillic and the
    surer."""
    lines = [ln for b in blocks for ln in b.lines]
    doubtful = [ln for ln in lines if _doubtful(ln)]
    if not doubtful:
        return blocks
    with observe_stage("ocr"):  # a second OCR pass, timed as one of its own
        return await _reread(runtime.get(name), page, blocks, languages, lines, doubtful)


async def _reread(
    engine: Engine,
    page: PageImage,
    blocks: list[Block],
    languages: str,
    lines: list[Line],
    doubtful: list[Line],
) -> list[Block]:
    # Letters only: figures ('1300x800', a price list's) are read alike in any script.
    if _letters(doubtful) >= WHOLE_PAGE_SHARE * _letters(lines):
        again = await engine.recognize(page, RecognizeOptions(languages=languages))
        read = [ln for b in again for ln in b.lines]
        before, after = mean_confidence(lines) or 0.0, mean_confidence(read) or 0.0
        log.debug("page %d read with %s: %.2f -> %.2f", page.index + 1, languages, before, after)
        return again if after > before + REREAD_MARGIN and _cyrillic(read) else blocks

    def better(line: Line, text: str, confidence: float) -> bool:
        # Surer, Cyrillic, and more of it words: else the first reading stands.
        return (
            confidence > (line.confidence or 0.0) + REREAD_MARGIN
            and _cyrillic_words(text)
            and good_word_share(text) > good_word_share(line.text)
        )

    # A Cyrillic line: its words of look-alikes alone, which the Latin model read first
    # took, are Cyrillic unless their neighbours say otherwise.
    return await read_lines_again(
        engine, page, blocks, doubtful, latin_first(languages), better, Script.cyrillic
    )


def _letters(lines: list[Line]) -> int:
    return sum(ch.isalpha() for ln in lines for ch in ln.text)


def _doubtful(line: Line) -> bool:
    """A line the first reading is unsure of, with a word in it no language writes
    (`apXHB`, `OpraHu3aluu`: Russian read by the Latin models)."""
    if line.confidence is None or line.confidence >= REREAD_BELOW:
        return False
    return any(
        sum(ch.isalpha() for ch in word) >= 3 and not good_word_share(word)
        for word in line.text.split()
    )


def _cyrillic(lines: list[Line]) -> bool:
    """Are most of the words read Cyrillic (what a re-reading is for)?"""
    return _cyrillic_words(" ".join(ln.text for ln in lines))


def _cyrillic_words(text: str) -> bool:
    kinds = [classify(word) for word in text.split()]
    return kinds.count(Script.cyrillic) > kinds.count(Script.latin)


def fix_scripts(blocks: list[Block]) -> None:
    """Look-alike letters put in each word's script (`СЧЁТ HA ОПЛАТУ`, `НР 85А`), in the
    lines, their words and the blocks' text."""
    for block in blocks:
        if not block.lines:
            continue
        for line in block.lines:
            line.text = fix_text(line.text)
            if line.words:
                texts = fix_words([text for text, _ in line.words])
                line.words = [(t, box) for t, (_, box) in zip(texts, line.words, strict=True)]
        block.text = "\n".join(ln.text for ln in block.lines)


def vlm_dpi(width: float, height: float, settings: Settings) -> float:
    """A PDF page's render resolution for the VLM engine: PaddleX's raster (its PDF reader
    draws pages at zoom 2, 144 DPI; DOCPARSE_VLM_RENDER_DPI), so crops cost the vision
    tokens they cost there and boxes land in the pixel space a PaddleX client expects;
    within the same pixel and side limits as `render_dpi`."""
    return render_dpi(settings.vlm.render_dpi, width, height, settings)
