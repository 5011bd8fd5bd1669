"""JSON from the Document model: every block with its label, box, order and text."""

from __future__ import annotations

from docparse.document import Document


def to_json(document: Document) -> str:
    # pydantic's encoder runs in Rust; json.dumps with indent falls back to pure Python.
    return document.model_dump_json(indent=1)
