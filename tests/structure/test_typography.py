"""Text size and weight measured on a page image: lines drawn with real fonts."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from docparse.document import BBox, Line
from docparse.structure.typography import measure_lines

FONTS = "/usr/share/fonts/truetype/dejavu/"


def page(specs: list[tuple[str, str, int]]) -> tuple[np.ndarray, list[Line]]:
    """A white page with one line per (text, font file, pixel size), and its lines."""
    image = Image.new("L", (1400, 120 * len(specs)), 255)
    draw = ImageDraw.Draw(image)
    lines = []
    for i, (text, font_file, size) in enumerate(specs):
        font = ImageFont.truetype(FONTS + font_file, size)
        draw.text((40, 30 + 120 * i), text, font=font, fill=0)
        x0, y0, x1, y1 = draw.textbbox((40, 30 + 120 * i), text, font=font)
        lines.append(Line(text=text, bbox=BBox(x0=x0, y0=y0, x1=x1, y1=y1)))
    return np.asarray(image) < 128, lines


def test_bold_lines_are_found_among_regular_ones() -> None:
    body = "обычный текст договора, который идёт"
    ink, lines = page(
        [
            (body, "DejaVuSerif.ttf", 30),
            ("1. Предмет договора", "DejaVuSerif-Bold.ttf", 30),
            (body, "DejaVuSerif.ttf", 30),
            ("Итого: 246 400,00 руб.", "DejaVuSans-Bold.ttf", 30),
            (body, "DejaVuSerif.ttf", 30),
        ]
    )
    measure_lines(lines, ink)
    assert [ln.bold for ln in lines] == [False, True, False, True, False]


def test_a_serif_bold_whose_ink_spread_on_a_scan_is_still_bold() -> None:
    # A scan's ink spreads by a pixel or so on every stem, so a serif bold measures only
    # about 1.33x its regular at 200 dpi (FreeSerif, ~10 pt): it was read as regular.
    body = "обычный текст договора, который идёт"
    serif, bold = "../freefont/FreeSerif.ttf", "../freefont/FreeSerifBold.ttf"
    ink, lines = page(
        [
            (body, serif, 28),
            ("1. Предмет договора", bold, 28),
            (body, serif, 28),
            ("Генеральный директор И. Н. Попов", serif, 28),
            (body, serif, 28),
        ]
    )
    spread = ink.copy()
    spread[:, 1:] |= ink[:, :-1]
    measure_lines(lines, spread)
    assert [ln.bold for ln in lines] == [False, True, False, False, False]


def test_size_follows_the_x_height_not_the_box() -> None:
    ink, lines = page(
        [
            ("друзья руку дружбы у рубежа", "DejaVuSans.ttf", 30),  # descenders
            ("наш ответ на ваше письмо", "DejaVuSans.ttf", 30),
            ("наш ответ на ваше письмо", "DejaVuSans.ttf", 45),
            ("ДОГОВОР 2024", "DejaVuSans.ttf", 30),
        ]
    )  # capitals and digits
    measure_lines(lines, ink)
    small, plain, large, capitals = (ln.text_size for ln in lines)
    assert lines[0].bbox.height > 1.2 * lines[1].bbox.height
    assert abs(small - plain) <= 0.15 * plain
    assert 1.35 <= large / plain <= 1.65
    assert abs(capitals - plain) <= 0.15 * plain  # the cap height is no larger size


def test_too_few_lines_say_nothing_about_weight() -> None:
    ink, lines = page([("Заголовок", "DejaVuSans-Bold.ttf", 30), ("текст", "DejaVuSans.ttf", 30)])
    measure_lines(lines, ink)
    assert not any(ln.bold for ln in lines)


def test_uneven_ink_of_a_poor_scan_marks_nothing_bold() -> None:
    # Worn type and uneven pressure: the "regular" lines already differ in stroke width
    # as much as bold differs from regular elsewhere, so weight tells nothing here.
    text = "обычный текст договора, который идёт"
    specs = [
        (text, font, 30)
        for font in (
            "DejaVuSans-ExtraLight.ttf",
            "DejaVuSans.ttf",
            "DejaVuSansCondensed.ttf",
            "DejaVuSerif.ttf",
            "DejaVuSans-Bold.ttf",
            "DejaVuSans-ExtraLight.ttf",
        )
    ]
    ink, lines = page(specs)
    measure_lines(lines, ink)
    assert not any(ln.bold for ln in lines)


def test_bold_is_found_on_a_page_with_body_text_in_two_sizes() -> None:
    # A board agenda: a notice in small print above the items, whose stems are thinner
    # than the body's; by stroke alone the regular lines disagreed and nothing was bold.
    small = "Welcome to the meeting of the Board of Education."
    body = "The public may address the Board on any agenda item."
    sans, bold = "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"
    ink, lines = page(
        [
            (small, sans, 17),
            (small, sans, 17),
            (small, sans, 17),
            ("1. CALL TO ORDER", bold, 32),
            (body, sans, 32),
            (body, sans, 32),
            ("2. PUBLIC COMMENT", bold, 32),
            (body, sans, 32),
        ]
    )
    measure_lines(lines, ink)
    assert [ln.bold for ln in lines] == [False] * 3 + [True, False, False, True, False]


def test_italic_lines_are_told_by_their_slant() -> None:
    # Scans carry no font names: a line's slant is measured on its ink.
    liberation = "../liberation2/Liberation"
    ink, lines = page(
        [
            ("Boots Self-Locking Nut", liberation + "Serif-Italic.ttf", 30),
            ("The nut is fitted where vibration is severe", liberation + "Serif-Regular.ttf", 30),
            ("Elastic Stop Nut", liberation + "Sans-Italic.ttf", 26),
            ("Эластичная стопорная гайка", "DejaVuSerif-Italic.ttf", 28),
            ("Гайка с нейлоновым кольцом", "DejaVuSans-Bold.ttf", 28),
            ("Stainless steel nuts", liberation + "Sans-Regular.ttf", 26),
        ]
    )
    measure_lines(lines, ink)
    assert [ln.italic for ln in lines] == [True, False, True, True, False, False]
