"""Small PNG pictures of a document's pages, saved with a job's results so a viewer (the
web page) can draw the blocks' boxes over the page: the page turned as the reading turned
it (Page.rotation), so the Document's boxes fit it after scaling by width and height."""

from __future__ import annotations

import io
from pathlib import Path

from docparse.document import Document
from docparse.io.sources import Limits, PdfSource, open_source

MAX_SIDE = 1600  # pixels on the longest side: sharp enough to read, small enough to send


def preview_name(number: int) -> str:
    """Where page `number` (1-based, as in the Document's order) is kept in the results."""
    return f"pages/{number}.png"


def page_previews(path: Path, document: Document, limits: Limits) -> dict[str, bytes]:
    """One PNG per page of the Document that was read, by preview_name."""
    source = open_source(path, limits)
    previews: dict[str, bytes] = {}
    try:
        for number, page in enumerate(document.pages, start=1):
            if page.status == "failed":
                continue
            if isinstance(source, PdfSource):
                width, height = source.page_size(page.index)
                image = source.render(page.index, 72.0 * MAX_SIDE / max(width, height, 1.0))
            else:
                image, _ = source.image(page.index)
            if page.rotation:
                image = image.rotate(page.rotation, expand=True)
            image.thumbnail((MAX_SIDE, MAX_SIDE))
            buffer = io.BytesIO()
            image.convert("RGB").save(buffer, format="PNG", optimize=False)
            previews[preview_name(number)] = buffer.getvalue()
    finally:
        source.close()
    return previews
