"""Domain errors to HTTP: clients get {"error": {"code", "message", "details"}}, never a
stack trace."""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from redis.exceptions import RedisError
from starlette.exceptions import HTTPException as StarletteHTTPException

from docparse.api.metrics import note_rejection
from docparse.errors import (
    ClientDisconnected,
    ConfigurationError,
    ConversionFailed,
    CorruptDocument,
    DocparseError,
    EngineUnavailable,
    InputError,
    JobExpired,
    JobNotFinished,
    JobNotFound,
    JobQueueFull,
    LimitExceeded,
    Overloaded,
    PasswordProtected,
    QueueUnavailable,
    RecognitionFailed,
    RequestTimeout,
    ResultMissing,
    StorageFailed,
    UnsupportedFormat,
    WorkerCrashed,
)

log = logging.getLogger(__name__)

STATUS_BY_ERROR: dict[type[DocparseError], int] = {
    UnsupportedFormat: 415,
    LimitExceeded: 413,
    CorruptDocument: 422,
    PasswordProtected: 422,
    InputError: 422,
    EngineUnavailable: 503,
    WorkerCrashed: 503,
    RecognitionFailed: 500,
    Overloaded: 429,
    RequestTimeout: 504,
    # nginx's "client closed request": logged and counted, never received.
    ClientDisconnected: 499,
    ConversionFailed: 500,
    # The result store (S3 or output_dir) failed: an upstream's bad answer.
    StorageFailed: 502,
    ResultMissing: 404,
    JobNotFound: 404,
    JobNotFinished: 409,
    JobExpired: 410,
    JobQueueFull: 429,
    QueueUnavailable: 503,
    ConfigurationError: 500,
    DocparseError: 500,
}


def status_for(exc: DocparseError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return 500


# Routes that answer in PaddleX serving's envelope: {logId, errorCode, errorMsg}.
PADDLEX_PATHS = frozenset({"/layout-parsing"})


def _paddlex(
    request: Request, status: int, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        {"logId": str(uuid.uuid4()), "errorCode": status, "errorMsg": message},
        status_code=status,
        headers=headers,
    )


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if details:
        error["details"] = details
    return {"error": error}


async def _docparse_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DocparseError)
    status = status_for(exc)
    note_rejection(request, exc.code)  # counted as a rejection if the status is one
    if status >= 500:
        log.warning("%s %s failed: %s", request.method, request.url.path, exc.message)
    # Overloaded, a crashed worker: when to try again.
    retry_after = getattr(exc, "retry_after", None)
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    if request.url.path in PADDLEX_PATHS:
        return _paddlex(request, status, exc.message, headers)
    return JSONResponse(
        error_body(exc.code, exc.message, exc.details), status_code=status, headers=headers
    )


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = [
        {"field": ".".join(str(p) for p in e["loc"]), "problem": e["msg"]} for e in exc.errors()
    ]
    fields = ", ".join(d["field"] for d in details)
    if request.url.path in PADDLEX_PATHS:  # PaddleX: errorMsg is the JSON list of problems
        return _paddlex(
            request,
            422,
            json.dumps(
                [
                    {"type": e["type"], "loc": d["field"], "msg": e["msg"]}
                    for e, d in zip(exc.errors(), details, strict=True)
                ]
            ),
        )
    return JSONResponse(
        error_body("invalid_request", f"invalid request: {fields}", details), status_code=422
    )


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    headers = getattr(exc, "headers", None)
    if exc.status_code == 400:
        # A body Starlette cannot parse (a multipart body without a boundary, over 1,000
        # fields or files, a field over 1 MB, JSON that is not UTF-8): an invalid request,
        # as a bad JSON body is.
        if request.url.path in PADDLEX_PATHS:
            return _paddlex(request, 422, f"invalid request: {exc.detail}")
        return JSONResponse(
            error_body("invalid_request", f"invalid request: {exc.detail}"), status_code=422
        )
    if request.url.path in PADDLEX_PATHS:  # e.g. 405: a PaddleX client reads errorMsg
        return _paddlex(request, exc.status_code, str(exc.detail), headers)
    return JSONResponse(
        error_body(f"http_{exc.status_code}", str(exc.detail)),
        status_code=exc.status_code,
        headers=headers,
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, RedisError):  # the job records' Redis (DOCPARSE_QUEUE) is down
        message = f"the job queue cannot be reached: {type(exc).__name__}"
        return await _docparse_error(request, QueueUnavailable(message))
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return JSONResponse(
        error_body("internal_error", "internal error; see the service log"), status_code=500
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DocparseError, _docparse_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
