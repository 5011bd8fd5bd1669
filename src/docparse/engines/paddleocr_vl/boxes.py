"""The page-level box filter PaddleX runs between layout detection and recognition
(PaddleX `layout_analysis/processors.py: filter_boxes`, called by the PaddleOCR-VL pipeline
as `filter_overlap_boxes`): no `reference` containers, no sliver boxes, one box of each
heavily overlapping pair, and no inline formula that sits in another block."""

from __future__ import annotations

import numpy as np

from docparse.document import BBox, Label
from docparse.layout.boxes import LayoutBox

TINY = 6  # px: a box narrower or lower than this is dropped
OVERLAP = 0.7  # of the smaller box: keep only the larger of the two
INLINE_OVERLAP = 0.5  # of the smaller box: an inline formula inside another block goes
# A pair with one of these and another label is kept whole (a figure over text, a table
# over a chart), except a table paired with a non-visual label.
VISUAL = frozenset({Label.image, Label.table, Label.seal, Label.chart})


def overlap_small(a: BBox, b: BBox) -> float:
    """Intersection over the smaller area (PaddleX calculate_overlap_ratio, "small")."""
    small = min(a.area, b.area)
    return a.overlap_area(b) / small if small else 0.0


def polygon_overlap_small(p: list[tuple[float, float]], q: list[tuple[float, float]]) -> float:
    """Intersection over the smaller polygon's area, on a 1-px raster of their bounds
    (PaddleX uses shapely; a pixel grid is close enough for a 0.7 threshold)."""
    import cv2

    points = np.array(p + q, dtype=np.float64)
    x0, y0 = np.floor(points.min(axis=0))
    x1, y1 = np.ceil(points.max(axis=0))
    size = (int(y1 - y0) + 1, int(x1 - x0) + 1)
    masks = []
    for poly in (p, q):
        mask = np.zeros(size, dtype=np.uint8)
        shifted = np.round(np.array(poly) - (x0, y0)).astype(np.int32)
        cv2.fillPoly(mask, [shifted], 1)
        masks.append(mask.astype(bool))
    small = min(int(masks[0].sum()), int(masks[1].sum()))
    return float((masks[0] & masks[1]).sum()) / small if small else 0.0


def filter_overlap_boxes(boxes: list[LayoutBox], shape_mode: str = "auto") -> list[LayoutBox]:
    """PaddleX's filter over one page's layout boxes, in their order; returns the kept
    boxes in the same order."""
    kept = [b for b in boxes if b.label != Label.reference]
    dropped: set[int] = set()
    for i, a in enumerate(kept):
        if a.bbox.width < TINY or a.bbox.height < TINY:
            dropped.add(i)
        for j in range(i + 1, len(kept)):
            if i in dropped or j in dropped:
                continue
            b = kept[j]
            ratio = overlap_small(a.bbox, b.bbox)
            if Label.inline_formula in (a.label, b.label) and ratio > INLINE_OVERLAP:
                if a.label == Label.inline_formula:
                    dropped.add(i)
                if b.label == Label.inline_formula:
                    dropped.add(j)
                continue
            if ratio <= OVERLAP:
                continue
            if (
                shape_mode != "rect"
                and a.polygon
                and b.polygon
                and polygon_overlap_small(a.polygon, b.polygon) < OVERLAP
            ):
                continue
            labels = {a.label, b.label}
            mixed_visual = bool(labels & VISUAL) and len(labels) > 1
            if mixed_visual and (Label.table not in labels or labels <= VISUAL):
                continue
            if a.bbox.area >= b.bbox.area:
                dropped.add(j)
            else:
                dropped.add(i)
    return [b for k, b in enumerate(kept) if k not in dropped]
