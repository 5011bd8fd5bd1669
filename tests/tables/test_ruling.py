"""The rule finder's edges: slots merged into cells, and pages too thin for a table."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from docparse.document import BBox
from docparse.tables.ruling import clutter, detect_lines, rectangles


def pairwise_rectangles(
    nr: int, nc: int, links: list[tuple[tuple[int, int], tuple[int, int]]]
) -> list[tuple[int, int, int, int]]:
    """The definition, written plainly: linked slots' boxes, merged while any overlap."""
    groups = [{(r, c)} for r in range(nr) for c in range(nc)]
    for a, b in links:
        ga, gb = next(g for g in groups if a in g), next(g for g in groups if b in g)
        if ga is not gb:
            ga |= gb
            groups.remove(gb)
    rects = [
        (min(r for r, _ in g), min(c for _, c in g), max(r for r, _ in g), max(c for _, c in g))
        for g in groups
    ]
    merged = True
    while merged:
        merged = False
        for i in range(len(rects)):
            for j in range(i + 1, len(rects)):
                p, q = rects[i], rects[j]
                if p[0] <= q[2] and q[0] <= p[2] and p[1] <= q[3] and q[1] <= p[3]:
                    rects[i] = (min(p[0], q[0]), min(p[1], q[1]), max(p[2], q[2]), max(p[3], q[3]))
                    del rects[j]
                    merged = True
                    break
            if merged:
                break
    return sorted(rects)


@st.composite
def grids(draw: st.DrawFn) -> tuple[int, int, list[tuple[tuple[int, int], tuple[int, int]]]]:
    nr, nc = draw(st.integers(1, 7)), draw(st.integers(1, 7))
    slot = st.tuples(st.integers(0, nr - 1), st.integers(0, nc - 1))
    steps = st.sampled_from([(0, 1), (1, 0)])
    links = []
    for (r, c), (dr, dc) in draw(st.lists(st.tuples(slot, steps), max_size=nr * nc)):
        if r + dr < nr and c + dc < nc:
            links.append(((r, c), (r + dr, c + dc)))
    return nr, nc, links


@settings(max_examples=300, derandomize=True, deadline=None)
@given(grids())
def test_cells_are_the_linked_slots_merged_until_none_overlap(
    grid: tuple[int, int, list[tuple[tuple[int, int], tuple[int, int]]]],
) -> None:
    assert rectangles(*grid) == pairwise_rectangles(*grid)


def test_a_chain_of_overlaps_is_one_cell() -> None:
    # An L of slots takes in the slot in its corner, whose group then reaches the last.
    links = [((0, 0), (1, 0)), ((1, 0), (1, 1)), ((0, 1), (0, 2))]
    assert rectangles(2, 3, links) == [(0, 0, 1, 2)]
    # A page ruled every few points is thousands of slots, none linked: each its own cell
    # (comparing every pair of cells took a minute on such a page).
    assert len(rectangles(150, 150, [])) == 150 * 150


@pytest.mark.parametrize(
    ("shape", "dpi"),
    [((1, 1), 72), ((4, 400), 72), ((400, 4), 72), ((9, 400), 300), ((1, 1), 300)]
    + [((50, 50), dpi) for dpi in (0, 1, math.inf, math.nan)],
)
def test_a_page_too_thin_for_a_table_has_no_rules(shape: tuple[int, int], dpi: float) -> None:
    # cv2 raised on these (an empty slice, a resize to nothing, a kernel of 0).
    page = np.full(shape, 255, np.uint8)
    page[shape[0] // 2, :] = 0  # a rule across, where there is room for one
    lines = detect_lines(page, dpi)
    assert lines.v_lines == []
    if min(shape) < 16:
        assert lines.h_lines == []


def test_clutter_reads_only_the_drawn_page() -> None:
    """Gutters of a table whose words lie partly off the drawn page (text outside the
    CropBox): the part past the image is nothing, not an error."""
    image = np.full((200, 300), 255, np.uint8)
    image[50:60, 20:280] = 0  # one rule across
    page = detect_lines(image, 72.0)
    off = [BBox(x0=100, y0=150, x1=120, y1=900), BBox(x0=290, y0=10, x1=400, y1=40)]
    assert clutter(page, off) == 0.0
    assert clutter(page, [BBox(x0=100, y0=400, x1=120, y1=900)]) == 0.0
