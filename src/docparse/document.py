"""The Document model: the one shape every engine produces and every exporter reads."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field, computed_field


class Label(StrEnum):
    """PaddleOCR-VL's layout labels, so clients see the same labels whichever engine ran."""

    doc_title = "doc_title"
    paragraph_title = "paragraph_title"
    text = "text"
    abstract = "abstract"
    content = "content"
    reference = "reference"
    reference_content = "reference_content"
    table = "table"
    image = "image"
    chart = "chart"
    display_formula = "display_formula"
    inline_formula = "inline_formula"
    formula_number = "formula_number"
    header = "header"
    header_image = "header_image"
    footer = "footer"
    footer_image = "footer_image"
    footnote = "footnote"
    figure_title = "figure_title"
    vision_footnote = "vision_footnote"
    aside_text = "aside_text"
    algorithm = "algorithm"
    number = "number"
    seal = "seal"
    vertical_text = "vertical_text"


# Page furniture: kept in JSON, left out of Markdown (PaddleX's markdown_ignore_labels,
# but footnotes stay: their text is the document's).
FURNITURE_LABELS = frozenset(
    {
        Label.header,
        Label.footer,
        Label.number,
        Label.header_image,
        Label.footer_image,
        Label.aside_text,
    }
)


class BBox(BaseModel):
    """Axis-aligned box in page pixels, origin top-left."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def area(self) -> float:
        return max(0.0, self.width) * max(0.0, self.height)

    def overlap_area(self, other: BBox) -> float:
        return max(0.0, min(self.x1, other.x1) - max(self.x0, other.x0)) * max(
            0.0, min(self.y1, other.y1) - max(self.y0, other.y0)
        )

    def centre_in(self, other: BBox) -> bool:
        """Does this box's middle lie in `other` (a line in a table, a block in a box)?"""
        cx, cy = (self.x0 + self.x1) / 2, (self.y0 + self.y1) / 2
        return other.x0 <= cx <= other.x1 and other.y0 <= cy <= other.y1

    def union(self, other: BBox) -> BBox:
        return BBox(
            x0=min(self.x0, other.x0),
            y0=min(self.y0, other.y0),
            x1=max(self.x1, other.x1),
            y1=max(self.y1, other.y1),
        )

    def scaled(self, factor: float) -> BBox:
        return BBox(
            x0=self.x0 * factor, y0=self.y0 * factor, x1=self.x1 * factor, y1=self.y1 * factor
        )

    @classmethod
    def around(cls, boxes: list[BBox]) -> BBox:
        return cls(
            x0=min(b.x0 for b in boxes),
            y0=min(b.y0 for b in boxes),
            x1=max(b.x1 for b in boxes),
            y1=max(b.y1 for b in boxes),
        )


class Line(BaseModel):
    """One text line inside a block, kept so exporters can undo hyphenation."""

    text: str
    bbox: BBox
    confidence: float | None = None
    size: float | None = Field(default=None, description="text size (em height), when known")
    bold: bool = False
    italic: bool = False
    # Words with boxes, in-process only: table recognition needs them, clients do not.
    words: list[tuple[str, BBox]] = Field(default_factory=list, exclude=True, repr=False)
    # Where the text layer's runs start after a gap of an em or more (in-process): the
    # parts of a line set apart by tabs ('42        Styrene-Acrylonitrile Trimer').
    column_starts: tuple[float, ...] = Field(default=(), exclude=True, repr=False)

    @property
    def text_size(self) -> float:
        return self.size or self.bbox.height


def mean_confidence(lines: list[Line]) -> float | None:
    """A block's confidence: the mean of its lines' (0..1), None when none is known."""
    known = [ln.confidence for ln in lines if ln.confidence is not None]
    return round(sum(known) / len(known), 4) if known else None


class TableCell(BaseModel):
    row: int
    col: int
    row_span: int = 1
    col_span: int = 1
    text: str = ""
    bbox: BBox | None = None


class Block(BaseModel):
    id: str
    label: Label = Label.text
    bbox: BBox
    bbox_norm: BBox | None = Field(default=None, description="bbox divided by page size (0..1)")
    order: int = 0
    text: str = ""
    lines: list[Line] = Field(default_factory=list)
    html: str | None = None
    cells: list[TableCell] = Field(default_factory=list)
    latex: str | None = None
    polygon: list[tuple[float, float]] | None = None
    image: str | None = Field(default=None, description="a figure's crop, relative path")
    confidence: float | None = None
    source_engine: str = ""
    error: str | None = Field(
        default=None,
        description="why the block has no text: the engine refused or gave up on its crop "
        "(the VLM server's HTTP 400, no answer in time); the rest of the page was read",
    )


class PageStatus(StrEnum):
    ok = "ok"
    empty = "empty"
    failed = "failed"


class Page(BaseModel):
    index: int = Field(description="0-based page index in the source document")
    width: float = Field(description="page width in pixels at `dpi`")
    height: float
    dpi: float = 72.0
    rotation: int = Field(default=0, description="degrees the page was turned to be upright")
    skew: float = Field(default=0.0, description="small skew in degrees that was corrected")
    route: str = Field(default="", description="how the page was read: text_layer | ocr")
    engine: str = ""
    fallback: str | None = Field(default=None, description="why another engine read it")
    status: PageStatus = PageStatus.ok
    error: str | None = None
    blocks: list[Block] = Field(default_factory=list)

    def normalise_boxes(self) -> None:
        """Fill bbox_norm and order for every block (order = list position)."""
        for order, block in enumerate(self.blocks):
            block.order = order
            block.bbox_norm = BBox(
                x0=block.bbox.x0 / self.width,
                y0=block.bbox.y0 / self.height,
                x1=block.bbox.x1 / self.width,
                y1=block.bbox.y1 / self.height,
            )


class Document(BaseModel):
    pages: list[Page] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def failed_pages(self) -> list[int]:
        return [p.index for p in self.pages if p.status == PageStatus.failed]
