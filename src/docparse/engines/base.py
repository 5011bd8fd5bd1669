"""The contract between engines and the pipeline."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

from PIL import Image
from pydantic import BaseModel, ConfigDict, Field

from docparse.document import Block
from docparse.errors import EngineUnavailable, RecognitionFailed
from docparse.layout.boxes import LayoutBox
from docparse.layout.ppdoclayout_post import MergeMode, Threshold, Unclip
from docparse.settings import VLMLayout

THREAD_CACHE_SIZE = 4  # model instances kept per worker thread and engine


log = logging.getLogger(__name__)


class EngineState(StrEnum):
    not_loaded = "not_loaded"
    loading = "loading"
    ready = "ready"
    failed = "failed"


@dataclass
class EngineStatus:
    state: EngineState
    reason: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class PageImage:
    """A page (or block crop) to read: pixels plus the resolution they were made at."""

    index: int
    image: Image.Image
    dpi: float


class VLMOptions(BaseModel):
    """A request's options for the VLM route, as PaddleX's /layout-parsing takes them (in
    camelCase there). None: the service's DOCPARSE_VLM_* settings, or PaddleX's default."""

    model_config = ConfigDict(frozen=True)

    layout: VLMLayout | None = None  # 'page': no layout detection, the page is one block
    prompt_label: str | None = None  # the whole page's task ('ocr', 'table', ...) then
    charts: bool | None = None  # read charts (as tables) and seals: off unless asked,
    seals: bool | None = None  # as in PaddleOCR-VL 1.5/1.6's pipeline configs
    merge_blocks: bool | None = None  # mergeLayoutBlocks: merge_layout_blocks, default True
    ocr_for_image_block: bool | None = None  # useOcrForImageBlock: default False
    layout_threshold: Threshold | None = None
    layout_nms: bool | None = None
    layout_unclip_ratio: Unclip | None = None
    layout_merge_mode: MergeMode | None = None
    layout_shape_mode: str | None = None
    temperature: float | None = None
    top_p: float | None = None
    repetition_penalty: float | None = None
    min_pixels: int | None = None
    max_pixels: int | None = None
    max_new_tokens: int | None = None


class RecognizeOptions(BaseModel):
    languages: str | None = None  # Tesseract-style 'rus+eng'; None = the engine's default
    spotting: bool = False  # VLM: text lines with positions ('Spotting:')
    vlm: VLMOptions = Field(default_factory=VLMOptions)


class Engine(Protocol):
    """What the pipeline and /health use of an engine, whichever it is."""

    name: str
    # Reads over the network (the VLM server): the pipeline keeps more pages in flight, as
    # the server's own request limit bounds the work, not this machine's cores.
    remote: bool
    # Finds blocks and their reading order itself (a layout stage of its own): the CPU
    # route's table search, layout model and XY-cut are not run on its pages.
    orders_blocks: bool

    def status(self) -> EngineStatus: ...

    async def refresh(self) -> None:
        """Bring status() up to date (a remote engine asks its server, at most every few
        seconds); called by /health."""

    async def load(self) -> None: ...

    async def recognize(self, page: PageImage, options: RecognizeOptions) -> list[Block]: ...

    async def close(self) -> None:
        """Release connections and sessions; the engine is not used after this."""


@runtime_checkable
class SharedLayout(Protocol):
    """An engine whose layout stage born-digital pages can share (text from the PDF, no
    recognition call): None when it has no layout model."""

    async def layout_only(self, page: PageImage) -> list[LayoutBox] | None: ...


class ThreadedEngine:
    """Base for CPU engines: blocking work runs on a shared executor whose threads really
    run in parallel (Tesseract and ONNX Runtime release the GIL); per-thread model
    instances keep engines that are not thread-safe apart."""

    name = "engine"
    remote = False
    orders_blocks = False

    def __init__(self, executor: Executor) -> None:
        self._executor = executor
        self._state = EngineState.not_loaded
        self._reason: str | None = None
        self._load_lock = asyncio.Lock()
        self._local = threading.local()
        self.instance_restarts = 0  # thread models dropped after a crash (see recognize)

    def status(self) -> EngineStatus:
        return EngineStatus(self._state, self._reason, self.describe())

    def describe(self) -> dict[str, Any]:
        return {}

    async def load(self) -> None:
        async with self._load_lock:
            if self._state == EngineState.ready:
                return
            self._state, self._reason = EngineState.loading, None
            try:
                await asyncio.get_running_loop().run_in_executor(self._executor, self._load)
            except Exception as exc:  # any load failure is reported, not raised at startup
                self._state, self._reason = EngineState.failed, f"{type(exc).__name__}: {exc}"
                raise EngineUnavailable(f"engine {self.name!r} failed to load: {exc}") from exc
            self._state = EngineState.ready

    async def recognize(self, page: PageImage, options: RecognizeOptions) -> list[Block]:
        if self._state != EngineState.ready:
            await self.load()
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(
                self._executor, self._recognize_healing, page, options
            )
        except (EngineUnavailable, RecognitionFailed):
            raise
        except Exception as exc:
            raise RecognitionFailed(
                f"{self.name} failed on page {page.index + 1}: {type(exc).__name__}: {exc}"
            ) from exc

    def _recognize_healing(self, page: PageImage, options: RecognizeOptions) -> list[Block]:
        """recognize_sync in a worker thread. An unexpected failure drops that thread's
        model instances (not closed: a crashed one may fail that too), so a model left
        broken by one page is made anew for the next instead of failing every page after."""
        try:
            return self.recognize_sync(page, options)
        except (EngineUnavailable, RecognitionFailed):
            raise
        except Exception:
            if self._local.__dict__.pop("instances", None):
                self.instance_restarts += 1
                log.warning("%s: a model failed; this thread makes it anew", self.name)
            raise

    async def refresh(self) -> None:
        """A local engine's status is always current."""

    async def close(self) -> None:
        """Nothing to release: models live in the executor's threads, which the pipeline
        shuts down."""

    def thread_instance(
        self,
        key: str,
        factory: Callable[[], Any],
        *,
        size: int = THREAD_CACHE_SIZE,
        close: Callable[[Any], object] | None = None,
    ) -> Any:
        """One model instance per worker thread and key (e.g. a language set), the `size`
        most recently used per thread: the oldest is dropped (and `close`d) when a new key
        arrives, so many distinct keys cannot pile up models forever."""
        cache: OrderedDict[str, Any] = self._local.__dict__.setdefault("instances", OrderedDict())
        if key in cache:
            cache.move_to_end(key)
            return cache[key]
        instance = factory()
        cache[key] = instance
        while len(cache) > max(size, 1):
            _, evicted = cache.popitem(last=False)
            if close is not None:
                close(evicted)
        return instance

    def thread_cache_keys(self) -> list[str]:
        """The calling thread's cached keys, oldest first (for tests and diagnostics)."""
        return list(self._local.__dict__.get("instances", {}))

    def _load(self) -> None:
        raise NotImplementedError

    def recognize_sync(self, page: PageImage, options: RecognizeOptions) -> list[Block]:
        raise NotImplementedError
