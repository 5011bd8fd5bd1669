"""Work for a client that is still there: a conversion runs as a task beside a watcher that
asks Starlette every POLL_SECONDS whether the client has gone; when it has, the conversion
is cancelled (pages not started never start, their budget is handed back) and nothing is
written for it."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

from starlette.requests import Request

from docparse.errors import ClientDisconnected, RequestTimeout

T = TypeVar("T")
POLL_SECONDS = 0.25


async def while_connected(request: Request, work: Coroutine[Any, Any, T]) -> T:
    """`work`'s result; ClientDisconnected (after cancelling it) when the client leaves
    first. Cancelled itself (the server stopping), it cancels `work` too."""
    task = asyncio.create_task(work)
    try:
        while not task.done():
            await asyncio.wait({task}, timeout=POLL_SECONDS)
            if not task.done() and await request.is_disconnected():
                await _cancel(task)
                raise ClientDisconnected(
                    "the client closed the connection; its conversion was cancelled"
                )
        try:
            return task.result()
        except RequestTimeout as exc:  # a synchronous request: say where long work goes
            raise RequestTimeout(
                f"{exc.message}; send long documents to the jobs API instead (POST /v1/jobs, "
                "then poll GET /v1/jobs/{id}): a job has no time limit but each page's",
                jobs_api="/v1/jobs",
                **exc.details,
            ) from exc
    finally:
        if not task.done():
            await _cancel(task)


async def _cancel(task: asyncio.Task[Any]) -> None:
    task.cancel()
    await asyncio.wait({task})
    if not task.cancelled():
        task.exception()  # retrieved: an error nobody will hear of is not logged as lost


async def ensure_connected(request: Request) -> None:
    """ClientDisconnected when the client has gone: nothing is written for nobody."""
    if await request.is_disconnected():
        raise ClientDisconnected("the client closed the connection before its answer")
