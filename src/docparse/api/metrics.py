"""Prometheus metrics: the metric objects, the middleware that counts requests, and
GET /metrics in the text exposition format. Requests are labelled by route template
(/v1/convert), never by raw path: a path is the caller's to choose, and each distinct label
value is a new time series held in memory forever."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.routing import iter_route_contexts
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
)
from prometheus_client.exposition import generate_latest
from starlette.responses import Response
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from docparse.api.state import ServiceState
from docparse.document import Document
from docparse.engines.base import EngineState
from docparse.jobs.model import JobState
from docparse.pipeline import telemetry
from docparse.settings import VLM_ENGINE

# A conversion takes from milliseconds (a probe) to minutes (a long scanned PDF).
REQUEST_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600)
STAGE_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)

REQUESTS = Counter(
    "docparse_http_requests", "HTTP requests answered", ["method", "route", "status"]
)
LATENCY = Histogram(
    "docparse_http_request_duration_seconds",
    "time from a request's arrival to the end of its answer",
    ["route"],
    buckets=REQUEST_BUCKETS,
)
PAGES = Counter(
    "docparse_pages_converted",
    "pages of converted documents, by HTTP route, page route (text_layer | ocr), engine "
    "and page status",
    ["endpoint", "route", "engine", "status"],
)
REJECTIONS = Counter(
    "docparse_rejections",
    "requests refused before or during conversion, by reason (the error code)",
    ["status", "reason"],
)
VLM_UP = Gauge(
    "docparse_vlm_up",
    "1 when the VLM server answers and is ready, else 0; absent when none is configured",
    ["engine"],
)
STAGE_SECONDS = Histogram(
    "docparse_stage_seconds",
    "time of one stage of one page",
    ["stage"],
    buckets=STAGE_BUCKETS,
)
PAGES_IN_FLIGHT = Gauge("docparse_pages_in_flight", "pages being converted now")
CHILD_RSS = Gauge(
    "docparse_child_processes_resident_memory_bytes",
    "resident memory of the worker processes this service started (OSD, tables), summed; "
    "process_resident_memory_bytes is the service's own",
)
# Read from the service at scrape time: what an autoscaler (HPA, KEDA) scales on.
QUEUED_PAGES = Gauge("docparse_pages_queued", "pages admitted and waiting to start")
PIXELS_IN_FLIGHT = Gauge("docparse_pixels_in_flight", "render pixels reserved by pages now")
WORKER_RESTARTS = Gauge(
    "docparse_worker_restarts", "worker process pools replaced after a worker died"
)
JOBS = Gauge("docparse_jobs", "jobs by state (queued is the queue depth)", ["state"])

# The statuses counted as rejections, and their reason when no handler named a better one
# (a 413 from the body guard never reaches the error handlers).
REJECTED = {
    401: "unauthorized",
    413: "limit_exceeded",
    415: "unsupported_format",
    422: "invalid_request",
    429: "too_many_requests",
}
REJECTION_KEY = "docparse.rejection"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "unmatched"


def note_rejection(request: Request, reason: str) -> None:
    """Name why a request is refused (an error handler knows the error's code)."""
    request.scope.setdefault("state", {})[REJECTION_KEY] = reason


def count_pages(endpoint: str, document: Document) -> None:
    for page in document.pages:
        PAGES.labels(endpoint, page.route or "none", page.engine or "none", page.status).inc()


def _descendants(root: int) -> Iterator[int]:
    """Every process below `root`, from /proc (the OSD and table workers are spawned,
    and a spawned pool may start its own helpers)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
            # pid (comm) state ppid ...: comm may hold spaces and parentheses.
            ppid = int(text[text.rindex(")") + 2 :].split()[1])
        except (OSError, ValueError, IndexError):  # gone meanwhile, or not readable
            continue
        children.setdefault(ppid, []).append(int(stat.parent.name))
    pending = list(children.get(root, []))
    while pending:
        pid = pending.pop()
        yield pid
        pending.extend(children.get(pid, []))


def child_rss_bytes() -> float:
    page = os.sysconf("SC_PAGE_SIZE")
    total = 0
    for pid in _descendants(os.getpid()):
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * page
        except (OSError, IndexError, ValueError):
            continue
    return float(total)


def _observe_stage(stage: telemetry.Stage, seconds: float) -> None:
    STAGE_SECONDS.labels(stage).observe(seconds)


def _pages_in_flight(change: int) -> None:
    PAGES_IN_FLIGHT.inc(change)


def install() -> None:
    """Feed the pipeline's stage timings into the metrics above (idempotent)."""
    # A *_created series beside each one is noise to a scraper (untyped upstream).
    disable_created_metrics()  # type: ignore[no-untyped-call]
    if Path("/proc/self/statm").exists():  # Linux; elsewhere the gauge stays at 0
        CHILD_RSS.set_function(child_rss_bytes)
    for stage in telemetry.STAGES:  # every stage's series exists from the start, at 0
        STAGE_SECONDS.labels(stage)
    telemetry.install(telemetry.Sink(_observe_stage, _pages_in_flight))


async def metrics(request: Request) -> Response:
    state: ServiceState = request.app.state.service
    if state.settings.vlm.url:
        await state.engines.refresh(VLM_ENGINE)
        ready = state.engines.status(VLM_ENGINE).state == EngineState.ready
        VLM_UP.labels(VLM_ENGINE).set(1 if ready else 0)
    admission = state.converter.admission
    QUEUED_PAGES.set(admission.queued)
    PIXELS_IN_FLIGHT.set(admission.pixels)
    WORKER_RESTARTS.set(state.engines.worker_restarts)
    for job_state in (JobState.queued, JobState.running):
        JOBS.labels(job_state.value).set(await state.jobs.store.count(job_state))
    # Reading /proc for every process takes a few milliseconds: not on the event loop.
    body = await run_in_threadpool(generate_latest, REGISTRY)
    return Response(body, media_type=CONTENT_TYPE_LATEST)


def add_route(app: FastAPI) -> None:
    # A plain route, left out of the OpenAPI document: its answer is Prometheus text for
    # a scraper, not a JSON body an API client reads.
    app.add_route("/metrics", metrics, methods=["GET"], include_in_schema=False)


class RouteTemplates:
    """The template of the route a path belongs to; built from the app's routes on first
    use (all are registered by then)."""

    def __init__(self) -> None:
        self._patterns: list[tuple[re.Pattern[str], str]] | None = None

    def __call__(self, scope: Scope) -> str:
        if self._patterns is None:
            contexts = iter_route_contexts(scope["app"].routes)
            formats = [c.path_format for c in contexts if c.path_format]
            self._patterns = [(compile_path(f)[0], f) for f in formats]
        path = scope["path"]
        return next((f for pattern, f in self._patterns if pattern.match(path)), UNMATCHED)


class Metrics:
    """Counts every HTTP request by route template and status, and times it. Sits outside
    the key check and the size guard, so their refusals are counted too."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.template = RouteTemplates()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state: dict[str, Any] = scope.setdefault("state", {})  # shared with request.state
        started = time.perf_counter()
        status = 500  # unless the app answers: an exception becomes a 500 further out

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route = self.template(scope)
            method = scope["method"] if scope["method"] in METHODS else "other"
            REQUESTS.labels(method, route, str(status)).inc()
            LATENCY.labels(route).observe(time.perf_counter() - started)
            if status in REJECTED:
                REJECTIONS.labels(str(status), state.get(REJECTION_KEY) or REJECTED[status]).inc()
