"""Requests stopped by a shutdown. On SIGTERM uvicorn gives requests in flight
DOCPARSE_SHUTDOWN_TIMEOUT seconds (`timeout_graceful_shutdown`, set in cli.py) and then
cancels their tasks. Left alone, each cancelled request was a traceback in the log and
uvicorn's plain-text 500 to its client; here it is one warning line and a 503 in the
route's error shape, with Retry-After (another instance, or this one restarted, can take
it) and Connection: close. The work under it is cancelled as the cancellation unwinds
(api/disconnect.py cancels the conversion task).

Only uvicorn's shutdown cancellation is answered (and so ends there): uvicorn cancels with
a message naming its graceful-shutdown timeout. Any other cancellation (an in-process
caller's timeout, say) goes on up untouched; so would uvicorn's, should a later version
word it otherwise (then back to its 500: tests/api/test_shutdown.py would say so)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from docparse.api.errors import PADDLEX_PATHS, error_body

log = logging.getLogger(__name__)

MESSAGE = "the service is shutting down and stopped this request; try again"
RETRY_AFTER_SECONDS = 5
# uvicorn (0.54 here) cancels with "Task cancelled, timeout graceful shutdown exceeded"
# once timeout_graceful_shutdown has passed.
UVICORN_SHUTDOWN = "graceful shutdown"


def by_shutdown(exc: asyncio.CancelledError) -> bool:
    """Whether the cancellation is uvicorn's at the end of its graceful shutdown."""
    return any(UVICORN_SHUTDOWN in str(arg) for arg in exc.args)


class CancelledAtShutdown:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except asyncio.CancelledError as exc:
            task = asyncio.current_task()
            if started or task is None or not by_shutdown(exc):
                raise  # not the server's shutdown, or half an answer is out already
            task.uncancel()  # the request ends here, answered
            log.warning(
                "%s %s stopped: the server is shutting down", scope["method"], scope["path"]
            )
            with contextlib.suppress(Exception):  # the client may be gone too
                await _answer(send, scope["path"])


async def _answer(send: Send, path: str) -> None:
    if path in PADDLEX_PATHS:
        payload = {"logId": str(uuid.uuid4()), "errorCode": 503, "errorMsg": MESSAGE}
    else:
        payload = error_body("shutting_down", MESSAGE)
    body = json.dumps(payload).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 503,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"retry-after", str(RETRY_AFTER_SECONDS).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
