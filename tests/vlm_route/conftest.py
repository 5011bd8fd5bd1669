"""The fake PaddleOCR-VL server and a service configured to use it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from docparse.settings import Settings
from docparse.testing.fake_vlm import FakeVLM
from tests.service import running


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
    async with running(vlm_settings) as http:
        yield http
