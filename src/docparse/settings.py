"""Service settings: `DOCPARSE_*` environment variables and an optional `.env` file."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Self

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

TESSDATA_CANDIDATES = (
    "/usr/share/tesseract-ocr/5/tessdata",
    "/usr/share/tesseract-ocr/4.00/tessdata",
    "/usr/share/tessdata",
    "/usr/local/share/tessdata",
)


def default_tessdata() -> str:
    found = os.environ.get("TESSDATA_PREFIX")
    if found:
        return found
    for candidate in TESSDATA_CANDIDATES:
        if Path(candidate, "eng.traineddata").exists():
            return candidate
    return TESSDATA_CANDIDATES[0]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DOCPARSE_", env_file=".env", extra="ignore")

    host: str = "0.0.0.0"
    port: int = Field(8081, ge=1, le=65535)
    output_dir: Path = Path("output")
    temp_dir: Path = Path("tmp")
    data_dir: Path = Path("data")

    languages: str = Field("rus+eng", description="Tesseract languages, joined by '+'")
    tessdata_dir: str = Field(default_factory=default_tessdata)
    default_ocr_engine: str = "tesseract"
    preload_engines: list[str] = Field(default_factory=lambda: ["tesseract", "ppocr"])

    max_upload_bytes: int = Field(100 * 1024 * 1024, gt=0)
    max_pages: int = Field(1000, gt=0)
    max_image_pixels: int = Field(100_000_000, gt=0, description="per page image, after render")

    workers: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1,
                         description="pages recognised in parallel")
    min_dpi: int = Field(150, ge=50)
    max_dpi: int = Field(300, le=600)
    write_outputs: bool = Field(True, description="write document.md/json to output_dir")

    @field_validator("languages")
    @classmethod
    def _languages_shape(cls, value: str) -> str:
        parts = [p for p in value.replace(",", "+").split("+") if p]
        if not parts or not all(p.replace("_", "").isalnum() for p in parts):
            raise ValueError(f"languages must look like 'rus+eng', got {value!r}")
        return "+".join(parts)

    @model_validator(mode="after")
    def _coherent(self) -> Self:
        if self.min_dpi > self.max_dpi:
            raise ValueError(f"min_dpi ({self.min_dpi}) is above max_dpi ({self.max_dpi})")
        if self.default_ocr_engine not in ("tesseract", "ppocr"):
            raise ValueError("default_ocr_engine must be 'tesseract' or 'ppocr'")
        return self

    def prepare_dirs(self) -> None:
        for folder in (self.output_dir, self.temp_dir, self.data_dir):
            folder.mkdir(parents=True, exist_ok=True)
