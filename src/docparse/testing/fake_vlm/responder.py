"""What the stand-in model answers: PaddleOCR-VL's output format for each task prompt."""

from __future__ import annotations

from collections.abc import Callable

from PIL import Image

Responder = Callable[[str, Image.Image], str]

DEFAULT_MODELS = ("PaddlePaddle/PaddleOCR-VL-1.6",)
OCR = "OCR:"
TABLE = "Table Recognition:"
FORMULA = "Formula Recognition:"
CHART = "Chart Recognition:"
SEAL = "Seal Recognition:"
SPOTTING = "Spotting:"
PROMPTS = (OCR, TABLE, FORMULA, CHART, SEAL, SPOTTING)


def _loc(x: int, y: int) -> str:
    return f"<|LOC_{x}|><|LOC_{y}|>"


def default_responder(prompt: str, image: Image.Image) -> str:
    """Answer in PaddleOCR-VL's format for `prompt`. Every answer includes the crop's size
    ("320x40") so that tests can tell crops apart."""
    size = f"{image.width}x{image.height}"
    if prompt == TABLE:
        # A 4x3 grid. "Sales" spans two columns (<lcel>), "North" spans two rows (<ucel>),
        # and one cell is empty (<ecel>).
        return (
            f"<fcel>Table {size}<fcel>Sales<lcel><nl>"
            "<fcel>North<fcel>10<fcel>12<nl>"
            "<ucel><fcel>11<fcel>13<nl>"
            "<fcel>South<ecel><fcel>9<nl>"
        )
    if prompt == FORMULA:
        return rf"\[\text{{Formula {size}}}\quad E=mc^{{2}}+\frac{{a}}{{b}}\]"
    if prompt == CHART:
        # Rows separated by newlines, cells by " | ", and the header first (§4.3).
        return f"Chart {size} | Sales\nJan | 120\nFeb | 95\nMar | 143"
    if prompt == SEAL:
        return f"Seal {size} APPROVED"
    if prompt == SPOTTING:
        # One TEXT run and one LOC quad per line, on a 0..1000 grid over the image (§4.4).
        first = _loc(100, 100) + _loc(900, 100) + _loc(900, 400) + _loc(100, 400)
        second = _loc(100, 600) + _loc(700, 600) + _loc(700, 900) + _loc(100, 900)
        return (
            f"<|TEXT_START|>Spot {size}<|TEXT_END|><|LOC_BEGIN|>{first}<|LOC_END|>"
            f"<|TEXT_START|>second line<|TEXT_END|><|LOC_BEGIN|>{second}<|LOC_END|>"
        )
    return f"Text block {size}"


# -- the model at its worst (temperature 0 loops, broken tags, the fallback formats) -------


def repetition_loop(prompt: str, image: Image.Image) -> str:
    """The loops a greedy decoder falls into, up to a 4096-token answer: a line again and
    again (OCR), a row again and again (tables), a phrase on one line (others)."""
    if prompt == TABLE:
        return "<fcel>Month<fcel>Sales<nl>" + "<fcel>Jan<fcel>120<nl>" * 800
    if prompt == OCR:
        return "Total revenue 2023\n" * 12
    return "The value is " + "shown in the chart. " * 200


def malformed_otsl(prompt: str, image: Image.Image) -> str:
    """A table with ragged rows, a span tag first in a row and no final <nl>."""
    if prompt != TABLE:
        return default_responder(prompt, image)
    return "<fcel>A<fcel>B<fcel>C<nl><fcel>1<nl><lcel><fcel>2<fcel>3<fcel>4<fcel>5<nl><fcel>x"


def bare_loc_spotting(prompt: str, image: Image.Image) -> str:
    """Spotting without TEXT/LOC_BEGIN markers: text, then eight LOC tokens."""
    if prompt != SPOTTING:
        return default_responder(prompt, image)
    first = _loc(100, 100) + _loc(900, 100) + _loc(900, 400) + _loc(100, 400)
    second = _loc(100, 600) + _loc(700, 600) + _loc(700, 900) + _loc(100, 900)
    return f"Spot {image.width}x{image.height}{first}second line{second}"
