"""PaddleX's result shape for one page of PaddleOCR-VL: `prunedResult` (parsing_res_list,
layout_det_res, model_settings), its Markdown with images, and the visualisation.

The Markdown and `formatBlockContent` follow PaddleX's `pipelines/paddleocr_vl/result.py`
(`_to_markdown`, `_to_json`, `build_handle_funcs_dict`) and the formatters it imports from
`layout_parsing/result_v2.py` (`format_title_func`, `format_centered_by_html`, ...)."""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from PIL import Image, ImageDraw

from docparse.document import Block, Document, Label, Page, PageStatus
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
# Pictures PaddleX crops into the Markdown's images (IMAGE_LABELS, and charts not read).
PICTURE_LABELS = frozenset({Label.image, Label.header_image, Label.footer_image})
# Labels PaddleX gives no block_order (result.py SKIP_ORDER_LABELS, with the ignored ones).
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
        return "\n".join(" | ".join(row) for row in _rows(block))
    if not block.lines and block.label in LINE_LABELS:
        return block.text  # a VLM block: its line breaks are the model's
    return block_text(block)


def _rows(block: Block) -> list[list[str]]:
    rows = 1 + max((c.row for c in block.cells), default=-1)
    cols = 1 + max((c.col for c in block.cells), default=-1)
    grid = [["" for _ in range(cols)] for _ in range(rows)]
    for cell in block.cells:
        grid[cell.row][cell.col] = cell.text
    return grid


# -- PaddleX's formatters, one block at a time ---------------------------------------------

# layout_parsing/result_v2.py compile_title_pattern: a title's numbering (1.2, (3), 三、, IV.)
TITLE_NUMBERING = re.compile(
    r"^\s*("
    r"(?:[1-9][0-9]*(?:\.[1-9][0-9]*)*[\.、]?|"
    r"[\(\（](?:[1-9][0-9]*|[一二三四五六七八九十百千万亿零壹贰叁肆伍陆柒捌玖拾]+)[\)\）]|"
    r"[一二三四五六七八九十百千万亿零壹贰叁肆伍陆柒捌玖拾]+[、\.]?|"
    r"(?:I|II|III|IV|V|VI|VII|VIII|IX|X)(?:\.|\s))"
    r")(\s*)(.*)$"
)


def format_title(content: str) -> str:
    """PaddleX format_title_func (paragraph_title without restructurePages' levels): one
    space after the numbering, then one '#' more than the numbering has dots: `1 Intro` is
    `## 1 Intro`, `2.1 Method` is `### 2.1 Method`."""
    match = TITLE_NUMBERING.match(content)
    if match:
        content = match.group(1).strip() + " " + match.group(3).lstrip()
    content = content.rstrip(".")
    level = content.count(".") + 1 if "." in content else 1
    return f"#{'#' * level} {content}".replace("-\n", "").replace("\n", " ")


def format_doc_title(content: str) -> str:
    return f"# {content}".replace("-\n", "").replace("\n", " ")


def centered(html: str) -> str:
    """PaddleX format_centered_by_html."""
    html = html.replace("-\n", "").replace("\n", " ")
    return f'<div style="text-align: center;">{html}</div>\n'


def paragraphs(content: str) -> str:
    """A text block: each of the model's lines a paragraph."""
    return content.replace("\n\n", "\n").replace("\n", "\n\n")


def first_line(content: str, names: tuple[str, ...], mark: Callable[[str], str], sep: str) -> str:
    """PaddleX format_first_line_func: the first non-blank part marked when it names the
    section (`Abstract`, `References`)."""
    parts = content.split(sep)
    for i, part in enumerate(parts):
        if part.strip() == "":
            continue
        if part.lower() in names:
            parts[i] = mark(part)
        break
    return sep.join(parts)


def table_centered(html: str) -> str:
    """PaddleX format_table_center_func."""
    html = html.replace("<table>", "<table border=1 style='margin: auto; width: max-content;'>")
    html = html.replace("<th>", "<th style='text-align: center;'>")
    return html.replace("<td>", "<td style='text-align: center;'>")


def chart_table(rows: list[list[str]]) -> str:
    """PaddleX format_chart2table_func: the first row a header."""
    cell = "<{0} style='text-align: center;'>{1}</{0}>"
    out = "<table border=1 style='margin: auto; width: max-content;'>\n"
    head = "".join(cell.format("th", c.strip()) for c in (rows[0] if rows else []))
    out += f"  <thead><tr>{head}</tr></thead>\n  <tbody>\n"
    for row in rows[1:]:
        out += "    <tr>" + "".join(cell.format("td", c.strip()) for c in row) + "</tr>\n"
    return out + "  </tbody>\n</table>"


def with_formula_number(formula: str, number: str) -> str:
    """PaddleX merge_formula_and_number (showFormulaNumber)."""
    return f"$${formula.replace('$$', '')} \\tag*{{{number}}}$$"


@dataclass
class PaddleXBlock:
    """A block as PaddleX's result holds it: label, content, box, picture path."""

    label: Label
    content: str
    block: Block
    image: str | None  # PaddleX's key of its picture, when it has one


Formatter = Callable[[PaddleXBlock], str]


def formatters(
    page_width: float, pretty: bool, charts: bool, seals_as_image: bool
) -> dict[Label, Formatter]:
    """PaddleX build_handle_funcs_dict, as `_to_markdown` (pretty or not) and
    `_to_json` with formatBlockContent fill it in. formula_number has no entry: it is left
    out (or joined to its formula with showFormulaNumber)."""

    def image(b: PaddleXBlock) -> str:
        if b.image is None:
            return ""
        if not pretty:
            return f"![]({b.image})"
        scale = int(b.block.bbox.width / page_width * 100)
        return centered(f'<img src="{b.image}" alt="Image" width="{scale}%" />')

    def caption(b: PaddleXBlock) -> str:
        return centered(b.content) if pretty else b.content

    def table(b: PaddleXBlock) -> str:
        if pretty:
            return "\n" + table_centered(b.content)
        return "\n\n" + b.content  # simplify_table_func("\n" + content)

    def chart(b: PaddleXBlock) -> str:
        return chart_table(_rows(b.block)) if b.block.cells else b.content

    def plain(b: PaddleXBlock) -> str:
        return b.content

    return {
        Label.paragraph_title: lambda b: format_title(b.content),
        Label.doc_title: lambda b: format_doc_title(b.content),
        Label.figure_title: caption,
        Label.vision_footnote: lambda b: paragraphs(b.content),
        Label.text: lambda b: paragraphs(b.content),
        Label.vertical_text: lambda b: paragraphs(b.content),
        Label.reference_content: lambda b: paragraphs(b.content),
        Label.abstract: lambda b: first_line(
            b.content, ("摘要", "abstract"), lambda s: f"## {s}\n", " "
        ),
        Label.content: lambda b: b.content.replace("-\n", "  \n").replace("\n", "  \n"),
        Label.image: image,
        Label.chart: chart if charts else image,
        Label.display_formula: plain,
        Label.inline_formula: plain,
        Label.table: table,
        Label.reference: lambda b: first_line(
            b.content, ("参考文献", "references"), lambda s: f"## {s}", "\n"
        ),
        Label.algorithm: lambda b: b.content.strip("\n"),
        Label.seal: image if seals_as_image else caption,
        Label.number: plain,
        Label.footnote: plain,
        Label.header: plain,
        Label.header_image: image,
        Label.footer: plain,
        Label.footer_image: image,
        Label.aside_text: plain,
    }


def markdown(
    blocks: list[PaddleXBlock],
    ignore: set[str],
    page_width: float,
    pretty: bool,
    charts: bool,
    formula_numbers: bool = False,
) -> str:
    """PaddleX `_to_markdown`: each block through its label's formatter (none for an
    ignored label), joined by blank lines."""
    handlers = formatters(page_width, pretty, charts, seals_as_image=True)
    text = ""
    for i, b in enumerate(blocks):
        handler = handlers.get(b.label) if b.label.value not in ignore else None
        if (
            formula_numbers
            and b.label == Label.display_formula
            and i + 1 < len(blocks)
            and blocks[i + 1].label == Label.formula_number
        ):
            b = PaddleXBlock(
                b.label, with_formula_number(b.content, blocks[i + 1].content), b.block, b.image
            )
        if handler:
            out = handler(b)
            text = text + "\n\n" + out if text else out
    return text


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
    unordered = SKIP_ORDER_LABELS | ignore
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
