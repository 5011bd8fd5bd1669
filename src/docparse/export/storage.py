"""Results on disk: {output_dir}/{document_id}/document.md, document.json, …"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from docparse.document import Document
from docparse.export import EXPORTERS, FILE_NAMES


def write_atomic(path: Path, text: str) -> None:
    """Write via a temp file and rename, so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def render(document: Document, formats: list[str]) -> dict[str, str]:
    """The document in each format; md and json always."""
    return {fmt: EXPORTERS[fmt](document) for fmt in dict.fromkeys(["md", "json", *formats])}


def save_outputs(
    folder: Path, rendered: dict[str, str], figures: dict[str, bytes] | None = None
) -> None:
    """document.md/json/txt, and the figures at the relative paths Markdown uses."""
    for fmt, text in rendered.items():
        write_atomic(folder / FILE_NAMES[fmt], text)
    for relative, png in (figures or {}).items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(png)
