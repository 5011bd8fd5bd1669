"""Shared fixtures: settings in temporary folders, the app in-process, a live server."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn

from docparse.api.app import create_app
from docparse.pipeline.converter import Converter
from docparse.pipeline.runtime import Engines
from docparse.settings import Settings
from tests.fixtures.service import running

# The stand-in VLM server and a service using it; a real redis-server on a free port.
pytest_plugins = ["tests.fixtures.vlm", "tests.fixtures.redis_server"]

REPO = Path(__file__).resolve().parents[1]
# The public development documents: DOCPARSE_SHARED_DOCS when set, else ../shared/docs
# beside the repository, else the workspace's shared folder (a clone made elsewhere).
SHARED_DOCS = [Path(p) for p in [os.environ.get("DOCPARSE_SHARED_DOCS")] if p] + [
    REPO.parent / "shared" / "docs",
    Path("/work/shared/docs"),
]


@pytest.fixture(scope="session")
def docs() -> Path:
    found = next((p for p in SHARED_DOCS if p.is_dir()), None)
    if found is None:
        pytest.fail(
            "development documents not found at " + " or ".join(str(p) for p in SHARED_DOCS)
        )
    return found


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        output_dir=tmp_path / "output",
        temp_dir=tmp_path / "tmp",
        data_dir=tmp_path / "data",
        _env_file=None,
    )  # type: ignore[call-arg]


@pytest.fixture
async def converter(settings: Settings) -> AsyncIterator[Converter]:
    engines = Engines(settings)
    yield Converter(settings, engines)
    await engines.aclose()


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The app in-process with its lifespan, engines loaded."""
    async with running(settings) as http:
        yield http


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(settings: Settings) -> Iterator[str]:
    """The real service under uvicorn in a thread on a loopback port; yields its URL."""
    port = free_port()
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@pytest.fixture
def live_server(settings: Settings) -> Iterator[str]:
    """The real service under uvicorn on a loopback port."""
    with serving(settings) as url:
        yield url
