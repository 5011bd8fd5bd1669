"""Columns Tesseract ran together are found and read again column by column."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from tesserocr import OEM, PSM, PyTessBaseAPI

from docparse.document import BBox, Block, Label, Line
from docparse.engines.base import PageImage
from docparse.engines.merged_columns import merged_stretch
from docparse.engines.tesseract import _columns_read_again
from docparse.settings import Settings

FONT = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 24)
COLUMNS = [
    [
        "Предельный срок ожидания",
        "плановой медицинской помощи,",
        "оказываемой терапевтом,",
        "педиатром, врачом общей",
        "практики (семейным врачом).",
    ],
    [
        "Предельный срок ожидания:",
        "плановой консультации",
        "врача-специалиста",
        "диагностических,",
        "инструментальных",
    ],
    [
        "Предельный срок ожидания:",
        "плановой компьютерной",
        "томографии (КТ)",
        "магнитно-резонансной",
        "томографии (МРТ)",
    ],
]
LEFT, PITCH, TOP = 100, 540, 100


NOTE = "Полис ОМС действует на всей территории Российской Федерации, без срока"


def spread(offsets: tuple[int, int, int]) -> tuple[Image.Image, list[Line]]:
    """A leaflet's spread of three columns at 200 dpi, each column's lines set `offsets`
    pixels lower than the first's, over a note across the page; and the lines as
    Tesseract's layout analysis made them when it found no columns: each run across the
    page, the three rows in one."""
    image = Image.new("L", (1700, 700), 255)
    draw = ImageDraw.Draw(image)
    boxes: list[list[BBox]] = [[] for _ in COLUMNS[0]]
    for column, (lines, offset) in enumerate(zip(COLUMNS, offsets, strict=True)):
        for row, text in enumerate(lines):
            at = (LEFT + PITCH * column, TOP + 36 * row + offset)
            draw.text(at, text, fill=0, font=FONT)
            x0, y0, x1, y1 = draw.textbbox(at, text, font=FONT)
            boxes[row].append(BBox(x0=x0, y0=y0, x1=x1, y1=y1))
    merged = [
        Line(text=" ".join(c[row] for c in COLUMNS), bbox=BBox.around(row_boxes), confidence=0.5)
        for row, row_boxes in enumerate(boxes)
    ]
    notes = []
    for row in range(4):
        at = (LEFT, 420 + 36 * row)
        draw.text(at, NOTE, fill=0, font=FONT)
        x0, y0, x1, y1 = draw.textbbox(at, NOTE, font=FONT)
        notes.append(Line(text=NOTE, bbox=BBox(x0=x0, y0=y0, x1=x1, y1=y1), confidence=0.9))
    return image, merged + notes


def ink(image: Image.Image) -> np.ndarray:
    return np.asarray(image) < 128


def test_lines_with_rows_of_two_columns_make_a_stretch() -> None:
    image, lines = spread((0, 14, 0))
    stretch = merged_stretch(lines, ink(image))
    assert stretch is not None
    columns = stretch.columns()
    assert len(columns) == 3
    # Each column's text lies in one of the stretch's columns, whole.
    for number, (x0, _, x1, _) in enumerate(columns):
        start = LEFT + PITCH * number
        assert x0 <= start and start + 320 <= x1
    assert stretch.top <= TOP + 5 and stretch.bottom >= TOP + 36 * 4 + 20


def test_a_table_row_on_one_baseline_is_no_stretch() -> None:
    # A table's rows cross its column gaps too, but each on one baseline: read well.
    image, lines = spread((0, 0, 0))
    assert merged_stretch(lines, ink(image)) is None


def test_the_stretch_is_read_again_column_by_column(settings: Settings) -> None:
    image, lines = spread((0, 14, 0))
    stretch = merged_stretch(lines, ink(image))
    assert stretch is not None
    blocks = [Block(id="p0-b0", label=Label.text, bbox=BBox.around([ln.bbox for ln in lines]))]
    blocks[0].lines, blocks[0].text = lines, "\n".join(ln.text for ln in lines)
    api = PyTessBaseAPI(
        path=settings.tessdata_dir + "/", lang="rus+eng", psm=PSM.AUTO, oem=OEM.LSTM_ONLY
    )
    try:
        read = _columns_read_again(api, blocks, image, PageImage(0, image, 200), stretch)
    finally:
        api.End()
    texts = [line.text for block in read for line in block.lines]
    for column in COLUMNS:
        for text in column:
            assert text in texts, (text, texts)
    assert len({block.id for block in read}) == len(read)
