"""Intake: tell the document type from its bytes, never from its name."""

from __future__ import annotations

from enum import StrEnum

from docparse.errors import CorruptDocument, UnsupportedFormat


class Kind(StrEnum):
    pdf = "pdf"
    png = "png"
    jpeg = "jpeg"
    tiff = "tiff"
    webp = "webp"
    bmp = "bmp"


MEDIA_TYPES = {
    Kind.pdf: "application/pdf",
    Kind.png: "image/png",
    Kind.jpeg: "image/jpeg",
    Kind.tiff: "image/tiff",
    Kind.webp: "image/webp",
    Kind.bmp: "image/bmp",
}

_MAGIC: list[tuple[bytes, Kind]] = [
    (b"\x89PNG\r\n\x1a\n", Kind.png),
    (b"\xff\xd8\xff", Kind.jpeg),
    (b"II*\x00", Kind.tiff),
    (b"MM\x00*", Kind.tiff),
    (b"BM", Kind.bmp),
]

# PDF readers accept a header anywhere in the first kilobyte (some generators prepend junk).
PDF_HEADER_WINDOW = 1024


def sniff(head: bytes) -> Kind:
    """The document kind from its first bytes (at least 1 KiB when the file has it)."""
    if not head:
        raise CorruptDocument("the file is empty (0 bytes)")
    if b"%PDF-" in head[:PDF_HEADER_WINDOW]:
        return Kind.pdf
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return Kind.webp
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    raise UnsupportedFormat(
        "unsupported document type: expected PDF, PNG, JPEG, TIFF, WebP or BMP",
        accepted=sorted(MEDIA_TYPES.values()),
    )
