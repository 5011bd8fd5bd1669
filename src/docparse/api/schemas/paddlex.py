"""PaddleX serving's request and response shapes for PaddleOCR-VL (`/layout-parsing`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from docparse.document import PageStatus
from docparse.engines.base import VLMOptions

# PaddleX's InferRequest validators (serving/schemas/paddleocr_vl.py), so an out-of-range
# option is a 422 in PaddleX's envelope before any page is read, not a vLLM 400 per block.
PROMPT_LABELS = ("ocr", "formula", "table", "chart", "seal", "spotting")
MERGE_MODES = ("large", "small", "union")


def _check_threshold(value: Any, where: str = "") -> None:
    if not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ValueError(
            f"`layoutThreshold`{where} must be between 0 and 1 inclusive; got: {value}"
        )


def _check_each(value: Any, check: Callable[[Any, str], None]) -> Any:
    """A value checked as it is, or each value of a per-label dict; None passes."""
    if isinstance(value, dict):
        for key, item in value.items():
            check(item, f" value for key '{key}'")
    elif value is not None:
        check(value, "")
    return value


def _check_unclip(value: Any, where: str = "") -> None:
    values = list(value) if isinstance(value, list | tuple) else [value]
    if isinstance(value, list | tuple) and len(values) != 2:
        raise ValueError(
            f"`layoutUnclipRatio`{where} must be two numbers; got: {len(values)} values"
        )
    for item in values:
        if not isinstance(item, int | float) or item <= 0:
            raise ValueError(f"`layoutUnclipRatio`{where} values must be numbers > 0; got: {item}")


class LayoutParsingRequest(BaseModel):
    """PaddleX's InferRequest for PaddleOCR-VL; unknown fields are accepted and ignored.
    Accepted and ignored (see README): useDocUnwarping, vlmExtraArgs, restructurePages,
    mergeTables, relevelTitles, returnMarkdownImages."""

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
    vlmExtraArgs: dict[str, Any] | None = None
    prettifyMarkdown: bool = True
    showFormulaNumber: bool = False
    restructurePages: bool = False
    mergeTables: bool = True
    relevelTitles: bool = True
    visualize: bool | None = None

    @field_validator("topP")
    @classmethod
    def _top_p(cls, value: float | None) -> float | None:
        if value is not None and not 0 < value <= 1:
            raise ValueError(f"`topP` must be > 0 and ≤ 1; got: {value}")
        return value

    @field_validator("temperature")
    @classmethod
    def _temperature(cls, value: float | None) -> float | None:
        if value is not None and value < 0:
            raise ValueError(f"`temperature` must be ≥ 0; got: {value}")
        return value

    @field_validator("repetitionPenalty")
    @classmethod
    def _repetition_penalty(cls, value: float | None) -> float | None:
        if value is not None and value <= 0:
            raise ValueError(f"`repetitionPenalty` must be > 0; got: {value}")
        return value

    @field_validator("promptLabel")
    @classmethod
    def _prompt_label(cls, value: str | None) -> str | None:
        if value is not None and value not in PROMPT_LABELS:
            raise ValueError(
                f"`promptLabel` must be one of: {', '.join(PROMPT_LABELS)}; got: {value}"
            )
        return value

    @field_validator("layoutMergeBboxesMode")
    @classmethod
    def _merge_mode(cls, value: str | dict[str, str] | None) -> str | dict[str, str] | None:
        modes = value.values() if isinstance(value, dict) else [] if value is None else [value]
        for mode in modes:
            if mode not in MERGE_MODES:
                raise ValueError(
                    f"`layoutMergeBboxesMode` must be one of: {', '.join(MERGE_MODES)}; got: {mode}"
                )
        return value

    @field_validator("layoutUnclipRatio")
    @classmethod
    def _unclip(cls, value: Any) -> Any:
        return _check_each(value, _check_unclip)

    @field_validator("layoutThreshold")
    @classmethod
    def _threshold(cls, value: Any) -> Any:
        return _check_each(value, _check_threshold)

    @model_validator(mode="after")
    def _pixel_range(self) -> Self:
        if (
            self.minPixels is not None
            and self.maxPixels is not None
            and self.minPixels > self.maxPixels
        ):
            raise ValueError(
                f"`minPixels` ({self.minPixels}) cannot be greater than `maxPixels` "
                f"({self.maxPixels})"
            )
        return self

    def doc_orientation(self) -> bool:
        """Pages turned upright first? PaddleOCR-VL 1.5/1.6's configs have the document
        preprocessor off (use_doc_preprocessor: False): only when asked, by
        useDocOrientationClassify or by useDocUnwarping alone (the preprocessor's own
        default then classifies orientation too). Unwarping itself is not done."""
        if self.useDocOrientationClassify is not None:
            return self.useDocOrientationClassify
        return self.useDocUnwarping is True

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
            merge_blocks=self.mergeLayoutBlocks,
            ocr_for_image_block=self.useOcrForImageBlock,
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
    block_error: str | None = Field(
        None,
        description="docparse addition, only on a block that got no content: why (the VLM "
        "server refused its crop, or gave no answer within DOCPARSE_VLM_TIMEOUT)",
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
    # docparse additions: PaddleX answers a request's errors only in the envelope
    # (errorCode, errorMsg); a page that could not be read, or was read without the VLM,
    # says so here instead of looking like an empty page.
    pageStatus: Literal["ok", "empty", "partial", "fallback", "failed"] = Field(
        description="ok; empty (nothing on the page); partial (some blocks got no content: "
        "see their block_error); fallback (the VLM server was down and the CPU engine read "
        "the page: prunedResult.engine); failed (no result for this page)"
    )
    errorMsg: str | None = Field(
        description="why the page is partial, fallback or failed; null when ok or empty"
    )
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
