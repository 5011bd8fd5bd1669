"""One page image read by the real Tesseract engine, as the engine tests need it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from PIL import Image

from docparse.engines.base import PageImage, RecognizeOptions
from docparse.engines.tesseract import TesseractEngine
from docparse.settings import Settings


async def tesseract_text(
    settings: Settings, image: Image.Image, languages: str = "rus+eng", dpi: int = 200
) -> str:
    """The blocks' text, one block a line, as the engine read `image` at `dpi`."""
    with ThreadPoolExecutor(1) as executor:
        engine = TesseractEngine(settings, executor)
        blocks = await engine.recognize(
            PageImage(0, image, dpi), RecognizeOptions(languages=languages)
        )
    return "\n".join(block.text for block in blocks)
