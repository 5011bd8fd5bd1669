"""What the sync and async clients share: the request each call makes, how an answer is
read, the error an answer becomes, and how wait() ends. Only their I/O differs."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, TypedDict
from urllib.parse import quote

import httpx

from docparse import __version__
from docparse.client.models import (
    JobCancelled,
    JobFailed,
    JobRef,
    JobStatus,
    Removal,
    ServiceError,
)
from docparse.client.retry import retry_after

TEXT_FORMATS = frozenset({"md", "json", "txt"})
FIRST_POLL = 0.2  # short jobs finish between the first polls; later ones back off to `poll`

Source = str | os.PathLike[str] | bytes
ProgressCallback = Callable[[JobStatus], None]
Upload = tuple[Source, str, dict[str, str]]  # the source, its name, the form fields
JobLike = str | JobRef | JobStatus  # a job by its id, or anything that holds it


class Options(TypedDict, total=False):
    """The form fields of POST /v1/jobs (those of /v1/convert, plus callback_url)."""

    engine: str  # auto | textlayer | tesseract | ppocr | paddleocr-vl
    languages: str  # e.g. rus+eng
    pages: str  # 1-based, e.g. 1-3,5
    dpi: int
    spotting: bool
    layout: bool
    callback_url: str


def form_fields(options: Mapping[str, object]) -> dict[str, str]:
    """Options as multipart fields: booleans as the service parses them, None left out."""
    fields = {}
    for name, value in options.items():
        if value is None:
            continue
        fields[name] = ("true" if value else "false") if isinstance(value, bool) else str(value)
    return fields


def upload_name(source: Source, filename: str | None) -> str:
    if filename:
        return filename
    if isinstance(source, bytes):
        return "document"
    return Path(source).name


@contextmanager
def opened(source: Source) -> Iterator[bytes | IO[bytes]]:
    """The upload's content for one try: a file opened afresh (a retry sends it again from
    the start), or the bytes as they are."""
    if isinstance(source, bytes):
        yield source
        return
    with open(source, "rb") as handle:
        yield handle


def http_options(
    base_url: str, api_key: str | None, timeout: float | httpx.Timeout
) -> dict[str, Any]:
    headers = {"User-Agent": f"docparse-client/{__version__}", "Accept": "application/json"}
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    return {"base_url": base_url.rstrip("/"), "headers": headers, "timeout": timeout}


def service_error(response: httpx.Response) -> ServiceError:
    """The service's {"error": {"code", "message", "details"}}; anything else (a proxy's
    HTML page) as http_<status> with the start of its text."""
    code, message, details = f"http_{response.status_code}", "", None
    try:
        body = response.json()
    except ValueError:
        body = None
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        code = str(error.get("code") or code)
        message = str(error.get("message") or "")
        details = error.get("details")
    if not message:
        message = response.text.strip()[:200] or response.reason_phrase
    return ServiceError(
        response.status_code,
        code,
        message,
        details,
        retry_after(response),
        response.headers.get("x-request-id"),
    )


def job_path(job: JobLike) -> str:
    job_id = job if isinstance(job, str) else job.id
    if job_id in ("", ".", ".."):  # would name another path, not a job
        raise ValueError(f"not a job id: {job_id!r}")
    return f"/v1/jobs/{quote(job_id, safe='')}"


def removal(response: httpx.Response) -> Removal:
    body = response.json()
    return Removal(id=body["id"], outcome=body["outcome"], state=body["state"])


def decoded(response: httpx.Response, format: str) -> str | bytes:
    return response.content.decode("utf-8") if format in TEXT_FORMATS else response.content


def settled(status: JobStatus) -> JobStatus:
    """A finished job's status when it succeeded; its failure as an exception otherwise."""
    if status.state == "failed":
        raise JobFailed(status)
    if status.state == "cancelled":
        raise JobCancelled(status)
    return status


def progress_of(status: JobStatus) -> tuple[object, ...]:
    """What on_progress is called again for: a change of state, position or pages."""
    return (status.state, status.queue_position, status.pages_done, status.pages_total)


def next_poll(current: float, poll: float) -> float:
    return min(poll, current * 2)
