"""Tesseract behind its engine: what it must never be handed."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from PIL import Image

from docparse.engines.base import PageImage, RecognizeOptions
from docparse.engines.tesseract import TesseractEngine
from docparse.errors import RecognitionFailed
from docparse.settings import Settings


async def test_a_side_past_tesseracts_limit_fails_the_page_not_the_process(
    settings: Settings,
) -> None:
    # Dark, so Sauvola is chosen: with it Tesseract's layout asserts and aborts past 32,767.
    with ThreadPoolExecutor(1) as executor:
        engine = TesseractEngine(settings, executor)
        page = PageImage(0, Image.new("RGB", (32_768, 10)), 300)
        with pytest.raises(RecognitionFailed, match="32,767"):
            await engine.recognize(page, RecognizeOptions(languages="eng"))
