"""A title set letter-spaced ('П О С Т А Н О В Л Е Н И Е') keeps its spaces when
Tesseract runs its letters into one word; words set solid are left as they are."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from docparse.document import BBox
from docparse.engines.letter_spacing import spaced_letters
from docparse.settings import Settings
from tests.engines.reading import tesseract_text

FONTS = "/usr/share/fonts/truetype/"


def order_head(font_file: str) -> Image.Image:
    """A 200-dpi order's head: its title typed with a space after each letter, in bold
    14 pt, over solid lines of 12-pt text."""
    title = ImageFont.truetype(FONTS + font_file.replace("Regular", "Bold"), 39)
    body = ImageFont.truetype(FONTS + font_file, 33)
    image = Image.new("L", (1500, 520), 255)
    draw = ImageDraw.Draw(image)
    draw.text((80, 60), "АДМИНИСТРАЦИЯ МУНИЦИПАЛЬНОГО ОКРУГА", fill=0, font=body)
    draw.text((420, 170), "П О С Т А Н О В Л Е Н И Е", fill=0, font=title)
    draw.text((80, 290), "16.07.2025 № 253 ПОСТАНОВЛЯЕТ утвердить", fill=0, font=body)
    draw.text((80, 400), "Модель угроз безопасности персональных данных", fill=0, font=body)
    return image


async def test_a_letter_spaced_title_keeps_its_spaces(settings: Settings) -> None:
    for font_file in ("liberation2/LiberationSerif-Regular.ttf", "freefont/FreeSans.ttf"):
        text = await tesseract_text(settings, order_head(font_file))
        assert "П О С Т А Н О В Л Е Н И Е" in text, text
        assert "АДМИНИСТРАЦИЯ" in text and "ПОСТАНОВЛЯЕТ" in text, text
        assert "персональных" in text and "Модель" in text, text


def drawn(text: str, spacing: float) -> tuple[np.ndarray, BBox]:
    """Ink of `text` drawn letter by letter, `spacing` of the size after each."""
    font = ImageFont.truetype(FONTS + "liberation2/LiberationSans-Regular.ttf", 40)
    image = Image.new("L", (1400, 100), 255)
    draw = ImageDraw.Draw(image)
    x = 20.0
    for letter in text:
        draw.text((x, 20), letter, fill=0, font=font)
        x += draw.textlength(letter, font=font) + spacing * 40
    ink = np.asarray(image) < 128
    ys, xs = np.nonzero(ink)
    return ink, BBox(x0=xs.min(), y0=ys.min(), x1=xs.max() + 1, y1=ys.max() + 1)


def test_only_a_word_with_a_space_after_every_letter_is_spaced() -> None:
    assert spaced_letters("РЕШЕНИЕ", *drawn("РЕШЕНИЕ", 0.3)) == "Р Е Ш Е Н И Е"
    assert spaced_letters("РЕШЕНИЕ", *drawn("РЕШЕНИЕ", 0.0)) == "РЕШЕНИЕ"  # set solid
    assert spaced_letters("РЕШЕНИЕ", *drawn("РЕШЕНИЕ", 0.08)) == "РЕШЕНИЕ"  # tracked loose
    assert spaced_letters("ИТОГО", *drawn("ИТОГО", 0.35)) == "И Т О Г О"
    assert spaced_letters("2025", *drawn("2025", 0.35)) == "2025"  # numbers: digit_groups
    assert spaced_letters("ТОМ", *drawn("ТОМ", 0.35)) == "ТОМ"  # too short to tell
