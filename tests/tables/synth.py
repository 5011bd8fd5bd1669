"""A ruled table drawn with PIL, its words at known positions, and a light scan look."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from docparse.document import BBox
from docparse.tables.model import Word

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"

# The table's cells: (row, col, row_span, col_span, text). Row 0-1 are a two-level
# header ("Region" spans both header rows, each year spans two quarters); "South" spans
# two body rows.
CELLS = [
    (0, 0, 2, 1, "Region"), (0, 1, 1, 2, "Sales 2023"), (0, 3, 1, 2, "Sales 2024"),
    (1, 1, 1, 1, "Q1"), (1, 2, 1, 1, "Q2"), (1, 3, 1, 1, "Q1"), (1, 4, 1, 1, "Q2"),
    (2, 0, 1, 1, "North"), (2, 1, 1, 1, "1 204"), (2, 2, 1, 1, "1 310"),
    (2, 3, 1, 1, "1 422"), (2, 4, 1, 1, "1 507"),
    (3, 0, 1, 1, "East coast"), (3, 1, 1, 1, "877"), (3, 2, 1, 1, "902"),
    (3, 3, 1, 1, "951"), (3, 4, 1, 1, "1 003"),
    (4, 0, 2, 1, "South"), (4, 1, 1, 1, "2 015"), (4, 2, 1, 1, "2 148"),
    (4, 3, 1, 1, "2 230"), (4, 4, 1, 1, "2 391"),
    (5, 1, 1, 1, "660"), (5, 2, 1, 1, "688"), (5, 3, 1, 1, "705"), (5, 4, 1, 1, "733"),
]
ROWS, COLS = 6, 5


@dataclass
class Drawn:
    image: Image.Image
    words: list[Word]
    dpi: float


def _text(draw: ImageDraw.ImageDraw, xy: tuple[float, float], text: str,
          font: ImageFont.FreeTypeFont, words: list[Word]) -> None:
    """Draw `text` at `xy` and record each word's ink box."""
    draw.text(xy, text, fill=0, font=font)
    x = xy[0]
    for part in text.split(" "):
        left, top, right, bottom = font.getbbox(part)
        words.append(Word(part, BBox(x0=x + left, y0=xy[1] + top, x1=x + right,
                                     y1=xy[1] + bottom)))
        x += font.getlength(part + " ")


def ruled_table_page(dpi: int = 300, size: tuple[int, int] = (2000, 1500)) -> Drawn:
    """A page with a title (underlined: no table), a paragraph, and the ruled table:
    thick outer frame, a double rule under the header, rules left out where cells span."""
    scale = dpi / 300
    image = Image.new("L", size, 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, round(34 * scale))
    bold = ImageFont.truetype(BOLD, round(40 * scale))
    words: list[Word] = []
    _text(draw, (150 * scale, 90 * scale), "Quarterly sales by region", bold, words)
    draw.line([(150 * scale, 150 * scale), (690 * scale, 150 * scale)], fill=0,
              width=round(3 * scale))  # an underline
    _text(draw, (150 * scale, 190 * scale), "All figures in thousands of units.", font, words)
    xs = [150 + x for x in (0, 420, 700, 980, 1260, 1540)]
    ys = [300 + y for y in (0, 90, 180, 270, 360, 450, 540)]
    xs, ys = [x * scale for x in xs], [y * scale for y in ys]
    thin, thick = round(3 * scale), round(7 * scale)
    spans = {(r + dr, c + dc): (r, c) for r, c, rs, cs, _ in CELLS
             for dr in range(rs) for dc in range(cs)}
    for i, y in enumerate(ys):  # horizontal rules, left out inside row spans
        for c in range(COLS):
            if 0 < i < ROWS and spans.get((i - 1, c)) == spans.get((i, c)):
                continue
            width = thick if i in (0, ROWS) else thin
            draw.line([(xs[c], y), (xs[c + 1], y)], fill=0, width=width)
            if i == 2:  # a double rule under the header
                draw.line([(xs[c], y + 8 * scale), (xs[c + 1], y + 8 * scale)], fill=0,
                          width=thin)
    for j, x in enumerate(xs):  # vertical rules, left out inside column spans
        for r in range(ROWS):
            if 0 < j < COLS and spans.get((r, j - 1)) == spans.get((r, j)):
                continue
            width = thick if j in (0, COLS) else thin
            draw.line([(x, ys[r]), (x, ys[r + 1])], fill=0, width=width)
    for r, c, rs, cs, text in CELLS:
        f = bold if r < 2 else font
        w = f.getlength(text)
        x = xs[c] + 25 * scale if c == 0 else (xs[c] + xs[c + cs]) / 2 - w / 2
        y = (ys[r] + ys[r + rs]) / 2 - 22 * scale
        _text(draw, (x, y), text, f, words)
    return Drawn(image.convert("RGB"), words, float(dpi))


def scanned(drawn: Drawn, angle: float = 0.5, noise: float = 10.0, blur: float = 0.8,
            seed: int = 7) -> Drawn:
    """Rotate by `angle` degrees about the centre (word boxes follow), blur, add noise."""
    image = drawn.image.rotate(angle, resample=Image.Resampling.BICUBIC,
                               fillcolor=(255, 255, 255))
    image = image.filter(ImageFilter.GaussianBlur(blur))
    arr = np.asarray(image, dtype=np.float32)
    arr = arr + np.random.default_rng(seed).normal(0.0, noise, arr.shape)
    image = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB")
    cx, cy = drawn.image.width / 2, drawn.image.height / 2
    cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))

    def turn(x: float, y: float) -> tuple[float, float]:  # PIL turns anticlockwise
        return cx + (x - cx) * cos + (y - cy) * sin, cy - (x - cx) * sin + (y - cy) * cos

    words = []
    for w in drawn.words:
        b = w.bbox
        pts = [turn(x, y) for x in (b.x0, b.x1) for y in (b.y0, b.y1)]
        words.append(Word(w.text, BBox(x0=min(p[0] for p in pts), y0=min(p[1] for p in pts),
                                       x1=max(p[0] for p in pts), y1=max(p[1] for p in pts))))
    return Drawn(image, words, drawn.dpi)


def tesseract_words(image: Image.Image, dpi: float) -> list[Word]:
    """Words and boxes from Tesseract (English), as the OCR route would give them."""
    from tesserocr import PSM, RIL, PyTessBaseAPI, iterate_level

    words = []
    with PyTessBaseAPI(path="/usr/share/tesseract-ocr/5/tessdata/", lang="eng",
                       psm=PSM.SPARSE_TEXT) as api:
        api.SetImage(image.convert("L"))
        api.SetSourceResolution(round(dpi))
        api.Recognize()
        for item in iterate_level(api.GetIterator(), RIL.WORD):
            text = item.GetUTF8Text(RIL.WORD)
            box = item.BoundingBox(RIL.WORD)
            if text and text.strip() and box:
                words.append(Word(text.strip(), BBox(x0=box[0], y0=box[1], x1=box[2],
                                                     y1=box[3])))
    return words


def partly_ruled_page(rules: str, dpi: int = 300) -> tuple[Drawn, list[list[str]]]:
    """A 9x4 table ruled only partly: `rules` = "columns" (a frame, column rules and a
    header rule) or "rows" (row rules and the frame's two sides)."""
    image = Image.new("L", (1800, 1000), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 32)
    grid = [["Item", "Count", "Price", "Total"]] + \
        [[f"Thing {i}", str(i * 3), f"{i}.50", f"{i * 4}.10"] for i in range(1, 9)]
    xs, top, pitch = [150, 550, 900, 1250, 1600], 150, 70
    bottom = top + pitch * len(grid)
    for x in xs if rules == "columns" else xs[::len(xs) - 1]:
        draw.line([(x, top), (x, bottom)], fill=0, width=3)
    for i in range(len(grid) + 1) if rules == "rows" else (0, 1, len(grid)):
        draw.line([(xs[0], top + i * pitch), (xs[-1], top + i * pitch)], fill=0, width=3)
    words: list[Word] = []
    for r, row in enumerate(grid):
        for c, text in enumerate(row):
            _text(draw, (xs[c] + 20, top + 15 + r * pitch), text, font, words)
    return Drawn(image.convert("RGB"), words, float(dpi)), grid
