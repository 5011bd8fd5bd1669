"""PaddleOCR-VL over HTTP: a layout stage finds blocks and their order, then each block's
crop goes to the vLLM server with its task prompt, all blocks in flight at once under the
client's concurrency bound. No torch or paddle in this process."""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from concurrent.futures import Executor
from typing import Any

from PIL import Image

from docparse.document import BBox, Block, Label, Line
from docparse.engines.base import (
    EngineState,
    EngineStatus,
    PageImage,
    RecognizeOptions,
)
from docparse.engines.paddleocr_vl import formats
from docparse.engines.paddleocr_vl.boxes import filter_overlap_boxes
from docparse.engines.paddleocr_vl.client import CircuitState, VLMClient
from docparse.engines.paddleocr_vl.crops import Crop, Planned, crop_margin, merge_blocks
from docparse.errors import EngineUnavailable, RecognitionFailed
from docparse.layout.apply import MIN_SCORE
from docparse.layout.boxes import LayoutBox
from docparse.layout.registry import LayoutDetector, create_detector
from docparse.settings import VLM_ENGINE, Settings
from docparse.tables.model import Table

PROMPTS = {
    Label.table: "Table Recognition:",
    Label.chart: "Chart Recognition:",
    Label.display_formula: "Formula Recognition:",
    Label.inline_formula: "Formula Recognition:",
    Label.seal: "Seal Recognition:",
}
SPOTTING = "Spotting:"
# PaddleX's promptLabel for whole-page recognition (useLayoutDetection=false).
PROMPT_LABELS = {
    "ocr": Label.text,
    "table": Label.table,
    "formula": Label.display_formula,
    "chart": Label.chart,
    "seal": Label.seal,
    "spotting": Label.text,
}
# Not sent to the model: pictures are kept as image blocks (cropped by the exporter),
# unless useOcrForImageBlock asks for their text (PaddleX IMAGE_LABELS).
SKIPPED = frozenset({Label.image, Label.header_image, Label.footer_image})
FORMULAS = frozenset({Label.display_formula, Label.inline_formula})
PROBE_EVERY = 5.0  # seconds between health probes of the server
# PaddleX (and the model card) read small crops at twice the size for spotting.
SPOTTING_UPSCALE_BELOW = 1500

log = logging.getLogger(__name__)


class BlockFailed:
    """A block the server refused (HTTP 400: a crop it cannot take, a context overflow)
    or did not answer in time: that block gets no text and says why (Block.error), the
    rest of the page is read."""

    def __init__(self, reason: str) -> None:
        self.reason = reason


def _switch(value: bool | None, default: bool) -> bool:
    """A PaddleX pipeline switch: None is PaddleOCR-VL 1.5/1.6's config default."""
    return default if value is None else value


class PaddleOCRVLEngine:
    name = VLM_ENGINE
    remote = True  # the pipeline keeps more pages in flight for a remote engine
    orders_blocks = True  # its layout stage gives blocks and their reading order

    def __init__(self, settings: Settings, executor: Executor) -> None:
        if not settings.vlm.url:
            raise EngineUnavailable(
                "engine 'paddleocr-vl' needs DOCPARSE_VLM_URL (e.g. http://127.0.0.1:8080/v1)"
            )
        self.settings = settings
        self._executor = executor
        self.config = settings.vlm
        self.client: VLMClient | None = None
        self._state = EngineState.not_loaded
        self._reason: str | None = None
        self._models: list[str] = []
        self._probed_at = 0.0
        self._layout: Any = None
        self._layout_error: str | None = None  # a configured layout model that won't load
        self._detectors: dict[str, LayoutDetector] = {}  # cdla, tesseract: made on first use

    def status(self) -> EngineStatus:
        detail: dict[str, Any] = {
            "url": self.config.url,
            "model": self.config.model,
            "served_models": self._models,
            "layout": self.config.layout,
            "fallback": self.config.fallback,
        }
        state, reason = self._state, self._reason
        if self._layout_error:
            state, reason = EngineState.failed, self._layout_error
        elif self.client:
            breaker = self.client.breaker
            detail["circuit"] = breaker.state
            detail["in_flight"] = self.client.in_flight
            if breaker.state == CircuitState.open:
                state, reason = EngineState.failed, f"marked down: {breaker.last_error}"
        return EngineStatus(state, reason, detail)

    def _client(self) -> VLMClient:
        if self.client is None:
            self.client = VLMClient(self.config)
        return self.client

    async def probe(self, force: bool = False) -> None:
        """Ask the server what it serves; cheap enough for /health every few seconds."""
        if not force and time.monotonic() - self._probed_at < PROBE_EVERY:
            return
        self._probed_at = time.monotonic()
        info = await self._client().server_info()
        self._models = info.models
        if not info.reachable:
            self._state, self._reason = (
                EngineState.failed,
                f"VLM server {self.config.url} unreachable: {info.error}",
            )
        elif self.config.model not in info.models:
            self._state, self._reason = (
                EngineState.failed,
                (
                    f"the server does not serve {self.config.model!r}; it serves "
                    f"{', '.join(info.models) or 'nothing'} (set DOCPARSE_VLM_MODEL)"
                ),
            )
        else:
            self._state, self._reason = EngineState.ready, None
            self._client().breaker.success()

    async def refresh(self) -> None:
        await self.probe()

    async def load(self) -> None:
        if self._state != EngineState.ready:
            self._state = EngineState.loading
            await self.probe(force=True)
        if self._layout is None and self.settings.layout_model_path:
            from docparse.layout.ppdoclayout import PPDocLayout

            layout = PPDocLayout(
                self.settings.layout_model_path, self.settings.layout_model_version
            )
            try:
                await asyncio.get_running_loop().run_in_executor(self._executor, layout.load)
            except EngineUnavailable as exc:
                self._layout_error = exc.message
                raise
            self._layout, self._layout_error = layout, None
        if self._state != EngineState.ready:
            raise EngineUnavailable(self._reason or "VLM server unavailable")

    async def close(self) -> None:
        if self.client:
            await self.client.close()

    def _layout_mode(self, options: RecognizeOptions) -> str:
        return options.vlm.layout or self.config.layout

    def _wants(self, label: Label, options: RecognizeOptions) -> bool:
        """Charts and seals are read only when asked (PaddleOCR-VL 1.5/1.6 configs:
        use_chart_recognition and use_seal_recognition False), or when the whole page is
        read with that promptLabel; otherwise they stay pictures."""
        if label not in (Label.chart, Label.seal):
            return True
        if self._layout_mode(options) == "page" and options.vlm.prompt_label == label:
            return True
        return bool(options.vlm.charts if label == Label.chart else options.vlm.seals)

    async def layout(self, page: PageImage, options: RecognizeOptions) -> list[LayoutBox]:
        mode = self._layout_mode(options)
        label = PROMPT_LABELS.get(options.vlm.prompt_label or "ocr", Label.text)
        whole = [
            LayoutBox(label, 1.0, BBox(x0=0, y0=0, x1=page.image.width, y1=page.image.height), 0)
        ]
        if mode == "page":
            return whole
        loop = asyncio.get_running_loop()
        if self._layout is not None:
            return list(
                await loop.run_in_executor(
                    self._executor,
                    functools.partial(
                        self._layout.detect, page.image, **self._layout_options(options)
                    ),
                )
            )
        kind = "cdla" if mode == "cdla" else "tesseract"
        if kind not in self._detectors:
            self._detectors[kind] = create_detector(kind, self.settings)
        detector = self._detectors[kind]
        boxes = await loop.run_in_executor(self._executor, detector.detect, page.image, MIN_SCORE)
        if kind == "cdla":  # CDLA gives no reading order: top to bottom, left to right
            boxes = sorted(boxes, key=lambda b: (b.bbox.y0, b.bbox.x0))
        return boxes or whole

    async def layout_only(self, page: PageImage) -> list[LayoutBox] | None:
        """The layout model alone, for born-digital pages (text from the PDF, no VLM
        call; the server may be down); None when no model is configured or it fails."""
        if not self.settings.layout_model_path:
            return None
        if self._layout is None:
            try:
                await self.load()
            except EngineUnavailable:
                if self._layout is None:
                    return None
        return await self.layout(page, RecognizeOptions())

    def _layout_options(self, options: RecognizeOptions) -> dict[str, Any]:
        """The PaddleOCR-VL pipeline's defaults for this model, then the request's."""
        from docparse.layout.ppdoclayout import PIPELINE_MERGE_MODES, PIPELINE_THRESHOLDS

        chosen: dict[str, Any] = {
            "threshold": PIPELINE_THRESHOLDS[self._layout.version],
            "merge_mode": PIPELINE_MERGE_MODES,
        }
        asked = options.vlm
        chosen.update(
            (name, value)
            for name, value in (
                ("threshold", asked.layout_threshold),
                ("nms", asked.layout_nms),
                ("unclip_ratio", asked.layout_unclip_ratio),
                ("merge_mode", asked.layout_merge_mode),
                ("shape_mode", asked.layout_shape_mode),
            )
            if value is not None
        )
        return chosen

    async def recognize(self, page: PageImage, options: RecognizeOptions) -> list[Block]:
        if self._state != EngineState.ready:
            await self.load()
        boxes = filter_overlap_boxes(
            await self.layout(page, options), options.vlm.layout_shape_mode or "auto"
        )
        plan = self._plan(page.image, boxes, options)
        texts = await asyncio.gather(*(self._read(p.image, boxes[p.index], options) for p in plan))
        # A merged group's other blocks share the fate of its one crop.
        failed = {
            p.group: t for p, t in zip(plan, texts, strict=True) if isinstance(t, BlockFailed)
        }
        texts = [
            failed.get(p.group) if p.image is None else t for p, t in zip(plan, texts, strict=True)
        ]
        blocks = [
            self._block(page, n, boxes[p.index], text)
            for n, (p, text) in enumerate(zip(plan, texts, strict=True))
        ]
        return [b for b in blocks if b is not None]

    def _plan(
        self, image: Image.Image, boxes: list[LayoutBox], options: RecognizeOptions
    ) -> list[Planned]:
        """Each box's crop; with mergeLayoutBlocks (PaddleX's default), adjacent text
        blocks stacked into one crop as PaddleX's merge_blocks does. Not when spotting:
        its locations are read on the block's own crop."""
        crops = [Crop(box.label, box.bbox, _crop(image, box.bbox)) for box in boxes]
        if options.spotting or not _switch(options.vlm.merge_blocks, True):
            return [Planned(i, crop.image, i) for i, crop in enumerate(crops)]
        # PaddleX: non_merge_labels = image_labels + ["table"], where image_labels are
        # the pictures (unless useOcrForImageBlock), and charts and seals not read.
        keep_apart = {Label.table}
        if not _switch(options.vlm.ocr_for_image_block, False):
            keep_apart |= SKIPPED
        keep_apart |= {
            label for label in (Label.chart, Label.seal) if not self._wants(label, options)
        }
        return merge_blocks(crops, frozenset(keep_apart))

    async def _read(
        self, crop: Image.Image | None, box: LayoutBox, options: RecognizeOptions
    ) -> str | BlockFailed | None:
        if crop is None:
            return None  # merged: its text is in its group's first block
        if box.label in SKIPPED and not _switch(options.vlm.ocr_for_image_block, False):
            return None
        if not self._wants(box.label, options):
            return None
        # promptLabel applies to the whole page, i.e. only with layout detection off.
        from_label = options.vlm.prompt_label == "spotting"
        spotting = options.spotting or (from_label and self._layout_mode(options) == "page")
        prompt = SPOTTING if spotting else PROMPTS.get(box.label, "OCR:")
        if spotting and max(crop.size) < SPOTTING_UPSCALE_BELOW:
            crop = crop.resize((crop.width * 2, crop.height * 2), Image.Resampling.LANCZOS)
        elif box.label in FORMULAS:
            crop = crop_margin(crop)  # PaddleX trims a formula's white margin
        try:
            text = await self._client().complete(
                crop, prompt, spotting=spotting, overrides=options.vlm
            )
        except RecognitionFailed as exc:
            log.warning("block %s (%s) not read: %s", box.bbox, box.label.value, exc.message)
            return BlockFailed(exc.message)
        return formats.truncate_repetitive_content(
            text, min_count=5000 if box.label == Label.table else 50
        )

    def _block(
        self, page: PageImage, index: int, box: LayoutBox, text: str | BlockFailed | None
    ) -> Block | None:
        block = Block(
            id=f"p{page.index}-b{index}",
            label=box.label,
            bbox=box.bbox,
            confidence=box.score,
            source_engine=self.name,
            polygon=box.polygon,
        )
        if text is None:
            return block  # an image block: kept for the exporter to crop
        if isinstance(text, BlockFailed):
            block.error = text.reason  # kept, without text, saying why
            return block
        if "<|LOC_" in text:
            spotted = formats.parse_spotting(text, box.bbox.width, box.bbox.height)
            block.lines = [Line(text=s.text, bbox=_shift(s.polygon, box.bbox)) for s in spotted]
            block.text = "\n".join(s.text for s in spotted)
        elif box.label == Label.table:
            table = formats.parse_otsl(text)
            _fill_table(block, table, text)
        elif box.label == Label.chart:
            table = formats.parse_chart(text)
            _fill_table(block, table, text)
        elif box.label in (Label.display_formula, Label.inline_formula):
            block.latex = formats.latex_body(text)
            block.text = block.latex
        else:
            block.text = formats.inline_math(text).strip()
        if not (block.text or block.html or block.latex):
            return None
        return block


def _crop(image: Image.Image, box: BBox) -> Image.Image:
    area = (int(box.x0), int(box.y0), int(box.x1 + 0.999), int(box.y1 + 0.999))
    if area == (0, 0, image.width, image.height):
        return image  # the whole page (layout off): no copy of it
    return image.crop(area)


def _fill_table(block: Block, table: Table | None, raw: str) -> None:
    if table is None:
        block.text = raw.strip()
        return
    block.html = table.html()
    block.cells = table.cells
    block.text = table.markdown()


def _shift(polygon: list[tuple[float, float]], origin: BBox) -> BBox:
    xs = [x + origin.x0 for x, _ in polygon]
    ys = [y + origin.y0 for _, y in polygon]
    return BBox(x0=min(xs), y0=min(ys), x1=max(xs), y1=max(ys))
