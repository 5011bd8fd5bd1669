"""Logs a machine can read: one JSON object a line (DOCPARSE_LOG_FORMAT=json, the default)
or plain text, each line with the id of the request it belongs to. The id is the caller's
X-Request-ID when it is a sane token, else a new one; every answer carries it back, so a
client's report of a failure can be found in the log.

One access line per request at INFO: method, route template, status, duration, id. Never
the raw path or query, a file name or any document text: those are the caller's data."""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, Literal

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from docparse.api.errors import error_body
from docparse.api.metrics import METHODS, RouteTemplates

REQUEST_ID: ContextVar[str | None] = ContextVar("docparse_request_id", default=None)
HEADER = "X-Request-ID"
# Safe to echo in a header and to write in a log line, and short.
VALID_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"

access_log = logging.getLogger("docparse.access")
log = logging.getLogger(__name__)

# What every LogRecord has; anything else on a record came from `extra=` and is written.
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "request_id",
    "color_message",  # uvicorn's coloured copy of the message
    "taskName",
}


class RequestIdFilter(logging.Filter):
    """Puts the current request's id on each record logged during a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        current = REQUEST_ID.get()
        if current is not None and getattr(record, "request_id", None) is None:
            record.request_id = current
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or REQUEST_ID.get(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(fmt: Literal["json", "text"], level: str) -> None:
    """One handler on the root logger for everything, uvicorn's loggers included (they
    propagate to it once uvicorn is run with log_config=None)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RequestIdFilter())
    text = logging.Formatter(TEXT_FORMAT, defaults={"request_id": "-"})
    handler.setFormatter(JsonFormatter() if fmt == "json" else text)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    # uvicorn's "trace" is below DEBUG and unknown to logging.
    known = logging.getLevelNamesMapping()
    root.setLevel(known.get(level.upper(), logging.DEBUG))
    # httpx logs every request's URL at INFO: a fetched document's URL is the caller's
    # (a presigned URL holds a credential) and the VLM's is ours; neither belongs there.
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def request_id(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            text: str = value.decode("latin-1")
            if VALID_ID.fullmatch(text):
                return text
            break
    return uuid.uuid4().hex


class RequestContext:
    """The outermost of our middlewares: the id is set before anything else runs and is on
    every answer, 401s, 413s and 500s included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.template = RouteTemplates()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = request_id(scope)
        token = REQUEST_ID.set(rid)
        method = scope["method"] if scope["method"] in METHODS else "other"
        started = time.perf_counter()
        status = 500
        responded = False

        async def sending(message: Message) -> None:
            nonlocal status, responded
            if message["type"] == "http.response.start":
                status, responded = message["status"], True
                message["headers"] = [
                    *[(k, v) for k, v in message.get("headers", []) if k != b"x-request-id"],
                    (b"x-request-id", rid.encode()),
                ]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception:
            # Logged here, where the request id is known, and answered here, so the 500
            # carries the id too (Starlette's last-resort handler sits outside us).
            log.exception("unexpected error on %s %s", method, self.template(scope))
            if responded:  # too late for an answer: the server cuts the connection
                raise
            body = error_body("internal_error", "internal error; see the service log")
            await JSONResponse(body, status_code=500)(scope, receive, sending)
        finally:
            route = self.template(scope)
            elapsed = round((time.perf_counter() - started) * 1000, 1)
            access_log.info(
                "%s %s %d %.1f ms",
                method,
                route,
                status,
                elapsed,
                extra={"method": method, "route": route, "status": status, "duration_ms": elapsed},
            )
            REQUEST_ID.reset(token)
