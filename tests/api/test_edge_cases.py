"""Input at the edges, through the real service: page ranges without a start, MIME-wrapped
Base64, images between Pillow's bomb guard and the configured pixel limit, bodies
Starlette cannot parse, wrong methods, claimed lengths on routes that take no body, and
uploads that trickle."""

from __future__ import annotations

import base64
import io
import socket
import struct
import threading
import time
import zlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlparse

import httpx
import numpy as np
import pytest
from PIL import Image

from docparse.errors import LimitExceeded
from docparse.io.sniff import Kind
from docparse.io.sources import ImageSource, Limits
from docparse.settings import Settings
from tests.api.test_mutation import text_image
from tests.fixtures.service import running


@pytest.fixture
async def light_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The service without engines preloaded: for requests refused before any engine."""
    async with running(settings.model_copy(update={"preload_engines": []})) as http:
        yield http


# --- pages ---------------------------------------------------------------------------


@pytest.mark.parametrize("pages", ["-5", "-", "--5", "-1,2"])
async def test_a_page_range_without_a_first_page_is_422(
    light_client: httpx.AsyncClient, docs: Path, pages: str
) -> None:
    # Was read as "1-5" (an open start), so a one-page document converted with 200.
    with (docs / "edgar.pdf").open("rb") as handle:
        response = await light_client.post(
            "/v1/convert", files={"file": handle}, data={"pages": pages, "engine": "textlayer"}
        )
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_options"
    assert repr(pages.split(",")[0]) in error["message"]


# --- Base64 with line breaks --------------------------------------------------------


@pytest.mark.parametrize("wrap", ["mime", "crlf", "spaces"])
async def test_base64_wrapped_in_lines_is_decoded(
    client: httpx.AsyncClient, docs: Path, wrap: str
) -> None:
    data = (docs / "edgar.pdf").read_bytes()
    if wrap == "mime":  # what base64.encodebytes and MIME clients send: 76 columns and \n
        text = base64.encodebytes(data).decode()
    elif wrap == "crlf":
        text = base64.encodebytes(data).decode().replace("\n", "\r\n")
    else:
        plain = base64.b64encode(data).decode()
        text = " \t".join(plain[i : i + 64] for i in range(0, len(plain), 64)) + "\n"
    response = await client.post("/layout-parsing", json={"file": text, "fileType": 0})
    assert response.status_code == 200, response.text[:500]
    markdown = response.json()["result"]["layoutParsingResults"][0]["markdown"]["text"]
    assert "EDGAR" in markdown.upper()


@pytest.mark.parametrize("junk", ["JVBE\nRi0x$LjQ=", "JVBERi0x\n*jQ=", "JVBE\u00a0Ri0xLjQ="])
async def test_base64_with_other_junk_is_still_422(
    light_client: httpx.AsyncClient, junk: str
) -> None:
    response = await light_client.post("/layout-parsing", json={"file": junk, "fileType": 0})
    assert response.status_code == 422, response.text
    assert "Base64" in response.json()["errorMsg"]


# --- the pixel limit ----------------------------------------------------------------


def blank_png(width: int, height: int) -> bytes:
    """A width × height one-bit white PNG, written row by row: a few kilobytes, and no
    image of that size is ever held in memory here."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        body = kind + payload
        return struct.pack(">I", len(payload)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + b"\xff" * ((width + 7) // 8)  # filter 0, all white
    packer = zlib.compressobj(9)
    rows = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    ("width", "height", "limit"),
    [
        (10_000, 9_000, 100_000_000),  # 90 M: over Pillow's 89,478,485 warning
        (10_000, 10_000, 100_000_000),  # exactly the limit
        (14_000, 13_600, 200_000_000),  # 190 M: over Pillow's 2× error, under the limit
    ],
)
def test_an_image_within_the_configured_limit_is_accepted(
    tmp_path: Path, width: int, height: int, limit: int
) -> None:
    # Refused before: Pillow's decompression-bomb guard (89.5 M pixels) was the limit.
    path = tmp_path / "big.png"
    path.write_bytes(blank_png(width, height))
    source = ImageSource(path, Kind.png, Limits(max_pages=10, max_image_pixels=limit))
    try:
        assert source.page_count == 1
        assert source.pixels(0) == width * height
    finally:
        source.close()


def test_an_image_over_the_configured_limit_names_it(tmp_path: Path) -> None:
    path = tmp_path / "big.png"
    path.write_bytes(blank_png(10_001, 10_000))
    with pytest.raises(LimitExceeded) as refused:
        ImageSource(path, Kind.png, Limits(max_pages=10, max_image_pixels=100_000_000))
    assert "100,000,000" in refused.value.message
    assert "DOCPARSE_MAX_IMAGE_PIXELS" in refused.value.message


def pillow_guard_at(pixels: int | None) -> Iterator[None]:
    saved = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = pixels
    try:
        yield
    finally:
        Image.MAX_IMAGE_PIXELS = saved


@pytest.fixture(autouse=True)
def pillow_guard_restored() -> Iterator[None]:
    """Whatever a test does to Pillow's process-wide guard is undone after it."""
    yield from pillow_guard_at(Image.MAX_IMAGE_PIXELS)


@pytest.fixture
def small_pillow_guard() -> Iterator[None]:
    """Pillow's guard at 1 M pixels: the 89.5 M-pixel case at a size a test can convert."""
    yield from pillow_guard_at(1_000_000)


async def test_the_service_applies_the_configured_pixel_limit_not_pillows(
    settings: Settings, small_pillow_guard: None
) -> None:
    # Between Pillow's warning and its error, and past its error: both were 413 before.
    config = settings.model_copy(
        update={"max_image_pixels": 4_000_000, "preload_engines": ["tesseract"]}
    )
    async with running(config) as http:
        for width, height in [(1_200, 1_000), (2_000, 1_500)]:
            response = await http.post(
                "/v1/convert",
                files={"file": ("big.png", blank_png(width, height))},
                data={"engine": "tesseract"},
            )
            assert response.status_code == 200, response.text
        over = await http.post("/v1/convert", files={"file": ("over.png", blank_png(2_001, 2_000))})
    assert over.status_code == 413, over.text
    error = over.json()["error"]
    assert error["code"] == "limit_exceeded"
    assert "4,000,000" in error["message"]
    assert "DOCPARSE_MAX_IMAGE_PIXELS" in error["message"]


# --- bodies Starlette cannot parse: 422 like any invalid request --------------------


async def test_a_multipart_body_without_a_boundary_is_422(
    light_client: httpx.AsyncClient,
) -> None:
    response = await light_client.post(
        "/v1/convert",
        content=b"--x\r\nContent-Disposition: form-data; name=file\r\n\r\nx\r\n--x--\r\n",
        headers={"content-type": "multipart/form-data"},
    )
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_request"
    assert "boundary" in error["message"]


@pytest.mark.parametrize("what", ["fields", "files"])
async def test_more_than_a_thousand_parts_is_422(
    light_client: httpx.AsyncClient, what: str
) -> None:
    if what == "fields":
        parts = [(f"f{i}", (None, "x")) for i in range(1001)]
    else:
        parts = [("file", (f"{i}.png", b"x")) for i in range(1001)]
    response = await light_client.post("/v1/convert", files=parts)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_request"
    assert "1000" in error["message"]


# --- wrong methods, lengths claimed where no body is read ---------------------------


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("GET", "/v1/convert", "POST"),
        ("PUT", "/layout-parsing", "POST"),
        ("DELETE", "/health", "GET"),
        ("POST", "/health/live", "GET"),
    ],
)
async def test_a_wrong_method_is_405_in_the_error_shape(
    light_client: httpx.AsyncClient, method: str, path: str, allow: str
) -> None:
    response = await light_client.request(method, path)
    assert response.status_code == 405
    assert response.headers["content-type"] == "application/json"
    assert allow in response.headers["allow"]
    if path == "/layout-parsing":  # PaddleX's route answers in PaddleX's envelope
        body = response.json()
        assert (body["errorCode"], body["errorMsg"]) == (405, "Method Not Allowed")
        assert body["logId"]
    else:
        assert response.json() == {"error": {"code": "http_405", "message": "Method Not Allowed"}}


async def test_a_huge_claimed_length_on_a_route_without_a_body_is_not_413(
    light_client: httpx.AsyncClient,
) -> None:
    huge = {"content-length": str(10**12)}
    # Was 413 (undocumented on these routes): the size guard looked at every request;
    # now at those whose method carries a body.
    assert (await light_client.get("/health/live", headers=huge)).status_code == 200
    assert (await light_client.get("/version", headers=huge)).status_code == 200
    upload = await light_client.post("/v1/convert", headers=huge)
    assert upload.status_code == 413  # where a body is read, still refused at once
    assert "DOCPARSE_MAX_UPLOAD_BYTES" in upload.json()["error"]["message"]


async def test_an_invalid_claimed_length_on_an_upload_route_is_422(
    light_client: httpx.AsyncClient,
) -> None:
    response = await light_client.post("/v1/convert", headers={"content-length": "lots"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"


# --- uploads that trickle ------------------------------------------------------------


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Every test here: a one-second body deadline (the default is 120 s)."""
    return settings.model_copy(update={"upload_timeout": 1.0})


def test_an_upload_that_trickles_is_cut_off_with_408(live_server: str) -> None:
    url = urlparse(live_server)
    stop = threading.Event()
    with socket.create_connection((url.hostname, url.port), timeout=15) as sock:
        sock.sendall(
            b"POST /v1/convert HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: multipart/form-data; boundary=b\r\n"
            b"Content-Length: 100000\r\n\r\n"
        )
        started = time.monotonic()

        def trickle() -> None:  # two bytes a second: never idle long, never finished
            body = b'--b\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\n'
            for byte in body + b"x" * 1000:
                if stop.wait(0.5):
                    return
                try:
                    sock.sendall(bytes([byte]))
                except OSError:
                    return  # the server has closed after its answer

        sender = threading.Thread(target=trickle, daemon=True)
        sender.start()
        data = b""
        try:
            while chunk := sock.recv(65536):  # until the server closes (or 15 s)
                data += chunk
        except OSError:
            pass  # reset: the answer, if any, was read before
        finally:
            stop.set()
            sender.join()
    took = time.monotonic() - started
    reply = data.decode("latin-1")
    assert reply.startswith("HTTP/1.1 408"), reply or "no answer"
    assert '"code": "upload_timeout"' in reply
    assert "DOCPARSE_UPLOAD_TIMEOUT" in reply
    assert took < 1.0 + 5
    assert httpx.get(f"{live_server}/health/live").status_code == 200


@pytest.mark.slow  # moved out of the 10-minute default run
def test_a_conversion_longer_than_the_upload_timeout_is_not_cut_off(
    live_server: str, docs: Path
) -> None:
    # The deadline is for the body: once it has arrived, the conversion takes its time
    # (an OCR page of a scan, longer than 1 s here), with the client still waiting.
    with (docs / "edgar_image.pdf").open("rb") as handle:
        started = time.monotonic()
        response = httpx.post(
            f"{live_server}/v1/convert",
            files={"file": handle},
            data={"engine": "tesseract"},
            timeout=300,
        )
    assert response.status_code == 200, response.text
    assert time.monotonic() - started > 1.0, "too fast to show anything: use a slower page"


# --- images a line thin or a pixel small --------------------------------------------


@pytest.mark.parametrize(("width", "height"), [(1, 1), (4, 4), (1, 20_000), (3_000, 4)])
async def test_an_image_a_few_pixels_thin_converts_to_an_empty_page(
    client: httpx.AsyncClient, width: int, height: int
) -> None:
    # Answered 500: the table search's white-line pass sliced a 4-pixel image to nothing.
    response = await client.post(
        "/v1/convert",
        files={"file": ("thin.png", blank_png(width, height), "image/png")},
        data={"engine": "tesseract", "formats": "json"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["pages"][0]["route"] == "ocr"
    assert body["document"]["pages"][0]["blocks"] == []


@pytest.mark.parametrize("mode", ["I;16", "I", "F"])
async def test_a_16_bit_grey_scan_is_read(client: httpx.AsyncClient, mode: str) -> None:
    # 16-bit and float greys were clipped to 0..255 on the way to RGB: paper and ink alike
    # turned white, and the page came back empty.
    grey = 60 + np.asarray(text_image(), dtype=np.float64) * (235 - 60) / 255  # grey ink
    deep = grey / 255 if mode == "F" else grey * 257  # F: 0..1, the others 0..65535
    image = Image.fromarray(deep.astype({"I;16": np.uint16, "I": np.int32, "F": np.float32}[mode]))
    if mode == "I;16":
        image = image.convert("I;16") if image.mode != "I;16" else image
    out = io.BytesIO()
    image.save(out, format="TIFF")
    response = await client.post(
        "/v1/convert",
        files={"file": ("deep.tif", out.getvalue(), "image/tiff")},
        data={"formats": "txt"},
    )
    assert response.status_code == 200, response.text
    assert "quick brown fox" in response.json()["text"], response.json()["text"]
