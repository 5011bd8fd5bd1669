"""Hostile requests through the real service: URLs aimed at the service's own network,
language names aimed at its disk."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from docparse.io.fetch import UNREACHABLE
from docparse.settings import Settings
from tests.conftest import free_port
from tests.fixtures.service import running
from tests.io import test_damaged_pdf as damaged


@pytest.fixture
async def light_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The service without engines preloaded: these requests never reach an engine."""
    async with running(settings.model_copy(update={"preload_engines": []})) as http:
        yield http


async def test_a_loopback_url_is_refused_alike_open_or_closed(
    light_client: httpx.AsyncClient,
) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.setblocking(False)
        open_port = listener.getsockname()[1]
        closed_port = free_port()
        answers = []
        for port in (open_port, closed_port):
            response = await light_client.post(
                "/layout-parsing", json={"file": f"http://127.0.0.1:{port}/doc.pdf"}
            )
            assert response.status_code == 422, response.text
            assert str(port) not in response.text
            assert "127.0.0.1" not in response.text
            answers.append(response.json()["errorMsg"])
        with pytest.raises(BlockingIOError):
            listener.accept()  # nobody connected to the open port
    assert answers == [UNREACHABLE, UNREACHABLE]


async def test_the_metadata_address_is_refused(light_client: httpx.AsyncClient) -> None:
    response = await light_client.post(
        "/layout-parsing", json={"file": "http://169.254.169.254/latest/meta-data/"}
    )
    assert response.status_code == 422
    assert response.json()["errorMsg"] == UNREACHABLE


@pytest.mark.parametrize("languages", ["../../eng", "../../../usr/share/x/eng", "xyz", "osd"])
async def test_languages_outside_the_installed_models_are_422(
    light_client: httpx.AsyncClient, docs: Path, languages: str
) -> None:
    response = await light_client.post(
        "/v1/convert",
        files={"file": ("e.pdf", (docs / "edgar.pdf").read_bytes())},
        data={"languages": languages, "engine": "tesseract"},
    )
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_options"
    assert "eng, rus" in error["message"]
    assert "osd" not in error["details"]["valid"]


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (damaged.SELF_CYCLE, "no page of it can be read"),
        (damaged.TWO_CYCLE, "no page of it can be read"),
        (damaged.with_mediabox(damaged.HUGE, pages=1), "impossible size"),
    ],
    ids=["cycle", "two-cycle", "huge-mediabox"],
)
async def test_a_pdf_with_no_readable_page_is_422(
    light_client: httpx.AsyncClient, data: bytes, words: str
) -> None:
    for engine in ("auto", "tesseract"):
        response = await light_client.post(
            "/v1/convert", files={"file": ("d.pdf", data)}, data={"engine": engine}
        )
        assert response.status_code == 422, response.text
        error = response.json()["error"]
        assert error["code"] == "corrupt_document"
        assert words in error["message"]


@pytest.mark.parametrize(
    ("data", "bad"),
    [
        (damaged.GOOD_THEN_CYCLE, [2]),
        (damaged.COUNT_TOO_BIG, [2, 3]),
        (damaged.NOT_A_PAGE, [1]),
        (damaged.with_mediabox(damaged.HUGE), [1]),
    ],
    ids=["cycle", "count", "not-a-page", "huge-mediabox"],
)
async def test_only_the_damaged_page_fails(
    light_client: httpx.AsyncClient, data: bytes, bad: list[int]
) -> None:
    response = await light_client.post(
        "/v1/convert", files={"file": ("d.pdf", data)}, data={"engine": "textlayer"}
    )
    assert response.status_code == 200, response.text
    pages = response.json()["document"]["pages"]
    failed = [p for p in pages if p["status"] == "failed"]
    assert [p["index"] + 1 for p in failed] == bad
    for page, number in zip(failed, bad, strict=True):
        assert f"page {number}" in page["error"]
    assert "Hello" in response.json()["markdown"]


async def test_a_negative_mediabox_is_read(light_client: httpx.AsyncClient) -> None:
    data = damaged.with_mediabox(damaged.NEGATIVE)
    response = await light_client.post(
        "/v1/convert", files={"file": ("d.pdf", data)}, data={"engine": "textlayer"}
    )
    assert response.status_code == 200, response.text
    assert all(p["status"] != "failed" for p in response.json()["document"]["pages"])
