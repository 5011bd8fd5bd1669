"""Pages whose text runs up, down or upside down as shown are read turned so that it
runs left to right (io.page_turn): from their own text layer, in reading order."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest
from pikepdf import Array, Dictionary, Name

from docparse.io.pdf import PdfFile

LINES = [
    "The first line of the landscape report",
    "A second line follows the first one",
    "And the third line closes the report",
]
# Text matrices that make letters advance rightwards, upwards, leftwards and downwards in
# PDF space (counter-clockwise quarter turns); each line 20 pt after the one before.
ADVANCE = {
    0: lambda i: b"1 0 0 1 40 %d" % (500 - 20 * i),
    90: lambda i: b"0 1 -1 0 %d 40" % (100 + 20 * i),
    180: lambda i: b"-1 0 0 -1 560 %d" % (300 + 20 * i),
    270: lambda i: b"0 -1 1 0 %d 700" % (500 - 20 * i),
}


def page_pdf(path: Path, rotate: int, content: bytes, size: tuple[int, int] = (600, 800)) -> Path:
    pdf = pikepdf.new()
    font = pdf.make_indirect(
        Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica)
    )
    page = Dictionary(
        Type=Name.Page,
        MediaBox=Array([0, 0, *size]),
        Rotate=rotate,
        Resources=Dictionary(Font=Dictionary(F1=font)),
        Contents=pdf.make_stream(content),
    )
    pdf.pages.append(pikepdf.Page(page))
    pdf.save(path)
    return path


def lines_of(advance: int) -> bytes:
    make = ADVANCE[advance]
    return b" ".join(
        b"BT /F1 12 Tf " + make(i) + b" Tm (" + text.encode() + b") Tj ET"
        for i, text in enumerate(LINES)
    )


def read(path: Path) -> tuple[list[str], tuple[float, float], int, list[float], bool]:
    """The page's lines, size and turn, its lines' tops, and whether its words run
    across the page as shown."""
    document = PdfFile(path)
    try:
        layer = document.text_layer(0)
        size, turn = document.page_size(0), document.turn(0)
        words = document.words(0)
    finally:
        document.close()
    across = all(w.x1 - w.x0 > w.y1 - w.y0 for text, w in words if len(text) > 3)
    tops = [line.bbox.y0 for line in layer.lines]
    return [line.text for line in layer.lines], size, turn, tops, across


@pytest.mark.parametrize("rotate", [0, 90, 180, 270])
@pytest.mark.parametrize("advance", [0, 90, 180, 270])
def test_lines_read_left_to_right_whatever_the_turn(
    tmp_path: Path, rotate: int, advance: int
) -> None:
    """Every /Rotate with letters advancing every way in PDF space: a landscape table set
    up a portrait page, a page saved with the wrong /Rotate, one upside down. Its lines
    come out whole, in order, top to bottom on a page shown upright."""
    path = page_pdf(tmp_path / f"turn_{rotate}_{advance}.pdf", rotate, lines_of(advance))
    lines, (width, height), turn, tops, across = read(path)
    assert lines == LINES
    assert tops == sorted(tops) and across
    # Shown with the /Rotate that makes its letters run rightwards: turned back
    # counter-clockwise by what that adds to the page's own.
    assert (width, height) == ((800, 600) if advance in (90, 270) else (600, 800))
    assert turn == (rotate - advance) % 360


def test_a_stamp_up_the_margin_turns_nothing(tmp_path: Path) -> None:
    # arXiv's identifier runs up the left margin of a page of prose across it.
    stamp = b"BT /F1 20 Tf 0 1 -1 0 30 200 Tm (arXiv:2206.01062v1 [cs.CL] 2 Jun 2022) Tj ET "
    path = page_pdf(tmp_path / "stamp.pdf", 0, stamp + lines_of(0))
    lines, size, turn, *_ = read(path)
    assert turn == 0 and size == (600, 800)
    assert [line for line in lines if line in LINES] == LINES


def test_stamps_up_both_margins_turn_nothing(tmp_path: Path) -> None:
    # The Federal Register's production stamps run up both margins of a page whose body
    # is a picture: they hold more letters than its head and foot, on fewer lines.
    stamp = b"VerDate Sep2014 Jkt 250001 PO 00000 Frm 00012 Fmt 4702 Sfmt 4702 E:FRFM06AUP1"
    content = (
        b"BT /F1 8 Tf 0 1 -1 0 20 60 Tm (" + stamp + b") Tj ET "
        b"BT /F1 8 Tf 0 1 -1 0 590 60 Tm (" + stamp + b") Tj ET "
        b"BT /F1 9 Tf 60 770 Td (Federal Register Vol. 85) Tj ET "
        b"BT /F1 9 Tf 60 30 Td (Proposed Rules 47705) Tj ET"
    )
    path = page_pdf(tmp_path / "gazette.pdf", 0, content)
    assert read(path)[2] == 0


def test_a_few_sideways_labels_turn_nothing(tmp_path: Path) -> None:
    # A chart's axis title and a label: too few letters to say which way the page reads.
    content = (
        b"BT /F1 10 Tf 0 1 -1 0 30 200 Tm (Revenue) Tj ET "
        b"BT /F1 10 Tf 0 1 -1 0 60 200 Tm (2024) Tj ET"
    )
    path = page_pdf(tmp_path / "labels.pdf", 0, content)
    assert read(path)[2] == 0


def test_mirrored_letters_turn_nothing(tmp_path: Path) -> None:
    # A flipped matrix: no quarter turn makes a mirror read left to right.
    content = b" ".join(
        b"BT /F1 12 Tf 0 1 1 0 %d 40 Tm (" % (100 + 20 * i) + text.encode() + b") Tj ET"
        for i, text in enumerate(LINES)
    )
    path = page_pdf(tmp_path / "mirror.pdf", 0, content)
    assert read(path)[2] == 0
