"""Turn born-digital PDFs into scanner-like images and image-only containers."""

from __future__ import annotations

import io

import numpy as np
import pypdfium2 as pdfium
from PIL import Image, ImageEnhance, ImageFilter

WHITE = 255


def rasterize(pdf: bytes, dpi: int = 200) -> list[Image.Image]:
    """Render every page of `pdf` to an RGB image at `dpi`."""
    doc = pdfium.PdfDocument(pdf)
    try:
        images = []
        for i in range(len(doc)):
            page = doc[i]
            bitmap = page.render(scale=dpi / 72)
            images.append(bitmap.to_pil().convert("RGB"))
            bitmap.close()
            page.close()
        return images
    finally:
        doc.close()


def degrade(
    img: Image.Image,
    seed: int,
    rotate_deg: float = 0.0,
    blur: float = 0.0,
    noise: float = 0.0,
    jpeg_quality: int | None = None,
    contrast: float = 1.0,
    brightness: float = 1.0,
    grayscale: bool = False,
) -> Image.Image:
    """Make a scan-like copy of `img` (RGB, or "L" with `grayscale`); `seed` fixes the noise.

    Order follows the physical process: paper exposure (contrast/brightness), skew
    on the glass (rotation, canvas expanded with white), optics (Gaussian blur),
    sensor noise (Gaussian, sigma in 0-255 units), then lossy compression.
    """
    out = img.convert("L" if grayscale else "RGB")
    fill = WHITE if grayscale else (WHITE, WHITE, WHITE)
    if contrast != 1.0:
        out = ImageEnhance.Contrast(out).enhance(contrast)
    if brightness != 1.0:
        out = ImageEnhance.Brightness(out).enhance(brightness)
    if rotate_deg:
        out = out.rotate(rotate_deg, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=fill)
    if blur > 0:
        out = out.filter(ImageFilter.GaussianBlur(blur))
    if noise > 0:
        rng = np.random.default_rng(seed)
        arr = np.asarray(out, dtype=np.float32)
        arr = arr + rng.normal(0.0, noise, arr.shape).astype(np.float32)
        out = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), out.mode)
    if jpeg_quality is not None:
        with Image.open(io.BytesIO(to_jpeg(out, jpeg_quality))) as jpeg:
            out = jpeg.convert(out.mode)  # a plain in-memory image, decoder closed
    return out


def rotate_page(img: Image.Image, degrees: int) -> Image.Image:
    """Rotate by a multiple of 90° counter-clockwise (a page fed into the scanner sideways)."""
    ops = {
        90: Image.Transpose.ROTATE_90,
        180: Image.Transpose.ROTATE_180,
        270: Image.Transpose.ROTATE_270,
    }
    degrees %= 360
    if degrees == 0:
        return img.copy()
    if degrees not in ops:
        raise ValueError(f"rotate_page supports multiples of 90, got {degrees}")
    return img.transpose(ops[degrees])


def _pdf_ready(img: Image.Image) -> Image.Image:
    return img if img.mode in ("1", "L", "RGB") else img.convert("RGB")


def scan_pdf(images: list[Image.Image], dpi: int) -> bytes:
    """Pack images into an image-only PDF (no text layer), one page per image at `dpi`."""
    if not images:
        raise ValueError("scan_pdf needs at least one image")
    pages = [_pdf_ready(im) for im in images]
    buf = io.BytesIO()
    pages[0].save(buf, "PDF", save_all=True, append_images=pages[1:], resolution=float(dpi))
    return buf.getvalue()


def to_tiff(images: list[Image.Image]) -> bytes:
    """Multi-page TIFF (deflate-compressed)."""
    buf = io.BytesIO()
    images[0].save(buf, "TIFF", save_all=True, append_images=images[1:], compression="tiff_deflate")
    return buf.getvalue()


def to_png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def to_jpeg(img: Image.Image, quality: int = 75) -> bytes:
    buf = io.BytesIO()
    img.convert("L" if img.mode in ("1", "L") else "RGB").save(buf, "JPEG", quality=quality)
    return buf.getvalue()
