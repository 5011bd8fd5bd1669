"""POST /v1/convert's answer: a summary of each page, the Markdown, timings, and the whole
Document (document.py) as structured JSON."""

from __future__ import annotations

from pydantic import BaseModel, Field

from docparse.document import Document, PageStatus


class PageSummary(BaseModel):
    index: int = Field(description="0-based page index in the source document")
    status: PageStatus
    route: str = Field(description="how the page was read: text_layer | ocr")
    engine: str
    rotation: int = Field(description="degrees the page was turned to be upright")
    error: str | None = Field(description="why the page failed, when it did")


class ConvertResponse(BaseModel):
    """The JSON answer (format=json, the default). With format=md the answer is the
    Markdown alone, as text/markdown."""

    document_id: str = Field(description="the request's id; the output folder's name")
    markdown: str
    pages: list[PageSummary]
    timings: dict[str, float] = Field(description="seconds: open_s, pages_s, total_s")
    text: str | None = Field(None, description="plain text; only when formats has txt")
    document: Document
