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
    │   └── RecognitionFailed     one page or block could not be read: that page fails;
    │                             HTTP 500 only if it reaches a client
    ├── ConversionFailed          no page of the document could be read (HTTP 500)
    └── ConfigurationError        settings that cannot work together (refused at start;
                                  HTTP 500 if raised in a request)

Third-party errors (pypdfium2, Pillow, tesserocr, onnxruntime) are translated where they
enter, with `raise ... from`.
"""

from __future__ import annotations

from typing import Any


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


class ConversionFailed(DocparseError):
    code = "conversion_failed"


class ConfigurationError(DocparseError):
    code = "configuration_error"
