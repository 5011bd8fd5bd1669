"""The async twin of `Client`: the same calls, awaited (on_progress stays a plain
function). Requests, answers and retry decisions are _base.py's and retry.py's."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from types import TracebackType
from typing import Literal, Unpack, overload

import httpx

from docparse.client._base import (
    FIRST_POLL,
    JobLike,
    Options,
    ProgressCallback,
    Source,
    Upload,
    decoded,
    form_fields,
    http_options,
    job_path,
    next_poll,
    opened,
    progress_of,
    removal,
    service_error,
    settled,
    upload_name,
)
from docparse.client.models import (
    Converted,
    JobRef,
    JobStatus,
    Removal,
    ServiceUnreachable,
    WaitTimedOut,
)
from docparse.client.retry import RetryPolicy, status_delay, transport_delay


class AsyncClient:
    """`async with AsyncClient("http://host:8081", api_key=...) as client:`; see `Client`."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        *,
        timeout: float | httpx.Timeout = 60.0,
        retry: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.retry = retry or RetryPolicy()
        self._http = httpx.AsyncClient(
            **http_options(base_url, api_key, timeout), transport=transport
        )

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def submit(
        self, source: Source, filename: str | None = None, **options: Unpack[Options]
    ) -> JobRef:
        upload = (source, upload_name(source, filename), form_fields(options))
        response = await self._request("POST", "/v1/jobs", idempotent=False, upload=upload)
        return JobRef.of(response.json())

    async def status(self, job: JobLike) -> JobStatus:
        response = await self._request("GET", job_path(job), idempotent=True)
        return JobStatus.of(response.json())

    async def wait(
        self,
        job: JobLike,
        on_progress: ProgressCallback | None = None,
        *,
        poll: float = 1.0,
        timeout: float | None = None,
    ) -> JobStatus:
        deadline = None if timeout is None else time.monotonic() + timeout
        seen: tuple[object, ...] | None = None
        interval = min(FIRST_POLL, poll)
        while True:
            status = await self.status(job)
            if on_progress is not None and progress_of(status) != seen:
                seen = progress_of(status)
                on_progress(status)
            if status.finished:
                return settled(status)
            if deadline is not None and time.monotonic() >= deadline:
                raise WaitTimedOut(status, timeout or 0.0)
            await asyncio.sleep(interval)
            interval = next_poll(interval, poll)

    @overload
    async def result(self, job: JobLike, format: Literal["md", "json", "txt"] = "md") -> str: ...
    @overload
    async def result(self, job: JobLike, format: Literal["zip"]) -> bytes: ...
    @overload
    async def result(self, job: JobLike, format: str) -> str | bytes: ...

    async def result(self, job: JobLike, format: str = "md") -> str | bytes:
        path = job_path(job) + "/result"
        response = await self._request("GET", path, idempotent=True, params={"format": format})
        return decoded(response, format)

    async def cancel(self, job: JobLike) -> Removal:
        return removal(await self._request("DELETE", job_path(job), idempotent=False))

    async def convert(
        self,
        source: Source,
        formats: Sequence[str] = ("md",),
        *,
        filename: str | None = None,
        on_progress: ProgressCallback | None = None,
        poll: float = 1.0,
        timeout: float | None = None,
        **options: Unpack[Options],
    ) -> Converted:
        job = await self.submit(source, filename, **options)
        status = await self.wait(job, on_progress, poll=poll, timeout=timeout)
        return Converted(status, {f: await self.result(job, f) for f in formats})

    async def _request(
        self,
        method: str,
        path: str,
        *,
        idempotent: bool,
        params: dict[str, str] | None = None,
        upload: Upload | None = None,
    ) -> httpx.Response:
        attempt = 0
        while True:
            attempt += 1
            try:
                response = await self._send(method, path, params, upload)
            except httpx.TransportError as exc:
                delay = transport_delay(self.retry, attempt, exc, idempotent)
                if delay is None:
                    raise ServiceUnreachable(f"{method} {path}: {exc!r}") from exc
            else:
                if response.is_success:
                    return response
                delay = status_delay(self.retry, attempt, response)
                if delay is None:
                    raise service_error(response)
            await asyncio.sleep(delay)

    async def _send(
        self, method: str, path: str, params: dict[str, str] | None, upload: Upload | None
    ) -> httpx.Response:
        if upload is None:
            return await self._http.request(method, path, params=params)
        source, name, fields = upload
        # A file is read as it is sent, in the event loop's thread: chunks of 64 KiB.
        with opened(source) as content:
            return await self._http.request(
                method, path, params=params, files={"file": (name, content)}, data=fields
            )
