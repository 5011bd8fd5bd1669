"""Timings the pipeline reports without knowing who listens: `observe_stage` around a
stage's work, `page_in_flight` around one page. The API installs a sink that feeds its
Prometheus metrics (api/metrics.py); without one (the CLI, tests) both cost a clock read.

The pipeline must not import api, and should not need prometheus_client to convert a file
from the command line: hence a sink installed from above rather than metrics imported here.
Call both in the service's own process (around the await of a worker process, not inside
the worker): a sink exists only where the API installed it."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal, ParamSpec, TypeVar

# render: a PDF page drawn or an image decoded; text_layer: a PDF page's own text read;
# orientation: OSD and the turn; ocr / vlm: recognition by a CPU engine / the VLM server;
# layout: the layout model; tables; structure: blocks split, labelled and ordered.
Stage = Literal[
    "render", "text_layer", "orientation", "layout", "ocr", "vlm", "tables", "structure"
]
STAGES: tuple[Stage, ...] = (
    "render",
    "text_layer",
    "orientation",
    "layout",
    "ocr",
    "vlm",
    "tables",
    "structure",
)
P = ParamSpec("P")
T = TypeVar("T")


@dataclass(frozen=True)
class Sink:
    stage_seconds: Callable[[Stage, float], None]
    pages_in_flight: Callable[[int], None]  # +1 when a page starts, -1 when it ends


_sink: Sink | None = None


def install(sink: Sink | None) -> None:
    """Send what the pipeline reports to `sink` (None: nowhere)."""
    global _sink
    _sink = sink


@contextmanager
def observe_stage(stage: Stage) -> Iterator[None]:
    """Time the block as one `stage` of a page; a stage that raises is timed too (a slow
    failure is still time spent)."""
    started = time.perf_counter()
    try:
        yield
    finally:
        if _sink is not None:
            _sink.stage_seconds(stage, time.perf_counter() - started)


def record_stage(stage: Stage, seconds: float) -> None:
    """A stage timed elsewhere (in a worker process, which has no sink)."""
    if _sink is not None:
        _sink.stage_seconds(stage, seconds)


def timed(stage: Stage, fn: Callable[P, T]) -> Callable[P, T]:
    """`fn` timed as `stage` where it runs: for work handed to a thread pool, where the
    await around it would also count the time spent waiting for a free thread."""

    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        with observe_stage(stage):
            return fn(*args, **kwargs)

    return run


@contextmanager
def page_in_flight() -> Iterator[None]:
    """Count the block as one page being converted."""
    sink = _sink  # the same sink for both ends, even if another is installed meanwhile
    if sink is not None:
        sink.pages_in_flight(1)
    try:
        yield
    finally:
        if sink is not None:
            sink.pages_in_flight(-1)
