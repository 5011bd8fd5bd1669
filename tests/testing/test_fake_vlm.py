"""The fake PaddleOCR-VL server, tested over real HTTP with httpx: it must behave like vLLM
before the VLM client is tested against it."""

from __future__ import annotations

import asyncio
import base64
import io
import re
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from PIL import Image

from docparse.testing.fake_vlm import (
    CHART,
    FORMULA,
    OCR,
    SEAL,
    SPOTTING,
    TABLE,
    FakeVLM,
)

MODEL = "PaddlePaddle/PaddleOCR-VL-1.6"


def data_url(width: int = 320, height: int = 40, fmt: str = "JPEG") -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(buffer, format=fmt)
    mime = "jpeg" if fmt == "JPEG" else fmt.lower()
    return f"data:image/{mime};base64," + base64.b64encode(buffer.getvalue()).decode()


def chat_body(
    prompt: str = OCR,
    size: tuple[int, int] = (320, 40),
    *,
    image_url: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """The body PaddleX sends for one block (research notes §3.3)."""
    url = image_url if image_url is not None else data_url(*size)
    return {
        "model": MODEL,
        "messages": [
            {
                "role": "user",
                "content": [
                    {"type": "image_url", "image_url": {"url": url}},
                    {"type": "text", "text": prompt},
                ],
            }
        ],
        "temperature": 0,
        "max_completion_tokens": 4096,
        "mm_processor_kwargs": {"min_pixels": 112896, "max_pixels": 1003520},
        **extra,
    }


def answer(vlm: FakeVLM, prompt: str, size: tuple[int, int] = (320, 40), **extra: Any) -> str:
    response = httpx.post(f"{vlm.base_url}/chat/completions", json=chat_body(prompt, size, **extra))
    assert response.status_code == 200, response.text
    return str(response.json()["choices"][0]["message"]["content"])


@pytest.fixture(scope="module")
def shared_vlm() -> Iterator[FakeVLM]:
    # One server for the module: stopping one takes uvicorn ~0.2 s.
    with FakeVLM() as server:
        yield server


@pytest.fixture
def vlm(shared_vlm: FakeVLM) -> FakeVLM:
    """A default FakeVLM, reset for each test."""
    shared_vlm.reset()
    return shared_vlm


# -- endpoints ---------------------------------------------------------------------------------


def test_health_and_models(vlm: FakeVLM) -> None:
    assert vlm.base_url == f"http://127.0.0.1:{vlm.port}/v1"
    health = httpx.get(f"{vlm.url}/health")
    assert (health.status_code, health.content) == (200, b"")
    models = httpx.get(f"{vlm.base_url}/models").json()
    assert models["object"] == "list"
    assert [(m["id"], m["object"], m["owned_by"]) for m in models["data"]] == [
        (MODEL, "model", "vllm")
    ]


def test_served_models_configurable_and_changeable() -> None:
    with FakeVLM(served_models=["PaddleOCR-VL-1.5-0.9B", "other"]) as vlm:
        ids = [m["id"] for m in httpx.get(f"{vlm.base_url}/models").json()["data"]]
        assert ids == ["PaddleOCR-VL-1.5-0.9B", "other"]
        vlm.served_models = ["renamed"]
        ids = [m["id"] for m in httpx.get(f"{vlm.base_url}/models").json()["data"]]
        assert ids == ["renamed"]
        body = chat_body() | {"model": "renamed"}
        assert httpx.post(f"{vlm.base_url}/chat/completions", json=body).status_code == 200


def test_unknown_model_is_404_with_vllm_body(vlm: FakeVLM) -> None:
    response = httpx.post(
        f"{vlm.base_url}/chat/completions", json=chat_body() | {"model": "PaddleOCR-VL-0.9B"}
    )
    assert response.status_code == 404
    assert response.json() == {
        "error": {
            "message": "The model `PaddleOCR-VL-0.9B` does not exist.",
            "type": "NotFoundError",
            "param": "model",
            "code": 404,
        }
    }


def test_unknown_model_flat_error_style() -> None:
    with FakeVLM(error_style="flat") as vlm:
        response = httpx.post(f"{vlm.base_url}/chat/completions", json=chat_body() | {"model": "X"})
    assert response.status_code == 404
    assert response.json() == {
        "object": "error",
        "message": "The model `X` does not exist.",
        "type": "NotFoundError",
        "param": None,
        "code": 404,
    }


def test_api_key() -> None:
    with FakeVLM(api_key="secret") as vlm:
        url = f"{vlm.base_url}/chat/completions"
        assert httpx.post(url, json=chat_body()).status_code == 401
        wrong = httpx.post(url, json=chat_body(), headers={"Authorization": "Bearer nope"})
        assert (wrong.status_code, wrong.json()) == (401, {"error": "Unauthorized"})
        assert httpx.get(f"{vlm.base_url}/models").status_code == 401
        assert httpx.get(f"{vlm.url}/health").status_code == 200  # vLLM guards /v1 only
        right = httpx.post(url, json=chat_body(), headers={"Authorization": "Bearer secret"})
        assert right.status_code == 200
        assert vlm.request_count == 3 and vlm.success_count == 1


@pytest.mark.parametrize(
    "image_url",
    [
        "https://example.com/a.jpg",  # not a data URL
        "data:image/png;base64,@@not-base64@@",  # undecodable base64
        "data:image/png;base64," + base64.b64encode(b"not an image").decode(),
    ],
)
def test_bad_image_is_400(vlm: FakeVLM, image_url: str) -> None:
    response = httpx.post(f"{vlm.base_url}/chat/completions", json=chat_body(image_url=image_url))
    assert response.status_code == 400
    assert response.json()["error"]["type"] == "BadRequestError"
    assert vlm.success_count == 0


@pytest.mark.parametrize(
    "body_change",
    [
        {"prompt": "Describe this image."},
        {"prompt": "ocr:"},
        {"no_image": True},
        {"temperature": -1},
        {"max_completion_tokens": 0},
    ],
)
def test_invalid_requests_are_400(vlm: FakeVLM, body_change: dict[str, Any]) -> None:
    body = chat_body(body_change.pop("prompt", OCR), **body_change)
    if body.pop("no_image", False):
        body["messages"][0]["content"].pop(0)
    response = httpx.post(f"{vlm.base_url}/chat/completions", json=body)
    assert response.status_code == 400, response.text


def test_response_is_a_chat_completion(vlm: FakeVLM) -> None:
    body = httpx.post(f"{vlm.base_url}/chat/completions", json=chat_body()).json()
    assert body["id"].startswith("chatcmpl-")
    assert (body["object"], body["model"]) == ("chat.completion", MODEL)
    assert isinstance(body["created"], int)
    choice = body["choices"][0]
    assert choice["message"]["role"] == "assistant"
    assert choice["finish_reason"] == "stop"
    usage = body["usage"]
    assert usage["prompt_tokens"] > 0 and usage["completion_tokens"] > 0
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]


def test_max_tokens_cuts_the_answer(vlm: FakeVLM) -> None:
    body = httpx.post(
        f"{vlm.base_url}/chat/completions", json=chat_body(max_completion_tokens=2)
    ).json()
    assert body["choices"][0]["message"]["content"] == "Text block"
    assert body["choices"][0]["finish_reason"] == "length"
    assert body["usage"]["completion_tokens"] == 2


# -- answer formats ----------------------------------------------------------------------------


def test_ocr_names_the_crop(vlm: FakeVLM) -> None:
    assert answer(vlm, OCR, (320, 40)) == "Text block 320x40"
    assert answer(vlm, OCR, (500, 60)) == "Text block 500x60"


def parse_otsl(otsl: str) -> list[list[str]]:
    """Rows of OTSL tags, the text dropped."""
    rows = [re.findall(r"<fcel>|<ecel>|<lcel>|<ucel>|<xcel>", row) for row in otsl.split("<nl>")]
    return [row for row in rows if row]


def test_table_is_otsl_with_colspan_and_rowspan(vlm: FakeVLM) -> None:
    otsl = answer(vlm, TABLE, (400, 200))
    assert otsl.startswith("<fcel>Table 400x200") and otsl.endswith("<nl>")
    rows = parse_otsl(otsl)
    assert len({len(row) for row in rows}) == 1, "every row has the same width"
    spans = [
        (r, c, tag)
        for r, row in enumerate(rows)
        for c, tag in enumerate(row)
        if tag in ("<lcel>", "<ucel>")
    ]
    assert {tag for _, _, tag in spans} == {"<lcel>", "<ucel>"}
    for r, c, tag in spans:  # each span continues a real cell
        anchor = rows[r][c - 1] if tag == "<lcel>" else rows[r - 1][c]
        assert anchor == "<fcel>"
    assert "<ecel>" in otsl


def test_formula_is_latex_in_display_delimiters(vlm: FakeVLM) -> None:
    latex = answer(vlm, FORMULA, (300, 80))
    match = re.fullmatch(r"\\\[(.+)\\\]", latex, re.S)
    assert match is not None, latex
    assert "300x80" in match[1] and "\\frac" in match[1]


def test_chart_is_pipe_rows(vlm: FakeVLM) -> None:
    lines = answer(vlm, CHART, (600, 400)).split("\n")
    cells = [line.split(" | ") for line in lines]
    assert len(cells) >= 2 and len({len(row) for row in cells}) == 1
    assert cells[0][0] == "Chart 600x400"
    assert not any(line.startswith("|") or line.endswith("|") for line in lines)


def test_seal_is_plain_text(vlm: FakeVLM) -> None:
    text = answer(vlm, SEAL, (200, 200))
    assert "200x200" in text and "<" not in text


def test_spotting_keeps_loc_tokens_only_without_skip_special_tokens(vlm: FakeVLM) -> None:
    raw = answer(vlm, SPOTTING, (640, 80), skip_special_tokens=False)
    # Parsed the way PaddleX's post_process_for_spotting does (notes §4.4).
    texts = re.findall(r"<\|TEXT_START\|>(.*?)<\|TEXT_END\|>", raw)
    blocks = re.findall(r"<\|LOC_BEGIN\|>(.*?)<\|LOC_END\|>", raw)
    assert texts == ["Spot 640x80", "second line"] and len(blocks) == 2
    for block in blocks:
        values = [int(v) for v in re.findall(r"<\|LOC_(\d+)\|>", block)]
        assert len(values) == 8 and all(0 <= v <= 1000 for v in values)
    # vLLM skips special tokens by default, which drops the locations.
    stripped = answer(vlm, SPOTTING, (640, 80))
    assert "<|" not in stripped and "Spot 640x80" in stripped


def test_custom_responder_can_change_while_running() -> None:
    with FakeVLM(responder=lambda prompt, image: f"{prompt} {image.size}") as vlm:
        assert answer(vlm, TABLE, (10, 20)) == "Table Recognition: (10, 20)"
        vlm.responder = lambda prompt, image: "changed"
        assert answer(vlm, OCR) == "changed"


# -- what the client sent ----------------------------------------------------------------------


def test_records_the_request(vlm: FakeVLM) -> None:
    body = chat_body(TABLE, (123, 45), top_p=0.9, repetition_penalty=1.05, skip_special_tokens=True)
    assert httpx.post(f"{vlm.base_url}/chat/completions", json=body).status_code == 200
    answer(vlm, OCR)
    answer(vlm, OCR)
    assert vlm.last_request == chat_body(OCR)
    assert vlm.request_count == vlm.success_count == 3
    assert vlm.prompt_counts == {TABLE: 1, OCR: 2}
    first = vlm.calls[0]
    assert (first.prompt, first.image_size, first.model) == (TABLE, (123, 45), MODEL)
    assert first.params["repetition_penalty"] == 1.05 and first.params["top_p"] == 0.9
    assert first.params["mm_processor_kwargs"] == {"min_pixels": 112896, "max_pixels": 1003520}
    vlm.reset_counters()
    assert (vlm.request_count, vlm.prompt_counts, vlm.last_request) == (0, {}, None)


def test_reset_restores_knobs(vlm: FakeVLM) -> None:
    vlm.latency, vlm.capacity, vlm.served_models = 5.0, 1, ["gone"]
    vlm.fail_next(3)
    vlm.down()
    vlm.reset()
    assert (vlm.latency, vlm.capacity, vlm.served_models) == (0.0, None, [MODEL])
    assert vlm.is_up and answer(vlm, OCR) == "Text block 320x40"


# -- behaviour knobs ---------------------------------------------------------------------------


async def post_many(vlm: FakeVLM, n: int) -> list[httpx.Response]:
    body = chat_body()
    async with httpx.AsyncClient(base_url=vlm.base_url, timeout=10) as client:
        return await asyncio.gather(
            *(client.post("/chat/completions", json=body) for _ in range(n))
        )


async def test_latency_and_capacity() -> None:
    with FakeVLM(latency=0.2, capacity=2) as vlm:
        start = time.monotonic()
        responses = await post_many(vlm, 10)
        elapsed = time.monotonic() - start
    assert all(r.status_code == 200 for r in responses)
    assert 0.95 <= elapsed < 1.5, elapsed  # five rounds of two
    assert vlm.max_concurrent == 2 and vlm.success_count == 10


async def test_capacity_raised_while_requests_wait() -> None:
    with FakeVLM(latency=0.3, capacity=1) as vlm:
        start = time.monotonic()
        batch = asyncio.ensure_future(post_many(vlm, 4))
        await asyncio.sleep(0.1)
        vlm.capacity = None  # the three waiting requests start now
        responses = await batch
        elapsed = time.monotonic() - start
    assert all(r.status_code == 200 for r in responses)
    assert elapsed < 0.8, elapsed  # 1.2 s if they had waited their turns
    assert vlm.max_concurrent == 4


def test_fail_next(vlm: FakeVLM) -> None:
    url = f"{vlm.base_url}/chat/completions"
    vlm.fail_next(2, status=503)
    vlm.fail_next()  # queued after those: one 500
    statuses = [httpx.post(url, json=chat_body()).status_code for _ in range(4)]
    assert statuses == [503, 503, 500, 200]
    vlm.fail_next(1)
    failed = httpx.post(url, json=chat_body())
    assert failed.json()["error"]["type"] == "InternalServerError"
    assert failed.json()["error"]["code"] == 500
    assert vlm.request_count == 5 and vlm.success_count == 1


def test_down_refuses_connections_and_up_restores(vlm: FakeVLM) -> None:
    answer(vlm, OCR)
    port = vlm.port
    vlm.down()
    assert not vlm.is_up
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{vlm.url}/health")
    with pytest.raises(httpx.ConnectError):
        httpx.post(f"{vlm.base_url}/chat/completions", json=chat_body())
    vlm.up()
    assert vlm.is_up and vlm.port == port
    assert answer(vlm, OCR) == "Text block 320x40"
    assert vlm.success_count == 2  # counters survive the restart


def test_stop_leaves_no_thread_behind() -> None:
    before = set(threading.enumerate())
    vlm = FakeVLM().start()
    answer(vlm, OCR)
    vlm.stop()
    vlm.stop()  # harmless the second time
    assert set(threading.enumerate()) <= before
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{vlm.port}/health")


def test_port_taken_raises_and_leaves_no_thread(vlm: FakeVLM) -> None:
    before = set(threading.enumerate())
    with pytest.raises(OSError), FakeVLM(port=vlm.port):
        pass
    assert set(threading.enumerate()) <= before


# -- the server at its worst ----------------------------------------------------------------


def test_extreme_aspect_ratio_is_a_400(vlm: FakeVLM) -> None:
    body = chat_body(size=(2010, 10))
    response = httpx.post(f"{vlm.base_url}/chat/completions", json=body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["type"] == "BadRequestError"
    assert error["message"].startswith("absolute aspect ratio must be smaller than 200, got 201")


def test_context_overflow_is_a_400_with_vllms_message(vlm: FakeVLM) -> None:
    vlm.max_model_len = 4200
    body = chat_body(size=(1000, 1000), max_completion_tokens=4096)
    response = httpx.post(f"{vlm.base_url}/chat/completions", json=body)
    assert response.status_code == 400
    message = response.json()["error"]["message"]
    assert "'max_tokens' or 'max_completion_tokens' is too large: 4096" in message
    assert "maximum context length is 4200 tokens" in message
    models = httpx.get(f"{vlm.base_url}/models").json()["data"]
    assert models[0]["max_model_len"] == 4200


def test_slow_generation_takes_time_per_token(vlm: FakeVLM) -> None:
    from docparse.testing.fake_vlm import repetition_loop

    vlm.responder = repetition_loop
    vlm.token_latency = 0.002
    started = time.monotonic()
    response = httpx.post(f"{vlm.base_url}/chat/completions", json=chat_body(), timeout=30)
    took = time.monotonic() - started
    tokens = response.json()["usage"]["completion_tokens"]
    assert tokens == 36  # "Total revenue 2023" x 12, three tokens a line
    assert took >= 36 * 0.002


def test_worst_case_responders() -> None:
    from docparse.testing.fake_vlm import bare_loc_spotting, malformed_otsl, repetition_loop

    image = Image.new("RGB", (100, 50))
    assert repetition_loop(TABLE, image).count("<nl>") == 801
    assert malformed_otsl(TABLE, image).endswith("<fcel>x")
    spotted = bare_loc_spotting(SPOTTING, image)
    assert "<|TEXT_START|>" not in spotted and spotted.count("<|LOC_") == 16
