"""docparse's ports next to PaddleX on the same inputs. The expected outputs were worked out
by following PaddleX's code by hand; each case names the PaddleX function it follows."""

from __future__ import annotations

import pytest
from PIL import Image

from docparse.document import BBox, Label
from docparse.engines.paddleocr_vl.boxes import filter_overlap_boxes
from docparse.engines.paddleocr_vl.crops import Crop, crop_margin, merge_blocks
from docparse.engines.paddleocr_vl.formats import (
    parse_otsl,
    parse_spotting,
    truncate_repetitive_content,
)
from docparse.export.paddlex_markdown import format_doc_title, format_title
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


# -- paddleocr_vl/uilts.py: convert_otsl_to_html (otsl_parse_texts, TableData.grid) -----


@pytest.mark.parametrize(
    ("otsl", "expected"),
    [
        # An <lcel> first in its row reaches no cell: the grid's empty cell stays a <td>.
        (
            "<fcel>A<fcel>B<nl><lcel><fcel>C<nl>",
            "<table><tr><td>A</td><td>B</td></tr><tr><td></td><td>C</td></tr></table>",
        ),
        # A <ucel> in the first row likewise.
        (
            "<ucel><fcel>B<nl><fcel>C<fcel>D<nl>",
            "<table><tr><td></td><td>B</td></tr><tr><td>C</td><td>D</td></tr></table>",
        ),
        # Span tags a cell does reach are its span, not empty cells.
        (
            "<fcel>A<lcel><nl><ucel><ucel><nl>",
            '<table><tr><td rowspan="2" colspan="2">A</td></tr><tr></tr></table>',
        ),
        # fake_vlm.malformed_otsl: ragged rows (padded to 5: otsl_pad_to_sqr_v2's width,
        # the last <fcel> of row 3), a leading <lcel>, no final <nl>.
        (
            "<fcel>A<fcel>B<fcel>C<nl><fcel>1<nl><lcel><fcel>2<fcel>3<fcel>4<fcel>5<nl><fcel>x",
            "<table>"
            + "<tr><td>A</td><td>B</td><td>C</td><td></td><td></td></tr>"
            + "<tr><td>1</td>"
            + "<td></td>" * 4
            + "</tr>"
            + "<tr><td></td><td>2</td><td>3</td><td>4</td><td>5</td></tr>"
            + "<tr><td>x</td>"
            + "<td></td>" * 4
            + "</tr>"
            + "</table>",
        ),
    ],
)
def test_otsl_orphan_spans(otsl: str, expected: str) -> None:
    table = parse_otsl(otsl)
    assert table is not None and table.html() == expected


# -- layout_parsing/result_v2.py: format_title_func; paddleocr_vl/result.py doc_title ---


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Introduction", "## Introduction"),  # no numbering, no dot: level 1
        ("1 Introduction", "## 1 Introduction"),
        ("1.Introduction", "### 1. Introduction"),  # one space after the numbering
        ("2.1 Method", "### 2.1 Method"),  # one '#' more per dot
        ("3.2.1. Details.", "##### 3.2.1. Details"),  # trailing dots go, inner ones count
        ("IV. Results", "### IV. Results"),
        ("（三）方法", "## （三） 方法"),
        ("Dr. Smith's method", "### Dr. Smith's method"),  # any dot counts, as there
        ("Long-\nheading", "## Longheading"),
    ],
)
def test_paragraph_title_levels(title: str, expected: str) -> None:
    assert format_title(title) == expected


def test_doc_title() -> None:
    assert format_doc_title("Deep-\nLearning for\nDocuments") == "# DeepLearning for Documents"


# -- paddleocr_vl/uilts.py: merge_blocks, merge_images, crop_margin ---------------------


def crop(label: Label, x0: float, y0: float, x1: float, y1: float, shade: int = 0) -> Crop:
    bbox = BBox(x0=x0, y0=y0, x1=x1, y1=y1)
    return Crop(label, bbox, Image.new("RGB", (int(x1 - x0), int(y1 - y0)), (shade,) * 3))


KEEP_APART = frozenset({Label.image, Label.header_image, Label.footer_image, Label.table})


def plan(crops: list[Crop]) -> list[tuple[int, tuple[int, int] | None, int]]:
    return [
        (p.index, p.image.size if p.image else None, p.group)
        for p in merge_blocks(crops, KEEP_APART)
    ]


def test_merge_side_by_side_text() -> None:
    # is_cross: no horizontal overlap, the second starts right of the first and above its
    # bottom, the gap (20) under 0.3 of the wider (100): one crop, stacked and centred.
    crops = [crop(Label.text, 0, 0, 100, 40), crop(Label.text, 120, 10, 200, 30)]
    assert plan(crops) == [(0, (100, 60), 0), (1, None, 0)]
    stacked = merge_blocks(crops, KEEP_APART)[0].image
    assert stacked is not None and stacked.getpixel((5, 50)) == (255, 255, 255)  # centred


def test_merge_needs_text_both_sides_and_a_small_gap() -> None:
    title = [crop(Label.paragraph_title, 0, 0, 100, 40), crop(Label.text, 120, 10, 200, 30)]
    assert plan(title) == [(0, (100, 40), 0), (1, (80, 20), 1)]
    far = [crop(Label.text, 0, 0, 100, 40), crop(Label.text, 131, 10, 200, 30)]  # gap 31
    assert plan(far) == [(0, (100, 40), 0), (1, (69, 20), 1)]


def test_merge_up_and_down_only_beside_a_picture() -> None:
    # is_updown_align: overlapping columns, the gap under half the taller, exactly one
    # edge aligned (left here), and the box around both touches a never-merged block.
    text = [crop(Label.text, 0, 0, 100, 40), crop(Label.text, 0, 50, 80, 90)]
    assert plan(text) == [(0, (100, 40), 0), (1, (80, 40), 1)]  # nothing beside them
    picture = crop(Label.image, 85, 45, 200, 200)
    # The picture sat between nothing: it comes after the group, in its place.
    assert plan([*text, picture]) == [(0, (100, 80), 0), (1, None, 0), (2, (115, 155), 2)]
    # A picture between the group's blocks comes after them.
    assert plan([text[0], picture, text[1]]) == [
        (0, (100, 80), 0),
        (2, None, 0),
        (1, (115, 155), 1),
    ]


def test_merge_left_aligned_stack_is_left_aligned() -> None:
    crops = [
        crop(Label.text, 0, 0, 100, 40, shade=0),
        crop(Label.text, 0, 50, 80, 90, shade=100),
        crop(Label.image, 85, 45, 200, 200),
    ]
    stacked = merge_blocks(crops, KEEP_APART)[0].image
    assert stacked is not None
    assert stacked.getpixel((0, 45)) == (100, 100, 100)  # left: the second starts at x 0
    assert stacked.getpixel((90, 45)) == (255, 255, 255)


def test_merge_not_when_the_stack_is_three_times_higher_than_wide() -> None:
    crops = [crop(Label.text, 0, 0, 40, 60), crop(Label.text, 50, 10, 90, 70)]  # 40 x 120
    assert plan(crops) == [(0, (40, 60), 0), (1, (40, 60), 1)]


def test_crop_margin() -> None:
    image = Image.new("RGB", (100, 60), "white")
    image.paste((0, 0, 0), (10, 20, 31, 26))  # ink at x 10..30, y 20..25
    image.paste((230, 230, 230), (50, 5, 60, 10))  # light grey: over 200 once stretched
    assert crop_margin(image).size == (21, 6)
    # Nothing but one shade, or ink no more than 2 px across: the crop as it was.
    assert crop_margin(Image.new("RGB", (40, 40), "white")).size == (40, 40)
    thin = Image.new("RGB", (40, 40), "white")
    thin.paste((0, 0, 0), (5, 5, 7, 30))
    assert crop_margin(thin).size == (40, 40)
