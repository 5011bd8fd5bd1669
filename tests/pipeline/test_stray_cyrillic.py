"""Issue 14 (1): an English page read with Russian and English together, OSD too unsure
of its script to leave the Cyrillic models out, has words of its table read as Cyrillic
(`Арг-2015`) or in Cyrillic look-alike letters (`Мау-2015`). On a page nearly all Latin
the look-alikes are written in Latin, and a Cyrillic word is read again alone by the
Latin models, taking that reading when it is about as sure. A Russian line stays."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from docparse.export.markdown import to_text
from docparse.pipeline import ocr
from docparse.pipeline.converter import Converter
from docparse.pipeline.options import ConvertOptions
from tests.fixtures.degrade import degrade, to_png

FONT = "/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf"
MONTHS = ["Apr", "May", "Jun", "Jul", "Aug", "Sep"]
PROSE = [
    "Monthly traffic of the group's international routes, passengers and seat",
    "kilometres flown, with the change on the same month of the year before.",
    "Figures for the quarter are the sums of its months, as reported to the board.",
]
RUSSIAN = "Налоговая служба принимает отчёты"


@pytest.fixture
def unsure_osd(monkeypatch: pytest.MonkeyPatch) -> None:
    """OSD not sure enough of Latin: the page is read with every language asked for."""
    monkeypatch.setattr(ocr, "page_languages", lambda languages, _: languages)


@pytest.mark.usefixtures("unsure_osd")
async def test_english_words_read_in_cyrillic_letters_are_latin_again(
    converter: Converter, tmp_path: Path
) -> None:
    image = Image.new("L", (1700, 1100), 255)
    draw = ImageDraw.Draw(image)
    table, body = ImageFont.truetype(FONT, 26), ImageFont.truetype(FONT, 30)
    for i, month in enumerate(MONTHS):
        for x, cell in ((100, f"{month}-2015"), (500, f"{653 + i * 7},278"), (850, f"10{i}.5")):
            draw.text((x, 80 + 60 * i), cell, fill=0, font=table)
    for i, line in enumerate([*PROSE, RUSSIAN]):
        draw.text((100, 520 + 56 * i), line, fill=0, font=body)
    page = degrade(
        image.convert("RGB"), seed=2, blur=0.5, noise=6, jpeg_quality=75, contrast=0.85,
        grayscale=True,
    )  # fmt: skip
    path = tmp_path / "traffic.png"
    path.write_bytes(to_png(page))
    result = await converter.convert(path, ConvertOptions())
    text = to_text(result.document)
    # Unchanged, Tesseract's rus+eng reading gave `Арг-2015` and `Мау-2015`.
    for month in MONTHS:
        assert f"{month}-2015" in text, text
    assert RUSSIAN in text and PROSE[2] in text, text
