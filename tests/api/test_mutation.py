"""Real PDFs and images, damaged by hypothesis (bytes flipped, cut short, objects spliced,
numbers in MediaBox / Length / xref changed, headers swapped), posted to a real `docparse
serve` process: every answer is a success or a documented 4xx, within a time bound, and the
service stays ready, leaks no file handle and leaves no temp file behind.

Derandomized (the examples come from a fixed seed, no example database): CI runs the same
inputs every time; a failure prints the seed file, its mutations and the server's log."""

from __future__ import annotations

import base64
import io
import os
import re
import struct
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from tests.conftest import free_port
from tests.fixtures.bad_files import encrypted
from tests.fixtures.made_pdfs import FONT, figures_pdf, words_pdf
from tests.fixtures.service import serve_process
from tests.io.test_damaged_pdf import GOOD_THEN_CYCLE, NOT_A_PAGE, reportlab_pdf

# What each route documents besides 200 (its `responses=` in /openapi.json): 408 and 429
# cannot come from one client sending whole bodies one at a time, but are not bugs.
CONVERT_OK = {200, 408, 413, 415, 422, 429}
PADDLEX_OK = {200, 408, 413, 415, 422, 429}
ANSWER_WITHIN = 60.0  # seconds: a hang, not a slow page (each seed converts in < 2 s)
CONVERT_EXAMPLES = 150
PADDLEX_EXAMPLES = 60
FD_SLACK = 8  # sockets of keep-alive connections, a log file reopened


def text_image(size: tuple[int, int] = (560, 110)) -> Image.Image:
    image = Image.new("L", size, 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 26)
    draw.text((14, 14), "Invoice 4711 total 25.00", font=font)
    draw.text((14, 60), "The quick brown fox jumps", font=font)
    return image


def image_bytes(fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    text_image().save(out, format=fmt, **options)
    return out.getvalue()


def tiff_pages() -> bytes:
    """Two frames: a multi-page TIFF, read page by page."""
    out = io.BytesIO()
    first = text_image()
    first.save(out, format="TIFF", save_all=True, append_images=[text_image((400, 90))])
    return out.getvalue()


def scan_pdf() -> bytes:
    """A small page that is only a picture of text: OCR reads it, whatever the route."""
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=(288, 57))
    pdf.drawImage(ImageReader(text_image()), 0, 0, width=288, height=57)
    pdf.showPage()
    pdf.save()
    return out.getvalue()


@dataclass(frozen=True)
class Seed:
    name: str
    data: bytes = field(repr=False)
    pdf: bool = True


SEEDS = [
    Seed("words.pdf", words_pdf(2), True),
    Seed("figures.pdf", figures_pdf(rows=6), True),
    Seed("scan.pdf", scan_pdf(), True),
    Seed("hello.pdf", reportlab_pdf(1), True),
    Seed("cycle.pdf", GOOD_THEN_CYCLE, True),  # hand-written: an exact xref, plain objects
    Seed("not-a-page.pdf", NOT_A_PAGE, True),
    Seed("encrypted.pdf", encrypted(words_pdf(1)), True),
    Seed("text.png", image_bytes("PNG"), False),
    Seed("text.jpg", image_bytes("JPEG", quality=80), False),
    Seed("pages.tiff", tiff_pages(), False),
]
HEADERS = [b"%PDF-1.7\n", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff\xe0", b"II*\x00", b"MM\x00*"]
HEADERS += [b"RIFF\x00\x00\x00\x00WEBPVP8 ", b"BM", b"GIF89a", b"PK\x03\x04", b""]
# Numbers worth trying where a PDF keeps sizes and offsets.
NUMBERS = [b"0", b"-1", b"1", b"-612", b"99999999", b"2147483648", b"1e308", b"3.4e38"]
NUMBERS += [b"0.0001", b"nan", b"-0", b"18446744073709551617", b"14400", b"7"]
# Where a PDF's structure keeps its numbers: the regions whose numbers are changed.
STRUCTURE = re.compile(
    rb"/MediaBox\s*\[[^\]]*\]|/CropBox\s*\[[^\]]*\]|/Length\s+\d+|/Count\s+-?\d+|/Size\s+\d+"
    rb"|startxref\s+\d+|\d{10} \d{5} [nf]|/Width\s+\d+|/Height\s+\d+|/BitsPerComponent\s+\d+"
    rb"|/Kids\s*\[[^\]]*\]|\d+ 0 obj"
)
NUMBER = re.compile(rb"-?\d+(?:\.\d+)?")
OBJECT = re.compile(rb"\d+ 0 obj\b.*?endobj", re.DOTALL)
# An image's sizes as 2- or 4-byte integers, big- or little-endian (PNG IHDR, JPEG SOF,
# TIFF tags): written over bytes at a drawn place.
INTEGERS = [0, 1, 0xFFFF, 0x7FFF, 0x8000, 0x7FFFFFFF, 0xFFFFFFFF, 46341, 65500]

Mutation = Callable[[st.DrawFn, bytes], bytes]


def position(draw: st.DrawFn, data: bytes) -> int:
    """A place in the file; the head and the tail (headers, xref, trailer) as often as the
    whole of it, where a flip in the middle mostly lands in stream data."""
    if not data:
        return 0
    where = draw(st.sampled_from(["head", "tail", "any"]))
    low, high = {
        "head": (0, min(len(data), 1024)),
        "tail": (max(0, len(data) - 1024), len(data)),
        "any": (0, len(data)),
    }[where]
    return draw(st.integers(low, max(low, high - 1)))


def flip(draw: st.DrawFn, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 8))):
        if out:
            out[position(draw, bytes(out))] ^= draw(st.integers(1, 255))
    return bytes(out)


def truncate(draw: st.DrawFn, data: bytes) -> bytes:
    return data[: position(draw, data)]


def splice(draw: st.DrawFn, data: bytes) -> bytes:
    """An object deleted, doubled or swapped for one of another file; in a file with no
    objects, a run of another seed's bytes pasted in."""
    other = draw(st.sampled_from(SEEDS)).data
    objects = list(OBJECT.finditer(data))
    theirs = list(OBJECT.finditer(other))
    if not objects or not theirs:
        at = position(draw, data)
        start = draw(st.integers(0, len(other) - 1))
        return data[:at] + other[start : start + draw(st.integers(1, 4096))] + data[at:]
    mine = draw(st.sampled_from(objects))
    other_object = draw(st.sampled_from(theirs)).group()
    number = mine.group().split(b" ", 1)[0]
    replacement = {
        "delete": b"",
        "double": mine.group() * 2,
        "swap": other_object,  # under its own number
        "adopt": number + b" 0 obj" + other_object.split(b" 0 obj", 1)[1],  # under mine
    }[draw(st.sampled_from(["delete", "double", "swap", "adopt"]))]
    return data[: mine.start()] + replacement + data[mine.end() :]


def renumber(draw: st.DrawFn, data: bytes) -> bytes:
    """One number of the PDF's structure (a MediaBox corner, a stream Length, an xref
    offset, startxref, a page Count, an object number) set to a hostile value."""
    spots = [
        (region.start() + n.start(), region.start() + n.end())
        for region in STRUCTURE.finditer(data)
        for n in NUMBER.finditer(region.group())
    ]
    if not spots:
        return overwrite(draw, data)
    start, end = draw(st.sampled_from(spots))
    value = draw(st.one_of(st.sampled_from(NUMBERS), st.integers(-(10**6), 10**9).map(_ascii)))
    if draw(st.booleans()) and len(value) < end - start:  # keep the width (an xref entry)
        value = value.rjust(end - start, b"0")
    return data[:start] + value + data[end:]


def _ascii(number: int) -> bytes:
    return str(number).encode()


def overwrite(draw: st.DrawFn, data: bytes) -> bytes:
    """An integer written over bytes where an image keeps its width, height or an offset."""
    if not data:
        return data
    width = draw(st.sampled_from([2, 4]))
    value = draw(st.sampled_from(INTEGERS)) & ((1 << (8 * width)) - 1)
    packed = value.to_bytes(width, draw(st.sampled_from(["big", "little"])))
    at = position(draw, data)
    return data[:at] + packed + data[at + width :]


def swap_header(draw: st.DrawFn, data: bytes) -> bytes:
    """Another format's magic bytes over (or before) this one's."""
    header = draw(st.sampled_from(HEADERS))
    keep = draw(st.sampled_from([0, len(header)]))  # replace the head, or prefix it
    return header + data[len(header) - keep if keep else len(header) :]


MUTATIONS: list[Mutation] = [flip, truncate, splice, renumber, overwrite, swap_header]


@dataclass(frozen=True)
class Damaged:
    seed: Seed
    steps: tuple[str, ...]
    data: bytes

    def __repr__(self) -> str:  # hypothesis prints it: the recipe, not the bytes
        return f"Damaged({self.seed.name}, {list(self.steps)}, {len(self.data)} bytes)"


@st.composite
def damaged(draw: st.DrawFn) -> Damaged:
    seed = draw(st.sampled_from(SEEDS))
    data = seed.data
    steps = draw(st.lists(st.sampled_from(MUTATIONS), min_size=1, max_size=3))
    for step in steps:
        data = step(draw, data)
    return Damaged(seed, tuple(s.__name__ for s in steps), data)


@dataclass
class Service:
    url: str
    process_id: int
    temp_dir: Path
    log: Path


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    tmp_path = tmp_path_factory.mktemp("mutation")
    port = free_port()
    with serve_process(tmp_path, port, wait_for="/health/ready") as process:
        yield Service(
            f"http://127.0.0.1:{port}", process.pid, tmp_path / "tmp", tmp_path / "server.log"
        )


def open_fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def leftovers(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


ENGINES = ["auto", "tesseract", "textlayer"]  # the page routes: as the file says, drawn, read


def post(http: httpx.Client, route: str, seed: Seed, data: bytes, swap: int) -> httpx.Response:
    if route == "/v1/convert":
        engine = ENGINES[swap % len(ENGINES)]
        return http.post(route, files={"file": (seed.name, data)}, data={"engine": engine})
    # fileType as the seed's kind, or the other one: the bytes decide, not the claim.
    kind = int(not seed.pdf) ^ (swap % 2)
    return http.post(route, json={"file": base64.b64encode(data).decode(), "fileType": kind})


def check_answer(route: str, response: httpx.Response, took: float, log: Path) -> None:
    allowed = CONVERT_OK if route == "/v1/convert" else PADDLEX_OK
    assert response.status_code in allowed, (response.status_code, response.text[:500])
    assert took < ANSWER_WITHIN
    if response.status_code == 200:
        return
    body = response.json()  # a documented error body, never a traceback
    if route == "/layout-parsing" and response.status_code != 408:
        assert body["errorCode"] == response.status_code and body["errorMsg"], body
    else:
        assert body["error"]["code"] and body["error"]["message"], body
    assert "Traceback" not in response.text
    assert "Traceback" not in log.read_text(errors="replace")


def run_mutations(service: Service, route: str, examples: int) -> None:
    with httpx.Client(base_url=service.url, timeout=ANSWER_WITHIN) as http:
        # Warm: the first OCR page loads models and starts worker processes.
        for seed in SEEDS:
            assert post(http, route, seed, seed.data, 0).status_code in (200, 422)
        fds = open_fds(service.process_id)

        @settings(
            max_examples=examples,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate, Phase.shrink],
            suppress_health_check=[HealthCheck.too_slow],
        )
        @given(case=damaged(), swap=st.integers(0, 5))  # an engine, or fileType as claimed
        def one(case: Damaged, swap: int) -> None:
            started = time.monotonic()
            response = post(http, route, case.seed, case.data, swap)
            note(f"{route} answered {response.status_code}: {response.text[:300]}")
            check_answer(route, response, time.monotonic() - started, service.log)
            assert http.get("/health/ready").status_code == 200

        one()
        assert http.get("/health/ready").status_code == 200
        # Every upload's handle closed and its temp folder removed, on every path.
        assert open_fds(service.process_id) <= fds + FD_SLACK
        assert leftovers(service.temp_dir) == []


def tiff_without_size() -> bytes:
    """Two frames, the second without its width and height tags (found by the mutations:
    Pillow's TypeError 'Missing dimensions' was a 500)."""
    data = bytearray(tiff_pages())
    first = struct.unpack_from("<I", data, 4)[0]  # Pillow writes little-endian: II*\0
    second = struct.unpack_from(
        "<I", data, first + 2 + 12 * struct.unpack_from("<H", data, first)[0]
    )[0]
    for entry in range(struct.unpack_from("<H", data, second)[0]):
        at = second + 2 + 12 * entry
        if struct.unpack_from("<H", data, at)[0] in (256, 257):  # ImageWidth, ImageLength
            struct.pack_into("<H", data, at, 0xFFF0 + entry)  # a tag nobody knows
    return bytes(data)


def test_a_tiff_frame_without_its_size_is_422(service: Service) -> None:
    response = httpx.post(
        f"{service.url}/v1/convert", files={"file": ("t.tiff", tiff_without_size())}, timeout=30
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "corrupt_document"
    assert "Missing dimensions" in response.json()["error"]["message"]


@pytest.mark.slow  # moved out of the 10-minute default run
def test_damaged_uploads_to_convert_are_answered(service: Service) -> None:
    run_mutations(service, "/v1/convert", CONVERT_EXAMPLES)


@pytest.mark.slow
def test_damaged_files_to_layout_parsing_are_answered(service: Service) -> None:
    run_mutations(service, "/layout-parsing", PADDLEX_EXAMPLES)
