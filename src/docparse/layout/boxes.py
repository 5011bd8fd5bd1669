"""What a layout stage produces, whichever model or method found it."""

from __future__ import annotations

from dataclasses import dataclass

from docparse.document import BBox, Label

# cls_id -> name, the same 25 classes for PP-DocLayoutV2 and V3 (PaddleX
# `_LABEL_DOC_LAYOUT_V2V3`); also the class ids of a PaddleX-shaped `layout_det_res`.
LABELS_V2V3: tuple[str, ...] = (
    "abstract",
    "algorithm",
    "aside_text",
    "chart",
    "content",
    "display_formula",
    "doc_title",
    "figure_title",
    "footer",
    "footer_image",
    "footnote",
    "formula_number",
    "header",
    "header_image",
    "image",
    "inline_formula",
    "number",
    "paragraph_title",
    "reference",
    "reference_content",
    "seal",
    "table",
    "text",
    "vertical_text",
    "vision_footnote",
)


# Labels that get no reading-order number (PaddleX SKIP_ORDER_LABELS).
SKIP_ORDER_LABELS = frozenset(
    {
        "figure_title",
        "vision_footnote",
        "image",
        "chart",
        "table",
        "header",
        "header_image",
        "footer",
        "footer_image",
        "footnote",
        "aside_text",
    }
)


@dataclass
class LayoutBox:
    label: Label
    score: float
    bbox: BBox  # page pixels
    order: int | None = None  # reading order, 1-based; None for labels outside the flow
    polygon: list[tuple[float, float]] | None = None
    cls_id: int = -1  # the model's class id (for PaddleX-shaped `layout_det_res`)
