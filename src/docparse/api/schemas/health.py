"""The health routes' answers: liveness, readiness, and every component's state."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from docparse.engines.base import EngineState

HealthStatus = Literal["healthy", "degraded", "starting", "unhealthy"]


class LiveResponse(BaseModel):
    status: Literal["alive"]


class ReadyResponse(BaseModel):
    """200 with status ready; 503 with status not_ready and what is missing."""

    status: Literal["ready", "not_ready"]
    problems: list[str]


class EngineReport(BaseModel):
    state: EngineState | Literal["not_configured"]
    reason: str | None = Field(None, description="why it failed or is not ready")
    detail: dict[str, Any] | None = Field(None, description="what the engine says of itself")


class LayoutReport(BaseModel):
    """The CPU route's layout model."""

    state: EngineState | Literal["off"]
    model: str | None = None
    path: str | None = None
    reason: str | None = None


class FolderReport(BaseModel):
    path: str
    writable: bool
    free_bytes: int | None = Field(None, description="absent when the folder does not exist")


class StorageReport(BaseModel):
    output_dir: FolderReport
    temp_dir: FolderReport
    data_dir: FolderReport


class HealthResponse(BaseModel):
    status: HealthStatus
    ready: bool
    problems: list[str]
    version: str
    paddleocr: EngineState | Literal["not_configured"] = Field(
        description="the PaddleOCR-VL engine's state (kept from the seed service)"
    )
    s3_storage: str = Field(
        description="the result store (kept from the seed service): not_configured (results "
        "in output_dir), reachable, or the S3 error as it happened (bucket missing, bad "
        "credentials, endpoint down); such an error makes the status degraded"
    )
    output_dir: str
    temp_dir: str
    engines: dict[str, EngineReport] = Field(description="textlayer and each OCR engine")
    layout: LayoutReport
    storage: StorageReport
    workers: int


class HealthSummary(BaseModel):
    """/health for a caller without an API key when keys are set: the state alone, with no
    paths, versions or engine details to map the service by."""

    model_config = ConfigDict(extra="forbid")  # never mistaken for the full report

    status: HealthStatus
    ready: bool
