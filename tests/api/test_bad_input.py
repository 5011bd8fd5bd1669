"""Bad input gets its status code and a clear message, and the service keeps serving."""

from __future__ import annotations

import io
import os
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlparse

import httpx
import pytest
from PIL import Image

from docparse.settings import Settings
from tests.fixtures.bad_files import encrypted, huge_png


def long_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (32768, 10)).save(buffer, format="PNG")  # dark: Tesseract's Sauvola
    return buffer.getvalue()


def half_jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.effect_noise((400, 300), 60).convert("RGB").save(buffer, format="JPEG")
    return buffer.getvalue()[: len(buffer.getvalue()) // 2]


async def assert_still_serving(client: httpx.AsyncClient, docs: Path) -> None:
    assert (await client.get("/health/live")).status_code == 200
    with (docs / "ambiguous.pdf").open("rb") as handle:
        response = await client.post("/v1/convert", files={"file": handle})
    assert response.status_code == 200
    assert "Hello" in response.json()["markdown"]


@pytest.mark.parametrize(
    ("name", "make", "status", "code", "words"),
    [
        ("random.pdf", lambda d: os.urandom(4096), 415, "unsupported_format", "unsupported"),
        (
            "page.pdf",
            lambda d: b"<!DOCTYPE html><html><body>hello</body></html>",
            415,
            "unsupported_format",
            "PDF, PNG",
        ),
        (
            "truncated.pdf",
            lambda d: (d / "edgar.pdf").read_bytes()[:20000],
            422,
            "corrupt_document",
            "damaged or truncated",
        ),
        (
            "secret.pdf",
            lambda d: encrypted((d / "edgar.pdf").read_bytes()),
            422,
            "password_protected",
            "password",
        ),
        ("empty.pdf", lambda d: b"", 422, "corrupt_document", "empty"),
        ("huge.png", lambda d: huge_png(20000), 413, "limit_exceeded", "pixels"),
        # Past Tesseract's 32,767-pixel side its page layout aborts the whole process.
        ("long.png", lambda d: long_png(), 413, "limit_exceeded", "32,767"),
        ("truncated.jpg", lambda d: half_jpeg(), 422, "corrupt_document", "truncated"),
        (
            "broken.png",
            lambda d: (d / "edgar.pdf").read_bytes()[:0] + b"\x89PNG\r\n\x1a\nxx",
            422,
            "corrupt_document",
            "damaged",
        ),
    ],
)
async def test_bad_documents(
    client: httpx.AsyncClient,
    docs: Path,
    name: str,
    make: object,
    status: int,
    code: str,
    words: str,
) -> None:
    assert callable(make)
    response = await client.post("/v1/convert", files={"file": (name, make(docs))})
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert "req-" not in response.text and "/input" not in response.text  # no internal path
    assert words.lower() in error["message"].lower()
    assert "Traceback" not in response.text
    await assert_still_serving(client, docs)


async def test_bad_options(client: httpx.AsyncClient, docs: Path) -> None:
    for data, words in [
        ({"engine": "magic"}, "unknown engine"),
        ({"pages": "9-12"}, "outside"),
        ({"pages": "a-b"}, "bad page range"),
        ({"formats": "docx"}, "unknown format"),
        ({"dpi": "5000"}, "dpi"),
    ]:
        with (docs / "edgar.pdf").open("rb") as handle:
            response = await client.post("/v1/convert", files={"file": handle}, data=data)
        assert response.status_code == 422, data
        assert words in response.json()["error"]["message"]
    missing = await client.post("/v1/convert", data={"engine": "auto"})
    assert missing.status_code == 422
    assert "file" in missing.json()["error"]["message"]


async def test_upload_over_limit_is_413(settings: Settings, docs: Path) -> None:
    from docparse.api.app import create_app

    app = create_app(settings.model_copy(update={"max_upload_bytes": 50_000}))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://d") as http:
            big = (docs / "edgar.pdf").read_bytes()  # ~190 KB
            response = await http.post("/v1/convert", files={"file": ("e.pdf", big)})
            assert response.status_code == 413
            assert "upload limit" in response.json()["error"]["message"]

            form = httpx.Request("POST", "http://d/v1/convert", files={"file": ("e.pdf", big)})
            body = form.read()

            async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted
                for start in range(0, len(body), 16384):
                    yield body[start : start + 16384]

            streamed = await http.post(
                "/v1/convert",
                content=chunks(),
                headers={"content-type": form.headers["content-type"]},
            )
            assert streamed.status_code == 413
            assert "upload limit" in streamed.json()["error"]["message"]


def test_claimed_two_gigabytes_is_refused_at_once(live_server: str) -> None:
    url = urlparse(live_server)
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        sock.sendall(
            b"POST /v1/convert HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: multipart/form-data; boundary=b\r\n"
            b"Content-Length: 2147483648\r\n\r\n--b\r\n"
        )
        data = b""
        while chunk := sock.recv(65536):  # the server closes after its answer
            data += chunk
    reply = data.decode("latin-1")
    assert reply.startswith("HTTP/1.1 413")
    assert "upload limit" in reply
    assert httpx.get(f"{live_server}/health/live").status_code == 200
