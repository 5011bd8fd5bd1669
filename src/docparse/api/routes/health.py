"""Liveness, readiness and a detailed health report that tells the truth about each part."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from docparse import __version__
from docparse.api.auth import has_access
from docparse.api.deps import StateDep
from docparse.api.schemas.health import (
    EngineReport,
    FolderReport,
    HealthResponse,
    HealthStatus,
    HealthSummary,
    LayoutReport,
    LiveResponse,
    ReadyResponse,
    StorageReport,
)
from docparse.api.state import ServiceState
from docparse.engines import OCR_ENGINES
from docparse.engines.base import EngineState
from docparse.settings import VLM_ENGINE, Settings

router = APIRouter(tags=["health"])


# The reports leave out what is not known (no None): /health answers with exclude_unset.
def _folder(path: Path) -> FolderReport:
    writable = path.is_dir() and os.access(path, os.W_OK)
    info = FolderReport(path=str(path.resolve()), writable=writable)
    if path.is_dir():
        info.free_bytes = shutil.disk_usage(path).free
    return info


async def engine_report(state: ServiceState) -> dict[str, EngineReport]:
    report = {"textlayer": EngineReport(state=EngineState.ready)}
    for name in OCR_ENGINES:
        if name == VLM_ENGINE and not state.settings.vlm.url:
            report[name] = EngineReport(state="not_configured")
            continue
        await state.engines.refresh(name)
        status = state.engines.status(name)
        entry = EngineReport(state=status.state)
        if status.reason:
            entry.reason = status.reason
        if status.detail:
            entry.detail = status.detail
        report[name] = entry
    return report


def required_engines(settings: Settings) -> list[str]:
    """Engines that must be ready to serve: with the VLM and fallback 'cpu', the CPU engine
    is enough (pages go there while the server is down); with 'fail', the VLM itself."""
    if settings.ocr_engine != VLM_ENGINE:
        return [settings.ocr_engine]
    if settings.vlm.fallback == "cpu":
        return [settings.cpu_ocr_engine]
    return [VLM_ENGINE]


async def storage_state(state: ServiceState) -> str:
    """'not_configured' (results in output_dir), 'reachable', or the S3 error exactly: a HEAD
    of the bucket, which the store reuses for a few seconds."""
    if state.store.kind == "local":
        return "not_configured"
    return await run_in_threadpool(state.store.check)


async def readiness(state: ServiceState) -> tuple[bool, list[str]]:
    problems = []
    for name in required_engines(state.settings):
        await state.engines.refresh(name)
        status = state.engines.status(name)
        if status.state != EngineState.ready:
            problems.append(
                f"engine {name} is {status.state}" + (f": {status.reason}" if status.reason else "")
            )
    # A dead worker process breaks its pool: replaced here, a problem while that fails.
    problems += await state.engines.worker_problems()
    for folder in (state.settings.output_dir, state.settings.temp_dir):
        if not (folder.is_dir() and os.access(folder, os.W_OK)):
            problems.append(f"{folder} is not a writable folder")
    return not problems, problems


@router.get("/health/live", summary="The process answers (never depends on models)")
async def live() -> LiveResponse:
    return LiveResponse(status="alive")


@router.get(
    "/health/ready",
    summary="200 once the default engines are loaded, else 503",
    response_model=ReadyResponse,
    responses={503: {"model": ReadyResponse, "description": "not ready: the problems"}},
)
async def ready(state: StateDep) -> JSONResponse:
    ok, problems = await readiness(state)
    return JSONResponse(
        ReadyResponse(status="ready" if ok else "not_ready", problems=problems).model_dump(
            mode="json"
        ),
        status_code=200 if ok else 503,
    )


@router.get(
    "/health",
    summary="Every component's state (with API keys set: the state alone without a key)",
    response_model=HealthResponse | HealthSummary,
    response_model_exclude_unset=True,
)
async def health(state: StateDep, request: Request) -> HealthResponse | HealthSummary:
    ok, problems = await readiness(state)
    engines = await engine_report(state)
    s3_storage = await storage_state(state)
    # A result store that cannot be reached degrades the service (every write fails with
    # 502) but does not make it unready: the store is shared, so taking each replica out
    # of the balancer would only turn 502s into no answer at all.
    failed = any(e.state == EngineState.failed for e in engines.values()) or s3_storage not in (
        "not_configured",
        "reachable",
    )
    statuses: dict[tuple[bool, bool], HealthStatus] = {
        (True, False): "healthy",
        (True, True): "degraded",
        (False, False): "starting",
        (False, True): "unhealthy",
    }
    status = statuses[(ok, failed)]
    if not has_access(request):  # problems and reports name paths, URLs and versions
        return HealthSummary(status=status, ready=ok)
    settings = state.settings
    return HealthResponse(
        status=status,
        ready=ok,
        problems=problems,
        version=__version__,
        # The seed service's fields, kept for existing probes and dashboards.
        paddleocr=engines[VLM_ENGINE].state,
        s3_storage=s3_storage,
        output_dir=str(settings.output_dir.resolve()),
        temp_dir=str(settings.temp_dir.resolve()),
        engines=engines,
        layout=LayoutReport.model_validate(state.engines.layout_status()),
        storage=StorageReport(
            output_dir=_folder(settings.output_dir),
            temp_dir=_folder(settings.temp_dir),
            data_dir=_folder(settings.data_dir),
        ),
        workers=settings.workers,
    )
