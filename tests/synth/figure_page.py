"""A scanned report page with a chart on a shaded photo background and its caption,
drawn with real fonts at 200 dpi."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONTS = "/usr/share/fonts/truetype/dejavu/"
TITLE = "Отчёт о работе склада"
CAPTION = "Рис. 1. Отгрузки по месяцам, тыс. руб."
BEFORE = ("Склад принимает товар от поставщиков и отгружает его покупателям. "
          "За квартал объём отгрузок вырос на двенадцать процентов.")
AFTER = "Остатки товара проверяются каждый месяц комиссией из трёх человек."
FIGURE_BOX = (300, 0, 1350, 700)  # x0, y-offset, x1, height: placed below the text


def figure_page(path: Path) -> tuple[int, int, int, int]:
    """Write the page as PNG; return the chart's box (x0, y0, x1, y1) in pixels."""
    width, height = 1654, 2339  # A4 at 200 dpi
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    body = ImageFont.truetype(FONTS + "DejaVuSerif.ttf", 34)
    bold = ImageFont.truetype(FONTS + "DejaVuSerif-Bold.ttf", 44)
    small = ImageFont.truetype(FONTS + "DejaVuSerif.ttf", 28)
    draw.text((160, 120), TITLE, font=bold, fill=0)
    y, line = 220, ""
    for word in " ".join([BEFORE] * 3).split():
        if draw.textlength(f"{line} {word}", font=body) > 1330:
            draw.text((160, y), line, font=body, fill=0)
            y, line = y + 48, word
        else:
            line = f"{line} {word}".strip()
    draw.text((160, y), line, font=body, fill=0)
    x0, x1 = FIGURE_BOX[0], FIGURE_BOX[2]
    y0 = y + 90
    y1 = y0 + FIGURE_BOX[3]
    rng = np.random.default_rng(1)
    grain = (rng.random((y1 - y0, x1 - x0)) * 60 + 150).astype(np.uint8)
    image.paste(Image.fromarray(grain).convert("RGB"), (x0, y0))
    for i in range(8):
        bar = int(rng.integers(100, 600))
        draw.rectangle((x0 + 60 + i * 120, y1 - 40 - bar, x0 + 140 + i * 120, y1 - 40),
                       fill=(40, 80, 160))
    draw.text((x0 + 20, y1 + 25), CAPTION, font=small, fill=0)
    y = y1 + 120
    for _ in range(5):
        draw.text((160, y), AFTER, font=body, fill=0)
        y += 48
    image.save(path, dpi=(200, 200))
    return x0, y0, x1, y1
