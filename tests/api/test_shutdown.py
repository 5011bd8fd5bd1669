"""Graceful shutdown of `docparse serve`, a real process on a real socket: on SIGTERM it
stops accepting, lets requests in flight finish within DOCPARSE_SHUTDOWN_TIMEOUT, cancels
the rest, and exits within that bound with no worker process left behind."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pypdfium2 as pdfium
import pytest
from starlette.types import Message, Receive, Scope, Send

from docparse.api.shutdown import CancelledAtShutdown
from tests.conftest import free_port
from tests.fixtures.service import serve_process

SHUTDOWN_TIMEOUT = 4
SLACK = 12  # closing the pools and the interpreter, on a busy machine


def scanned_pdf(source: Path, pages: int) -> bytes:
    """A long scan: the one page of a scanned PDF, `pages` times over."""
    scan = pdfium.PdfDocument(str(source))
    out = pdfium.PdfDocument.new()
    try:
        out.import_pages(scan, [0] * pages)
        buffer = io.BytesIO()
        out.save(buffer)
        return buffer.getvalue()
    finally:
        out.close()
        scan.close()


def children(pid: int) -> set[int]:
    """Processes whose parent is `pid` (from /proc), zombies excluded."""
    found = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid …: comm may hold spaces, so split after its ')'.
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]
        if int(ppid) == pid and state != "Z":
            found.add(int(entry))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


Server = tuple[subprocess.Popen[bytes], str]


@contextlib.contextmanager
def serving(tmp_path: Path, shutdown_timeout: int) -> Iterator[Server]:
    port = free_port()
    settings = {"DOCPARSE_WORKERS": "2", "DOCPARSE_SHUTDOWN_TIMEOUT": str(shutdown_timeout)}
    with serve_process(tmp_path, port, env=settings, wait_for="/health/ready") as process:
        yield process, f"http://127.0.0.1:{port}"


def sigterm_and_wait(process: subprocess.Popen[bytes], bound: float) -> float:
    """Seconds from SIGTERM to the exit; fails past `bound`."""
    process.send_signal(signal.SIGTERM)
    signalled = time.monotonic()
    try:
        process.wait(timeout=bound)
    except subprocess.TimeoutExpired:
        pytest.fail(f"still running {bound:g} s after SIGTERM")
    return time.monotonic() - signalled


@pytest.mark.slow  # moved out of the 10-minute default run
def test_a_request_in_flight_at_sigterm_is_finished(docs: Path, tmp_path: Path) -> None:
    small = (docs / "edgar.pdf").read_bytes()
    with serving(tmp_path, shutdown_timeout=60) as (process, base):
        # Still uploading at SIGTERM: in flight, so it is read, converted and answered.
        form = httpx.Request("POST", f"{base}/v1/convert", files={"file": ("e.pdf", small)})
        body = form.read()
        go_on = threading.Event()
        answer: dict[str, object] = {}

        def trickled() -> Iterator[bytes]:
            yield body[:1000]
            go_on.wait(60)
            yield body[1000:]

        def convert() -> None:
            try:
                answer["response"] = httpx.post(
                    f"{base}/v1/convert",
                    content=trickled(),
                    params={"format": "md"},
                    headers={"content-type": form.headers["content-type"]},
                    timeout=120,
                )
            except httpx.HTTPError as exc:
                answer["response"] = exc

        client = threading.Thread(target=convert)
        client.start()
        time.sleep(1.0)  # its headers and first bytes are in
        process.send_signal(signal.SIGTERM)
        signalled = time.monotonic()
        time.sleep(0.5)
        with pytest.raises(httpx.TransportError):  # no longer accepting
            httpx.get(f"{base}/health/live", timeout=3)
        go_on.set()
        client.join(120)
        process.wait(timeout=60)
        took = time.monotonic() - signalled
    log = (tmp_path / "server.log").read_text()
    response = answer["response"]
    assert isinstance(response, httpx.Response), (response, log[-3000:])
    assert response.status_code == 200, (response.text, log[-3000:])
    assert "EDGAR" in response.text.upper()
    # Nothing left in flight: it exits then, not at the 60-second bound.
    assert took < 30, log[-3000:]
    assert "Traceback" not in log, log[-3000:]


@pytest.mark.slow  # moved out of the 10-minute default run
def test_sigterm_cancels_what_passes_the_bound_and_exits_in_time(
    docs: Path, tmp_path: Path
) -> None:
    # A long conversion: 40 scanned pages, OCR on two workers (minutes of work).
    long_scan = scanned_pdf(docs / "edgar_image.pdf", 40)
    answer: dict[str, object] = {}
    with serving(tmp_path, shutdown_timeout=SHUTDOWN_TIMEOUT) as (process, base):

        def convert() -> None:
            try:
                answer["response"] = httpx.post(
                    f"{base}/v1/convert",
                    files={"file": ("scan.pdf", long_scan)},
                    data={"engine": "tesseract"},
                    timeout=600,
                )
            except httpx.HTTPError as exc:
                answer["response"] = exc

        client = threading.Thread(target=convert)
        client.start()
        # In flight once its pages are being read: the OSD worker processes exist then.
        deadline = time.monotonic() + 120
        while not children(process.pid):
            assert time.monotonic() < deadline, "the conversion never started its workers"
            time.sleep(0.2)
        time.sleep(2.0)
        workers = children(process.pid)
        took = sigterm_and_wait(process, SHUTDOWN_TIMEOUT + SLACK)
        client.join(30)
    log = (tmp_path / "server.log").read_text()
    # It waited for the request in flight, up to the bound, then cancelled it.
    assert took >= SHUTDOWN_TIMEOUT - 0.5, log[-3000:]
    response = answer["response"]
    assert isinstance(response, httpx.Response), (response, log[-3000:])
    assert response.status_code == 503, (response.text, log[-3000:])
    assert response.json()["error"]["code"] == "shutting_down"
    assert int(response.headers["retry-after"]) > 0
    # No worker outlives the service (gone, or reaped orphans).
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert workers and not [pid for pid in workers if alive(pid)], log[-3000:]
    # One warning line for the cancelled request, not a traceback.
    assert "stopped: the server is shutting down" in log
    assert "Traceback" not in log, log[-3000:]


async def cancelled_request(path: str, msg: str) -> tuple[asyncio.Task[None], list[Message]]:
    """A request to `path` whose app never answers, cancelled with `msg`."""
    sent: list[Message] = []

    async def forever(scope: Scope, receive: Receive, send: Send) -> None:
        await asyncio.sleep(3600)

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    scope: Scope = {"type": "http", "method": "POST", "path": path, "headers": []}
    task = asyncio.create_task(CancelledAtShutdown(forever)(scope, receive, send))
    await asyncio.sleep(0.05)
    task.cancel(msg=msg)
    await asyncio.wait({task})
    return task, sent


async def test_a_cancellation_outside_a_shutdown_goes_on_up() -> None:
    # An in-process caller's timeout, say: not ours to turn into an answer.
    task, sent = await cancelled_request("/v1/convert", "")
    assert task.cancelled()
    assert sent == []


@pytest.mark.parametrize("path", ["/v1/convert", "/layout-parsing"])
async def test_a_request_cancelled_by_the_shutdown_answers_503(path: str) -> None:
    # As uvicorn cancels the tasks still running at its timeout_graceful_shutdown.
    task, sent = await cancelled_request(path, "Task cancelled, timeout graceful shutdown exceeded")
    assert not task.cancelled() and task.exception() is None
    start, body = sent
    assert start["status"] == 503
    headers = dict(start["headers"])
    assert int(headers[b"retry-after"]) > 0
    assert headers[b"connection"] == b"close"
    payload = json.loads(body["body"])
    if path == "/layout-parsing":  # PaddleX's envelope, as every error there
        assert payload["errorCode"] == 503
        assert "shutting down" in payload["errorMsg"]
    else:
        assert payload["error"]["code"] == "shutting_down"


@pytest.mark.slow  # moved out of the 10-minute default run
def test_a_killed_service_leaves_no_worker_process_behind(docs: Path, tmp_path: Path) -> None:
    """SIGKILL cannot be caught: the pool's workers notice their parent is gone and exit."""
    port = free_port()
    with serve_process(tmp_path, port, own_session=False) as process:
        answer = httpx.post(
            f"http://127.0.0.1:{port}/v1/convert",
            files={"file": ("scan.pdf", scanned_pdf(docs / "edgar_image.pdf", 1))},
            timeout=120,
        )
        assert answer.status_code == 200, answer.text
        workers = children(process.pid)
        assert workers, "the OCR page ran in no worker process"
        process.kill()
        process.wait()
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in workers):
        assert time.monotonic() < deadline, "worker processes outlived the killed service"
        time.sleep(0.2)
