"""`docparse bench --load` against a real `docparse serve`: it finds the server's process by
its port, counts answers by status, waits out a 429's Retry-After, and reads the memory of
the server and its workers."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from PIL import Image

from docparse.ops.bench_load import Upload, listening_pid, load, tree_rss
from tests.conftest import free_port
from tests.fixtures.made_pdfs import words_pdf
from tests.fixtures.service import serve_process

pytestmark = pytest.mark.slow  # real services under load: tens of seconds


def small_mix() -> list[Upload]:
    png = io.BytesIO()
    Image.new("L", (200, 60), 255).save(png, format="PNG")
    return [
        Upload("born-digital", "w.pdf", words_pdf(1), "1"),
        Upload("png", "blank.png", png.getvalue(), None),
    ]


async def test_a_load_run_reports_statuses_latency_and_memory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    port = free_port()
    with serve_process(tmp_path, port, wait_for="/health/ready") as server:
        assert listening_pid(port) == server.pid
        assert tree_rss(server.pid) > 50_000_000  # an interpreter with the app loaded
        ok = await load(f"http://127.0.0.1:{port}", 2, 0, 4, small_mix(), idle=0.5)
    out = capsys.readouterr().out
    assert ok, out
    assert f"server pid={server.pid}" in out
    assert "statuses 200=4" in out
    assert "latency all accepted  n=4" in out
    assert "5xx=0  client timeouts/errors=0  /health/ready after=200  ok" in out
    assert "memory ready=" in out and "peak=" in out


async def test_refused_requests_wait_their_retry_after(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    port = free_port()
    # One page may wait at a time: of three clients at once, some are refused (429).
    env = {"DOCPARSE_MAX_QUEUED_PAGES": "1", "DOCPARSE_WORKERS": "1"}
    with serve_process(tmp_path, port, wait_for="/health/ready", env=env):
        ok = await load(f"http://127.0.0.1:{port}", 6, 0, 12, small_mix(), idle=0)
    out = capsys.readouterr().out
    assert ok, out  # a 429 is no failure: it is the service saying when to come back
    refused = int(out.split("429=")[1].split()[0])
    assert refused > 0, out
    assert f"retry-after honoured={refused}" in out


def test_a_url_elsewhere_is_not_measured() -> None:
    assert listening_pid(free_port()) is None
    assert tree_rss(os.getpid()) > 0
