"""Request body limit, enforced before the body is read: a claimed size over the limit is
refused at once (413), and a body without a length is counted as it streams."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from docparse.api.errors import error_body

MULTIPART_SLACK = 64 * 1024  # form fields and part headers around the file


class BodySizeLimit:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes + MULTIPART_SLACK

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        claimed = headers.get(b"content-length")
        if claimed is not None:
            try:
                size = int(claimed)
            except ValueError:
                await self._refuse(send, 400, "bad_request", "invalid Content-Length")
                return
            if size > self.max_bytes:
                await self._refuse(send, 413, "limit_exceeded", self._message(size))
                return
        received = 0
        refused = started = False

        async def counting_receive() -> Message:
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes and not refused:
                    refused = True
                    if not started:
                        await self._refuse(send, 413, "limit_exceeded", self._message(received))
                    # The app sees a client that went away and stops reading.
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refused:
                return  # our 413 is the answer; drop what the app says after it
            started = started or message["type"] == "http.response.start"
            await send(message)

        await self.app(scope, counting_receive, guarded_send)

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
