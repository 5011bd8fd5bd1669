"""The searchable PDF against what a hostile probe tried (through the real app): a
multi-page TIFF whose last frame is cut short, a PDF with an owner password and
restricted permissions, a job whose input is gone, and formats=pdf,pdf."""

from __future__ import annotations

import base64
import io

import pikepdf
import pytest
from PIL import Image, ImageDraw

from docparse.settings import Settings
from tests.api.test_jobs import job_folder, ocr, submit
from tests.fixtures.degrade import rasterize, scan_pdf
from tests.fixtures.jobs import wait_for
from tests.fixtures.made_pdfs import words_pdf
from tests.fixtures.searchable import pdfium_text
from tests.fixtures.service import running

FRAME = (600, 300)  # pixels, at 150 dpi: 288 x 144 pt
FRAME_POINTS = (288.0, 144.0)


def truncated_tiff() -> bytes:
    """Three frames of large words; the file ends halfway through the last one's pixels."""
    frames = []
    for number in (1, 2, 3):
        frame = Image.new("L", FRAME, 255)
        ImageDraw.Draw(frame).text((30, 100), f"Frame {number} words", fill=0, font_size=60)
        frames.append(frame)
    out = io.BytesIO()
    frames[0].save(out, "TIFF", save_all=True, append_images=frames[1:], dpi=(150, 150))
    whole = out.getvalue()
    return whole[: len(whole) - FRAME[0] * FRAME[1] // 2]


def page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        return [(round(float(p.mediabox[2])), round(float(p.mediabox[3]))) for p in doc.pages]


def tiff_upload(data: bytes, **fields: str) -> dict[str, object]:
    return {"files": {"file": ("scan.tiff", data, "image/tiff")}, "data": fields}


@pytest.fixture(scope="module")
def locked_scan() -> tuple[bytes, pikepdf.Permissions]:
    """A scanned page anyone may open (no user password) but only its owner may print,
    copy from or change."""
    allow = pikepdf.Permissions(
        extract=False, modify_other=False, modify_annotation=False, print_highres=False
    )
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(scan_pdf(rasterize(words_pdf(1), dpi=200), 200))) as pdf:
        pdf.save(out, encryption=pikepdf.Encryption(owner="secret", user="", allow=allow))
    return out.getvalue(), allow


async def test_a_truncated_last_frame_leaves_a_blank_page_in_the_pdf(settings: Settings) -> None:
    tiff = truncated_tiff()
    async with running(ocr(settings)) as http:
        answer = await http.post("/v1/convert", **tiff_upload(tiff, formats="md,pdf"))
        assert answer.status_code == 200, answer.text
        body = answer.json()
        # The last page's failure is said in the JSON; the PDF keeps every page.
        assert [p["status"] for p in body["pages"]] == ["ok", "ok", "failed"]
        pdf = base64.b64decode(body["pdf"])
        assert page_sizes(pdf) == [FRAME_POINTS] * 3
        assert "Frame 1" in pdfium_text(pdf) and "Frame 2" in pdfium_text(pdf)

        job_id = await submit(http, **tiff_upload(tiff))
        assert (await wait_for(http, job_id))["state"] == "succeeded"
        result = await http.get(f"/v1/jobs/{job_id}/result", params={"format": "pdf"})
        assert result.status_code == 200, result.text
        assert page_sizes(result.content) == [FRAME_POINTS] * 3


async def test_an_owner_password_pdf_keeps_its_restrictions(
    settings: Settings, locked_scan: tuple[bytes, pikepdf.Permissions]
) -> None:
    locked, allow = locked_scan
    async with running(ocr(settings)) as http:
        answer = await http.post(
            "/v1/convert", files={"file": ("locked.pdf", locked)}, data={"formats": "pdf"}
        )
    assert answer.status_code == 200, answer.text
    with pikepdf.open(io.BytesIO(answer.content)) as pdf:  # no user password, as the input
        assert pdf.is_encrypted
        assert pdf.allow == allow
    assert "quick brown fox" in pdfium_text(answer.content)  # the layer is there


async def test_a_job_whose_input_is_gone_answers_410_without_internal_names(
    settings: Settings,
) -> None:
    async with running(ocr(settings)) as http:
        job_id = await submit(http, **tiff_upload(truncated_tiff()))
        assert (await wait_for(http, job_id))["state"] == "succeeded"
        (job_folder(settings, job_id) / "input").unlink()
        for path, params in (
            (f"/v1/jobs/{job_id}/result", {"format": "pdf"}),
            (f"/v1/jobs/{job_id}/pages/1", {}),
        ):
            gone = await http.get(path, params=params)
            assert gone.status_code == 410, (path, gone.text)
            assert gone.json()["error"]["code"] == "job_expired"
            assert "-input" not in gone.text and "document" not in gone.text


async def test_a_damaged_input_is_not_named_by_its_path(settings: Settings) -> None:
    async with running(ocr(settings)) as http:
        job_id = await submit(http, **tiff_upload(truncated_tiff()))
        assert (await wait_for(http, job_id))["state"] == "succeeded"
        for damage in (b"no image at all", b"%PDF-1.7 and nothing else"):  # Pillow, qpdf
            (job_folder(settings, job_id) / "input").write_bytes(damage)
            damaged = await http.get(f"/v1/jobs/{job_id}/result", params={"format": "pdf"})
            assert damaged.status_code == 422, damaged.text
            assert "the input" in damaged.text
            assert str(settings.data_dir) not in damaged.text and "/input" not in damaged.text


async def test_formats_pdf_twice_is_formats_pdf(settings: Settings) -> None:
    async with running(ocr(settings)) as http:
        answer = await http.post(
            "/v1/convert",
            files={"file": ("words.pdf", words_pdf(1))},
            data={"formats": "pdf, PDF,pdf"},
        )
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF-")
