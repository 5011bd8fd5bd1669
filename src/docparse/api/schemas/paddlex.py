"""PaddleX serving's request shape for PaddleOCR-VL (`/layout-parsing`)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


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
        chosen = {
            "temperature": self.temperature,
            "top_p": self.topP,
            "layout_threshold": self.layoutThreshold,
            "layout_nms": self.layoutNms,
            "layout_unclip_ratio": tuple(self.layoutUnclipRatio)
            if isinstance(self.layoutUnclipRatio, list)
            else self.layoutUnclipRatio,
            "layout_merge_mode": self.layoutMergeBboxesMode,
            "layout_shape_mode": self.layoutShapeMode,
            "repetition_penalty": self.repetitionPenalty,
            "min_pixels": self.minPixels,
            "max_pixels": self.maxPixels,
            "max_new_tokens": self.maxNewTokens,
            "prompt_label": self.promptLabel,
            "charts": self.useChartRecognition is not False,
            "seals": self.useSealRecognition is not False,
        }
        if self.useLayoutDetection is False:
            chosen["layout"] = "page"
        return {k: v for k, v in chosen.items() if v is not None}
