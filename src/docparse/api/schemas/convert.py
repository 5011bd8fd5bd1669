"""POST /v1/convert's answer: a summary of each page, the Markdown, timings, and the whole
Document (document.py) as structured JSON."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from docparse.document import Document, PageStatus
from docparse.pipeline.options import ROUTES, ConvertOptions


class ConvertFields(BaseModel):
    """What a caller may ask of a conversion: the form fields of POST /v1/convert and
    POST /v1/jobs, and the `options` of a JSON job."""

    engine: str = Field("auto", description=f"one of {', '.join(ROUTES)}")
    languages: str | None = Field(None, description="Tesseract languages, e.g. rus+eng")
    pages: str | None = Field(None, description="1-based page range, e.g. 1-3,5")
    dpi: int | None = Field(None, description="render resolution for OCR")
    spotting: bool = Field(
        False, description="paddleocr-vl: text lines with positions ('Spotting:')"
    )
    layout: bool = Field(
        False,
        description="born-digital pages through the layout model too: pictures drawn as "
        "vectors, captions, formulas (~0.15 s a page more)",
    )

    def options(self, figures: str | None = None) -> ConvertOptions:
        """The pipeline's options; `figures`: the folder figure crops go to, if any."""
        return ConvertOptions(**self.model_dump(), figures=figures)


class ConvertOptionsBody(ConvertFields):
    """The options of a JSON job: an unknown name is an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid", title="ConvertOptions")


class PageSummary(BaseModel):
    index: int = Field(description="0-based page index in the source document")
    status: PageStatus
    route: str = Field(description="how the page was read: text_layer | ocr")
    engine: str
    rotation: int = Field(description="degrees the page was turned to be upright")
    error: str | None = Field(description="why the page failed, when it did")


class ConvertResponse(BaseModel):
    """The JSON answer (format=json, the default). With format=md the answer is the
    Markdown alone, as text/markdown; with formats=pdf alone, the searchable PDF, as
    application/pdf."""

    document_id: str = Field(description="the request's id; the output folder's name")
    markdown: str
    pages: list[PageSummary]
    timings: dict[str, float] = Field(description="seconds: open_s, pages_s, total_s")
    text: str | None = Field(None, description="plain text; only when formats has txt")
    pdf: str | None = Field(
        None,
        description="the searchable PDF, Base64; only when formats has pdf beside other "
        "formats (formats=pdf alone answers with the PDF itself, application/pdf)",
    )
    document: Document
