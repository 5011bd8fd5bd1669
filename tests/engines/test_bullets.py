"""List bullets, which no Tesseract model has in its alphabet, come out as `•`, not as the
letter or sign Tesseract reads them as; a line that starts with a one-letter word keeps
it, even in a bold face a blur has filled in."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from PIL import Image, ImageDraw, ImageFont

from docparse.engines.base import PageImage, RecognizeOptions
from docparse.engines.tesseract import TesseractEngine
from docparse.settings import Settings
from tests.fixtures.degrade import degrade

FONTS = "/usr/share/fonts/truetype/"
ITEMS = [
    "Make sure the keys are installed before you build.",
    "Open the settings menu and select the keys.",
    "Поставщик обязуется передать товар покупателю",
    "Налоговая служба принимает отчёты в срок",
]
BULLETS = ["•", "▪", "•", "■"]
LETTERS = [  # one-letter words at line starts
    "a bold reader finds the contract by its number",
    "e every line here starts with a small letter",
    "а это строка, которая начинается с буквы",
    "о другая строка с буквой в начале",
]


def page(lines: list[str], font: str, size: int) -> PageImage:
    face = ImageFont.truetype(FONTS + font, size)
    image = Image.new("RGB", (1900, 120 + round(len(lines) * size * 1.9)), "white")
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((150, 60 + round(i * size * 1.9)), line, font=face, fill="black")
    return PageImage(0, degrade(image, seed=3, blur=0.6, noise=8), 200)


async def read(settings: Settings, image: PageImage) -> list[str]:
    with ThreadPoolExecutor(1) as executor:
        engine = TesseractEngine(settings, executor)
        blocks = await engine.recognize(image, RecognizeOptions(languages="rus+eng"))
        return [ln.text for b in blocks for ln in b.lines]


@pytest.mark.parametrize(
    ("font", "size"),
    [
        ("dejavu/DejaVuSans.ttf", 30),
        ("dejavu/DejaVuSerif-Bold.ttf", 24),
        ("liberation2/LiberationSerif-Regular.ttf", 30),
        ("liberation2/LiberationSans-Bold.ttf", 36),
    ],
)
async def test_bullets_are_bullets_and_one_letter_words_stay(
    settings: Settings, font: str, size: int
) -> None:
    lines = [f"{mark} {item}" for mark, item in zip(BULLETS, ITEMS, strict=True)] + LETTERS
    read_lines = await read(settings, page(lines, font, size))
    assert len(read_lines) == len(lines)
    for got, item in zip(read_lines, ITEMS, strict=False):
        assert got.startswith("• "), got
        assert item.split()[1] in got  # the item's own words follow
    for got, line in zip(read_lines[len(ITEMS) :], LETTERS, strict=True):
        assert not got.startswith("•"), got
        assert line.split()[1] in got
