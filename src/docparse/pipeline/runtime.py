"""The engines and worker pools of one process: created on first use, loaded in the
background, closed at shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any

from docparse.engines import create_engine
from docparse.engines.base import Engine, EngineState, EngineStatus
from docparse.errors import DocparseError, EngineUnavailable
from docparse.layout.registry import LayoutDetector, create_detector
from docparse.pipeline import orientation
from docparse.settings import Settings

log = logging.getLogger(__name__)


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
        self._layout: LayoutDetector | None = None
        self._layout_error: str | None = None

    def get(self, name: str) -> Engine:
        if name not in self._engines:
            try:
                self._engines[name] = create_engine(name, self.settings, self.executor)
            except EngineUnavailable as exc:
                self._errors[name] = exc.message
                raise
        return self._engines[name]

    def orders_blocks(self, name: str) -> bool:
        """Whether the engine finds blocks and their order itself; an engine that cannot
        be made (the VLM without a URL) does not: its pages fall back to the CPU route."""
        try:
            return self.get(name).orders_blocks
        except EngineUnavailable:
            return False

    def engine_for(self, route: str) -> str:
        """The OCR engine that reads a route's scanned pages: the configured one for the
        `auto` and `textlayer` routes, else the engine the route names."""
        return self.settings.ocr_engine if route in ("auto", "textlayer") else route

    def layout(self) -> LayoutDetector | None:
        """The CPU route's layout model, loaded on first use; None when switched off or
        unavailable (pages are then read without it, and /health says why)."""
        if self.settings.cpu_layout == "none" or self._layout_error:
            return None
        if self._layout is None:
            model = create_detector(self.settings.cpu_layout, self.settings)
            try:
                model.load()
            except EngineUnavailable as exc:
                self._layout_error = exc.message
                log.error("layout model unavailable, OCR pages go without it: %s", exc.message)
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
        return {
            "state": EngineState.ready,
            "model": self._layout.name,
            "path": str(self._layout.model_path),
        }

    def status(self, name: str) -> EngineStatus:
        if name in self._errors and name not in self._engines:
            return EngineStatus(EngineState.failed, self._errors[name])
        engine = self._engines.get(name)
        return engine.status() if engine else EngineStatus(EngineState.not_loaded)

    async def refresh(self, name: str) -> None:
        """Bring an engine's status up to date for /health. Only engines this process uses
        (made at start, or since): a report must not load models nobody asked for."""
        if name in self._engines or name in self.settings.engines_to_load:
            with contextlib.suppress(EngineUnavailable):  # status() reports why
                await self.get(name).refresh()

    async def preload(self, names: list[str]) -> None:
        if names:  # start the OSD worker processes now rather than on the first page
            loop = asyncio.get_running_loop()
            await asyncio.gather(
                *(
                    loop.run_in_executor(
                        self.processes(), orientation.warm_up, self.settings.tessdata_dir
                    )
                    for _ in range(self.settings.workers)
                ),
                return_exceptions=True,
            )
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
                self.settings.workers, mp_context=multiprocessing.get_context("spawn")
            )
        return self._processes

    async def aclose(self) -> None:
        """Close engines that hold connections (the VLM client), then the pools."""
        for engine in self._engines.values():
            await engine.close()
        self.close()

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.pdf_executor.shutdown(wait=False, cancel_futures=True)
        if self._processes is not None:
            self._processes.shutdown(wait=True, cancel_futures=True)
