"""Damaged PDFs are the caller's problem (4xx), never a crash: a page PDFium cannot load
or with an impossible size fails alone; a PDF with no readable page is refused when
opened, and a refused PDF leaves no file open."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pikepdf
import pytest
from reportlab.pdfgen import canvas

from docparse.errors import CorruptDocument, InputError, LimitExceeded, PasswordProtected
from docparse.io.sources import Limits, PdfSource, open_source
from tests.fixtures.bad_files import encrypted, huge_png

LIMITS = Limits(max_pages=100, max_image_pixels=50_000_000)
CONTENT = b"BT /F1 24 Tf 72 700 Td (Hello world) Tj ET"


def raw_pdf(objects: dict[int, bytes]) -> bytes:
    """A PDF written by hand, with a correct xref: PDFium reads exactly these objects."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for num in sorted(objects):
        offsets[num] = len(out)
        out += b"%d 0 obj\n" % num + objects[num] + b"\nendobj\n"
    size = max(objects) + 1
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for num in range(1, size):
        out += (b"%010d 00000 n \n" % offsets[num]) if num in offsets else b"0000000000 65535 f \n"
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
    return bytes(out)


def tree(pages: bytes, **extra: bytes) -> bytes:
    """Catalog 1, page tree 2, content 4, font 5; a good page is object 3."""
    good_page = (
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>"
    )
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: pages,
        3: good_page,
        4: b"<< /Length %d >>\nstream\n" % len(CONTENT) + CONTENT + b"\nendstream",
        5: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    }
    objects.update({int(k[1:]): v for k, v in extra.items()})
    return raw_pdf(objects)


# A page tree whose only node is its own kid, and one that loops through a second node.
SELF_CYCLE = tree(b"<< /Type /Pages /Kids [2 0 R] /Count 1 >>")
TWO_CYCLE = tree(
    b"<< /Type /Pages /Kids [6 0 R] /Count 1 >>",
    o6=b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R] /Count 1 >>",
)
# A tree with no pages at all: PDFium loads the file, then pypdfium2 refuses it.
ZERO_PAGES = tree(b"<< /Type /Pages /Kids [] /Count 0 >>")
# A good page, then the tree again (a cycle) where page 2 should be.
GOOD_THEN_CYCLE = tree(b"<< /Type /Pages /Kids [3 0 R 2 0 R] /Count 2 >>")
# /Count claims three pages; there is one.
COUNT_TOO_BIG = tree(b"<< /Type /Pages /Kids [3 0 R] /Count 3 >>")
# A kid that is no page at all.
NOT_A_PAGE = tree(
    b"<< /Type /Pages /Kids [6 0 R 3 0 R] /Count 2 >>",
    o6=b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>",
)


def reportlab_pdf(pages: int = 2) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(612, 792))
    for number in range(pages):
        pdf.setFont("Helvetica", 14)
        pdf.drawString(72, 700, f"Hello from page {number + 1} of the document")
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def with_mediabox(box: list[float], pages: int = 2) -> bytes:
    """The first page's MediaBox replaced, with pikepdf."""
    with pikepdf.open(io.BytesIO(reportlab_pdf(pages))) as pdf:
        pdf.pages[0].obj.MediaBox = pikepdf.Array(box)
        out = io.BytesIO()
        pdf.save(out)
    return out.getvalue()


HUGE = [0, 0, 10**7, 10**7]
NEGATIVE = [0, 0, -612, -792]


def write(tmp_path: Path, data: bytes, name: str = "doc.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.parametrize(
    "data", [SELF_CYCLE, TWO_CYCLE, with_mediabox(HUGE, pages=1)], ids=["self", "two", "huge"]
)
def test_a_pdf_with_no_readable_page_is_refused_at_open(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(CorruptDocument, match="no page of it can be read"):
        open_source(write(tmp_path, data), LIMITS)


@pytest.mark.parametrize(
    ("data", "bad", "words"),
    [
        (GOOD_THEN_CYCLE, 1, "cannot be loaded"),
        (COUNT_TOO_BIG, 2, "cannot be loaded"),
        (NOT_A_PAGE, 0, "cannot be loaded"),
        (with_mediabox(HUGE), 0, "impossible size"),
    ],
    ids=["cycle", "count", "not-a-page", "huge"],
)
def test_only_the_damaged_page_fails(tmp_path: Path, data: bytes, bad: int, words: str) -> None:
    source = open_source(write(tmp_path, data), LIMITS)
    assert isinstance(source, PdfSource)
    try:
        good = next(i for i in range(source.page_count) if i != bad)
        assert source.page_size(good) == (612, 792)
        assert "Hello" in " ".join(line.text for line in source.text_layer(good).lines)
        assert source.render(good, 20).size == (170, 220)
        for read in (
            source.page_size,
            source.text_layer,
            source.words,
            lambda i: source.render(i, 72),
        ):
            with pytest.raises(CorruptDocument, match=words) as caught:
                read(bad)  # type: ignore[operator]
            assert f"page {bad + 1}" in caught.value.message
    finally:
        source.close()


def test_a_negative_mediabox_is_read_as_its_size(tmp_path: Path) -> None:
    source = open_source(write(tmp_path, with_mediabox(NEGATIVE)), LIMITS)
    assert isinstance(source, PdfSource)
    try:
        assert source.page_size(0) == (612, 792)  # PDFium normalises the rectangle
        assert source.render(0, 20).size == (170, 220)
    finally:
        source.close()


@pytest.mark.parametrize("inherited", [False, True], ids=["own", "inherited"])
@pytest.mark.parametrize("crop", [[1000, 1000, 1200, 1200], [100, 100, 100, 100]])
def test_a_cropbox_off_its_page_shows_the_mediabox(
    tmp_path: Path, crop: list[int], inherited: bool
) -> None:
    # A CropBox outside the MediaBox, or of no area, leaves nothing to show: viewers
    # (pdf.js, Acrobat) show the MediaBox then, as the searchable PDF's overlay assumes.
    # PDFium made it a page of 0 x 0 pt, refused as impossible. Both boxes may be set
    # on the page tree (found by a hostile probe: only the page's own were looked at).
    path = write(tmp_path, reportlab_pdf(1))
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        if inherited:
            pdf.Root.Pages.MediaBox = pdf.pages[0].obj.MediaBox
            del pdf.pages[0].obj["/MediaBox"]
            pdf.Root.Pages.CropBox = pikepdf.Array(crop)
        else:
            pdf.pages[0].obj.CropBox = pikepdf.Array(crop)
        pdf.save(path)
    source = open_source(path, LIMITS)
    assert isinstance(source, PdfSource)
    try:
        assert source.page_size(0) == (612, 792)
        assert "Hello" in " ".join(line.text for line in source.text_layer(0).lines)
        assert source.render(0, 20).size == (170, 220)
    finally:
        source.close()


def test_a_page_too_small_to_draw_is_corrupt_not_a_crash(tmp_path: Path) -> None:
    source = open_source(write(tmp_path, reportlab_pdf(1)), LIMITS)
    assert isinstance(source, PdfSource)
    try:
        with pytest.raises(CorruptDocument, match="cannot be rendered"):
            source.render(0, 0.01)
    finally:
        source.close()


@pytest.mark.parametrize(
    ("name", "data", "error"),
    [
        ("self.pdf", SELF_CYCLE, CorruptDocument),
        ("zero.pdf", ZERO_PAGES, CorruptDocument),
        ("two.pdf", TWO_CYCLE, CorruptDocument),
        ("huge.pdf", with_mediabox(HUGE, pages=1), CorruptDocument),
        ("truncated.pdf", reportlab_pdf()[:400], CorruptDocument),
        ("secret.pdf", encrypted(reportlab_pdf()), PasswordProtected),
        ("huge.png", huge_png(10000), LimitExceeded),
        ("broken.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, CorruptDocument),
    ],
)
def test_a_refused_document_leaves_no_file_open(
    tmp_path: Path, name: str, data: bytes, error: type[InputError]
) -> None:
    path = write(tmp_path, data, name)
    before = open_fds()
    for _ in range(10):
        with pytest.raises(error):
            open_source(path, LIMITS)
    assert open_fds() == before
