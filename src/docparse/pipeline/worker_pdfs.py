"""The PDFs a worker process has open: pages of one document come to it one call at a
time (text layer, tables, figure crops), and opening the file anew for each would cost a
parse of its cross-reference table per call."""

from __future__ import annotations

from pathlib import Path

from docparse.io.pdf import PdfFile

OPEN_PDFS = 4  # per worker process: the PDFs its last pages came from, kept open
_OPEN: dict[Path, PdfFile] = {}


def opened_pdf(path: Path) -> PdfFile:
    """The worker's open copy of the PDF at `path`: the few it read last stay open (pages
    of concurrent requests take turns), any whose file is gone (its request ended) are
    closed."""
    for old in [p for p in _OPEN if p != path and not p.exists()]:
        _OPEN.pop(old).close()
    pdf = _OPEN.pop(path, None) or PdfFile(path)
    _OPEN[path] = pdf  # the most recent last
    while len(_OPEN) > OPEN_PDFS:
        _OPEN.pop(next(iter(_OPEN))).close()
    return pdf
