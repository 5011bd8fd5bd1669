"""White words on dark cells are read: made dark on white before Tesseract sees them."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from docparse.engines.light_on_dark import _marks_in_a_row, _median, lighten_dark_fills
from docparse.settings import Settings
from tests.engines.reading import tesseract_text
from tests.fixtures.degrade import degrade

FONTS = "/usr/share/fonts/truetype/dejavu/"
LABELS = [
    "Performance Dashboard",
    "Federal Risk Program",
    "Citizen Engagement Platform",
    "Small Business Reporting",
    "Data Center Consolidation",
]


def budget_page(fill: int) -> Image.Image:
    """A 200-dpi scan of a budget table under a paragraph: labels in white on cells of
    grey `fill`, figures in black on a column of two paler greys."""
    image = Image.new("L", (1700, 1400), 255)
    draw = ImageDraw.Draw(image)
    regular = ImageFont.truetype(FONTS + "DejaVuSans.ttf", 26)
    bold = ImageFont.truetype(FONTS + "DejaVuSans-Bold.ttf", 26)
    for i in range(6):
        line = "The fund pays for shared services that agencies use to save money."
        draw.text((150, 100 + 40 * i), line, fill=0, font=regular)
    for i, label in enumerate(LABELS):
        top = 420 + 76 * i
        draw.rectangle([150, top, 1200, top + 72], fill=fill)
        draw.text((165, top + 20), label, fill=255, font=bold)
        draw.rectangle([1204, top, 1480, top + 72], fill=185 if i % 2 == 0 else 221)
        draw.text((1215, top + 20), f"${i + 1}.25M", fill=0, font=regular)
    return degrade(image.convert("RGB"), seed=3, blur=0.7, noise=6, grayscale=True)


async def test_white_words_on_grey_cells_are_read(settings: Settings) -> None:
    # Unchanged, Tesseract lost the ends of the labels and every figure beside them.
    text = (await tesseract_text(settings, budget_page(121), "eng")).replace("\n", " ")
    for i, label in enumerate(LABELS):
        assert label in text and f"${i + 1}.25M" in text, text


def test_only_fills_with_lighter_words_are_changed() -> None:
    page = budget_page(121).convert("L")
    pixels = np.asarray(page)
    lightened = np.asarray(lighten_dark_fills(page, 200))
    # The label cells are white now, their words black; the figures' column is untouched.
    assert lightened[430:440, 152:160].min() > 230 and lightened[:, 150:1200].min() < 60
    assert (lightened[:, 1210:1480] == pixels[:, 1210:1480]).all()
    plain = Image.new("L", (800, 400), 255)
    ImageDraw.Draw(plain).text((50, 50), "Plain text", fill=0)
    assert lighten_dark_fills(plain, 200) is plain


def banded_leaflet() -> Image.Image:
    """A leaflet's head: a dark band across the page with its title in white and a white
    badge in it ('ОМС' in dark letters), and a white form field with dark text in a grey
    box below; a scan, unevenly toned by the bands."""
    image = Image.new("L", (1700, 900), 255)
    draw = ImageDraw.Draw(image)
    bold = ImageFont.truetype(FONTS + "DejaVuSans-Bold.ttf", 40)
    regular = ImageFont.truetype(FONTS + "DejaVuSans.ttf", 26)
    draw.rectangle([0, 60, 1700, 220], fill=90)
    draw.rectangle([60, 90, 200, 190], fill=250)
    draw.text((80, 120), "ОМС", fill=20, font=regular)
    draw.text((260, 115), "Зачем вам нужен полис", fill=245, font=bold)
    draw.rectangle([100, 400, 1600, 700], fill=160)
    draw.text((130, 420), "Фамилия и имя", fill=20, font=regular)
    draw.rectangle([130, 480, 1500, 560], fill=255)
    draw.text((150, 500), "Иванов Пётр", fill=10, font=regular)
    return degrade(image.convert("RGB"), seed=4, blur=0.6, noise=5, grayscale=True)


def test_a_band_with_a_light_badge_in_it_is_turned_around_the_badge() -> None:
    # An OMS leaflet's head: the badge kept the whole band as it was, and the title in
    # white was lost (evening the light out then washed the band out altogether).
    page = banded_leaflet().convert("L")
    pixels = np.asarray(page)
    lightened = np.asarray(lighten_dark_fills(page, 200))
    assert lightened[70:80, 300:1600].min() > 200  # the band is white now…
    assert lightened[115:165, 260:1000].min() < 60  # …its title black
    assert (lightened[100:180, 70:190] == pixels[100:180, 70:190]).all()  # the badge kept
    # A grey box with dark labels around a white field is left as it is.
    assert (lightened[400:700, 100:1600] == pixels[400:700, 100:1600]).all()


def test_big_white_letters_on_black_turn_whole() -> None:
    # A flyer's quotation in thick white letters on a black box: each letter's body is
    # as wide as a light cell, but holds no darker text of its own, so it is turned with
    # the box (kept as it was, the letters came out hollow: outlines only).
    image = Image.new("L", (1700, 500), 255)
    draw = ImageDraw.Draw(image)
    draw.rectangle([100, 50, 1600, 450], fill=15)
    draw.text(
        (150, 150),
        "My desire, my wish",
        fill=250,
        font=ImageFont.truetype(FONTS + "DejaVuSans-Bold.ttf", 110),
    )
    page = degrade(image.convert("RGB"), seed=5, blur=0.6, noise=4, grayscale=True).convert("L")
    lightened = np.asarray(lighten_dark_fills(page, 200))
    letters = np.asarray(page)[100:400, 150:1500] > 200
    assert np.median(lightened[100:400, 150:1500][letters]) < 60  # solid black letters
    assert lightened[60:90, 110:1590].min() > 200  # on white


def test_paper_between_tabs_hanging_from_a_bar_stays_white() -> None:
    # A leaflet's spread: its title in white on a dark band, and grey tabs with white
    # heads hanging from the band. Band and tabs are one fill whose box takes in the
    # paper between the tabs; turned with them, that paper became a black band across
    # the columns, and Tesseract read the columns below it as lines across the page.
    image = Image.new("L", (1700, 500), 255)
    draw = ImageDraw.Draw(image)
    bold = ImageFont.truetype(FONTS + "DejaVuSans-Bold.ttf", 30)
    draw.rectangle([0, 20, 1700, 150], fill=90)
    title = ImageFont.truetype(FONTS + "DejaVuSans.ttf", 64)
    draw.text((150, 45), "Предельные сроки ожидания помощи", fill=250, font=title)
    for left, head in ((30, "24 ЧАСА"), (600, "14 ДНЕЙ"), (1170, "30 ДНЕЙ")):
        draw.rectangle([left, 150, left + 500, 200], fill=90)
        draw.text((left + 180, 158), head, fill=250, font=bold)
    page = degrade(image.convert("RGB"), seed=6, blur=0.6, noise=4, grayscale=True).convert("L")
    lightened = np.asarray(lighten_dark_fills(page, 200))
    assert lightened[60:110, 200:1500].min() < 60  # the title is black…
    assert lightened[160:190, 210:330].min() < 60  # …the tabs' heads too…
    for gap in ((533, 597), (1103, 1167)):  # …and the paper between the tabs white, unframed
        assert lightened[160:200, gap[0] : gap[1]].min() > 200, gap


def test_a_head_band_whose_box_is_mostly_paper_is_turned() -> None:
    # An OMS leaflet's spread: a grey band across the top with its title in white, and
    # two tabs hanging from it far apart, the columns' paper between them. Band and tabs
    # are one fill whose box is mostly that paper; taken for the paper round a big
    # letter, the band was left as it was, and evening the light out washed its title
    # away (Tesseract read it plainly).
    image = Image.new("L", (2300, 800), 255)
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, 2300, 190], fill=150)
    title = ImageFont.truetype(FONTS + "DejaVuSans.ttf", 70)
    draw.text((300, 50), "Зачем вам нужен полис ОМС", fill=235, font=title)
    bold = ImageFont.truetype(FONTS + "DejaVuSans-Bold.ttf", 30)
    draw.rounded_rectangle([90, 150, 1080, 320], radius=30, fill=150)
    draw.text((400, 220), "МЕДИЦИНСКАЯ ПОМОЩЬ", fill=235, font=bold)
    draw.rounded_rectangle([1720, 150, 2220, 300], radius=30, fill=150)
    draw.text((1780, 210), "ВСЕГДА С СОБОЙ!", fill=235, font=bold)
    regular = ImageFont.truetype(FONTS + "DejaVuSans.ttf", 30)
    for i in range(8):
        draw.text((1200, 340 + 50 * i), "по ОМС осуществит страховая", fill=30, font=regular)
    page = degrade(image.convert("RGB"), seed=8, blur=0.6, noise=4, grayscale=True).convert("L")
    lightened = np.asarray(lighten_dark_fills(page, 200))
    assert lightened[10:40, 200:2200].min() > 200  # the band is white…
    assert lightened[60:130, 300:1400].min() < 60  # …its title black
    assert lightened[330:780, 100:1100].min() > 200  # the paper under the tab stays white


def test_a_pictogram_with_many_light_details_is_left_as_it_is() -> None:
    # A leaflet's round pictogram, dark with sixteen light dots in four rows: many light
    # marks, but no line of letters. Turned, its dots were read as `0`, `‚а`, `Nay,`
    # between the lines of the text beside it.
    image = Image.new("L", (900, 400), 255)
    draw = ImageDraw.Draw(image)
    draw.ellipse([100, 100, 260, 260], fill=60)
    for row in range(4):
        for col in range(4):
            x, y = 130 + 30 * col, 130 + 30 * row
            draw.ellipse([x, y, x + 12, y + 12], fill=240)
    regular = ImageFont.truetype(FONTS + "DejaVuSans.ttf", 30)
    draw.text((300, 160), "Бюро медико-социальной", fill=20, font=regular)
    page = degrade(image.convert("RGB"), seed=10, blur=0.6, noise=4, grayscale=True).convert("L")
    assert np.array_equal(np.asarray(lighten_dark_fills(page, 200)), np.asarray(page))


def test_marks_in_a_row_are_counted_by_the_line_through_them() -> None:
    light = np.zeros((200, 900), np.uint8)
    for i in range(12):  # a line of twelve letters…
        light[20:40, 10 + 60 * i : 30 + 60 * i] = 1
    for i in range(5):  # …and five dots below, one over the other
        light[60 + 25 * i : 70 + 25 * i, 20:30] = 1
    assert _marks_in_a_row(light, 10) == 12
    assert _marks_in_a_row(np.zeros((10, 10), np.uint8), 10) == 0


def test_a_grey_tab_with_a_white_head_turns_by_its_own_grey() -> None:
    # Lighter tabs hang from a dark band, their heads in white: turned by the band's
    # fill, a tab came out mid-grey round black letters, and Tesseract's threshold took
    # the whole tab for black. Each tab is turned by its own grey: white, its head black.
    image = Image.new("L", (1700, 500), 255)
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 20, 1700, 150], fill=50)
    title = ImageFont.truetype(FONTS + "DejaVuSans.ttf", 64)
    draw.text((150, 45), "Предельные сроки ожидания помощи", fill=250, font=title)
    bold = ImageFont.truetype(FONTS + "DejaVuSans-Bold.ttf", 30)
    for left, head in ((30, "24 ЧАСА"), (600, "14 ДНЕЙ"), (1170, "30 ДНЕЙ")):
        draw.rounded_rectangle([left, 130, left + 500, 220], radius=20, fill=120)
        draw.text((left + 180, 160), head, fill=250, font=bold)
    page = degrade(image.convert("RGB"), seed=7, blur=0.6, noise=4, grayscale=True).convert("L")
    lightened = np.asarray(lighten_dark_fills(page, 200))
    assert lightened[60:110, 200:1500].min() < 60  # the title black on white
    for left in (30, 600, 1170):
        tab = lightened[155:205, left + 40 : left + 460]
        assert np.median(tab) > 220 and tab.min() < 60, left  # white, its head black


def slide_page() -> Image.Image:
    """A 200-dpi office scan of a slide: a list on the left, and on the right a dark
    grey text box with a darker outline and one white sentence in it."""
    image = Image.new("L", (2300, 1600), 255)
    draw = ImageDraw.Draw(image)
    regular = ImageFont.truetype(FONTS + "DejaVuSans.ttf", 48)
    small = ImageFont.truetype(FONTS + "DejaVuSans.ttf", 30)
    for i, line in enumerate(["Let's introduce a list", "With foo", "Bar", "And baz things"]):
        draw.text((200, 400 + 110 * i), line, fill=0, font=regular)
    draw.rectangle([1350, 250, 2200, 1050], fill=100, outline=50, width=5)
    draw.text((1400, 620), "A rectangle shape with this text inside.", fill=255, font=small)
    return degrade(
        image.convert("RGB"), seed=5, rotate_deg=0.5, blur=0.5, noise=6, jpeg_quality=75,
        contrast=0.85,
        grayscale=True,
    )  # fmt: skip


async def test_white_words_in_an_outlined_dark_box_are_read(settings: Settings) -> None:
    # Unchanged, the flipped box kept its blurred rim as a grey frame, and Tesseract took
    # the framed box for a picture: the sentence was lost.
    text = (await tesseract_text(settings, slide_page(), "eng")).replace("\n", " ")
    assert "A rectangle shape with this text inside." in text, text
    assert "And baz things" in text, text


def test_a_fills_median_counted_by_grey_level_is_numpys() -> None:
    # Odd and even counts, one level, and a level split between the middle two.
    rng = np.random.default_rng(7)
    samples = [rng.integers(0, 256, n).astype(np.uint8) for n in (1, 2, 3, 10, 11, 4001)]
    samples += [np.full(6, 200, np.uint8), np.array([10, 10, 250, 250], np.uint8)]
    for pixels in samples:
        levels = np.bincount(pixels, minlength=256)
        assert _median(levels) == float(np.median(pixels))
