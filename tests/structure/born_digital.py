"""A drawn one-page PDF converted as the service converts it, and what became of its
text: the helpers the page-furniture tests share."""

from __future__ import annotations

from pathlib import Path

from docparse.document import Label, Page
from docparse.export.markdown import to_markdown
from docparse.pipeline.converter import Converter
from docparse.pipeline.options import ConvertOptions


async def convert(converter: Converter, path: Path) -> tuple[Page, str]:
    """The page, read from its text layer, and the document's Markdown."""
    result = await converter.convert(path, ConvertOptions())
    (page,) = result.document.pages
    assert page.route == "text_layer"
    return page, to_markdown(result.document)


def labels_of(page: Page, text: str) -> set[Label]:
    return {b.label for b in page.blocks if text in b.text}
