"""A blue seal and signature over an order's signature line are taken off before
Tesseract reads it; blue headings and black text are not."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFont

from docparse.engines.stamps import without_stamps
from docparse.settings import Settings
from tests.engines.reading import tesseract_text
from tests.fixtures.degrade import degrade

FONTS = "/usr/share/fonts/truetype/dejavu/"
SEAL_BLUE = (70, 80, 190)


def signed_order() -> Image.Image:
    """A 200-dpi colour scan of an order's foot: the director's line, a round blue seal
    over its words and a blue signature across them, and a blue two-line heading above."""
    text = Image.new("RGB", (1700, 900), "white")
    draw = ImageDraw.Draw(text)
    regular = ImageFont.truetype(FONTS + "DejaVuSerif.ttf", 34)
    heading = ImageFont.truetype(FONTS + "DejaVuSans-Bold.ttf", 44)
    draw.text((120, 60), "Наши программы", fill=(30, 70, 160), font=heading)
    draw.text((120, 120), "обучения", fill=(30, 70, 160), font=heading)
    draw.text((120, 500), "Генеральный директор", fill=(20, 20, 20), font=regular)
    draw.line([(620, 535), (1050, 535)], fill=(20, 20, 20), width=2)
    draw.text((1100, 500), "Н. А. Романова", fill=(20, 20, 20), font=regular)
    ink = Image.new("RGB", text.size, "white")
    pen = ImageDraw.Draw(ink)
    pen.ellipse([300, 370, 600, 670], outline=SEAL_BLUE, width=5)
    pen.ellipse([350, 420, 550, 620], outline=SEAL_BLUE, width=3)
    small = ImageFont.truetype(FONTS + "DejaVuSans.ttf", 20)
    pen.text((390, 500), "«СЕВЕРНЫЙ", fill=SEAL_BLUE, font=small)
    pen.text((410, 530), "ВЕТЕР»", fill=SEAL_BLUE, font=small)
    pen.line(
        [(330, 560), (380, 470), (420, 560), (470, 450), (520, 570), (600, 430), (650, 560)],
        fill=(40, 50, 170),
        width=5,
    )
    page = ImageChops.multiply(text, ink)  # ink over ink, as on paper
    return degrade(page, seed=11, blur=0.6, noise=4)


def test_the_seal_and_signature_go_the_heading_stays() -> None:
    page = signed_order()
    gray = np.asarray(page.convert("L"))
    cleaned = np.asarray(without_stamps(page, 200))
    assert cleaned[380:660, 310:590].min() < 80  # the black words under the seal stay…
    ring = cleaned[372:380, 440:460]  # …the ring's top goes to paper
    assert ring.min() > 200 and gray[372:380, 440:460].min() < 150
    assert np.array_equal(cleaned[40:200, 100:700], gray[40:200, 100:700])  # the heading
    assert without_stamps(page.convert("L"), 200).mode == "L"


async def test_the_signature_line_is_read_through_the_seal(settings: Settings) -> None:
    page = signed_order()
    # Unchanged, the seal and the signature ran into `директор`.
    text = await tesseract_text(settings, page)
    assert "Генеральный директор" in text, text
    assert "Наши программы" in text, text


def test_a_blue_table_and_a_thin_strip_are_left() -> None:
    # A table ruled and written in blue is one sparse blue mark as large as a seal: its
    # rules run straight for inches, so it is no seal (the probe: its text went white).
    page = Image.new("RGB", (2550, 1000), "white")
    draw = ImageDraw.Draw(page)
    xs, ys = [150, 700, 1300, 1900, 2400], [100 + 90 * i for i in range(9)]
    for x in xs:
        draw.line((x, ys[0], x, ys[-1]), fill=(47, 84, 150), width=2)
    for y in ys:
        draw.line((xs[0], y, xs[-1], y), fill=(47, 84, 150), width=2)
    small = ImageFont.truetype(FONTS + "DejaVuSans.ttf", 34)
    for r in range(8):
        draw.text((170, ys[r] + 20), f"Товар {r}", font=small, fill=(47, 84, 150))
    assert np.array_equal(np.asarray(without_stamps(page, 300)), np.asarray(page.convert("L")))
    # A strip thinner than the analysis grid's cell (it crashed the grid).
    strip = Image.new("RGB", (1600, 1), (40, 50, 200))
    assert without_stamps(strip, 300).size == (1600, 1)
