"""What a caller asks of a conversion, and what it gets back."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from PIL import Image
from pydantic import BaseModel, Field

from docparse.document import Document, Page
from docparse.engines import OCR_ENGINES
from docparse.engines.base import VLMOptions

ROUTES = ("auto", "textlayer", *OCR_ENGINES)

ProgressCallback = Callable[[int, int], None]


class ConvertOptions(BaseModel):
    engine: str = "auto"
    languages: str | None = None
    pages: str | None = None
    dpi: int | None = None
    spotting: bool = False  # VLM: text lines with positions
    vlm: VLMOptions = Field(default_factory=VLMOptions)  # the VLM route's options
    keep_images: bool = False  # return the upright page images of OCR pages
    figures: str | None = None  # crop figures to PNGs under this relative folder
    orientation: bool = True  # turn scans upright and straighten them before reading
    # Born-digital pages through the layout model too (pictures drawn as vectors,
    # captions, formulas, running heads), text still from the PDF: ~0.15 s a page more.
    layout: bool = False


@dataclass
class PageRead:
    """A page as a route hands it back: the client-facing Page, and in-process scratch kept
    out of the Document: the upright image OCR read, and the page's figure PNGs."""

    page: Page
    image: Image.Image | None = None  # None on the text-layer route
    figures: dict[str, bytes] = field(default_factory=dict)  # relative path -> PNG


@dataclass
class Conversion:
    document: Document
    timings: dict[str, float] = field(default_factory=dict)
    images: dict[int, Image.Image] = field(default_factory=dict)  # with keep_images
    figures: dict[str, bytes] = field(default_factory=dict)  # relative path -> PNG
