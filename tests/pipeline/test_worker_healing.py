"""A dead worker process (OSD, table search) must not break the service: the pool is
replaced, the work retried once on the new one, a second death is a 503 with Retry-After,
and /health/ready tells the truth. Through the real service, real worker processes killed
with SIGKILL."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import time
from concurrent.futures import ProcessPoolExecutor

import httpx

from docparse.api.state import ServiceState
from docparse.settings import Settings
from tests.fixtures.made_pdfs import figures_pdf, words_pdf
from tests.fixtures.service import running, state_of


def light(settings: Settings, workers: int = 2) -> Settings:
    """The CPU engine alone (no layout model, no PP-OCR): requests that need a worker."""
    return settings.model_copy(
        update={"workers": workers, "preload_engines": ["tesseract"], "cpu_layout": "none"}
    )


async def kill_a_worker(state: ServiceState) -> int:
    """SIGKILL one worker of the service's pool; back once the pool knows it is broken."""
    pool = state.engines._processes
    assert pool is not None and pool._processes, "the worker pool has not started"
    pid = next(iter(pool._processes))
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while not pool._broken:  # type: ignore[attr-defined]
        assert time.monotonic() < deadline, "the pool did not notice its dead worker"
        await asyncio.sleep(0.02)
    return pid


async def ocr(http: httpx.AsyncClient, pages: int = 1) -> httpx.Response:
    return await http.post(
        "/v1/convert", files={"file": ("w.pdf", words_pdf(pages))}, data={"engine": "tesseract"}
    )


async def tables(http: httpx.AsyncClient) -> httpx.Response:
    return await http.post("/v1/convert", files={"file": ("t.pdf", figures_pdf())})


async def test_after_a_worker_dies_requests_are_served_and_ready_stays_true(
    settings: Settings,
) -> None:
    async with running(light(settings)) as http:
        state = state_of(http)
        assert (await tables(http)).status_code == 200
        killed = await kill_a_worker(state)

        # Before: every request needing a worker answered 500 from here on.
        for _ in range(2):
            response = await ocr(http)
            assert response.status_code == 200, response.text
            assert response.json()["pages"][0]["status"] == "ok"
            assert "quick brown fox" in response.json()["markdown"]
            response = await tables(http)
            assert response.status_code == 200, response.text
            assert "<table>" in response.json()["markdown"]
        assert state.engines.worker_restarts == 1  # replaced once, not per request
        pool = state.engines._processes
        assert pool is not None and killed not in pool._processes
        assert (await http.get("/health/ready")).status_code == 200


async def test_ready_replaces_a_pool_that_broke_between_requests(settings: Settings) -> None:
    async with running(light(settings)) as http:
        state = state_of(http)
        await kill_a_worker(state)
        response = await http.get("/health/ready")
        assert response.status_code == 200, response.text
        assert state.engines.worker_restarts == 1
        pool = state.engines._processes
        assert pool is not None and not pool._broken  # type: ignore[attr-defined]
        assert all(p.is_alive() for p in pool._processes.values())


async def test_a_worker_killed_during_a_request_is_retried_on_a_new_pool(
    settings: Settings,
) -> None:
    async with running(light(settings, workers=1)) as http:
        state = state_of(http)
        request = asyncio.create_task(ocr(http, pages=6))
        deadline = time.monotonic() + 60
        while state.converter.admission.started < 2:  # pages under way
            assert time.monotonic() < deadline and not request.done()
            await asyncio.sleep(0.01)
        await kill_a_worker(state)
        response = await request
        assert response.status_code == 200, response.text
        assert [p["status"] for p in response.json()["pages"]] == ["ok"] * 6
        assert state.engines.worker_restarts >= 1


def dying_pool() -> ProcessPoolExecutor:
    """A pool whose workers exit as they start: it cannot be replaced by a working one."""
    return ProcessPoolExecutor(
        1, mp_context=multiprocessing.get_context("spawn"), initializer=os._exit, initargs=(3,)
    )


async def test_workers_that_cannot_restart_answer_503_and_ready_says_so(
    settings: Settings,
) -> None:
    async with running(light(settings)) as http:
        state = state_of(http)
        await kill_a_worker(state)
        state.engines._new_pool = dying_pool  # type: ignore[method-assign]

        response = await ocr(http)
        assert response.status_code == 503, response.text
        assert response.headers["Retry-After"] == "5"
        error = response.json()["error"]
        assert error["code"] == "worker_crashed"
        assert "worker process died" in error["message"]

        response = await http.get("/health/ready")
        assert response.status_code == 503
        assert any("worker processes" in p for p in response.json()["problems"])

        # Workers that can start again: ready heals the pool, and requests are served.
        del state.engines._new_pool
        response = await http.get("/health/ready")
        assert response.status_code == 200, response.text
        assert (await ocr(http)).status_code == 200
