"""POST /layout-parsing in PaddleX serving's shape for PaddleOCR-VL, so an existing client
switches by changing only the URL. Unlike PaddleX's default, a PDF is never cut to 10
pages silently: DOCPARSE_MAX_PAGES applies, with a 413."""

from __future__ import annotations

import base64
import binascii
import io
import tempfile
import uuid
from pathlib import Path
from typing import Any, Literal

import httpx
from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from PIL import Image, ImageDraw
from pydantic import BaseModel, ConfigDict, Field

from docparse.api.deps import StateDep
from docparse.errors import InvalidOptions, LimitExceeded
from docparse.export import block_text
from docparse.layout.boxes import LABELS_V2V3
from docparse.model import FURNITURE_LABELS, Block, Document, Label
from docparse.pipeline import ConvertOptions

router = APIRouter(tags=["compat"])

CLASS_IDS = {name: i for i, name in enumerate(LABELS_V2V3)}
PADDLEX_IGNORED_BY_DEFAULT = ["number", "footnote", "header", "header_image", "footer",
                              "footer_image", "aside_text"]


class LayoutParsingRequest(BaseModel):
    """PaddleX's InferRequest for PaddleOCR-VL; unknown fields are accepted and ignored."""

    model_config = ConfigDict(extra="allow")

    file: str = Field(description="http(s) URL, or Base64 of the file's bytes")
    fileType: Literal[0, 1] | None = Field(None, description="0 = PDF, 1 = image")
    logId: str | None = None
    useDocOrientationClassify: bool | None = None
    useDocUnwarping: bool | None = None
    useLayoutDetection: bool | None = None
    useChartRecognition: bool | None = None
    useSealRecognition: bool | None = None
    useOcrForImageBlock: bool | None = None
    layoutThreshold: float | dict[str, float] | None = None
    layoutNms: bool | None = None
    layoutUnclipRatio: float | list[float] | dict[str, Any] | None = None
    layoutMergeBboxesMode: str | dict[str, str] | None = None
    layoutShapeMode: Literal["rect", "quad", "poly", "auto"] = "auto"
    promptLabel: str | None = None
    formatBlockContent: bool | None = None
    repetitionPenalty: float | None = None
    temperature: float | None = None
    topP: float | None = None
    minPixels: int | None = Field(None, gt=0)
    maxPixels: int | None = Field(None, gt=0)
    maxNewTokens: int | None = Field(None, gt=0)
    mergeLayoutBlocks: bool | None = None
    markdownIgnoreLabels: list[str] | None = None
    prettifyMarkdown: bool = True
    showFormulaNumber: bool = False
    restructurePages: bool = False
    mergeTables: bool = True
    relevelTitles: bool = True
    visualize: bool | None = None

    def vlm_options(self) -> dict[str, Any]:
        chosen = {"temperature": self.temperature, "top_p": self.topP,
                  "layout_threshold": self.layoutThreshold, "layout_nms": self.layoutNms,
                  "layout_unclip_ratio": tuple(self.layoutUnclipRatio)
                  if isinstance(self.layoutUnclipRatio, list) else self.layoutUnclipRatio,
                  "layout_merge_mode": self.layoutMergeBboxesMode,
                  "layout_shape_mode": self.layoutShapeMode,
                  "repetition_penalty": self.repetitionPenalty,
                  "min_pixels": self.minPixels, "max_pixels": self.maxPixels,
                  "max_new_tokens": self.maxNewTokens, "prompt_label": self.promptLabel,
                  "charts": self.useChartRecognition is not False,
                  "seals": self.useSealRecognition is not False}
        if self.useLayoutDetection is False:
            chosen["layout"] = "page"
        return {k: v for k, v in chosen.items() if v is not None}


async def fetch(url: str, max_bytes: int) -> bytes:
    async with httpx.AsyncClient(follow_redirects=True, timeout=60) as client:
        try:
            async with client.stream("GET", url) as response:
                if response.status_code >= 400:
                    raise InvalidOptions(f"could not fetch {url}: HTTP {response.status_code}")
                data = bytearray()
                async for chunk in response.aiter_bytes():
                    data += chunk
                    if len(data) > max_bytes:
                        raise LimitExceeded(f"{url} is over the upload limit of "
                                            f"{max_bytes:,} bytes", limit="max_upload_bytes")
                return bytes(data)
        except httpx.HTTPError as exc:
            raise InvalidOptions(f"could not fetch {url}: {exc}") from exc


async def read_file(request: LayoutParsingRequest, max_bytes: int) -> bytes:
    if request.file.startswith(("http://", "https://")):
        return await fetch(request.file, max_bytes)
    if request.fileType is None:
        raise InvalidOptions("fileType is required when file is not a URL (0 = PDF, "
                             "1 = image)")
    if len(request.file) > max_bytes * 4 // 3 + 4:
        raise LimitExceeded(f"file is over the upload limit of {max_bytes:,} bytes",
                            limit="max_upload_bytes")
    try:
        return base64.b64decode(request.file, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidOptions("file is neither an http(s) URL nor valid Base64") from exc


def _jpeg_b64(image: Image.Image) -> str:
    image = image.convert("RGB")
    image.thumbnail((2000, 2000))  # PaddleX's DEFAULT_MAX_OUTPUT_IMG_SIZE
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return base64.b64encode(buffer.getvalue()).decode()


def _content(block: Block) -> str:
    if block.label == Label.table and block.html:
        return block.html
    if block.label in (Label.display_formula, Label.inline_formula) and block.latex:
        return f"$${block.latex}$$"
    return block_text(block)


def _markdown(blocks: list[Block], ignore: set[str], page_width: float, pretty: bool) -> str:
    parts = []
    for block in blocks:
        if block.label.value in ignore:
            continue
        if block.image and not block.text:
            width = int(block.bbox.width / page_width * 100)
            parts.append(f'<div style="text-align: center;"><img src="{block.image}" '
                         f'alt="Image" width="{width}%" /></div>' if pretty
                         else f"![]({block.image})")
            continue
        content = _content(block)
        if block.label == Label.doc_title:
            content = "# " + content
        elif block.label == Label.paragraph_title:
            content = "## " + content
        if content:
            parts.append(content)
    return "\n\n".join(parts)


def page_result(document: Document, index: int, request: LayoutParsingRequest,
                image: Image.Image | None, figures: dict[str, bytes]) -> dict[str, Any]:
    page = document.pages[index]
    blocks = sorted(page.blocks, key=lambda b: b.order)
    parsing = []
    for order, block in enumerate(blocks):
        entry: dict[str, Any] = {
            "block_label": block.label.value, "block_content": _content(block),
            "block_bbox": [round(v) for v in (block.bbox.x0, block.bbox.y0, block.bbox.x1,
                                               block.bbox.y1)],
            "block_id": order, "block_order": None if block.label in FURNITURE_LABELS
            else order + 1, "group_id": order}
        if block.polygon and request.layoutShapeMode != "rect":
            entry["block_polygon_points"] = [[round(x), round(y)] for x, y in block.polygon]
        parsing.append(entry)
    layout_boxes = [{"cls_id": CLASS_IDS.get(b.label.value, 22), "label": b.label.value,
                     "score": round(b.confidence if b.confidence is not None else 1.0, 4),
                     "coordinate": [round(v, 2) for v in (b.bbox.x0, b.bbox.y0, b.bbox.x1,
                                                          b.bbox.y1)],
                     "order": i + 1} for i, b in enumerate(blocks)]
    pruned: dict[str, Any] = {
        "page_index": index, "page_count": len(document.pages),
        "width": round(page.width), "height": round(page.height),
        "model_settings": {"use_doc_preprocessor": request.useDocOrientationClassify
                           is not False,
                           "use_layout_detection": request.useLayoutDetection is not False,
                           "use_chart_recognition": request.useChartRecognition is not False,
                           "use_seal_recognition": request.useSealRecognition is not False,
                           "format_block_content": bool(request.formatBlockContent),
                           "markdown_ignore_labels": request.markdownIgnoreLabels
                           or PADDLEX_IGNORED_BY_DEFAULT},
        "parsing_res_list": parsing,
        # docparse additions: who read the page, and why another engine did if it did.
        "engine": page.engine, "fallback": page.fallback, "status": page.status,
        "error": page.error,
    }
    if request.useLayoutDetection is not False:
        pruned["layout_det_res"] = {"boxes": layout_boxes}
    ignore = set(request.markdownIgnoreLabels or PADDLEX_IGNORED_BY_DEFAULT)
    images = {b.image: _jpeg_b64(Image.open(io.BytesIO(figures[b.image])))
              for b in blocks if b.image and b.image in figures}
    result: dict[str, Any] = {"prunedResult": pruned, "markdown": {
        "text": _markdown(blocks, ignore, page.width, request.prettifyMarkdown),
        "images": images}}
    if request.visualize and image is not None:
        drawn = image.convert("RGB").copy()
        draw = ImageDraw.Draw(drawn)
        for block in blocks:
            draw.rectangle((block.bbox.x0, block.bbox.y0, block.bbox.x1, block.bbox.y1),
                           outline=(220, 30, 30), width=3)
        result["outputImages"] = {"layout_det_res": _jpeg_b64(drawn)}
        result["inputImage"] = _jpeg_b64(image)
    return result


@router.post("/layout-parsing", summary="PaddleX-compatible layout parsing (PaddleOCR-VL)")
async def layout_parsing(request: LayoutParsingRequest, state: StateDep) -> dict[str, Any]:
    settings = state.settings
    log_id = request.logId or str(uuid.uuid4())
    data = await read_file(request, settings.max_upload_bytes)
    options = ConvertOptions(engine=settings.ocr_engine, vlm=request.vlm_options(),
                             spotting=request.promptLabel == "spotting",
                             keep_images=bool(request.visualize), figures="imgs",
                             orientation=request.useDocOrientationClassify is not False)
    with tempfile.TemporaryDirectory(dir=settings.temp_dir, prefix="lp-") as tmp:
        path = Path(tmp) / "input"
        await run_in_threadpool(path.write_bytes, data)
        result = await state.converter.convert(path, options)
    document = result.document
    pages = [page_result(document, i, request, result.images.get(page.index), result.figures)
             for i, page in enumerate(document.pages)]
    kind = document.metadata["source_type"]
    if kind == "pdf" or len(document.pages) > 1:
        info: dict[str, Any] = {"numPages": len(document.pages), "type": "pdf"
                                if kind == "pdf" else "tiff",
                                "pages": [{"width": round(p.width), "height": round(p.height)}
                                          for p in document.pages]}
    else:
        info = {"width": round(document.pages[0].width),
                "height": round(document.pages[0].height), "type": "image"}
    return {"logId": log_id, "errorCode": 0, "errorMsg": "Success",
            "result": {"layoutParsingResults": pages, "dataInfo": info}}
