"""The PaddleOCR-VL route end to end: document -> layout -> concurrent VLM calls over HTTP
to a real OpenAI-compatible server -> Markdown/JSON; outages, fallback and recovery."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from docparse.settings import Settings
from docparse.testing.fake_vlm import FakeVLM
from tests.fixtures.service import running
from tests.fixtures.vlm import with_vlm


async def convert(client: httpx.AsyncClient, path: Path, **data: str) -> httpx.Response:
    with path.open("rb") as handle:
        return await client.post("/v1/convert", files={"file": handle}, data=data)


async def test_scan_is_read_block_by_block_by_the_vlm(
    vlm_client: httpx.AsyncClient, vlm: FakeVLM, docs: Path
) -> None:
    response = await convert(vlm_client, docs / "edgar_image.pdf")
    assert response.status_code == 200, response.text
    body = response.json()
    page = body["document"]["pages"][0]
    assert (page["engine"], page["fallback"]) == ("paddleocr-vl", None)
    blocks = page["blocks"]
    assert len(blocks) >= 3  # Tesseract's layout found several blocks
    assert {b["source_engine"] for b in blocks} == {"paddleocr-vl"}
    # Each block's crop went to the server: its answer names the crop's size.
    for block in blocks:
        if block["label"] != "image":
            width = round(block["bbox"]["x1"] - block["bbox"]["x0"])
            assert f"Text block {width}x" in block["text"] or block["label"] != "text"
    assert vlm.prompt_counts["OCR:"] == sum(b["label"] != "image" for b in blocks)
    request = vlm.last_request
    assert request is not None
    assert request["model"] == "PaddlePaddle/PaddleOCR-VL-1.6"
    assert request["mm_processor_kwargs"] == {"min_pixels": 112896, "max_pixels": 1003520}
    assert request["temperature"] == 0.0
    assert "Text block" in body["markdown"]


async def test_born_digital_pages_still_skip_ocr(
    vlm_client: httpx.AsyncClient, vlm: FakeVLM, docs: Path
) -> None:
    response = await convert(vlm_client, docs / "edgar.pdf")
    assert response.json()["pages"][0]["route"] == "text_layer"
    assert vlm.request_count == 0


async def test_blocks_of_all_pages_are_in_flight_together(
    vlm_client: httpx.AsyncClient, vlm: FakeVLM, docs: Path
) -> None:
    vlm.latency = 0.3
    response = await convert(
        vlm_client, docs / "most_content_in_image_form.pdf", engine="paddleocr-vl"
    )
    assert response.status_code == 200
    assert len(response.json()["pages"]) == 7
    assert vlm.max_concurrent >= 4  # blocks of several pages at once, not one by one


async def test_retry_after_a_server_error(
    vlm_client: httpx.AsyncClient, vlm: FakeVLM, docs: Path
) -> None:
    vlm.fail_next(1, status=500)
    response = await convert(vlm_client, docs / "edgar_image.pdf", engine="paddleocr-vl")
    assert response.status_code == 200
    assert response.json()["pages"][0]["engine"] == "paddleocr-vl"
    assert vlm.request_count == vlm.success_count + 1


@pytest.mark.slow  # moved out of the 10-minute default run
async def test_server_down_falls_back_to_cpu_and_recovers(
    vlm_client: httpx.AsyncClient, vlm: FakeVLM, docs: Path
) -> None:
    vlm.down()
    response = await convert(vlm_client, docs / "edgar_image.pdf")
    assert response.status_code == 200
    page = response.json()["document"]["pages"][0]
    assert page["engine"] == "tesseract"
    assert "paddleocr-vl unavailable" in page["fallback"]
    assert {b["source_engine"] for b in page["blocks"]} == {"tesseract"}
    assert "King of" in response.json()["markdown"]
    health = (await vlm_client.get("/health")).json()
    assert health["engines"]["paddleocr-vl"]["state"] == "failed"
    assert health["paddleocr"] == "failed"
    assert health["status"] == "degraded"
    assert (await vlm_client.get("/health/ready")).status_code == 200  # fallback: cpu

    vlm.up()
    await asyncio.sleep(0.6)  # past the circuit's reset time: the next call is a probe
    response = await convert(vlm_client, docs / "edgar_image.pdf")
    assert response.json()["document"]["pages"][0]["engine"] == "paddleocr-vl"
    health = (await vlm_client.get("/health")).json()
    assert health["engines"]["paddleocr-vl"]["state"] == "ready"
    assert health["engines"]["paddleocr-vl"]["detail"]["circuit"] == "closed"


async def test_fallback_fail_makes_outage_an_error(
    vlm_settings: Settings, vlm: FakeVLM, docs: Path
) -> None:
    async with running(with_vlm(vlm_settings, fallback="fail")) as http:
        assert (await http.get("/health/ready")).status_code == 200
        vlm.down()
        response = await convert(http, docs / "edgar_image.pdf")
        assert response.status_code == 503
        error = response.json()["error"]
        assert error["code"] == "engine_unavailable"
        assert "VLM server" in error["message"]
        ready = await http.get("/health/ready")
        assert ready.status_code == 503
        assert "paddleocr-vl" in ready.json()["problems"][0]


async def test_wrong_model_name_says_what_is_served(
    vlm_settings: Settings, vlm: FakeVLM, docs: Path
) -> None:
    vlm.served_models = ["PaddleOCR-VL-1.6-0.9B"]
    async with running(with_vlm(vlm_settings, fallback="fail")) as http:
        health = (await http.get("/health")).json()
        response = await convert(http, docs / "edgar_image.pdf")
    engine = health["engines"]["paddleocr-vl"]
    assert engine["state"] == "failed"
    assert "PaddleOCR-VL-1.6-0.9B" in engine["reason"]
    assert engine["detail"]["served_models"] == ["PaddleOCR-VL-1.6-0.9B"]
    assert response.status_code == 503
    assert "PaddleOCR-VL-1.6-0.9B" in response.json()["error"]["message"]


async def test_spotting_gives_lines_with_boxes(
    vlm_client: httpx.AsyncClient, vlm: FakeVLM, docs: Path
) -> None:
    response = await convert(
        vlm_client, docs / "edgar_image.pdf", engine="paddleocr-vl", spotting="true"
    )
    assert response.status_code == 200
    blocks = response.json()["document"]["pages"][0]["blocks"]
    read = [b for b in blocks if b["label"] != "image"]  # pictures are not sent
    assert vlm.prompt_counts == {"Spotting:": len(read)}
    assert vlm.last_request is not None
    assert vlm.last_request["skip_special_tokens"] is False
    assert vlm.last_request["mm_processor_kwargs"]["max_pixels"] == 1605632
    block = read[0]
    first = block["lines"][0]
    assert first["text"].startswith("Spot ")
    width = block["bbox"]["x1"] - block["bbox"]["x0"]
    # The fake's first quad spans 10%..90% of the crop's width.
    assert first["bbox"]["x0"] - block["bbox"]["x0"] == pytest.approx(0.1 * width, abs=2)
    assert first["bbox"]["x1"] - block["bbox"]["x0"] == pytest.approx(0.9 * width, abs=2)


async def test_cdla_layout_feeds_the_vlm(vlm_settings: Settings, vlm: FakeVLM, docs: Path) -> None:
    async with running(with_vlm(vlm_settings, layout="cdla")) as http:
        response = await convert(
            http, docs / "lots_of_sci_tables.pdf", engine="paddleocr-vl", pages="1"
        )
    assert response.status_code == 200
    blocks = response.json()["document"]["pages"][0]["blocks"]
    assert "table" in {b["label"] for b in blocks}
    assert vlm.prompt_counts["Table Recognition:"] >= 1
