"""A job as the store keeps it (`Job`), and as clients and webhooks see it (`JobSummary`).

States: queued → running → succeeded | failed | cancelled; a job left `running` by a
process that died goes back to `queued` (its next run is attempt + 1). A job is finished
once: only the run holding the current attempt can finish it, and only while it runs.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, Field

from docparse.pipeline.options import ConvertOptions


class JobState(StrEnum):
    queued = "queued"
    running = "running"
    succeeded = "succeeded"
    failed = "failed"
    cancelled = "cancelled"


FINISHED = frozenset({JobState.succeeded, JobState.failed, JobState.cancelled})
RESULT_FORMATS = ("md", "json", "txt")  # every job writes all three; zip packs them


@dataclasses.dataclass
class Job:
    id: str
    state: JobState
    options: ConvertOptions
    created_at: float
    source: str = "upload"  # upload | url | base64 | s3
    filename: str | None = None
    callback_url: str | None = None
    status_url: str = ""
    result_url: str = ""
    seq: int = 0  # the order jobs were accepted in: the queue's order
    attempt: int = 0  # runs started; the run that may finish the job holds the latest
    pages_done: int = 0
    pages_total: int | None = None
    started_at: float | None = None
    finished_at: float | None = None
    expires_at: float | None = None  # set when the job finishes: finished_at + job_ttl
    expired: bool = False  # its files are gone; the record stays a while to answer 410
    error_code: str | None = None
    error_message: str | None = None
    failed_pages: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    webhook: dict[str, Any] | None = None  # the delivery's outcome (WebhookOutcome)
    queue_position: int | None = None  # filled in by the store when asked, while queued

    @property
    def finished(self) -> bool:
        return self.state in FINISHED

    def is_expired(self, now: float) -> bool:
        return self.expired or (self.expires_at is not None and now >= self.expires_at)


def _time(seconds: float | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC)


class JobErrorInfo(BaseModel):
    code: str = Field(description="the error's stable name: corrupt_document, interrupted…")
    message: str


class FailedPage(BaseModel):
    page: int = Field(description="1-based page number")
    error: str | None


class WebhookOutcome(BaseModel):
    state: Literal["pending", "delivered", "failed"]
    attempts: int = Field(description="POSTs made to callback_url")
    status_code: int | None = Field(None, description="the receiver's last HTTP status")
    error: str | None = Field(None, description="why the last attempt failed")
    delivered_at: datetime | None = None


class JobSummary(BaseModel):
    """A job's state: GET /v1/jobs/{id}, each item of GET /v1/jobs, and the body of the
    webhook sent when the job finishes."""

    id: str
    state: JobState
    filename: str | None = Field(description="the document's name as it was sent")
    source: str = Field(description="upload | url | base64")
    attempt: int = Field(description="runs started: above 1 after a restart during the job")
    pages_done: int = Field(description="pages read so far")
    pages_total: int | None = Field(description="pages to read; known once the first is read")
    queue_position: int | None = Field(description="1 = next to start; only while queued")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    expires_at: datetime | None = Field(
        description="when the record, input and results are removed (DOCPARSE_JOB_TTL)"
    )
    error: JobErrorInfo | None = Field(description="why the job failed")
    failed_pages: list[FailedPage] = Field(
        description="pages that could not be read in a job that succeeded or failed"
    )
    webhook: WebhookOutcome | None = Field(description="the callback's delivery, if any")
    status_url: str
    result_url: str

    @classmethod
    def of(cls, job: Job) -> JobSummary:
        return cls(
            id=job.id,
            state=job.state,
            filename=job.filename,
            source=job.source,
            attempt=job.attempt,
            pages_done=job.pages_done,
            pages_total=job.pages_total,
            queue_position=job.queue_position if job.state == JobState.queued else None,
            created_at=_time(job.created_at) or datetime.now(UTC),
            started_at=_time(job.started_at),
            finished_at=_time(job.finished_at),
            expires_at=_time(job.expires_at),
            error=JobErrorInfo(code=job.error_code, message=job.error_message or "")
            if job.error_code
            else None,
            failed_pages=[FailedPage.model_validate(p) for p in job.failed_pages],
            webhook=WebhookOutcome.model_validate(job.webhook) if job.webhook else None,
            status_url=job.status_url,
            result_url=job.result_url,
        )
