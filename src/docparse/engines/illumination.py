"""Even out the light on a page photographed rather than scanned: a shadow across the
sheet, darker corners, the desk around it. Tesseract binarises with one threshold for
the whole page (Otsu), which turns the shaded part black or its text white; dividing the
image by its own background — the paper's brightness, estimated with the text filtered
out — leaves even paper and the ink on it. Scans, lit evenly, are left as they are."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageFilter

BACKGROUND_SIDE = 160  # pixels: the background estimate's size; light changes slowly
# The paper's brightness across the page, its 95th over its 5th percentile: an even scan
# stays under 1.15, a photo with a shadow or a desk around the sheet goes past 1.3.
UNEVEN_RATIO = 1.25


def background(gray: Image.Image) -> np.ndarray:
    """The paper's brightness at BACKGROUND_SIDE scale: the brightest pixel near each
    point (text is dark and thin), smoothed."""
    small = gray.copy()
    small.thumbnail((BACKGROUND_SIDE, BACKGROUND_SIDE), Image.Resampling.BOX)
    paper = small.filter(ImageFilter.MaxFilter(5)).filter(ImageFilter.GaussianBlur(3))
    return np.asarray(paper, dtype=np.float32)


def even_light(gray: Image.Image) -> Image.Image:
    """`gray` with its light made even, or itself when it is even already."""
    paper = background(gray)
    low, high = np.percentile(paper, [5, 95])
    if high / max(low, 1.0) < UNEVEN_RATIO:
        return gray
    full = Image.fromarray(paper.astype(np.uint8)).resize(gray.size, Image.Resampling.BILINEAR)
    ratio = np.asarray(gray, dtype=np.float32) / np.maximum(np.asarray(full, np.float32), 1.0)
    return Image.fromarray(np.clip(ratio * 255.0, 0, 255).astype(np.uint8), "L")
