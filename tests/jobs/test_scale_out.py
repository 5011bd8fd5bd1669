"""Scale-out for real: a redis-server, two `docparse worker` processes and two `docparse
serve` replicas (each with its own data folder; they share only Redis and the result
store). Jobs spread over both workers; any replica answers any job; a worker killed with
SIGKILL in the middle of a job loses nothing — the job finishes on the other worker."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import pytest

from tests.fixtures.jobs import scanned_pdf
from tests.fixtures.redis_server import free_port
from tests.fixtures.service import serve_process

pytestmark = pytest.mark.slow


def cluster_env(redis_url: str, shared: Path) -> dict[str, str]:
    return {
        "DOCPARSE_QUEUE": redis_url,
        "DOCPARSE_QUEUE_HEARTBEAT": "3",  # a dead worker is noticed in seconds
        "DOCPARSE_OUTPUT_DIR": str(shared),  # the result store every process uses
        "DOCPARSE_PRELOAD_ENGINES": '["tesseract"]',
        "DOCPARSE_CPU_LAYOUT": "none",
        "DOCPARSE_LOG_FORMAT": "text",
    }


@contextmanager
def worker_process(folder: Path, env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    folder.mkdir(parents=True)
    environment = {
        **os.environ,
        "DOCPARSE_DATA_DIR": str(folder / "data"),
        "DOCPARSE_TEMP_DIR": str(folder / "tmp"),
        **env,
    }
    with (folder / "worker.log").open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "docparse", "worker"],
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=folder,
        )
        try:
            yield process
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def started_jobs(folder: Path) -> set[str]:
    text = (folder / "worker.log").read_text(errors="replace")
    return set(re.findall(r"job ([0-9a-f]{32}) started", text))


def submit(api: str, pdf: bytes) -> str:
    response = httpx.post(
        f"{api}/v1/jobs",
        files={"file": ("scan.pdf", pdf, "application/pdf")},
        data={"engine": "tesseract", "languages": "eng"},
        timeout=60,
    )
    assert response.status_code == 202, response.text
    return str(response.json()["id"])


def wait(api: str, job_id: str, timeout: float = 240, pages_done: int = 0) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while True:
        status = httpx.get(f"{api}/v1/jobs/{job_id}", timeout=30).json()
        if status["state"] in ("succeeded", "failed", "cancelled"):
            return dict(status)
        if pages_done and status["state"] == "running" and status["pages_done"] >= pages_done:
            return dict(status)
        assert time.monotonic() < deadline, status
        time.sleep(0.2)


def test_two_workers_two_apis_and_a_worker_killed_mid_job(tmp_path: Path, redis_url: str) -> None:
    env = cluster_env(redis_url, tmp_path / "results")
    folders = [tmp_path / "worker-a", tmp_path / "worker-b"]
    with ExitStack() as stack:
        workers = [stack.enter_context(worker_process(f, env)) for f in folders]
        apis = []
        for name in ("api-1", "api-2"):
            port = free_port()
            (tmp_path / name).mkdir()
            stack.enter_context(
                serve_process(tmp_path / name, port, env={**env, "DOCPARSE_PRELOAD_ENGINES": "[]"})
            )
            apis.append(f"http://127.0.0.1:{port}")

        # Jobs sent to both replicas spread over both workers; either replica answers.
        small = scanned_pdf(1, dpi=100)
        ids = [submit(apis[n % 2], small) for n in range(6)]
        for n, job_id in enumerate(ids):
            status = wait(apis[(n + 1) % 2], job_id)
            assert status["state"] == "succeeded", status
            markdown = httpx.get(f"{apis[n % 2]}/v1/jobs/{job_id}/result?format=md", timeout=30)
            assert markdown.status_code == 200 and "quick brown fox" in markdown.text
        ran = [started_jobs(f) for f in folders]
        assert ran[0] and ran[1], ran  # both workers took jobs
        assert ran[0] | ran[1] == set(ids)

        # A worker killed with SIGKILL in the middle of a job: the other one finishes it.
        long_job = submit(apis[0], scanned_pdf(8, dpi=150))
        status = wait(apis[1], long_job, pages_done=1)
        assert status["state"] == "running", "the job finished before it could be killed"
        holder = next(n for n, f in enumerate(folders) if long_job in started_jobs(f))
        workers[holder].send_signal(signal.SIGKILL)
        workers[holder].wait()
        status = wait(apis[1], long_job, timeout=300)
        assert status["state"] == "succeeded", status
        assert status["attempt"] == 2 and status["pages_done"] == 8, status
        assert long_job in started_jobs(folders[1 - holder])
        for api in apis:
            result = httpx.get(f"{api}/v1/jobs/{long_job}/result?format=json", timeout=30)
            assert result.status_code == 200 and len(result.json()["pages"]) == 8
        # The shared input stays with the results (pages are drawn from it), until the
        # job is deleted; any replica draws a page, though neither has it locally.
        for api in apis:
            picture = httpx.get(f"{api}/v1/jobs/{long_job}/pages/8", timeout=30)
            assert picture.status_code == 200, picture.text
            assert picture.headers["content-type"] == "image/jpeg"
        assert httpx.delete(f"{apis[1]}/v1/jobs/{long_job}", timeout=30).status_code == 200
        assert not (tmp_path / "results" / f"{long_job}-input").exists()
        assert not (tmp_path / "results" / long_job).exists()
