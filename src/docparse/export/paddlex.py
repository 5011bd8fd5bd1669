"""PaddleX's result shape for one page of PaddleOCR-VL: `prunedResult` (parsing_res_list,
layout_det_res, model_settings), its Markdown with images, and the visualisation.

The Markdown and `formatBlockContent` follow PaddleX's `pipelines/paddleocr_vl/result.py`
(`_to_markdown`, `_to_json`, `build_handle_funcs_dict`) and the formatters it imports from
`layout_parsing/result_v2.py`; those are in export/paddlex_markdown.py."""

from __future__ import annotations

import base64
import io
from typing import Any, Literal, Protocol

from PIL import Image, ImageDraw

from docparse.document import Block, Document, Label, Page, PageStatus
from docparse.export.markdown import block_text
from docparse.export.paddlex_markdown import PaddleXBlock, formatters, markdown, table_rows
from docparse.layout.boxes import LABELS_V2V3, SKIP_ORDER_LABELS

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
# Pictures PaddleX crops into the Markdown's images (IMAGE_LABELS, and charts not read).
PICTURE_LABELS = frozenset({Label.image, Label.header_image, Label.footer_image})
FORMULA_LABELS = frozenset({Label.display_formula, Label.inline_formula})

PageStatusName = Literal["ok", "empty", "partial", "fallback", "failed"]


class PaddlexPageOptions(Protocol):
    """The request options a page's result reports or follows (PaddleX's field names)."""

    @property
    def layoutShapeMode(self) -> str: ...

    useDocOrientationClassify: bool | None
    useDocUnwarping: bool | None
    useLayoutDetection: bool | None
    useChartRecognition: bool | None
    useSealRecognition: bool | None
    formatBlockContent: bool | None
    markdownIgnoreLabels: list[str] | None
    prettifyMarkdown: bool
    showFormulaNumber: bool
    visualize: bool | None


def jpeg_bytes(image: Image.Image) -> bytes:
    image = image.convert("RGB")
    image.thumbnail((2000, 2000))  # PaddleX's DEFAULT_MAX_OUTPUT_IMG_SIZE
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


def jpeg_b64(image: Image.Image) -> str:
    return base64.b64encode(jpeg_bytes(image)).decode()


def image_key(block: Block) -> str:
    """PaddleX's name for a block's picture (layout_parsing/utils.py construct_img_path):
    `imgs/img_in_{label}_box_{x0}_{y0}_{x1}_{y1}.jpg`, and the bytes under it are JPEG."""
    x0, y0, x1, y1 = (int(v) for v in (block.bbox.x0, block.bbox.y0, block.bbox.x1, block.bbox.y1))
    return f"imgs/img_in_{block.label.value}_box_{x0}_{y0}_{x1}_{y1}.jpg"


def _picture(label: Label, charts: bool) -> bool:
    return label in PICTURE_LABELS or (label == Label.chart and not charts)


# Labels whose content PaddleX's Markdown keeps line by line, one paragraph a line.
LINE_LABELS = frozenset(
    {Label.text, Label.vertical_text, Label.reference_content, Label.vision_footnote}
)


def block_content(block: Block) -> str:
    """A block's `block_content`: what PaddleX's pipeline leaves in it (HTML for a table,
    `$$…$$` for a formula, the model's rows for a chart, the model's lines for text)."""
    if block.label == Label.table and block.html:
        return block.html
    if block.label in FORMULA_LABELS and block.latex:
        return f"$${block.latex}$$"
    if block.label == Label.chart and block.cells:
        return "\n".join(" | ".join(row) for row in table_rows(block))
    if not block.lines and block.label in LINE_LABELS:
        return block.text  # a VLM block: its line breaks are the model's
    return block_text(block)


def page_status(page: Page) -> tuple[PageStatusName, str | None]:
    """A page's `pageStatus` and `errorMsg` (docparse additions, see the schema)."""
    if page.status == PageStatus.failed:
        return "failed", page.error or "the page could not be read"
    if page.fallback:
        return "fallback", f"read by {page.engine}: {page.fallback}"
    refused = [b for b in page.blocks if b.error]
    if refused:
        return "partial", f"{len(refused)} block(s) got no content: {refused[0].error}"
    if page.status == PageStatus.empty:
        return "empty", None
    return "ok", None


def page_result(
    document: Document,
    index: int,
    request: PaddlexPageOptions,
    image: Image.Image | None,
    figures: dict[str, bytes],
) -> dict[str, Any]:
    page = document.pages[index]
    blocks = sorted(page.blocks, key=lambda b: b.order)
    charts = bool(request.useChartRecognition)
    views = [
        PaddleXBlock(
            b.label,
            block_content(b),
            b,
            image_key(b) if b.image in figures and _picture(b.label, charts) else None,
        )
        for b in blocks
    ]
    # PaddleX _to_json with format_block_content: seals as pictures only when read (sic).
    formatted = (
        formatters(page.width, True, charts, seals_as_image=bool(request.useSealRecognition))
        if request.formatBlockContent
        else None
    )
    ignore = set(request.markdownIgnoreLabels or PADDLEX_IGNORED_BY_DEFAULT)
    unordered = SKIP_ORDER_LABELS | ignore  # PaddleX result.py: with the ignored ones
    parsing = []
    next_order = 1
    for order, view in enumerate(views):
        block = view.block
        content = view.content
        if formatted is not None and view.label in formatted:
            content = formatted[view.label](view)  # PaddleX _to_json, formatBlockContent
        entry: dict[str, Any] = {
            "block_label": block.label.value,
            "block_content": content,
            "block_bbox": [
                round(v) for v in (block.bbox.x0, block.bbox.y0, block.bbox.x1, block.bbox.y1)
            ],
            "block_id": order,
            "block_order": None if block.label.value in unordered else next_order,
            "group_id": order,
        }
        if entry["block_order"] is not None:
            next_order += 1
        if block.polygon and request.layoutShapeMode != "rect":
            entry["block_polygon_points"] = [[round(x), round(y)] for x, y in block.polygon]
        if block.error:
            entry["block_error"] = block.error
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
            "use_doc_preprocessor": bool(
                request.useDocOrientationClassify or request.useDocUnwarping
            ),
            "use_layout_detection": request.useLayoutDetection is not False,
            "use_chart_recognition": charts,
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
    images = {
        view.image: jpeg_b64(Image.open(io.BytesIO(figures[view.block.image])))
        for view in views
        if view.image and view.block.image
    }
    status, error = page_status(page)
    text = markdown(
        views, ignore, page.width, request.prettifyMarkdown, charts, request.showFormulaNumber
    )
    result: dict[str, Any] = {
        "pageStatus": status,
        "errorMsg": error,
        "prunedResult": pruned,
        "markdown": {"text": text, "images": images},
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
