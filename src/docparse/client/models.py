"""What the jobs API answers, as the client hands it back: plain dataclasses (no pydantic,
so the client stays cheap to import), and the errors it raises."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

FINISHED = frozenset({"succeeded", "failed", "cancelled"})


@dataclass(frozen=True)
class JobRef:
    """POST /v1/jobs's 202: the job is on the service's disk."""

    id: str
    status_url: str
    result_url: str

    @classmethod
    def of(cls, body: dict[str, Any]) -> JobRef:
        return cls(id=body["id"], status_url=body["status_url"], result_url=body["result_url"])


@dataclass(frozen=True)
class FailedPage:
    page: int  # 1-based
    error: str | None


@dataclass(frozen=True)
class JobStatus:
    """GET /v1/jobs/{id}; `raw` keeps the whole body (timestamps, webhook, …)."""

    id: str
    state: str  # queued | running | succeeded | failed | cancelled
    filename: str | None
    pages_done: int
    pages_total: int | None
    queue_position: int | None
    attempt: int
    error_code: str | None
    error_message: str | None
    failed_pages: tuple[FailedPage, ...]
    raw: dict[str, Any] = field(repr=False, compare=False)

    @property
    def finished(self) -> bool:
        return self.state in FINISHED

    @classmethod
    def of(cls, body: dict[str, Any]) -> JobStatus:
        error = body.get("error") or {}
        return cls(
            id=body["id"],
            state=body["state"],
            filename=body.get("filename"),
            pages_done=int(body.get("pages_done") or 0),
            pages_total=body.get("pages_total"),
            queue_position=body.get("queue_position"),
            attempt=int(body.get("attempt") or 0),
            error_code=error.get("code"),
            error_message=error.get("message"),
            failed_pages=tuple(
                FailedPage(page=p["page"], error=p.get("error"))
                for p in body.get("failed_pages") or ()
            ),
            raw=body,
        )


@dataclass(frozen=True)
class Removal:
    """DELETE /v1/jobs/{id}: `cancelled` (it was queued or running) or `deleted`."""

    id: str
    outcome: str
    state: str


@dataclass(frozen=True)
class Converted:
    """convert(): the finished job and its results by format (text formats as str)."""

    job: JobStatus
    outputs: dict[str, str | bytes]


class ClientError(Exception):
    """Anything the client raises."""


class ServiceError(ClientError):
    """The service answered with an error: its status, and its body's code, message and
    details ({"error": {...}}); `retry_after` in seconds when it said when to come back."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: Any = None,
        retry_after: float | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.retry_after = retry_after
        self.request_id = request_id


class ServiceUnreachable(ClientError):
    """No answer: the connection failed or timed out (after the retries allowed)."""


class JobError(ClientError):
    """wait() saw the job end without a result; `status` is its last state."""

    def __init__(self, status: JobStatus, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = status.error_code
        self.message = status.error_message or message


class JobFailed(JobError):
    def __init__(self, status: JobStatus) -> None:
        detail = f"{status.error_code}: {status.error_message}" if status.error_code else "failed"
        super().__init__(status, f"job {status.id} failed: {detail}")


class JobCancelled(JobError):
    def __init__(self, status: JobStatus) -> None:
        super().__init__(status, f"job {status.id} was cancelled")


class WaitTimedOut(ClientError, TimeoutError):
    """wait()'s own timeout passed with the job still queued or running."""

    def __init__(self, status: JobStatus, timeout: float) -> None:
        super().__init__(f"job {status.id} still {status.state} after {timeout:g} s")
        self.status = status
