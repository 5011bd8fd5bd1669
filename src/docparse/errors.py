"""docparse's exceptions. The HTTP status each maps to is in api/errors.py
(STATUS_BY_ERROR); a class not listed there takes its nearest listed parent's.

    DocparseError                 base; `code` is the stable machine-readable name (HTTP 500)
    ├── InputError                the caller's document or options are wrong (HTTP 422)
    │   ├── UnsupportedFormat     not a PDF or an image type we read (HTTP 415)
    │   ├── LimitExceeded         over a size, page or pixel limit (HTTP 413)
    │   ├── CorruptDocument       a damaged or truncated file, or no page of it that can
    │   │                         be read (HTTP 422); on one page only, that page fails
    │   ├── PasswordProtected     an encrypted PDF we cannot open (HTTP 422)
    │   └── InvalidOptions        bad engine name, language, page range, format, a URL
    │                             that cannot be fetched… (HTTP 422)
    ├── EngineError               an engine cannot do its work (HTTP 500)
    │   ├── EngineUnavailable     missing package, failed load, server down (HTTP 503)
    │   ├── RecognitionFailed     one page or block could not be read: that page fails;
    │   │                         HTTP 500 only if it reaches a client
    │   └── WorkerCrashed         a worker process died and the work failed again on a
    │                             fresh pool (HTTP 503, with Retry-After)
    ├── ConversionFailed          no page of the document could be read (HTTP 500)
    ├── Overloaded                the service's queue of pages is full (HTTP 429, with
    │                             Retry-After)
    ├── RequestTimeout            the conversion passed DOCPARSE_REQUEST_TIMEOUT (HTTP 504)
    ├── ClientDisconnected        the client left; its conversion was cancelled (HTTP 499,
    │                             which nobody receives)
    ├── StorageFailed             the result store (output_dir or S3) refused or could not
    │   │                         be reached: the reason, never a result lost silently
    │   │                         (HTTP 502: the store upstream answered badly; not 503,
    │   │                         which says "this service, try again")
    │   └── ResultMissing         no such result in the store: never written, deleted or
    │                             expired (HTTP 404)
    ├── JobError                  the jobs API (jobs/)
    │   ├── JobNotFound           no job with that id (HTTP 404)
    │   ├── JobNotFinished        its result was asked for before it succeeded (HTTP 409)
    │   ├── JobExpired            past DOCPARSE_JOB_TTL: its files are gone (HTTP 410)
    │   └── JobQueueFull          DOCPARSE_MAX_QUEUED_JOBS are waiting (HTTP 429, with
    │                             Retry-After)
    └── ConfigurationError        settings that cannot work together (refused at start;
                                  HTTP 500 if raised in a request)

Third-party errors (pypdfium2, Pillow, tesserocr, onnxruntime) are translated where they
enter, with `raise ... from` (`DAMAGED_IMAGE`: what Pillow raises on a damaged file;
`without_path`: a message that names an internal file, without its path).
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

# What Pillow raises on a damaged file besides OSError (UnidentifiedImageError is one): a
# TIFF frame without its size tags is a TypeError ("Missing dimensions"), a short tag a
# struct.error, an absurd offset an OverflowError.
DAMAGED_IMAGE = (OSError, SyntaxError, ValueError, TypeError, EOFError, OverflowError, struct.error)


def without_path(message: str, path: Path, name: str) -> str:
    """A third party's `message` with the file it read, `path`, called `name`: Pillow and
    qpdf name the file, and where the service keeps an input is no client's business."""
    return message.replace(f"'{path}'", name).replace(str(path), name)


class DocparseError(Exception):
    code = "docparse_error"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class InputError(DocparseError):
    code = "invalid_input"


class UnsupportedFormat(InputError):
    code = "unsupported_format"


class LimitExceeded(InputError):
    code = "limit_exceeded"


class CorruptDocument(InputError):
    code = "corrupt_document"


class PasswordProtected(InputError):
    code = "password_protected"


class InvalidOptions(InputError):
    code = "invalid_options"


class EngineError(DocparseError):
    code = "engine_error"


class EngineUnavailable(EngineError):
    code = "engine_unavailable"


class RecognitionFailed(EngineError):
    code = "recognition_failed"


class WorkerCrashed(EngineError):
    code = "worker_crashed"
    retry_after = 5  # seconds: a new pool of workers starts in about one

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message, retry_after=self.retry_after, **details)


class ConversionFailed(DocparseError):
    code = "conversion_failed"


class Overloaded(DocparseError):
    code = "overloaded"

    def __init__(self, message: str, retry_after: int, **details: Any) -> None:
        super().__init__(message, retry_after=retry_after, **details)
        self.retry_after = retry_after


class RequestTimeout(DocparseError):
    code = "request_timeout"


class ClientDisconnected(DocparseError):
    code = "client_disconnected"


class StorageFailed(DocparseError):
    code = "storage_failed"


class ResultMissing(StorageFailed):
    code = "result_missing"


class JobError(DocparseError):
    code = "job_error"


class JobNotFound(JobError):
    code = "job_not_found"


class JobNotFinished(JobError):
    code = "job_not_finished"


class JobExpired(JobError):
    code = "job_expired"


class JobQueueFull(JobError):
    code = "job_queue_full"

    def __init__(self, message: str, retry_after: int, **details: Any) -> None:
        super().__init__(message, retry_after=retry_after, **details)
        self.retry_after = retry_after


class QueueUnavailable(JobError):
    """The job queue (Redis, DOCPARSE_QUEUE) cannot be reached."""

    code = "queue_unavailable"


class ConfigurationError(DocparseError):
    code = "configuration_error"
