"""Thousands parted by a narrow space, which Tesseract reads as one run of digits."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from docparse.document import BBox
from docparse.engines.digit_groups import spaced_number
from docparse.settings import Settings
from tests.engines.reading import tesseract_text

FONTS = "/usr/share/fonts/truetype/"
NARROW, THIN = "\u202f", "\u2009"  # how spreadsheets and 1C part an amount's thousands


def invoice_lines(font_file: str) -> Image.Image:
    """A 200-dpi page of 10-pt lines with amounts, a year and a tax number."""
    font = ImageFont.truetype(FONTS + font_file, 28)
    image = Image.new("L", (1300, 420), 255)
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(
        [
            "Итого к оплате 1 330,00 руб.",
            f"Сумма 3{NARROW}520,00 и 4{THIN}990,00",
            "Счёт от 27 марта 2025 г., ИНН 7707083893",
        ]
    ):
        draw.text((60, 60 + 110 * i), line, fill=0, font=font)
    return image


async def test_amounts_keep_their_thousands_apart(settings: Settings) -> None:
    for font_file in ("liberation2/LiberationSans-Regular.ttf", "freefont/FreeSerif.ttf"):
        text = await tesseract_text(settings, invoice_lines(font_file))
        # Unchanged, Tesseract read `3520,00` and `4990,00` (Liberation Sans), `4990,00`
        # (FreeSerif).
        assert "3 520,00" in text and "4 990,00" in text and "1 330,00" in text, text
        assert "2025" in text and "7707083893" in text, text


def draw_number(parts: list[tuple[str, int]]) -> tuple[np.ndarray, BBox]:
    """Ink of text drawn piece by piece, each piece `gap` pixels after the last."""
    font = ImageFont.truetype(FONTS + "liberation2/LiberationSans-Regular.ttf", 28)
    image = Image.new("L", (600, 80), 255)
    draw = ImageDraw.Draw(image)
    x = 20.0
    for text, gap in parts:
        x += gap
        draw.text((x, 20), text, fill=0, font=font)
        x += draw.textlength(text, font=font)
    ink = np.asarray(image) < 128
    ys, xs = np.nonzero(ink)
    return ink, BBox(x0=xs.min(), y0=ys.min(), x1=xs.max(), y1=ys.max())


def test_only_a_gap_at_every_group_boundary_parts_a_number() -> None:
    assert spaced_number("1330,00", *draw_number([("1", 0), ("330,00", 8)])) == "1 330,00"
    assert spaced_number("1234567", *draw_number([("1", 0), ("234", 8), ("567", 8)])) == (
        "1 234 567"
    )
    # A gap at one boundary of two, or none: a code or a year, left as read.
    assert spaced_number("1234567", *draw_number([("1", 0), ("234567", 8)])) == "1234567"
    assert spaced_number("2025", *draw_number([("2025", 0)])) == "2025"
    assert spaced_number("20 25", *draw_number([("20", 0), ("25", 8)])) == "20 25"


def test_an_amount_whose_glyphs_touch_is_parted_at_its_widest_blank() -> None:
    # A bold face, or a page turned straight, runs glyphs into one another: their
    # centres cannot be told, and `1330,00` (a deskewed invoice in Carlito) stayed so.
    # The blank at the group's end, far the widest, parts it.
    touching = [("1", 0), ("330,0", 8), ("0", -3)]
    assert spaced_number("1330,00", *draw_number(touching)) == "1 330,00"
    assert spaced_number("24800,00", *draw_number([("24", 0), ("800,0", 8), ("0", -3)])) == (
        "24 800,00"
    )
    # No blank far the widest, one in the wrong place, or no kopecks: as read.
    assert spaced_number("1330,00", *draw_number([("1330,0", 0), ("0", -3)])) == "1330,00"
    assert spaced_number("1330,00", *draw_number([("13", 0), ("30,0", 8), ("0", -3)])) == (
        "1330,00"
    )
    assert spaced_number("19950", *draw_number([("1", 0), ("995", 8), ("0", -3)])) == "19950"
    # A tabular `1` stands apart by its own bearings, not a space: `1000,00` printed
    # without one, a little soft, its noughts run together (the probe's case).
    font = ImageFont.truetype(FONTS + "liberation2/LiberationSans-Regular.ttf", 28)
    soft = Image.new("L", (300, 80), 255)
    ImageDraw.Draw(soft).text((20, 20), "1000,00", fill=0, font=font)
    ink = np.asarray(soft.filter(ImageFilter.GaussianBlur(1.2))) < 170
    ys, xs = np.nonzero(ink)
    box = BBox(x0=xs.min(), y0=ys.min(), x1=xs.max(), y1=ys.max())
    assert spaced_number("1000,00", ink, box) == "1000,00"
