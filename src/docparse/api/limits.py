"""Request body limits, enforced before and while the body is read.

Size, on requests whose method carries a body (POST, PUT, PATCH: every upload route, and
any added later): a claimed size over the limit is refused at once (413), and a body
without a length is counted as it streams. On a GET or HEAD a claimed length means nothing
(no route reads its body), so it is no reason for a 413.

Time, on every request: the whole body must arrive within `timeout` seconds of the
request's start (DOCPARSE_UPLOAD_TIMEOUT), or the answer is 408 and the connection is
closed; uvicorn times out idle connections but not a body that trickles in a byte at a
time. Once the body is complete the deadline is over: the conversion takes its time."""

from __future__ import annotations

import asyncio
import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from docparse.api.errors import error_body

MULTIPART_SLACK = 64 * 1024  # form fields and part headers around the file
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


class BodySizeLimit:
    """The size and time limits of a request body (see the module)."""

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        timeout: float | None = None,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes + MULTIPART_SLACK
        self.timeout = timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sized = scope["method"] in BODY_METHODS
        claimed = dict(scope["headers"]).get(b"content-length") if sized else None
        if claimed is not None:
            try:
                size = int(claimed)
            except ValueError:
                await self._refuse(
                    send, 422, "invalid_request", "invalid request: invalid Content-Length"
                )
                return
            if size > self.max_bytes:
                await self._refuse(send, 413, "limit_exceeded", self._message(size))
                return
        deadline = (
            None if self.timeout is None else asyncio.get_running_loop().time() + self.timeout
        )
        received = 0
        refused = started = complete = False

        async def counting_receive() -> Message:
            nonlocal received, refused, complete
            if refused:
                return {"type": "http.disconnect"}
            if complete or deadline is None:
                message = await receive()  # after the body: a disconnect, however late
            else:
                try:
                    async with asyncio.timeout_at(deadline):
                        message = await receive()
                except TimeoutError:
                    refused = True
                    if not started:
                        await self._refuse(send, 408, "upload_timeout", self._too_slow())
                    return {"type": "http.disconnect"}  # the app stops reading
            if message["type"] == "http.request":
                complete = not message.get("more_body", False)
                received += len(message.get("body", b""))
                if sized and received > self.max_bytes and not refused:
                    refused = True
                    if not started:
                        await self._refuse(send, 413, "limit_exceeded", self._message(received))
                    # The app sees a client that went away and stops reading.
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refused:
                return  # our 413 or 408 is the answer; drop what the app says after it
            started = started or message["type"] == "http.response.start"
            await send(message)

        await self.app(scope, counting_receive, guarded_send)

    def _too_slow(self) -> str:
        return (
            f"the request body did not arrive within {self.timeout:g} seconds "
            "(DOCPARSE_UPLOAD_TIMEOUT)"
        )

    def _message(self, size: int) -> str:
        limit = self.max_bytes - MULTIPART_SLACK
        return (
            f"request body of {size:,} bytes is over the upload limit of {limit:,} bytes "
            f"(DOCPARSE_MAX_UPLOAD_BYTES)"
        )

    @staticmethod
    async def _refuse(send: Send, status: int, code: str, message: str) -> None:
        body = json.dumps(error_body(code, message)).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
