"""PaddleX serving's request and response shapes for PaddleOCR-VL (`/layout-parsing`)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from docparse.document import PageStatus
from docparse.engines.base import VLMOptions


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
    layoutUnclipRatio: float | tuple[float, float] | dict[str, Any] | None = None
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

    def vlm_options(self) -> VLMOptions:
        return VLMOptions(
            layout="page" if self.useLayoutDetection is False else None,
            prompt_label=self.promptLabel,
            # As given: unset means the pipeline's default (off in PaddleOCR-VL 1.5/1.6).
            charts=self.useChartRecognition,
            seals=self.useSealRecognition,
            layout_threshold=self.layoutThreshold,
            layout_nms=self.layoutNms,
            layout_unclip_ratio=self.layoutUnclipRatio,
            layout_merge_mode=self.layoutMergeBboxesMode,
            layout_shape_mode=self.layoutShapeMode,
            temperature=self.temperature,
            top_p=self.topP,
            repetition_penalty=self.repetitionPenalty,
            min_pixels=self.minPixels,
            max_pixels=self.maxPixels,
            max_new_tokens=self.maxNewTokens,
        )


# The answer: PaddleX serving's envelope around PaddleOCR-VL's result (export/paddlex.py
# builds each page's). Keys that are absent in some answers are optional here, and the
# route answers with exclude_unset, so an absent key stays absent rather than null.


class ModelSettings(BaseModel):
    use_doc_preprocessor: bool
    use_layout_detection: bool
    use_chart_recognition: bool
    use_seal_recognition: bool
    format_block_content: bool
    markdown_ignore_labels: list[str]


class ParsingBlock(BaseModel):
    block_label: str
    block_content: str
    block_bbox: list[int] = Field(description="x0, y0, x1, y1 in page pixels")
    block_id: int
    block_order: int | None = Field(description="1-based reading order; null for furniture")
    group_id: int
    block_polygon_points: list[list[int]] | None = Field(
        None, description="when the engine gave a polygon and layoutShapeMode is not rect"
    )


class LayoutDetBox(BaseModel):
    cls_id: int
    label: str
    score: float
    coordinate: list[float] = Field(description="x0, y0, x1, y1 in page pixels")
    order: int


class LayoutDetResult(BaseModel):
    boxes: list[LayoutDetBox]


class PrunedResult(BaseModel):
    page_index: int
    page_count: int
    width: int
    height: int
    model_settings: ModelSettings
    parsing_res_list: list[ParsingBlock]
    # docparse additions: who read the page, and why another engine did if it did.
    engine: str
    fallback: str | None
    status: PageStatus
    error: str | None
    layout_det_res: LayoutDetResult | None = Field(
        None, description="absent when useLayoutDetection is false"
    )


class MarkdownResult(BaseModel):
    text: str
    images: dict[str, str] = Field(description="relative path in `text` → Base64 JPEG")


class LayoutParsingPageResult(BaseModel):
    prunedResult: PrunedResult
    markdown: MarkdownResult
    outputImages: dict[str, str] | None = Field(
        None, description="with visualize: Base64 JPEG of the layout drawn on the page"
    )
    inputImage: str | None = Field(None, description="with visualize: Base64 JPEG of the page")


class PageSize(BaseModel):
    width: int
    height: int


class PdfDataInfo(BaseModel):
    """A PDF, or an image of several pages (TIFF)."""

    numPages: int
    type: Literal["pdf", "tiff"]
    pages: list[PageSize]


class ImageDataInfo(BaseModel):
    width: int
    height: int
    type: Literal["image"]


class LayoutParsingResult(BaseModel):
    layoutParsingResults: list[LayoutParsingPageResult]
    dataInfo: Annotated[PdfDataInfo | ImageDataInfo, Field(discriminator="type")]


class LayoutParsingResponse(BaseModel):
    logId: str
    errorCode: Literal[0]
    errorMsg: str
    result: LayoutParsingResult


class PaddlexErrorResponse(BaseModel):
    """PaddleX's error envelope; errorCode is the HTTP status. For a 422 from request
    validation, errorMsg is a JSON list of {type, loc, msg}."""

    logId: str
    errorCode: int
    errorMsg: str
