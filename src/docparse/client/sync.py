"""The client: docparse's jobs API over httpx (submit, status, wait, result, cancel and
convert), with the retries of retry.py."""

from __future__ import annotations

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


class Client:
    """`Client("http://host:8081", api_key=...)`; a context manager (or call close()).
    Errors: `ServiceError` (the service's status, code and message), `ServiceUnreachable`,
    and from wait() `JobFailed`, `JobCancelled`, `WaitTimedOut` (all `ClientError`)."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        *,
        timeout: float | httpx.Timeout = 60.0,
        retry: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.retry = retry or RetryPolicy()
        self._http = httpx.Client(**http_options(base_url, api_key, timeout), transport=transport)

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def submit(
        self, source: Source, filename: str | None = None, **options: Unpack[Options]
    ) -> JobRef:
        """Upload a document (a path or its bytes) as a job; answered once the service has
        it on disk. `filename` defaults to the path's name."""
        upload = (source, upload_name(source, filename), form_fields(options))
        response = self._request("POST", "/v1/jobs", idempotent=False, upload=upload)
        return JobRef.of(response.json())

    def status(self, job: JobLike) -> JobStatus:
        return JobStatus.of(self._request("GET", job_path(job), idempotent=True).json())

    def wait(
        self,
        job: JobLike,
        on_progress: ProgressCallback | None = None,
        *,
        poll: float = 1.0,
        timeout: float | None = None,
    ) -> JobStatus:
        """Poll until the job finishes; its status if it succeeded. `on_progress` gets the
        status whenever its state, queue position or pages change. Raises `JobFailed` or
        `JobCancelled`, and `WaitTimedOut` after `timeout` seconds (the job goes on)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        seen: tuple[object, ...] | None = None
        interval = min(FIRST_POLL, poll)
        while True:
            status = self.status(job)
            if on_progress is not None and progress_of(status) != seen:
                seen = progress_of(status)
                on_progress(status)
            if status.finished:
                return settled(status)
            if deadline is not None and time.monotonic() >= deadline:
                raise WaitTimedOut(status, timeout or 0.0)
            time.sleep(interval)
            interval = next_poll(interval, poll)

    @overload
    def result(self, job: JobLike, format: Literal["md", "json", "txt"] = "md") -> str: ...
    @overload
    def result(self, job: JobLike, format: Literal["zip"]) -> bytes: ...
    @overload
    def result(self, job: JobLike, format: str) -> str | bytes: ...

    def result(self, job: JobLike, format: str = "md") -> str | bytes:
        """A succeeded job's result: md, json, txt as text; zip (document.md, .json, .txt
        and the figures under images/) as bytes."""
        path = job_path(job) + "/result"
        response = self._request("GET", path, idempotent=True, params={"format": format})
        return decoded(response, format)

    def cancel(self, job: JobLike) -> Removal:
        """DELETE the job: a queued or running one is cancelled (its record stays), a
        finished one is deleted with its results."""
        return removal(self._request("DELETE", job_path(job), idempotent=False))

    def convert(
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
        """submit, wait and fetch each of `formats`."""
        job = self.submit(source, filename, **options)
        status = self.wait(job, on_progress, poll=poll, timeout=timeout)
        return Converted(status, {f: self.result(job, f) for f in formats})

    def _request(
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
                response = self._send(method, path, params, upload)
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
            time.sleep(delay)

    def _send(
        self, method: str, path: str, params: dict[str, str] | None, upload: Upload | None
    ) -> httpx.Response:
        if upload is None:
            return self._http.request(method, path, params=params)
        source, name, fields = upload
        with opened(source) as content:
            return self._http.request(
                method, path, params=params, files={"file": (name, content)}, data=fields
            )
