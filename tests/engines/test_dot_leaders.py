"""Dot leaders wiped before OCR: evenly spaced rows of five or more dots turn to paper;
an ellipsis, a sentence's full stop, a decimal point and the letters stay."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image
from reportlab.lib.pagesizes import A5
from reportlab.pdfgen.canvas import Canvas

from docparse.engines.dot_leaders import wipe_dot_leaders
from tests.fixtures.degrade import rasterize

DPI = 200


def contents_page() -> Image.Image:
    """A contents line with a leader, a sentence with an ellipsis, a figure with a point."""
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A5)
    height = A5[1]
    canvas.setFont("Times-Roman", 11)
    canvas.drawString(40, height - 60, "Introduction")
    canvas.drawString(110, height - 60, ". " * 25)
    canvas.drawString(330, height - 60, "3")
    canvas.drawString(40, height - 100, "Wait... the total was 12.5 percent.")
    canvas.showPage()
    canvas.save()
    return rasterize(out.getvalue(), DPI)[0].convert("L")


def ink(image: Image.Image, left: float, top: float, right: float, bottom: float) -> int:
    """Dark pixels within a box given in points."""
    scale = DPI / 72
    box = np.asarray(image)[
        round(top * scale) : round(bottom * scale), round(left * scale) : round(right * scale)
    ]
    return int((box < 128).sum())


def test_a_leader_turns_to_paper_and_the_text_stays() -> None:
    page = contents_page()
    wiped = wipe_dot_leaders(page, DPI)
    assert ink(page, 110, 45, 325, 64) > 0
    assert ink(wiped, 110, 45, 325, 64) == 0  # the leader
    for box in ((35, 45, 105, 64), (325, 45, 345, 64), (35, 85, 300, 104)):
        assert ink(wiped, *box) == ink(page, *box)  # the title, its page, the sentence


def test_a_page_without_leaders_is_returned_as_it_is() -> None:
    page = Image.new("L", (400, 300), 255)
    assert wipe_dot_leaders(page, DPI) is page
