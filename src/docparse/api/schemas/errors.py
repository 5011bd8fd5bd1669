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
        "unsupported_format, corrupt_document, engine_unavailable, http_404…"
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
    413: "over a size, page or pixel limit",
    415: "not a PDF, PNG, JPEG, TIFF, WebP or BMP",
    422: "damaged or encrypted document, bad options, invalid request fields",
    500: "no page of the document could be read",
    503: "the engine asked for is unavailable (not installed, failed to load, server down)",
}


def error_responses(
    *statuses: int, model: type[BaseModel] = ErrorResponse
) -> dict[int | str, dict[str, Any]]:
    """`responses=` entries for the error statuses a route really answers."""
    return {
        status: {"model": model, "description": ERROR_DESCRIPTIONS[status]} for status in statuses
    }
