"""The text-layer route: a born-digital page read from the PDF's own text, with its tables
(words from the PDF, rules from a light render) and, on request, the layout stage."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from docparse.document import BBox, Block, Label, Line, Page, PageStatus
from docparse.engines.base import PageImage, SharedLayout
from docparse.io.pdf_content import TextLayer
from docparse.io.sources import PdfSource
from docparse.layout.apply import MIN_SCORE
from docparse.layout.boxes import LayoutBox
from docparse.pipeline.figures import pdf_figure
from docparse.pipeline.layer_quality import Verdict, assess
from docparse.pipeline.runtime import Engines
from docparse.pipeline.worker_pdfs import opened_pdf
from docparse.structure.arrange import arrange
from docparse.structure.paragraphs import group_lines, merge_fragments
from docparse.tables.bands import MIN_RULES
from docparse.tables.model import Word
from docparse.tables.page import (
    GRID_RULES,
    MIN_RULE_PATHS,
    FoundTables,
    table_blocks,
    without_tables,
    worth_a_look,
)

TABLE_DPI = 100  # enough to see ruling lines
LAYOUT_DPI = 96  # the layout model looks at 608x800: more pixels add nothing
# Pictures worth a figure: not a logo speck, not the page-sized scan under a text layer.
MIN_FIGURE_SHARE, MAX_FIGURE_SHARE, MIN_FIGURE_PT = 0.005, 0.85, 24


def text_layer_page(
    index: int,
    layer: TextLayer,
    width: float,
    height: float,
    tables: list[Block] | None = None,
    boxes: list[LayoutBox] | None = None,
) -> Page:
    lines = merge_fragments(
        [
            Line(
                text=ln.text,
                bbox=ln.bbox,
                size=ln.font_size or None,
                bold=ln.bold,
                italic=ln.italic,
                column_starts=ln.column_starts,
            )
            for ln in layer.lines
        ]
    )
    lines = without_tables(lines, tables or [])
    blocks = [
        Block(
            id=f"p{index}-b{i}",
            label=Label.text,
            bbox=group[0].bbox.around([ln.bbox for ln in group]),
            text="\n".join(ln.text for ln in group),
            lines=group,
            source_engine="textlayer",
        )
        for i, group in enumerate(group_lines(lines))
    ]
    blocks += [
        Block(id=picture, label=Label.image, bbox=box, source_engine="textlayer")
        for picture, box in pictures(layer, index, width, height).items()
    ]
    blocks += tables or []
    # The layout stage, when asked for, with the PDF's text in place of OCR; the text
    # blocks come in the PDF's order, pictures and tables after them.
    blocks = arrange(blocks, width, height, 72, index, layout=boxes, stream=True)
    page = Page(
        index=index,
        width=width,
        height=height,
        dpi=72,
        route="text_layer",
        engine="textlayer",
        blocks=blocks,
        status=PageStatus.ok if blocks else PageStatus.empty,
    )
    page.normalise_boxes()
    return page


def pictures(layer: TextLayer, index: int, width: float, height: float) -> dict[str, BBox]:
    """The page's pictures worth a figure, by their blocks' ids."""
    area = width * height
    return {
        f"p{index}-img{i}": box
        for i, box in enumerate(layer.image_boxes)
        if MIN_FIGURE_SHARE * area <= box.width * box.height <= MAX_FIGURE_SHARE * area
        and min(box.width, box.height) >= MIN_FIGURE_PT
    }


@dataclass
class LayerRead:
    """What a worker process read of a born-digital page: its text layer and size, the
    verdict on the layer when one was asked for, and its tables when the layer is to be
    used (searched there and then, beside the text)."""

    layer: TextLayer
    size: tuple[float, float]
    verdict: Verdict | None
    tables: FoundTables | None
    table_seconds: float = 0.0
    pictures: dict[str, bytes] = field(default_factory=dict)  # block id -> PNG
    turn: int = 0  # degrees counter-clockwise the page was turned to read it (io.page_turn)


def read_layer(path: Path, index: int, judge: bool, keep: bool, figures: bool) -> LayerRead:
    """A PDF page's text layer, all in a worker process: the main process holds the GIL
    for every request's structure work, and two workers read pages side by side. The
    layer is judged (`judge`) and, when it will be used (judged good, or `keep` it
    whatever it is), its tables found and its pictures drawn (`figures`) while the page
    is loaded here."""
    pdf = opened_pdf(path)
    layer, size, turn = pdf.text_layer(index), pdf.page_size(index), pdf.turn(index)
    verdict = assess(layer, *size) if judge else None
    if not (keep or (verdict is not None and verdict.use_layer)):
        return LayerRead(layer, size, verdict, None, turn=turn)
    drawn = (
        {
            picture: pdf_figure(path, index, box)
            for picture, box in pictures(layer, index, *size).items()
        }
        if figures
        else {}
    )
    if not _worth_a_look(layer):
        return LayerRead(layer, size, verdict, FoundTables([], []), pictures=drawn, turn=turn)
    started = time.perf_counter()
    tables = pdf_page_tables(path, index, TABLE_DPI, _has_rules(layer))
    return LayerRead(layer, size, verdict, tables, time.perf_counter() - started, drawn, turn)


async def pdf_tables(
    runtime: Engines, source: PdfSource, index: int, layer: TextLayer
) -> list[Block]:
    """Tables of a born-digital page whose layer was not read for use (OCR replaced it,
    then lost to it), in a worker process."""
    if not _worth_a_look(layer):
        return []
    found = await runtime.in_worker(
        pdf_page_tables, source.path, index, TABLE_DPI, _has_rules(layer)
    )
    return found.all


def _worth_a_look(layer: TextLayer) -> bool:
    """Skipped quickly: pages with no rules, rows of numbers or aligned columns."""
    return worth_a_look(
        [ln.text for ln in layer.lines],
        layer.paths,
        [ln.column_starts for ln in layer.lines],
        layer.rules,
        layer.stacked_rules,
    )


def _has_rules(layer: TextLayer) -> bool:
    # A few rules can make a small table; three across with the same ends, a booktabs one;
    # one path may draw a whole grid.
    return (
        layer.paths >= MIN_RULE_PATHS // 10
        or layer.stacked_rules >= MIN_RULES
        or min(layer.rules) >= GRID_RULES
    )


def pdf_page_tables(path: Path, index: int, dpi: float, rules: bool) -> FoundTables:
    """A born-digital page's tables, in a worker process: words from the PDF, the page
    drawn at `dpi` when it has `rules` to find."""
    pdf = opened_pdf(path)
    words = [Word(text, box) for text, box in pdf.words(index)]
    image = pdf.render(index, dpi, grey=True) if rules else None
    return table_blocks(words, image, dpi / 72, index, "textlayer")


async def layout_boxes(runtime: Engines, source: PdfSource, index: int) -> list[LayoutBox] | None:
    """A born-digital page's layout boxes, in points: from the VLM route's layout
    model (PP-DocLayout) when one is configured, so that both routes share one
    layout stage, else from the CPU route's."""
    settings = runtime.settings
    engine = runtime.get(settings.ocr_engine)
    shared = engine if isinstance(engine, SharedLayout) and settings.layout_model_path else None
    if shared is None and runtime.layout() is None:
        return None
    loop = asyncio.get_running_loop()
    image = await loop.run_in_executor(runtime.pdf_executor, source.render, index, LAYOUT_DPI)
    boxes = await shared.layout_only(PageImage(index, image, LAYOUT_DPI)) if shared else None
    if boxes is None and (model := runtime.layout()) is not None:
        boxes = await loop.run_in_executor(runtime.image_executor, model.detect, image, MIN_SCORE)
    scale = 72 / LAYOUT_DPI
    return [replace(b, bbox=b.bbox.scaled(scale)) for b in boxes or []]
