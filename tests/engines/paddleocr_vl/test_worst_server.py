"""The VLM server at its worst, over real HTTP: a block it refuses (HTTP 400), runaway
repetition, bare-LOC spotting; and PaddleX's box filter in front of it."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import httpx
import pytest
from PIL import Image

from docparse.settings import Settings
from docparse.testing.fake_vlm import OCR, SPOTTING, FakeVLM, default_responder, malformed_otsl
from tests.fixtures.onnx_models import layout_model
from tests.fixtures.service import running
from tests.fixtures.vlm import with_vlm


def png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(buffer, format="PNG", dpi=(150, 150))
    return buffer.getvalue()


def with_boxes(settings: Settings, tmp_path: Path, boxes: list[list[float]]) -> Settings:
    path = layout_model(tmp_path / "pp-doclayoutv2.onnx", boxes)
    return with_vlm(settings, layout="model").model_copy(update={"layout_model_path": path})


async def test_a_refused_block_fails_alone(
    vlm_client: httpx.AsyncClient, vlm: FakeVLM, docs: Path
) -> None:
    vlm.fail_next(1, status=400)  # one crop refused; retrying would not help
    with (docs / "edgar_image.pdf").open("rb") as handle:
        response = await vlm_client.post("/v1/convert", files={"file": handle})
    assert response.status_code == 200, response.text
    page = response.json()["document"]["pages"][0]
    assert (page["status"], page["engine"], page["fallback"]) == ("ok", "paddleocr-vl", None)
    texts = [b["text"] for b in page["blocks"] if b["label"] != "image"]
    assert texts.count("") == 1 and len(texts) >= 3  # the rest of the page was read
    assert vlm.request_count == vlm.success_count + 1  # and the bad block was not retried
    refused = next(b for b in page["blocks"] if b["label"] != "image" and not b["text"])
    assert refused["error"].startswith("VLM server answered HTTP 400")  # and it says why
    assert all(b["error"] is None for b in page["blocks"] if b["text"])


# [cls, score, x1, y1, x2, y2, order, votes] in the model's 800x800 input pixels.
SLIVER = [22, 0.9, 0, 100, 800, 104, 2, 0]  # 2000 x 7 px on a 2000 x 1400 page: ratio 286


async def test_aspect_ratio_and_context_overflow_fail_one_block(
    vlm_settings: Settings, vlm: FakeVLM, tmp_path: Path
) -> None:
    boxes = [[6, 0.95, 100, 20, 700, 60, 1, 0], SLIVER, [21, 0.9, 100, 200, 700, 700, 3, 0]]
    vlm.max_model_len = 4300  # the title fits beside 4096 new tokens, the big table does not
    async with running(with_boxes(vlm_settings, tmp_path, boxes)) as http:
        response = await http.post("/v1/convert", files={"file": ("page.png", png(2000, 1400))})
    assert response.status_code == 200, response.text
    page = response.json()["document"]["pages"][0]
    assert (page["status"], page["fallback"]) == ("ok", None)
    by_label = {b["label"]: b for b in page["blocks"]}
    assert by_label["doc_title"]["text"].startswith("Text block")
    assert by_label["text"]["text"] == ""  # the sliver: absolute aspect ratio > 200
    assert "absolute aspect ratio must be smaller than 200" in by_label["text"]["error"]
    assert by_label["table"]["text"] == "" and by_label["table"]["html"] is None
    assert "maximum context length is 4300 tokens" in by_label["table"]["error"]
    assert vlm.success_count == 1 and vlm.request_count == 3


async def test_box_filter_runs_before_recognition(
    vlm_settings: Settings, vlm: FakeVLM, tmp_path: Path
) -> None:
    boxes = [
        [22, 0.9, 100, 110, 700, 250, 1, 0],  # text
        [15, 0.9, 200, 150, 260, 170, 2, 0],  # inline_formula inside it
        [18, 0.9, 100, 300, 700, 400, 3, 0],  # reference container
        [19, 0.9, 100, 300, 700, 400, 4, 0],  # reference_content
        [22, 0.9, 100, 500, 700, 502, 5, 0],  # a 3.5 px sliver
        [22, 0.9, 100, 600, 700, 700, 6, 0],  # text
        [22, 0.9, 120, 610, 680, 690, 7, 0],  # a smaller text box over it
    ]
    async with running(with_boxes(vlm_settings, tmp_path, boxes)) as http:
        response = await http.post("/v1/convert", files={"file": ("page.png", png(1000, 1400))})
    assert response.status_code == 200, response.text
    blocks = response.json()["document"]["pages"][0]["blocks"]
    assert sorted(b["label"] for b in blocks) == ["reference_content", "text", "text"]
    assert vlm.prompt_counts == {OCR: 3}


async def test_runaway_repetition_is_cut_as_paddlex_cuts_it(
    vlm_client: httpx.AsyncClient, vlm: FakeVLM, docs: Path
) -> None:
    vlm.responder = lambda prompt, image: "Total revenue 2023\n" * 12
    with (docs / "edgar_image.pdf").open("rb") as handle:
        response = await vlm_client.post("/v1/convert", files={"file": handle})
    blocks = response.json()["document"]["pages"][0]["blocks"]
    texts = {b["text"] for b in blocks if b["label"] != "image"}
    assert texts == {"Total revenue 2023"}


def bare_spotting(prompt: str, image: Image.Image) -> str:
    if prompt != SPOTTING:
        return default_responder(prompt, image)
    loc = "".join(f"<|LOC_{v}|>" for v in (100, 100, 900, 100, 900, 400, 100, 400))
    return f"Bare line{loc}second{loc}"


async def test_spotting_bare_loc_whole_page_upscaled(vlm_settings: Settings, vlm: FakeVLM) -> None:
    vlm.responder = bare_spotting
    request = {
        "file": base64.b64encode(png(600, 800)).decode(),
        "fileType": 1,
        "useLayoutDetection": False,
        "promptLabel": "spotting",
    }
    async with running(vlm_settings) as http:
        response = await http.post("/layout-parsing", json=request)
    assert response.status_code == 200, response.text
    page = response.json()["result"]["layoutParsingResults"][0]
    content = page["prunedResult"]["parsing_res_list"][0]["block_content"]
    assert "Bare line" in content and "second" in content
    assert vlm.calls[-1].prompt == SPOTTING
    assert vlm.calls[-1].image_size == (1200, 1600)  # under 1500 px: read at twice the size


@pytest.mark.parametrize("label", ["spotting", "chart"])
async def test_prompt_label_is_ignored_with_layout_on(
    vlm_settings: Settings, vlm: FakeVLM, docs: Path, label: str
) -> None:
    request = {
        "file": base64.b64encode((docs / "edgar_image.pdf").read_bytes()).decode(),
        "fileType": 0,
        "promptLabel": label,
    }
    async with running(vlm_settings) as http:
        response = await http.post("/layout-parsing", json=request)
    assert response.status_code == 200, response.text
    assert set(vlm.prompt_counts) == {OCR}


async def test_malformed_otsl_keeps_orphan_cells(vlm_settings: Settings, vlm: FakeVLM) -> None:
    vlm.responder = malformed_otsl
    request = {
        "file": base64.b64encode(png(800, 400)).decode(),
        "fileType": 1,
        "useLayoutDetection": False,
        "promptLabel": "table",
    }
    async with running(vlm_settings) as http:
        response = await http.post("/layout-parsing", json=request)
    assert response.status_code == 200, response.text
    page = response.json()["result"]["layoutParsingResults"][0]
    html = page["prunedResult"]["parsing_res_list"][0]["block_content"]
    rows = html.removeprefix("<table>").removesuffix("</table>").split("</tr>")
    # The <lcel> first in row 3 reaches no cell: an empty cell, as PaddleX keeps it, so
    # 2..5 stay under their columns instead of moving one to the left.
    assert rows[2] == "<tr><td></td><td>2</td><td>3</td><td>4</td><td>5</td>"
    assert all(row.count("<td") == 5 for row in rows[:4])
