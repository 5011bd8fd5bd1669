"""docparse's ports next to PaddleX on the same inputs. The expected outputs were worked out
by following PaddleX's code by hand; each case names the PaddleX function it follows."""

from __future__ import annotations

import pytest

from docparse.document import BBox, Label
from docparse.engines.paddleocr_vl.boxes import filter_overlap_boxes
from docparse.engines.paddleocr_vl.formats import parse_spotting, truncate_repetitive_content
from docparse.layout.boxes import LayoutBox


def box(label: Label, x0: float, y0: float, x1: float, y1: float) -> LayoutBox:
    return LayoutBox(label, 0.9, BBox(x0=x0, y0=y0, x1=x1, y1=y1))


def kept(boxes: list[LayoutBox]) -> list[tuple[str, float]]:
    return [(b.label.value, b.bbox.x0) for b in filter_overlap_boxes(boxes)]


# -- layout_analysis/processors.py: filter_boxes (the pipeline's filter_overlap_boxes) ----


@pytest.mark.parametrize(
    ("boxes", "expected"),
    [
        # `reference` containers go before anything else.
        (
            [box(Label.reference, 0, 0, 100, 100), box(Label.text, 10, 10, 50, 50)],
            [("text", 10)],
        ),
        # w < 6 or h < 6 is dropped; 6 is kept.
        (
            [box(Label.text, 0, 0, 5, 100), box(Label.text, 200, 0, 206, 100)],
            [("text", 200)],
        ),
        # > 0.7 of the smaller box: the larger stays (i wins a tie of areas).
        (
            [box(Label.text, 10, 10, 60, 60), box(Label.text, 0, 0, 100, 100)],
            [("text", 0)],
        ),
        ([box(Label.text, 0, 0, 50, 50), box(Label.text, 0, 0, 50, 50)], [("text", 0)]),
        # 0.7 exactly is not > 0.7: both stay.
        (
            [box(Label.text, 0, 0, 100, 10), box(Label.text, 30, 0, 130, 10)],
            [("text", 0), ("text", 30)],
        ),
        # A picture (or chart, seal) over text: both stay.
        (
            [box(Label.image, 0, 0, 100, 100), box(Label.text, 10, 10, 50, 50)],
            [("image", 0), ("text", 10)],
        ),
        (
            [box(Label.chart, 0, 0, 100, 100), box(Label.paragraph_title, 10, 10, 50, 50)],
            [("chart", 0), ("paragraph_title", 10)],
        ),
        # A table and a picture: both stay; a table and text: the larger only.
        (
            [box(Label.table, 0, 0, 100, 100), box(Label.image, 10, 10, 50, 50)],
            [("table", 0), ("image", 10)],
        ),
        (
            [box(Label.text, 10, 10, 50, 50), box(Label.table, 0, 0, 100, 100)],
            [("table", 0)],
        ),
        # An inline formula > 0.5 inside another block goes, whatever the sizes.
        (
            [box(Label.text, 0, 0, 100, 100), box(Label.inline_formula, 20, 20, 40, 30)],
            [("text", 0)],
        ),
        (
            [box(Label.inline_formula, 0, 0, 100, 100), box(Label.text, 10, 10, 30, 30)],
            [("text", 10)],
        ),
        # Half of it exactly (0.5 is not > 0.5): it stays.
        (
            [box(Label.text, 0, 0, 100, 100), box(Label.inline_formula, 90, 0, 110, 10)],
            [("text", 0), ("inline_formula", 90)],
        ),
        # A box dropped once is not compared again: a (dropped by b) cannot drop c.
        (
            [
                box(Label.text, 10, 10, 60, 60),
                box(Label.text, 0, 0, 100, 100),
                box(Label.text, 12, 12, 58, 58),
            ],
            [("text", 0)],
        ),
    ],
)
def test_filter_boxes(boxes: list[LayoutBox], expected: list[tuple[str, float]]) -> None:
    assert kept(boxes) == expected


def test_filter_boxes_polygons_that_barely_overlap_both_stay() -> None:
    # processors.filter_boxes: rect overlap > 0.7 but polygon overlap < 0.7 -> continue.
    a = box(Label.text, 0, 0, 100, 100)
    a.polygon = [(0, 0), (100, 0), (0, 100)]  # the upper-left triangle
    b = box(Label.text, 0, 0, 100, 100)
    b.polygon = [(100, 0), (100, 100), (0, 100)]  # the lower-right triangle
    assert len(filter_overlap_boxes([a, b])) == 2
    assert len(filter_overlap_boxes([a, b], shape_mode="rect")) == 1


# -- paddleocr_vl/uilts.py: truncate_repetitive_content (min_count 5000 tables, else 50) --


@pytest.mark.parametrize(
    ("content", "min_count", "expected"),
    [
        # Shorter than min_count: untouched, however repetitive.
        ("ab" * 20, 50, "ab" * 20),
        # Priority 3: a line 12 times (>= 10 lines, >= 80 %): that line once.
        ("Total revenue 2023\n" * 12, 50, "Total revenue 2023"),
        # ... and a heading before the loop is lost too (12 of 13 lines is >= 80 %).
        ("Annual report\n" + "Total revenue 2023\n" * 12, 50, "Total revenue 2023"),
        # 9 copies are fewer than line_threshold: untouched.
        ("Total revenue 2023\n" * 9, 50, "Total revenue 2023\n" * 9),
        # 10 copies among 14 lines is 71 % < 80 %: untouched.
        (
            "a line\nb line\nc line\nd line\n" + "Total revenue 2023\n" * 10,
            50,
            "a line\nb line\nc line\nd line\n" + "Total revenue 2023\n" * 10,
        ),
        # Priority 1: one long line ending in a phrase loop: the text before the loop.
        ("The quick answer is: " + "see the table below. " * 30, 50, "The quick answer is:"),
        ("Итого: 5" + " 0" * 200, 50, "Итого: 5"),
        # Priority 2: a short line that is one unit over and over: the unit.
        ("ab" * 30, 50, "ab"),
        # Repeated table rows, a 4096-token loop on one line: the header row alone.
        (
            "<fcel>A<fcel>B<nl>" + "<fcel>1<fcel>2<nl>" * 800,
            5000,
            "<fcel>A<fcel>B<nl>",
        ),
        # 803 rows: the unit is 160 rows, 5 copies; the 3 rows before them stay.
        (
            "<fcel>A<fcel>B<nl>" + "<fcel>1<fcel>2<nl>" * 803,
            5000,
            "<fcel>A<fcel>B<nl>" + "<fcel>1<fcel>2<nl>" * 3,
        ),
        # A table loop shorter than 5000 characters is left alone.
        (
            "<fcel>A<fcel>B<nl>" + "<fcel>1<fcel>2<nl>" * 100,
            5000,
            "<fcel>A<fcel>B<nl>" + "<fcel>1<fcel>2<nl>" * 100,
        ),
        # Ordinary text.
        ("A paragraph that says nothing twice, and then ends." * 1, 50, None),
    ],
)
def test_truncate_repetitive_content(content: str, min_count: int, expected: str | None) -> None:
    assert truncate_repetitive_content(content, min_count=min_count) == (
        content if expected is None else expected
    )


# -- paddleocr_vl/uilts.py: post_process_for_spotting ----------------------------------


def test_spotting_bare_loc_fallback() -> None:
    # No TEXT_START/LOC_BEGIN runs: text then eight LOC tokens, as many times as it fits.
    loc = "".join(f"<|LOC_{v}|>" for v in (100, 200, 300, 200, 300, 400, 100, 400))
    lines = parse_spotting(f"Hello{loc} World {loc}<|LOC_5|>", width=500, height=1000)
    assert [ln.text for ln in lines] == ["Hello", "World"]
    assert lines[0].polygon == [(50.0, 200.0), (150.0, 200.0), (150.0, 400.0), (50.0, 400.0)]


def test_spotting_tagged_runs_win_over_the_fallback() -> None:
    loc = "".join(f"<|LOC_{v}|>" for v in (0, 0, 1000, 0, 1000, 1000, 0, 1000))
    text = f"<|TEXT_START|>tagged<|TEXT_END|><|LOC_BEGIN|>{loc}<|LOC_END|>bare{loc}"
    assert [ln.text for ln in parse_spotting(text, 10, 10)] == ["tagged"]
