"""Jobs survive the service: one left `running` by a process that died is queued again
and finished by the next one, and `docparse serve` killed with SIGKILL in the middle of
a job finishes it after a restart on the same data folder."""

from __future__ import annotations

import os
import signal
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from docparse.jobs.model import Job, JobState
from docparse.jobs.store import SqliteJobStore
from docparse.pipeline.options import ConvertOptions
from docparse.settings import Settings
from tests.conftest import free_port
from tests.fixtures.jobs import scanned_pdf, wait_for
from tests.fixtures.made_pdfs import words_pdf
from tests.fixtures.service import running, serve_process


async def test_a_job_left_running_by_a_dead_process_is_resumed(settings: Settings) -> None:
    # What a process killed mid-job leaves: the input, and a record saying running.
    job_id = uuid.uuid4().hex
    folder = settings.data_dir / "jobs" / job_id
    folder.mkdir(parents=True)
    (folder / "input").write_bytes(words_pdf(2))
    half = settings.output_dir / job_id  # half a result, in the result store
    half.mkdir(parents=True)
    (half / "document.md").write_text("half")
    store = SqliteJobStore(settings.data_dir / "jobs.sqlite3")
    await store.open()
    await store.add(
        Job(
            id=job_id,
            state=JobState.queued,
            options=ConvertOptions(engine="textlayer"),
            created_at=time.time(),
            filename="left.pdf",
            status_url=f"/v1/jobs/{job_id}",
            result_url=f"/v1/jobs/{job_id}/result",
        ),
        max_queued=10,
    )
    claimed = await store.claim()
    assert claimed is not None and claimed.attempt == 1
    await store.progress(job_id, 1, 1, 2)
    await store.close()

    async with running(settings.model_copy(update={"preload_engines": []})) as http:
        status = await wait_for(http, job_id)
        assert status["state"] == "succeeded", status
        assert status["attempt"] == 2  # a new run, not the dead one's
        assert (status["pages_done"], status["pages_total"]) == (2, 2)
        markdown = await http.get(f"/v1/jobs/{job_id}/result", params={"format": "md"})
        assert "Page 2" in markdown.text and "half" not in markdown.text
    assert (half / "document.md").read_text() != "half"
    assert (folder / "input").exists()  # kept with the results, for the page pictures


def status_of(base: str, job_id: str) -> dict[str, Any]:
    response = httpx.get(f"{base}/v1/jobs/{job_id}", timeout=10)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.slow  # moved out of the 10-minute default run
def test_a_job_survives_kill_9_of_the_service(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    pages = 10
    with serve_process(tmp_path, port, log_name="first.log", own_session=True) as first:
        accepted = httpx.post(
            f"{base}/v1/jobs",
            files={"file": ("scan.pdf", scanned_pdf(pages), "application/pdf")},
            data={"engine": "tesseract"},
            timeout=60,
        )
        assert accepted.status_code == 202, accepted.text
        job_id = accepted.json()["id"]
        deadline = time.monotonic() + 300
        while (status := status_of(base, job_id))["pages_done"] < 1:
            assert status["state"] in ("queued", "running"), status
            assert time.monotonic() < deadline, status
            time.sleep(0.1)
        assert status["state"] == "running" and status["pages_done"] < pages
        os.killpg(first.pid, signal.SIGKILL)  # the service and its workers, at once
        first.wait()

    with serve_process(tmp_path, port, log_name="second.log", own_session=True):
        status = status_of(base, job_id)
        assert status["state"] in ("queued", "running")  # not forgotten, not stuck
        deadline = time.monotonic() + 300
        while (status := status_of(base, job_id))["state"] in ("queued", "running"):
            assert time.monotonic() < deadline, status
            time.sleep(0.2)
        assert status["state"] == "succeeded", status
        assert status["attempt"] == 2
        assert (status["pages_done"], status["pages_total"]) == (pages, pages)
        result = httpx.get(f"{base}/v1/jobs/{job_id}/result", params={"format": "json"})
        assert result.status_code == 200
        document = result.json()
        assert len(document["pages"]) == pages
        assert all(p["status"] == "ok" and p["route"] == "ocr" for p in document["pages"])
        markdown = httpx.get(f"{base}/v1/jobs/{job_id}/result", params={"format": "md"})
        assert markdown.text.count("quick brown fox") == pages
    log = (tmp_path / "second.log").read_text()
    assert "queued again" in log, log[-3000:]
    assert (tmp_path / "data" / "jobs" / job_id / "input").exists()  # until it expires
