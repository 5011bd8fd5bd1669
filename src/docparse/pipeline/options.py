"""What a caller asks of a conversion, and what it gets back."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from PIL import Image
from pydantic import BaseModel, Field

from docparse.document import Document, Page
from docparse.engines import OCR_ENGINES
from docparse.engines.base import VLMOptions
from docparse.engines.languages import validate_languages
from docparse.errors import InvalidOptions
from docparse.settings import VLM_ENGINE, Settings

ROUTES = ("auto", "textlayer", *OCR_ENGINES)

ProgressCallback = Callable[[int, int], None]
PAGE_PART = re.compile(r"0*[1-9][0-9]*(-[0-9]*)?")  # '3', '1-5', '8-': io/sources.select_pages


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
    drawn: dict[str, bytes] = field(default_factory=dict)  # block id -> PNG, drawn already


@dataclass
class Conversion:
    document: Document
    timings: dict[str, float] = field(default_factory=dict)
    images: dict[int, Image.Image] = field(default_factory=dict)  # with keep_images
    figures: dict[str, bytes] = field(default_factory=dict)  # relative path -> PNG
    drawn: dict[str, bytes] = field(default_factory=dict)  # block id -> PNG, drawn already


def check_options(options: ConvertOptions, settings: Settings) -> ConvertOptions:
    """What a conversion with these options would refuse before reading a page, checked
    without the document (the jobs API, at submission): the engine (known, and configured
    here), dpi, the page range's form, the languages (installed; normalised in the
    options returned). InvalidOptions naming the field."""
    if options.engine not in ROUTES:
        raise InvalidOptions(
            f"unknown engine {options.engine[:32]!r}; use one of {', '.join(ROUTES)}",
            field="engine",
        )
    if options.engine == VLM_ENGINE and not settings.vlm.url:
        raise InvalidOptions(
            f"engine {VLM_ENGINE!r} is not available here: it needs DOCPARSE_VLM_URL",
            field="engine",
        )
    if options.dpi is not None and not 50 <= options.dpi <= 600:
        raise InvalidOptions("dpi must be between 50 and 600", field="dpi")
    pages = (options.pages or "").replace(" ", "")
    if pages and not all(PAGE_PART.fullmatch(part) for part in pages.split(",")):
        raise InvalidOptions(
            f"bad page range {pages[:32]!r}: use e.g. '1-3,5' ('8-': page 8 to the end)",
            field="pages",
        )
    try:
        languages = validate_languages(options.languages, settings.tessdata_dir)
    except InvalidOptions as exc:
        raise InvalidOptions(
            f"languages: {exc.message}", **{**exc.details, "field": "languages"}
        ) from exc
    return options.model_copy(update={"languages": languages})
