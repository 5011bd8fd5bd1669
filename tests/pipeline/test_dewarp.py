"""Phone photos of a sheet on a desk: the sheet is found, read flat, and its boxes given
in the photo's pixels; scans, sheets that fill the photo and pages with dark pictures
are left as they are."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from docparse.export.markdown import to_markdown
from docparse.pipeline import orientation
from docparse.pipeline.converter import Converter
from docparse.pipeline.dewarp import find_sheet
from docparse.pipeline.options import ConvertOptions
from docparse.pipeline.orientation import Orientation
from tests.fixtures.degrade import degrade, phone_photo, rasterize, to_jpeg
from tests.fixtures.made_pdfs import FONT, WORDS
from tests.fixtures.match import sentence_recall
from tests.fixtures.russian import make_contract, make_letter


@pytest.mark.slow  # moved out of the 10-minute default run
def test_a_photographed_sheet_is_found_with_its_proportions() -> None:
    page = rasterize(make_contract(1).pdf, dpi=200)[0]
    for seed in (1, 2, 3):
        warp = find_sheet(phone_photo(page, seed))
        assert warp is not None
        assert abs(warp.size[0] / warp.size[1] - page.width / page.height) < 0.04
        assert 0.85 < warp.size[0] / page.width < 1.15


@pytest.mark.slow
def test_scans_cropped_photos_and_dark_pictures_are_left_alone() -> None:
    page = rasterize(make_contract(1).pdf, dpi=200)[0]
    assert find_sheet(page) is None
    assert find_sheet(degrade(page, seed=1, rotate_deg=1.5, blur=0.6, noise=8)) is None
    photo = phone_photo(page, 4)
    inner = photo.crop(
        (photo.width // 6, photo.height // 6, photo.width * 5 // 6, photo.height * 5 // 6)
    )
    assert find_sheet(inner) is None  # the sheet fills the frame: no surround to go by
    pictured = page.copy()
    ImageDraw.Draw(pictured).rectangle(
        (page.width // 5, page.height // 4, page.width * 4 // 5, page.height * 3 // 4),
        fill=(40, 40, 40),
    )
    assert find_sheet(pictured) is None  # a dark picture on the page is no desk
    # A leaflet: white text on a dark page round a white panel. The panel is no sheet on
    # a desk, and flattening it would lose the text round it.
    leaflet = Image.new("RGB", page.size, (20, 40, 90))
    draw = ImageDraw.Draw(leaflet)
    font = ImageFont.truetype(FONT, 34)
    for row in range(30):
        draw.text((120, 80 + 75 * row), WORDS[row % len(WORDS)], font=font, fill="white")
    draw.rectangle((150, 700, page.width - 150, 1700), fill="white")
    assert find_sheet(leaflet) is None


@pytest.mark.slow  # moved out of the 10-minute default run
async def test_a_phone_photo_is_read_flat_with_boxes_in_the_photo(
    converter: Converter, tmp_path: Path
) -> None:
    """Seen at an angle each line slants its own way, and Tesseract alone reads such a
    photo badly; flattened first, it is read like a scan."""
    doc = make_letter(3)
    photo = phone_photo(rasterize(doc.pdf, dpi=200)[0], seed=7, strength=1.3)
    path = tmp_path / "photo.jpg"
    path.write_bytes(to_jpeg(photo, 85))
    result = await converter.convert(path, ConvertOptions())
    (page,) = result.document.pages
    rate, missed = sentence_recall(
        doc.sentences, to_markdown(result.document), fold_homoglyphs=False
    )
    assert rate >= 0.9, missed
    # Boxes are the photo's (turned upright as the page says), on the sheet there.
    upright = orientation.apply(
        Image.open(path).convert("RGB"), Orientation(rotation=page.rotation, skew=page.skew)
    )
    # (the page states its skew to 0.01°: a pixel or two of canvas either way)
    assert abs(page.width - upright.width) <= 3 and abs(page.height - upright.height) <= 3
    warp = find_sheet(upright)
    assert warp is not None
    xs, ys = [x for x, _ in warp.corners], [y for _, y in warp.corners]
    for block in page.blocks:
        assert min(xs) - 10 <= block.bbox.x0 and block.bbox.x1 <= max(xs) + 10
        assert min(ys) - 10 <= block.bbox.y0 and block.bbox.y1 <= max(ys) + 10
