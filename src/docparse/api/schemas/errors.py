"""The error bodies: the service's own {"error": {code, message, details}} (see
api/errors.py), and the `responses=` entries each route documents."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class FieldProblem(BaseModel):
    """One invalid request field (a 422 from request validation)."""

    field: str = Field(description="where, dotted: body.file, query.format…")
    problem: str


class ErrorDetail(BaseModel):
    code: str = Field(
        description="stable machine-readable name: invalid_request, limit_exceeded, "
        "unsupported_format, corrupt_document, engine_unavailable, overloaded, "
        "worker_crashed, request_timeout, http_404…"
    )
    message: str = Field(description="for people")
    details: dict[str, Any] | list[FieldProblem] | None = Field(
        None,
        description="present when there is more to say: the invalid fields of a request, "
        "or the error's own particulars (the limit, the pages that failed…)",
    )


class ErrorResponse(BaseModel):
    """Every error the service answers outside the PaddleX-compatible routes."""

    error: ErrorDetail


ERROR_DESCRIPTIONS: dict[int, str] = {
    408: "the request body did not arrive within DOCPARSE_UPLOAD_TIMEOUT seconds",
    413: "over a size, page or pixel limit",
    415: "not a PDF, PNG, JPEG, TIFF, WebP or BMP",
    404: "no such job or result",
    409: "the job has not succeeded (yet): it is queued, running, failed or cancelled",
    410: "the job expired (DOCPARSE_JOB_TTL): its record, input and results are gone",
    422: "damaged or encrypted document, bad options, invalid request fields, a body "
    "that cannot be parsed",
    429: "the service is busy: too many pages are waiting (DOCPARSE_MAX_QUEUED_PAGES); "
    "try again after Retry-After seconds",
    500: "no page of the document could be read",
    503: "the engine asked for is unavailable (not installed, failed to load, server down), "
    "a worker process died, or the service was shutting down and stopped the request "
    "(these two with Retry-After)",
    502: "the result store (S3, or output_dir) refused or could not be reached, to store "
    "or read a result (or an s3:// source); the reason is in the message",
    504: "the conversion took longer than DOCPARSE_REQUEST_TIMEOUT (or every page longer "
    "than DOCPARSE_PAGE_TIMEOUT) and was stopped",
}
# The statuses that say when to try again.
RETRY_AFTER: dict[str, Any] = {
    "Retry-After": {
        "description": "seconds to wait before trying again",
        "schema": {"type": "integer"},
    }
}


def error_responses(
    *statuses: int, model: type[BaseModel] = ErrorResponse
) -> dict[int | str, dict[str, Any]]:
    """`responses=` entries for the error statuses a route really answers."""
    return {
        status: {"model": model, "description": ERROR_DESCRIPTIONS[status]}
        | ({"headers": RETRY_AFTER} if status in (429, 503) else {})
        for status in statuses
    }
