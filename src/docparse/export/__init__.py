"""What a conversion becomes: Markdown, plain text and JSON (one exporter per format),
PaddleX's Markdown flavour for /layout-parsing, and the files written to the output folder."""

from __future__ import annotations

from collections.abc import Callable

from docparse.document import Document
from docparse.export.json import to_json
from docparse.export.markdown import to_markdown, to_text

EXPORTERS: dict[str, Callable[[Document], str]] = {
    "md": to_markdown,
    "json": to_json,
    "txt": to_text,
}
FILE_NAMES = {"md": "document.md", "json": "document.json", "txt": "document.txt"}
