"""docparse.client against the real service (uvicorn on a loopback port, its jobs API,
worker pool and converter): a PDF converted end to end, progress, cancel, a failed job,
429 with Retry-After from a full queue, API keys; the async twin. Two behaviours the
service cannot be made to show on cue — a 503 with an HTTP-date Retry-After, a dropped
connection — against a small stand-in server."""

from __future__ import annotations

import http.server
import io
import itertools
import json
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from email.utils import formatdate
from pathlib import Path
from typing import Any

import httpx
import pytest

from docparse.client import (
    AsyncClient,
    Client,
    JobCancelled,
    JobFailed,
    JobStatus,
    RetryPolicy,
    ServiceError,
    ServiceUnreachable,
)
from docparse.settings import Settings
from tests.conftest import free_port, serving
from tests.fixtures.jobs import jobs_lock, scanned_pdf
from tests.fixtures.made_pdfs import words_pdf

KEY = "client-test-key"


def settings_in(folder: Path, **changes: Any) -> Settings:
    return Settings(
        output_dir=folder / "output",
        temp_dir=folder / "tmp",
        data_dir=folder / "data",
        _env_file=None,
        **{"preload_engines": [], **changes},
    )


class Recording(httpx.HTTPTransport):
    """The real transport, noting each answer's status: how many tries a call made."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, int]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        self.seen.append((request.method, response.status_code))
        return response


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One service for the tests that need no settings of their own; OCR by Tesseract."""
    config = settings_in(
        tmp_path_factory.mktemp("service"), preload_engines=["tesseract"], cpu_layout="none"
    )
    with serving(config) as url:
        yield url


def test_a_pdf_is_converted_end_to_end(service: str, tmp_path: Path) -> None:
    pdf = tmp_path / "words.pdf"
    pdf.write_bytes(words_pdf(3))
    seen: list[JobStatus] = []
    with Client(service) as client:
        done = client.convert(
            pdf, ("md", "json", "txt", "zip"), engine="textlayer", on_progress=seen.append
        )
        job = done.job
        assert (job.state, job.filename, job.pages_done, job.pages_total) == (
            "succeeded",
            "words.pdf",
            3,
            3,
        )
        assert job.error_code is None and job.failed_pages == ()
        assert seen[-1].state == "succeeded" and seen[-1].pages_done == 3
        markdown, text = done.outputs["md"], done.outputs["txt"]
        assert isinstance(markdown, str) and "Page 3" in markdown and "quick brown fox" in markdown
        assert isinstance(text, str) and "Page 1" in text
        document = json.loads(done.outputs["json"])
        assert len(document["pages"]) == 3 and document["metadata"]["job_id"] == job.id
        packed = done.outputs["zip"]
        assert isinstance(packed, bytes)
        names = zipfile.ZipFile(io.BytesIO(packed)).namelist()
        assert {"document.md", "document.json", "document.txt"} <= set(names)
        assert client.result(job.id, "md") == markdown  # by id as well as by JobRef

        # A finished job is deleted; then it is unknown, with the service's code and words.
        removed = client.cancel(job.id)
        assert (removed.outcome, removed.state) == ("deleted", "succeeded")
        with pytest.raises(ServiceError) as gone:
            client.status(job.id)
    assert (gone.value.status, gone.value.code) == (404, "job_not_found")
    assert gone.value.message and gone.value.request_id


def test_wait_reports_the_pages_as_they_are_read(service: str) -> None:
    pages = 6
    seen: list[JobStatus] = []
    with Client(service) as client:
        job = client.submit(scanned_pdf(pages), "scan.pdf", engine="tesseract")
        final = client.wait(job, seen.append, poll=0.05, timeout=300)
    assert (final.state, final.pages_done, final.pages_total) == ("succeeded", pages, pages)
    assert seen[-1].state == "succeeded"
    done = [s.pages_done for s in seen]
    assert done == sorted(done), done
    # Called on a change only, and page by page in between, not just at the end.
    assert all(
        (a.state, a.queue_position, a.pages_done) != (b.state, b.queue_position, b.pages_done)
        for a, b in itertools.pairwise(seen)
    )
    assert any(s.state == "running" and 0 < s.pages_done < pages for s in seen), done


def test_cancel_stops_a_running_job_and_wait_says_so(service: str) -> None:
    with Client(service) as client:
        job = client.submit(scanned_pdf(16), "long.pdf", engine="tesseract")
        deadline = time.monotonic() + 300
        while (status := client.status(job)).pages_done < 1:
            assert status.state in ("queued", "running"), status
            assert time.monotonic() < deadline
            time.sleep(0.05)
        removed = client.cancel(job)
        assert (removed.outcome, removed.state) == ("cancelled", "cancelled")
        with pytest.raises(JobCancelled) as cancelled:
            client.wait(job, poll=0.05)
        assert cancelled.value.status.state == "cancelled"
        assert cancelled.value.status.pages_done < 16
        with pytest.raises(ServiceError) as early:
            client.result(job, "md")
    assert (early.value.status, early.value.code) == (409, "job_not_finished")


def test_a_job_that_fails_raises_with_the_services_code(tmp_path: Path) -> None:
    # A document the service takes (it opens) whose every page runs past the page limit:
    # the run fails. (A damaged one is refused at submit, as /v1/convert refuses it.)
    config = settings_in(tmp_path, page_timeout=0.001)
    with serving(config) as url, Client(url) as client:
        job = client.submit(words_pdf(1), "words.pdf", engine="tesseract")
        with pytest.raises(JobFailed) as failed:
            client.wait(job, poll=0.05, timeout=60)
    assert failed.value.code == "request_timeout"
    assert failed.value.message and failed.value.status.state == "failed"
    assert job.id in str(failed.value)


def test_a_damaged_document_is_refused_at_submit(service: str) -> None:
    with Client(service) as client, pytest.raises(ServiceError) as refused:
        client.submit(b"%PDF-1.7\n" + b"\x00garbage" * 200, "broken.pdf")
    assert (refused.value.status, refused.value.code) == (422, "corrupt_document")


def test_a_refused_upload_carries_the_services_error(service: str) -> None:
    with Client(service) as client, pytest.raises(ServiceError) as refused:
        client.submit(b"just some text", "notes.txt")
    assert (refused.value.status, refused.value.code) == (415, "unsupported_format")
    assert "unsupported document type" in refused.value.message


@pytest.mark.slow  # moved out of the 10-minute default run
def test_a_full_queue_is_tried_again_after_retry_after(tmp_path: Path) -> None:
    config = settings_in(tmp_path, max_queued_jobs=1)
    pdf = words_pdf(1)
    # One finished job first: Retry-After is paced by the latest jobs (a second or two for
    # a one-page PDF, however fast the machine; not the 10 s a service with no history guesses).
    with serving(config) as url, Client(url) as client:
        client.convert(pdf, filename="first.pdf", engine="textlayer", poll=0.05)
    with jobs_lock(config.data_dir), serving(config) as url:  # accepts jobs, runs none
        transport = Recording()
        with Client(url, transport=transport) as client, Client(url) as other:
            waiting = client.submit(pdf, "a.pdf", engine="textlayer")
            full = httpx.post(f"{url}/v1/jobs", files={"file": ("b.pdf", pdf)})
            assert full.status_code == 429, full.text
            after = float(full.headers["Retry-After"])
            assert 1 <= after < 10, after

            # Room is made while the client waits: its second try gets in.
            timer = threading.Timer(0.3, other.cancel, [waiting])
            timer.start()
            transport.seen.clear()
            started = time.monotonic()
            second = client.submit(pdf, "b.pdf", engine="textlayer")
            took = time.monotonic() - started
            timer.join()
            assert transport.seen == [("POST", 429), ("POST", 202)]
            assert after <= took < after + 3, took
            assert client.status(second).state == "queued"

        # Still full: a bounded number of tries, then the service's own error.
        twice = Recording()
        started = time.monotonic()
        with (
            Client(url, retry=RetryPolicy(attempts=2), transport=twice) as client,
            pytest.raises(ServiceError) as refused,
        ):
            client.submit(pdf, "c.pdf")
        assert time.monotonic() - started >= after
        assert twice.seen == [("POST", 429), ("POST", 429)]
        error = refused.value
        assert (error.status, error.code, error.retry_after) == (429, "job_queue_full", after)
        assert error.details["queued_jobs"] == 1

        # A Retry-After longer than the client will wait: raised at once.
        once = Recording()
        with (
            Client(url, retry=RetryPolicy(max_delay=0.5), transport=once) as client,
            pytest.raises(ServiceError),
        ):
            client.submit(pdf, "d.pdf")
        assert once.seen == [("POST", 429)]


def test_an_api_key_is_required_and_sent(tmp_path: Path) -> None:
    with serving(settings_in(tmp_path, api_keys=KEY)) as url:
        for key, code in ((None, "unauthorized"), ("wrong", "unauthorized")):
            with Client(url, api_key=key) as client, pytest.raises(ServiceError) as refused:
                client.submit(words_pdf(1), "a.pdf")
            assert (refused.value.status, refused.value.code) == (401, code)
        assert "API key" in refused.value.message
        with Client(url, api_key=KEY) as client:
            done = client.convert(words_pdf(1), filename="a.pdf", engine="textlayer", poll=0.05)
            assert "Page 1" in str(done.outputs["md"])
            assert client.cancel(done.job.id).outcome == "deleted"


async def test_the_async_client_converts_and_reports_a_failed_job(
    service: str, tmp_path: Path
) -> None:
    seen: list[JobStatus] = []
    async with AsyncClient(service) as client:
        done = await client.convert(
            words_pdf(2), ("md", "zip"), filename="two.pdf", engine="textlayer", poll=0.05
        )
        assert done.job.state == "succeeded" and "Page 2" in str(done.outputs["md"])
        assert isinstance(done.outputs["zip"], bytes)
        assert (await client.cancel(done.job)).outcome == "deleted"
    # A run that fails: every page past the page limit.
    with serving(settings_in(tmp_path, page_timeout=0.001)) as url:
        async with AsyncClient(url) as client:
            job = await client.submit(words_pdf(1), "words.pdf", engine="tesseract")
            with pytest.raises(JobFailed) as failed:
                await client.wait(job, seen.append, poll=0.05, timeout=60)
    assert failed.value.code == "request_timeout" and seen[-1].state == "failed"


Answer = tuple[int, dict[str, str], bytes]  # status, headers, body


@contextmanager
def stand_in(
    answers: list[Answer | None],
) -> Iterator[tuple[str, list[Any]]]:
    """A loopback server answering each request with the next of `answers` (status,
    headers, body); None drops the connection without an answer. Notes (method, time)."""
    seen: list[tuple[str, float]] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def answer(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            seen.append((self.command, time.monotonic()))
            planned = answers.pop(0)
            if planned is None:
                self.close_connection = True
                return
            status, headers, body = planned
            self.send_response(status)
            for name, value in {**headers, "Content-Length": str(len(body))}.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_DELETE = answer

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


STATUS = {
    "id": "abc",
    "state": "running",
    "filename": "a.pdf",
    "pages_done": 1,
    "pages_total": 4,
    "queue_position": None,
    "attempt": 1,
    "error": None,
    "failed_pages": [],
}


@pytest.mark.slow
def test_a_503_waits_for_its_retry_after_date() -> None:
    # Retry-After as an HTTP date two seconds ahead (whole seconds: one to two from now).
    busy = {"Retry-After": formatdate(time.time() + 2, usegmt=True)}
    answers: list[Answer | None] = [
        (503, busy, b'{"error": {"code": "shutting_down", "message": "try again"}}'),
        (200, {"Content-Type": "application/json"}, json.dumps(STATUS).encode()),
    ]
    with stand_in(answers) as (url, seen), Client(url) as client:
        status = client.status("abc")
    assert (status.state, status.pages_done, status.pages_total) == ("running", 1, 4)
    assert [method for method, _ in seen] == ["GET", "GET"]
    assert seen[1][1] - seen[0][1] >= 1.0


def test_a_dropped_connection_is_tried_again_only_where_a_repeat_is_harmless() -> None:
    ok: Answer = (200, {"Content-Type": "application/json"}, json.dumps(STATUS).encode())
    quick = RetryPolicy(attempts=3, backoff=0.05)
    with stand_in([None, ok]) as (url, seen), Client(url, retry=quick) as client:
        assert client.status("abc").state == "running"  # a read: tried again
    assert len(seen) == 2
    for call in ("submit", "cancel"):  # the request may have arrived: not repeated
        with (
            stand_in([None, ok]) as (url, seen),
            Client(url, retry=quick) as client,
            pytest.raises(ServiceUnreachable),
        ):
            if call == "submit":
                client.submit(b"%PDF-1.7", "a.pdf")
            else:
                client.cancel("abc")
        assert len(seen) == 1, call
    # Nothing listening: the request never left, so even a submit is tried again.
    started = time.monotonic()
    with (
        Client(f"http://127.0.0.1:{free_port()}", retry=quick) as client,
        pytest.raises(ServiceUnreachable),
    ):
        client.submit(b"%PDF-1.7", "a.pdf")
    assert time.monotonic() - started >= 0.05  # two backoffs: 0.025-0.05 s, 0.05-0.1 s


def test_importing_the_client_loads_none_of_the_service() -> None:
    probe = (
        "import json, sys, docparse.client\n"
        "print(json.dumps([m for m in sys.modules if m.split('.')[0] in "
        "('docparse', 'pydantic', 'fastapi', 'numpy', 'PIL')]))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    modules = json.loads(loaded)
    assert all(m == "docparse" or m.startswith("docparse.client") for m in modules), modules
