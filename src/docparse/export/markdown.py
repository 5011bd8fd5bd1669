"""Markdown and plain text from the Document model: paragraphs joined, hyphenation undone,
headings marked; headers, footers and page numbers left out (they stay in JSON)."""

from __future__ import annotations

from collections.abc import Callable

from docparse.document import FURNITURE_LABELS, Block, Document, Label, PageStatus
from docparse.structure.paragraphs import join_lines

HEADING_PREFIX = {Label.doc_title: "# ", Label.paragraph_title: "## "}


def block_text(block: Block) -> str:
    if block.lines:
        return join_lines([line.text for line in block.lines])
    return join_lines(block.text.splitlines())


def _markdown_block(block: Block) -> str:
    if block.label == Label.table and block.html:
        return block.html
    if block.label == Label.display_formula and block.latex:
        return f"$$\n{block.latex}\n$$"
    if block.image and not block.text:  # a chart the VLM read stays a table
        return f"![{block.label.value}]({block.image})"
    text = block_text(block)
    return HEADING_PREFIX.get(block.label, "") + text if text else ""


def _export(document: Document, render: Callable[[Block], str], failed: str) -> str:
    parts: list[str] = []
    for page in document.pages:
        if page.status == PageStatus.failed:
            parts.append(failed.format(page=page.index + 1, error=page.error))
            continue
        for block in sorted(page.blocks, key=lambda b: b.order):
            if block.label in FURNITURE_LABELS:
                continue
            rendered = render(block)
            if rendered:
                parts.append(rendered)
    return "\n\n".join(parts) + ("\n" if parts else "")


def to_markdown(document: Document) -> str:
    """Paragraphs joined, hyphenation undone, headings as '#'; headers, footers and page
    numbers left out (they stay in JSON)."""
    return _export(document, _markdown_block, "<!-- page {page} failed: {error} -->")


def to_text(document: Document) -> str:
    return _export(document, block_text, "[page {page} failed: {error}]")
