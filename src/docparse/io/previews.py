"""A page of a document as a picture for a viewer (the web page draws the blocks' boxes
on it): made on request from the job's input, turned as the reading turned it
(Page.rotation), so the Document's boxes fit it after scaling by width and height. Made
on request rather than with every job: encoding pictures of every page would cost a job
a tenth of its time, for pages nobody may look at."""

from __future__ import annotations

import io
from pathlib import Path

from docparse.document import Page
from docparse.io.sources import Limits, PdfSource, open_source

MAX_SIDE = 1600  # pixels on the longest side: sharp enough to read, small enough to send
QUALITY = 85  # JPEG: a scan's picture at a tenth of a PNG's size and time


def page_picture(path: Path, page: Page, limits: Limits) -> bytes:
    """The JPEG of `page` (of the Document read from the file at `path`)."""
    source = open_source(path, limits)
    try:
        if isinstance(source, PdfSource):
            width, height = source.page_size(page.index)
            image = source.render(page.index, 72.0 * MAX_SIDE / max(width, height, 1.0))
        else:
            image, _ = source.image(page.index)
    finally:
        source.close()
    if page.rotation:
        image = image.rotate(page.rotation, expand=True)
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="JPEG", quality=QUALITY)
    return buffer.getvalue()
