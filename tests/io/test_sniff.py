import pytest

from docparse.errors import CorruptDocument, UnsupportedFormat
from docparse.io.sniff import Kind, sniff


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"%PDF-1.7\n", Kind.pdf),
        (b"\xef\xbb\xbf junk before the header %PDF-1.4", Kind.pdf),
        (b"\x89PNG\r\n\x1a\n\x00\x00", Kind.png),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", Kind.jpeg),
        (b"II*\x00\x08\x00", Kind.tiff),
        (b"MM\x00*\x00\x08", Kind.tiff),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 ", Kind.webp),
        (b"BM6\x00\x00\x00", Kind.bmp),
    ],
)
def test_kinds_are_told_from_bytes(head: bytes, kind: Kind) -> None:
    assert sniff(head) == kind


@pytest.mark.parametrize(
    "head",
    [
        b"<html><body>not a pdf</body></html>",
        b"GIF89a\x01\x00",
        b"PK\x03\x04 a zip",
        bytes(range(256)),
    ],
)
def test_other_bytes_are_unsupported(head: bytes) -> None:
    with pytest.raises(UnsupportedFormat):
        sniff(head)


def test_empty_file_is_corrupt() -> None:
    with pytest.raises(CorruptDocument, match="empty"):
        sniff(b"")
