"""An image document (PNG, JPEG, TIFF with its pages, WebP, BMP) as a PDF: a page per
frame, the size of the image at its resolution, the image filling it. The pixels are the
ones OCR read (EXIF orientation applied, as io/sources.py does): a JPEG that needs no
turning goes in as it is (DCTDecode), anything else losslessly (Flate)."""

from __future__ import annotations

import itertools
import zlib
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name
from PIL import Image, ImageOps

from docparse.errors import DAMAGED_IMAGE
from docparse.export.glyphless_font import flate_stream

DEFAULT_DPI = 200.0  # io/sources.py's resolution for an image that states none
EXIF_ORIENTATION = 0x0112


def image_pdf(source: Path, dpis: dict[int, float]) -> pikepdf.Pdf:
    """The PDF of `source`; frame i at dpis[i] (the resolution OCR took it at), else at
    the resolution it states. A frame whose pixels cannot be decoded is a blank page of
    its size (its page failed, and the JSON result says so): the good pages are kept and
    every page stays at its index."""
    pdf = pikepdf.new()
    with Image.open(source) as image:
        for index in itertools.count():
            try:
                image.seek(index)
            except DAMAGED_IMAGE:  # past the last frame, or one whose header is unreadable
                break  # (the frames after it are reached only through it)
            dpi = dpis.get(index) or _stated_dpi(image)
            try:
                xobject, size = _xobject(pdf, image, source)
            except DAMAGED_IMAGE:
                xobject, size = None, image.size  # the header's size, the pixels cut short
            width, height = size[0] * 72 / dpi, size[1] * 72 / dpi
            draw, resources = b"", Dictionary()
            if xobject is not None:
                draw = f"q {width:.4f} 0 0 {height:.4f} 0 0 cm /Im0 Do Q".encode()
                resources = Dictionary(XObject=Dictionary(Im0=xobject))
            page = Dictionary(
                Type=Name.Page,
                MediaBox=Array([0, 0, width, height]),
                Resources=resources,
                Contents=flate_stream(pdf, draw),
            )
            pdf.pages.append(pikepdf.Page(page))
    pdf.docinfo[Name.Producer] = "docparse"
    return pdf


def _stated_dpi(frame: Image.Image) -> float:
    dpi = frame.info.get("dpi", (DEFAULT_DPI,))[0]
    return float(dpi) if dpi and 50 <= float(dpi) <= 1200 else DEFAULT_DPI


def _xobject(
    pdf: pikepdf.Pdf, frame: Image.Image, source: Path
) -> tuple[pikepdf.Stream, tuple[int, int]]:
    """The frame as an image XObject, and its size in pixels."""
    upright = frame.getexif().get(EXIF_ORIENTATION, 1) in (0, 1)
    if frame.format == "JPEG" and frame.mode in ("L", "RGB") and upright:
        return _image(pdf, source.read_bytes(), Name.DCTDecode, frame.mode, frame.size), frame.size
    pixels = ImageOps.exif_transpose(frame)
    if pixels.mode not in ("1", "L", "RGB"):
        pixels = pixels.convert("RGB")  # what OCR read: io/sources.py converts the same
    data = zlib.compress(pixels.tobytes())
    return _image(pdf, data, Name.FlateDecode, pixels.mode, pixels.size), pixels.size


def _image(
    pdf: pikepdf.Pdf, data: bytes, codec: Name, mode: str, size: tuple[int, int]
) -> pikepdf.Stream:
    return pikepdf.Stream(
        pdf,
        data,
        Type=Name.XObject,
        Subtype=Name.Image,
        Width=size[0],
        Height=size[1],
        ColorSpace=Name.DeviceRGB if mode == "RGB" else Name.DeviceGray,
        # Mode 1 packs a row's pixels in bits, 1 white: DeviceGray at 1 bit as it is.
        BitsPerComponent=1 if mode == "1" else 8,
        Filter=codec,
    )
