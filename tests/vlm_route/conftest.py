"""The fake PaddleOCR-VL server and a service configured to use it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from docparse.api.app import create_app
from docparse.settings import Settings
from docparse.testing.fake_vlm import FakeVLM


@pytest.fixture
def vlm() -> Iterator[FakeVLM]:
    with FakeVLM(latency=0.02) as server:
        yield server


@pytest.fixture
def vlm_settings(settings: Settings, vlm: FakeVLM) -> Settings:
    return settings.model_copy(update={
        "vlm_url": vlm.base_url, "default_ocr_engine": "paddleocr-vl",
        "vlm_layout": "tesseract", "vlm_retries": 1, "vlm_failure_threshold": 2,
        "vlm_circuit_reset": 0.5, "vlm_timeout": 10.0, "preload_engines": ["tesseract"]})


@pytest.fixture
async def vlm_client(vlm_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(vlm_settings)
    async with app.router.lifespan_context(app):
        await app.state.service.preload_task
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://docparse",
                                     timeout=120) as http:
            yield http
