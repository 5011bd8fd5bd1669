"""PaddleX's result shape for one page of PaddleOCR-VL: `prunedResult` (parsing_res_list,
layout_det_res, model_settings), its Markdown flavour (HTML tables, `$$` formulas, centred
img markup) with images, and the visualisation."""

from __future__ import annotations

import base64
import io
from typing import Any, Protocol

from PIL import Image, ImageDraw

from docparse.document import FURNITURE_LABELS, Block, Document, Label
from docparse.export.markdown import block_text
from docparse.layout.boxes import LABELS_V2V3

CLASS_IDS = {name: i for i, name in enumerate(LABELS_V2V3)}
PADDLEX_IGNORED_BY_DEFAULT = [
    "number",
    "footnote",
    "header",
    "header_image",
    "footer",
    "footer_image",
    "aside_text",
]


class PaddlexPageOptions(Protocol):
    """The request options a page's result reports or follows (PaddleX's field names)."""

    @property
    def layoutShapeMode(self) -> str: ...

    useDocOrientationClassify: bool | None
    useLayoutDetection: bool | None
    useChartRecognition: bool | None
    useSealRecognition: bool | None
    formatBlockContent: bool | None
    markdownIgnoreLabels: list[str] | None
    prettifyMarkdown: bool
    visualize: bool | None


def jpeg_b64(image: Image.Image) -> str:
    image = image.convert("RGB")
    image.thumbnail((2000, 2000))  # PaddleX's DEFAULT_MAX_OUTPUT_IMG_SIZE
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return base64.b64encode(buffer.getvalue()).decode()


# Labels whose content PaddleX's Markdown keeps line by line, one paragraph a line.
LINE_LABELS = frozenset(
    {Label.text, Label.vertical_text, Label.reference_content, Label.vision_footnote}
)


def block_content(block: Block) -> str:
    if block.label == Label.table and block.html:
        return block.html
    if block.label in (Label.display_formula, Label.inline_formula) and block.latex:
        return f"$${block.latex}$$"
    if block.label == Label.chart and block.cells:
        return block.text  # the chart's rows, one a line
    if not block.lines and block.label in LINE_LABELS:
        return block.text  # a VLM block: its line breaks are the model's
    return block_text(block)


def markdown_content(block: Block) -> str:
    """A block in PaddleX's Markdown: a chart the model read is a table, and a text
    block's lines are paragraphs (content.replace("\n\n", "\n").replace("\n", "\n\n"))."""
    if block.label == Label.chart and block.html:
        return block.html
    content = block_content(block)
    if block.label in LINE_LABELS:
        content = content.replace("\n\n", "\n").replace("\n", "\n\n")
    return content


def markdown(blocks: list[Block], ignore: set[str], page_width: float, pretty: bool) -> str:
    parts = []
    for block in blocks:
        if block.label.value in ignore:
            continue
        if block.image and not block.text:
            width = int(block.bbox.width / page_width * 100)
            parts.append(
                f'<div style="text-align: center;"><img src="{block.image}" '
                f'alt="Image" width="{width}%" /></div>'
                if pretty
                else f"![]({block.image})"
            )
            continue
        content = markdown_content(block)
        if block.label == Label.doc_title:
            content = "# " + content
        elif block.label == Label.paragraph_title:
            content = "## " + content
        if content:
            parts.append(content)
    return "\n\n".join(parts)


def page_result(
    document: Document,
    index: int,
    request: PaddlexPageOptions,
    image: Image.Image | None,
    figures: dict[str, bytes],
) -> dict[str, Any]:
    page = document.pages[index]
    blocks = sorted(page.blocks, key=lambda b: b.order)
    parsing = []
    for order, block in enumerate(blocks):
        entry: dict[str, Any] = {
            "block_label": block.label.value,
            "block_content": block_content(block),
            "block_bbox": [
                round(v) for v in (block.bbox.x0, block.bbox.y0, block.bbox.x1, block.bbox.y1)
            ],
            "block_id": order,
            "block_order": None if block.label in FURNITURE_LABELS else order + 1,
            "group_id": order,
        }
        if block.polygon and request.layoutShapeMode != "rect":
            entry["block_polygon_points"] = [[round(x), round(y)] for x, y in block.polygon]
        parsing.append(entry)
    layout_boxes = [
        {
            "cls_id": CLASS_IDS.get(b.label.value, 22),
            "label": b.label.value,
            "score": round(b.confidence if b.confidence is not None else 1.0, 4),
            "coordinate": [round(v, 2) for v in (b.bbox.x0, b.bbox.y0, b.bbox.x1, b.bbox.y1)],
            "order": i + 1,
        }
        for i, b in enumerate(blocks)
    ]
    pruned: dict[str, Any] = {
        "page_index": index,
        "page_count": len(document.pages),
        "width": round(page.width),
        "height": round(page.height),
        "model_settings": {
            "use_doc_preprocessor": request.useDocOrientationClassify is not False,
            "use_layout_detection": request.useLayoutDetection is not False,
            "use_chart_recognition": bool(request.useChartRecognition),
            "use_seal_recognition": bool(request.useSealRecognition),
            "format_block_content": bool(request.formatBlockContent),
            "markdown_ignore_labels": request.markdownIgnoreLabels or PADDLEX_IGNORED_BY_DEFAULT,
        },
        "parsing_res_list": parsing,
        # docparse additions: who read the page, and why another engine did if it did.
        "engine": page.engine,
        "fallback": page.fallback,
        "status": page.status,
        "error": page.error,
    }
    if request.useLayoutDetection is not False:
        pruned["layout_det_res"] = {"boxes": layout_boxes}
    ignore = set(request.markdownIgnoreLabels or PADDLEX_IGNORED_BY_DEFAULT)
    images = {
        b.image: jpeg_b64(Image.open(io.BytesIO(figures[b.image])))
        for b in blocks
        if b.image and b.image in figures
    }
    result: dict[str, Any] = {
        "prunedResult": pruned,
        "markdown": {
            "text": markdown(blocks, ignore, page.width, request.prettifyMarkdown),
            "images": images,
        },
    }
    if request.visualize and image is not None:
        drawn = image.convert("RGB").copy()
        draw = ImageDraw.Draw(drawn)
        for block in blocks:
            draw.rectangle(
                (block.bbox.x0, block.bbox.y0, block.bbox.x1, block.bbox.y1),
                outline=(220, 30, 30),
                width=3,
            )
        result["outputImages"] = {"layout_det_res": jpeg_b64(drawn)}
        result["inputImage"] = jpeg_b64(image)
    return result
