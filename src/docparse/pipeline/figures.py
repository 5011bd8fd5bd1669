"""Figure crops: PNGs of a page's pictures, from the OCR'd page image or drawn from the
PDF region by region on a born-digital page."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

from PIL import Image

from docparse.document import BBox, Label, Page
from docparse.io.sources import PdfSource, Source
from docparse.pipeline.runtime import Engines
from docparse.pipeline.worker_pdfs import opened_pdf

FIGURE_LABELS = frozenset({Label.image, Label.chart})
FIGURE_DPI = 150


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    # zlib level 3: half the CPU of the default 6 and, on pages' pictures, smaller files.
    image.save(buffer, format="PNG", compress_level=3)
    return buffer.getvalue()


async def crop_figures(
    runtime: Engines,
    source: Source,
    page: Page,
    image: Image.Image | None,
    folder: str,
    drawn: dict[str, bytes] | None = None,
) -> dict[str, bytes]:
    """PNGs of the page's pictures by relative path (each block's `image` names its own):
    `drawn` already (by block id), cut from the image OCR read, else drawn from the PDF."""
    figures = {}
    for block in page.blocks:
        if block.label not in FIGURE_LABELS:
            continue
        block.image = f"{folder}/{block.id}.png"
        if drawn and block.id in drawn:
            figures[block.image] = drawn[block.id]
        elif image is not None:
            box = block.bbox.scaled(image.width / page.width)
            crop = image.crop((int(box.x0), int(box.y0), int(box.x1 + 0.999), int(box.y1 + 0.999)))
            figures[block.image] = await asyncio.to_thread(png_bytes, crop)
        else:
            assert isinstance(source, PdfSource)
            figures[block.image] = await runtime.in_worker(
                pdf_figure, source.path, page.index, block.bbox
            )
    return figures


def pdf_figure(path: Path, index: int, box: BBox) -> bytes:
    """A born-digital page's picture as a PNG, drawn and encoded in a worker process (the
    page is usually still loaded there from its text layer)."""
    return png_bytes(opened_pdf(path).render_region(index, FIGURE_DPI, box))
