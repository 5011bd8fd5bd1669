"""Uneven light on a photographed page made even before Tesseract binarises it; evenly
lit scans pass untouched."""

from __future__ import annotations

import numpy as np
from PIL import Image

from docparse.engines.illumination import UNEVEN_RATIO, background, even_light
from tests.fixtures.degrade import degrade, rasterize
from tests.fixtures.russian import make_letter


def paper_ratio(gray: Image.Image) -> float:
    low, high = np.percentile(background(gray), [5, 95])
    return float(high / low)


def test_an_evenly_lit_scan_is_left_as_it_is() -> None:
    page = rasterize(make_letter(1).pdf, dpi=150)[0].convert("L")
    scan = degrade(page, seed=2, rotate_deg=1.0, blur=0.6, noise=6, grayscale=True)
    assert even_light(scan) is scan
    assert even_light(page) is page


def test_a_shadow_across_the_page_is_taken_out() -> None:
    page = np.asarray(rasterize(make_letter(1).pdf, dpi=150)[0].convert("L"), np.float32)
    shade = np.linspace(0.45, 1.0, page.shape[1], dtype=np.float32)[None, :]  # dark at the left
    shaded = Image.fromarray((page * shade).astype(np.uint8), "L")
    assert paper_ratio(shaded) > UNEVEN_RATIO
    even = even_light(shaded)
    assert paper_ratio(even) < 1.1
    # The ink stays dark where the shadow was: the left third's darkest pixels.
    left = np.asarray(even)[:, : page.shape[1] // 3]
    assert np.percentile(left, 0.5) < 100
