"""The engines and worker pools of one process: created on first use, loaded in the
background, closed at shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from docparse.engines import create_engine
from docparse.engines.base import Engine, EngineState, EngineStatus
from docparse.errors import DocparseError, EngineUnavailable, WorkerCrashed
from docparse.layout.registry import LayoutDetector, create_detector
from docparse.pipeline import orientation
from docparse.settings import Settings

log = logging.getLogger(__name__)

T = TypeVar("T")
# How long /health/ready waits for a replacement pool's first answer (a spawned worker
# imports docparse: about a second, more on a loaded machine).
WORKER_PROBE_TIMEOUT = 30.0
PARENT_CHECK_SECONDS = 1.0  # how soon a pool worker notices its service has died


class Engines:
    """The engines of one process, created on first use and loaded in the background."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.executor = ThreadPoolExecutor(settings.workers, thread_name_prefix="ocr")
        # A page's image work (turning it, the layout model, its ruling lines) has threads
        # of its own: on the engines' threads it waited for OCR to finish, and with one
        # worker the second core stood idle while Tesseract read the page.
        self.image_executor = ThreadPoolExecutor(settings.workers, thread_name_prefix="image")
        # PDFium takes one call at a time (a global lock): one thread of its own, so pages
        # waiting for it do not fill the default pool other work needs.
        self.pdf_executor = ThreadPoolExecutor(1, thread_name_prefix="pdfium")
        self._processes: ProcessPoolExecutor | None = None
        self._warm: ProcessPoolExecutor | None = None  # the pool whose workers have started
        # Worker pools replaced after one broke (a worker died: OOM killer, a crash in
        # native code, kill -9); read by the metrics.
        self.worker_restarts = 0
        self._workers_error: str | None = None  # why the last replacement failed too
        self._probe_lock = asyncio.Lock()
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

    async def start_workers(self) -> None:
        """Start the worker processes and load OSD in them, once per pool (again after a
        broken one was replaced): a worker's start-up, a Python and its imports, takes
        about a second, which must not count against the first pages' time limit."""
        pool = self.processes()
        if self._warm is pool:
            return
        loop = asyncio.get_running_loop()
        await asyncio.gather(
            *(
                loop.run_in_executor(pool, orientation.warm_up, self.settings.tessdata_dir)
                for _ in range(self.settings.workers)
            ),
            return_exceptions=True,
        )
        self._warm = pool

    async def preload(self, names: list[str]) -> None:
        # Every PDF page is read in a worker process: start them now, not on the first page.
        await self.start_workers()
        for name in names:
            try:
                await self.get(name).load()
            except DocparseError as exc:
                log.error("engine %s is unavailable: %s", name, exc.message)
        if set(names) & {"tesseract", "ppocr"}:
            await asyncio.get_running_loop().run_in_executor(self.executor, self.layout)

    def processes(self) -> ProcessPoolExecutor:
        """Worker processes for work that holds the GIL (Tesseract's OSD), started on first
        use; 'spawn' because forking a process that runs threads is unsafe. Run work there
        with `in_worker`, which replaces the pool when a worker dies."""
        if self._processes is None:
            self._processes = self._new_pool()
        return self._processes

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            self.settings.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=start_worker,
            initargs=(os.getpid(),),
        )

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        """Drop a broken pool (the next use starts a new one): once, however many pages
        saw it break. Its other workers were already stopped by the pool itself."""
        if self._processes is broken:
            self._processes = None
            self.worker_restarts += 1
            log.error(
                "a worker process died; its pool is replaced (restart %d)", self.worker_restarts
            )
        broken.shutdown(wait=False)

    async def in_worker(self, fn: Callable[..., T], *args: Any) -> T:
        """`fn(*args)` in a worker process. When a worker dies (the pool is then broken for
        good) the pool is replaced and the call tried once more on the new one; a second
        failure is WorkerCrashed (HTTP 503)."""
        loop = asyncio.get_running_loop()
        pool = self.processes()
        try:
            result = await loop.run_in_executor(pool, fn, *args)
        except BrokenProcessPool:
            self._replace(pool)
            pool = self.processes()
            try:
                result = await loop.run_in_executor(pool, fn, *args)
            except BrokenProcessPool as exc:
                self._replace(pool)
                self._workers_error = f"a new worker process died too: {exc}"
                raise WorkerCrashed(
                    "a worker process died and so did its replacement; try again shortly"
                ) from exc
        self._workers_error = None
        return result

    def workers_broken(self) -> bool:
        pool = self._processes
        # `_broken` is set by the pool's own manager thread as soon as a worker dies.
        return self._workers_error is not None or bool(
            pool is not None and getattr(pool, "_broken", False)
        )

    async def worker_problems(self) -> list[str]:
        """For /health/ready: nothing while the worker pool is sound (or not started). A
        broken one is replaced here and the new one tried: a problem only while that
        fails too."""
        if not self.workers_broken():
            return []
        async with self._probe_lock:
            if not self.workers_broken():  # healed while this waited
                return []
            pool = self._processes
            if pool is not None and getattr(pool, "_broken", False):
                self._replace(pool)
            pool = self.processes()
            loop = asyncio.get_running_loop()
            try:
                await asyncio.wait_for(loop.run_in_executor(pool, os.getpid), WORKER_PROBE_TIMEOUT)
            except (BrokenProcessPool, OSError, TimeoutError) as exc:
                self._replace(pool)
                self._workers_error = f"{type(exc).__name__}: {exc}"
                return [f"worker processes cannot be started: {self._workers_error}"]
            self._workers_error = None
            return []

    async def aclose(self) -> None:
        """Close engines that hold connections (the VLM client), then the pools."""
        for engine in self._engines.values():
            await engine.close()
        self.close()

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.image_executor.shutdown(wait=False, cancel_futures=True)
        self.pdf_executor.shutdown(wait=False, cancel_futures=True)
        if self._processes is not None:
            stop_workers(self._processes)  # kept: a late call fails, it starts no new pool


def start_worker(parent: int) -> None:
    """A pool worker's start: watch the parent, and import the born-digital route its
    first page would otherwise wait for (named, not imported here: it imports this)."""
    exit_with_parent(parent)
    importlib.import_module("docparse.pipeline.text_layer")


def exit_with_parent(parent: int) -> None:
    """In a pool worker: exit once the service process is gone. A service killed with
    SIGKILL cannot stop its pool, and its workers (~170 MB each) would live on."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def stop_workers(pool: ProcessPoolExecutor, grace: float = 5.0) -> None:
    """Shut a pool down without waiting for the work its processes hold: at shutdown nobody
    waits for an answer, and a worker finishing its OSD or table calls (several queued to
    each) held the exit for seconds past DOCPARSE_SHUTDOWN_TIMEOUT. The workers are
    terminated, then killed if they do not go within `grace` seconds, and reaped."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        with contextlib.suppress(OSError, ValueError):
            process.terminate()
    deadline = time.monotonic() + grace
    for process in processes:
        with contextlib.suppress(OSError, ValueError, AssertionError):
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join(1.0)
