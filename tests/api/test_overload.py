"""Overload through the real service: past the page queue a request is refused at once
with 429 and Retry-After (both routes, both error shapes, documented in OpenAPI); past the
request time limit the answer is 504; a client that leaves takes its conversion with it."""

from __future__ import annotations

import asyncio
import base64
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

import httpx
import pytest
import uvicorn

from docparse.api.app import create_app
from docparse.api.state import ServiceState
from docparse.settings import Settings
from tests.conftest import free_port
from tests.fixtures.jobs import wait_for
from tests.fixtures.made_pdfs import words_pdf
from tests.fixtures.service import running, state_of


def light(settings: Settings, **changes: Any) -> Settings:
    """One worker and the CPU engine alone: a few small OCR pages keep it busy."""
    return settings.model_copy(
        update={"workers": 1, "preload_engines": ["tesseract"], "cpu_layout": "none", **changes}
    )


async def until(condition: Callable[[], bool], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        await asyncio.sleep(0.01)


def ocr_form(pages: int) -> dict[str, Any]:
    return {"files": {"file": ("w.pdf", words_pdf(pages))}, "data": {"engine": "tesseract"}}


async def test_a_request_past_the_page_queue_is_429_with_retry_after(
    settings: Settings,
) -> None:
    async with running(light(settings, max_queued_pages=2)) as http:
        admission = state_of(http).converter.admission
        busy = asyncio.create_task(http.post("/v1/convert", **ocr_form(8)))
        await until(lambda: admission.queued >= 3)

        refused = await http.post("/v1/convert", **ocr_form(1))
        assert refused.status_code == 429, refused.text
        retry_after = int(refused.headers["Retry-After"])
        assert 1 <= retry_after <= 60
        error = refused.json()["error"]
        assert error["code"] == "overloaded"
        assert error["details"]["retry_after"] == retry_after
        assert "DOCPARSE_MAX_QUEUED_PAGES" in error["message"]

        body = {"file": base64.b64encode(words_pdf(1)).decode(), "fileType": 0}
        refused = await http.post("/layout-parsing", json=body)
        assert refused.status_code == 429, refused.text
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        assert refused.json()["errorCode"] == 429  # PaddleX's envelope on its route
        assert "busy" in refused.json()["errorMsg"]

        assert (await busy).status_code == 200  # the request already taken is served
        assert (await http.post("/v1/convert", **ocr_form(1))).status_code == 200
        assert (admission.queued, admission.running, admission.pixels) == (0, 0, 0)


def test_429_504_and_retry_after_are_documented(settings: Settings) -> None:
    spec = create_app(settings).openapi()
    for path in ("/v1/convert", "/layout-parsing"):
        responses = spec["paths"][path]["post"]["responses"]
        assert {"429", "504"} <= set(responses)
        assert responses["429"]["headers"]["Retry-After"]["schema"] == {"type": "integer"}


@pytest.mark.slow  # moved out of the 10-minute default run
async def test_a_conversion_over_the_request_limit_answers_504(settings: Settings) -> None:
    async with running(light(settings, request_timeout=1.0)) as http:
        asked = time.monotonic()
        response = await http.post("/v1/convert", **ocr_form(12))
        assert time.monotonic() - asked < 5
        assert response.status_code == 504, response.text
        error = response.json()["error"]
        assert error["code"] == "request_timeout"
        assert "DOCPARSE_REQUEST_TIMEOUT" in error["message"]
        assert "POST /v1/jobs" in error["message"]  # where a long document goes instead
        assert error["details"]["jobs_api"] == "/v1/jobs"
        admission = state_of(http).converter.admission
        assert (admission.queued, admission.running, admission.pixels) == (0, 0, 0)

        # The same document as a job: no request limit, only each page's.
        accepted = await http.post("/v1/jobs", **ocr_form(12))
        assert accepted.status_code == 202, accepted.text
        status = await wait_for(http, accepted.json()["id"], timeout=300)
        assert status["state"] == "succeeded" and status["pages_done"] == 12, status


@contextmanager
def served(settings: Settings) -> Iterator[tuple[str, ServiceState]]:
    """The real service under uvicorn on a loopback port, and what it holds."""
    app = create_app(settings)
    state: ServiceState = app.state.service
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not (server.started and state.preload_task and state.preload_task.done()):
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}", state
    finally:
        server.should_exit = True
        thread.join(timeout=30)


async def test_a_client_that_leaves_cancels_its_conversion(settings: Settings) -> None:
    with served(light(settings)) as (url, state):
        admission = state.converter.admission
        async with httpx.AsyncClient(base_url=url, timeout=120) as http:
            asking = asyncio.create_task(http.post("/v1/convert", **ocr_form(20)))
            await until(lambda: admission.started >= 2)
            asking.cancel()  # the client gives up: its connection closes
            with suppress(asyncio.CancelledError):
                await asking
        # The service notices within its poll, stops the pages under way and hands back
        # the places of the others, which never start.
        await until(lambda: admission.running == 0 and admission.queued == 0, seconds=10)
        started = admission.started
        assert started < 20
        await asyncio.sleep(2)
        assert admission.started == started
        assert admission.pixels == 0
        # Nobody waits for a result: none is written, and the upload is gone.
        assert list(settings.output_dir.iterdir()) == []
        assert list(settings.temp_dir.iterdir()) == []
