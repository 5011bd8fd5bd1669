"""GET /version's answer."""

from __future__ import annotations

from pydantic import BaseModel, Field


class VersionResponse(BaseModel):
    name: str
    version: str
    engines: list[str] = Field(description="the OCR engines this build knows")
    routes: list[str] = Field(description="values of /v1/convert's `engine`")
    formats: list[str] = Field(description="values of /v1/convert's `formats`")
