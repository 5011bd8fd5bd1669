"""The jobs API: POST /v1/jobs (202 once the input and the record are on disk), a job's
state, its result, cancel or delete, and the list. The work is in docparse.jobs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import PurePath
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, Response
from pydantic import ValidationError
from starlette.background import BackgroundTask
from starlette.datastructures import UploadFile

from docparse.api.deps import StateDep, get_settings
from docparse.api.schemas.convert import ConvertFields
from docparse.api.schemas.errors import error_responses
from docparse.api.schemas.jobs import (
    JobAccepted,
    JobList,
    JobRemoved,
    JobRequest,
    JobSummary,
    job_request_body,
)
from docparse.document import Document
from docparse.errors import JobNotFinished
from docparse.jobs.model import JobState
from docparse.jobs.service import Links, job_links

router = APIRouter(tags=["jobs"])
CHUNK = 1024 * 1024
MEDIA_TYPES = {
    "md": "text/markdown; charset=utf-8",
    "json": "application/json",
    "txt": "text/plain; charset=utf-8",
    "zip": "application/zip",
    "pdf": "application/pdf",
}
QUEUE_FULL = {
    "description": "DOCPARSE_MAX_QUEUED_JOBS jobs are waiting; try again after Retry-After "
    "seconds (checked before the body is read)"
}


def _invalid(error: ValidationError, *prefix: str) -> RequestValidationError:
    """pydantic's errors as a request validation error (the service's 422 body)."""
    return RequestValidationError(
        [{**e, "loc": (*prefix, *e["loc"])} for e in error.errors(include_url=False)]
    )


def _links(request: Request) -> Links:
    """DOCPARSE_PUBLIC_URL's links, else paths from the root: never from the Host header."""
    return job_links(get_settings(request).public_url, request.scope.get("root_path", ""))


async def _chunks(upload: UploadFile) -> AsyncIterator[bytes]:
    while chunk := await upload.read(CHUNK):
        yield chunk


@router.post(
    "/v1/jobs",
    summary="Submit a document for conversion in the background",
    status_code=202,
    responses={
        **error_responses(413, 415, 422, 502),
        429: error_responses(429)[429] | QUEUE_FULL,
    },
    openapi_extra=job_request_body(),
)
async def submit_job(request: Request, state: StateDep) -> JobAccepted:
    """A multipart upload (`file` and the fields of /v1/convert, plus `callback_url`), or
    a JSON body (`source`, `options`, `callback_url`). Answered once the input is fsynced
    and the job's record committed: from then on a restart does not lose it."""
    jobs = state.jobs
    await jobs.check_room()  # before the body is read
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind in ("multipart/form-data", "application/x-www-form-urlencoded"):
        async with request.form(max_files=1, max_fields=32) as form:
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                raise RequestValidationError(
                    [{"type": "missing", "loc": ("body", "file"), "msg": "Field required"}]
                )
            values = {k: v for k, v in form.items() if k in ConvertFields.model_fields}
            try:
                fields = ConvertFields.model_validate(values)
            except ValidationError as exc:
                raise _invalid(exc, "body") from None
            callback = form.get("callback_url")
            job = await jobs.submit_upload(
                _chunks(upload),
                upload.filename,
                fields.options(),
                callback if isinstance(callback, str) and callback else None,
                _links(request),
            )
    elif kind == "application/json" or kind.endswith("+json"):
        try:
            body = JobRequest.model_validate_json(await request.body())
        except ValidationError as exc:
            raise _invalid(exc, "body") from None
        job = await jobs.submit_source(
            body.source, body.options.options(), body.callback_url, _links(request)
        )
    else:
        raise RequestValidationError(
            [
                {
                    "type": "missing",
                    "loc": ("body",),
                    "msg": "send multipart/form-data with a file, or JSON with a source",
                }
            ]
        )
    return JobAccepted(id=job.id, status_url=job.status_url, result_url=job.result_url)


@router.get(
    "/v1/jobs",
    summary="Jobs, newest first, a page at a time",
    responses=error_responses(422),
)
async def list_jobs(
    state: StateDep,
    job_state: Annotated[
        JobState | None, Query(alias="state", description="only jobs in this state")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(description="next_cursor of the page before")] = None,
) -> JobList:
    jobs, next_cursor = await state.jobs.page(job_state, limit, cursor)
    return JobList(jobs=[JobSummary.of(j) for j in jobs], next_cursor=next_cursor)


@router.get(
    "/v1/jobs/{job_id}",
    summary="A job's state, progress and errors",
    responses=error_responses(404, 410, 422),
)
async def get_job(state: StateDep, job_id: str) -> JobSummary:
    return JobSummary.of(await state.jobs.get(job_id))


@router.get(
    "/v1/jobs/{job_id}/result",
    summary="The result of a job that succeeded",
    response_class=FileResponse,
    responses={
        200: {
            "model": Document,
            "description": "format=json: the Document; md: Markdown; txt: plain text; "
            "zip: document.md, document.json, document.txt and the figures (images/); "
            "pdf: the original pages with an invisible text layer (searchable, copyable)",
            "content": {
                "text/markdown": {"schema": {"type": "string"}},
                "text/plain": {"schema": {"type": "string"}},
                "application/zip": {"schema": {"type": "string", "format": "binary"}},
                "application/pdf": {"schema": {"type": "string", "format": "binary"}},
            },
        },
        **error_responses(404, 409, 410, 422, 502),
    },
)
async def get_job_result(
    state: StateDep,
    job_id: str,
    format: Annotated[Literal["md", "json", "txt", "zip", "pdf"], Query()] = "json",
) -> Response:
    job = await state.jobs.get(job_id)
    found = await state.jobs.result(job_id, format)  # from the result store
    stem = PurePath(job.filename).stem if job.filename else job_id
    if isinstance(found, bytes):
        disposition = _disposition("inline", f"{stem}.{format}")
        return Response(
            found,
            media_type=MEDIA_TYPES[format],
            headers={"X-Job-Id": job_id, "Content-Disposition": disposition},
        )
    return FileResponse(
        found,
        media_type=MEDIA_TYPES[format],
        filename=f"{stem}.{format}",
        content_disposition_type="attachment",
        headers={"X-Job-Id": job_id},
        background=BackgroundTask(found.unlink, missing_ok=True),
    )


def _disposition(kind: str, filename: str) -> str:
    """As FileResponse writes it: RFC 5987 for a name that is not plain ASCII."""
    quoted = quote(filename)
    if quoted != filename:
        return f"{kind}; filename*=utf-8''{quoted}"
    return f'{kind}; filename="{filename}"'


JPEG = {"content": {"image/jpeg": {"schema": {"type": "string", "format": "binary"}}}}


@router.get(
    "/v1/jobs/{job_id}/pages/{number}",
    summary="A page of a job that succeeded, as a picture to draw its blocks' boxes on",
    response_class=Response,
    responses={
        200: {
            **JPEG,
            "description": "JPEG, longest side at most 1600 px, the page turned upright as it "
            "was read: a block's bbox times the picture's width / the page's width",
        },
        **error_responses(404, 409, 410, 422, 502),
    },
)
async def get_job_page(
    state: StateDep,
    job_id: str,
    number: Annotated[int, Path(ge=1, description="1-based, in the Document's pages")],
) -> Response:
    job = await state.jobs.get(job_id)  # 404 unknown, 410 expired
    if job.state != JobState.succeeded:  # as the result: 409 until it has succeeded
        detail = f": {job.error_message}" if job.error_message else ""
        raise JobNotFinished(
            f"job {job_id} is {job.state.value}{detail}; pages come once it has succeeded",
            state=job.state.value,
        )
    picture = await state.jobs.page_picture(job, number)
    return Response(picture, media_type="image/jpeg", headers={"X-Job-Id": job_id})


@router.delete(
    "/v1/jobs/{job_id}",
    summary="Cancel a queued or running job, or delete a finished one",
    responses=error_responses(404, 410, 422),
)
async def delete_job(state: StateDep, job_id: str) -> JobRemoved:
    removal = await state.jobs.remove(job_id)
    return JobRemoved(id=job_id, outcome=removal.outcome, state=removal.job.state)
