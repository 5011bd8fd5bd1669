"""The jobs API's bodies: a JSON job (`JobRequest`), the 202 (`JobAccepted`), a job's
state (`JobSummary`, the webhook's body too), a page of jobs, a cancel or delete."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from docparse.api.schemas.convert import ConvertFields, ConvertOptionsBody
from docparse.jobs.model import JobState, JobSummary
from docparse.jobs.sources import JobSource

__all__ = [
    "JobAccepted",
    "JobList",
    "JobRemoved",
    "JobRequest",
    "JobSummary",
    "job_request_body",
]

CALLBACK_URL = (
    "POSTed the job's summary when it finishes, signed with DOCPARSE_WEBHOOK_SECRET "
    "(X-Docparse-Signature); reachable under the same rules as a fetched URL"
)


class JobRequest(BaseModel):
    """POST /v1/jobs as JSON: a document by URL or in Base64, and how to convert it."""

    model_config = ConfigDict(extra="forbid")
    source: JobSource = Field(
        description='{"url": …}, {"base64": …, "filename": …}, or {"s3": "s3://bucket/key"}'
    )
    options: ConvertOptionsBody = Field(default_factory=ConvertOptionsBody)
    callback_url: str | None = Field(None, description=CALLBACK_URL)


class JobAccepted(BaseModel):
    """The job and its input are on disk: poll status_url, fetch result_url when done."""

    id: str
    status_url: str
    result_url: str = Field(description="add ?format=md|json|txt|zip")


class JobList(BaseModel):
    jobs: list[JobSummary] = Field(description="newest first")
    next_cursor: str | None = Field(description="pass as cursor for the next page; null: last")


class JobRemoved(BaseModel):
    id: str
    outcome: Literal["cancelled", "deleted"] = Field(
        description="cancelled: it was queued or running, its files are gone and its "
        "record stays; deleted: it had finished, it and its files are gone"
    )
    state: JobState


def _inline(schema: dict[str, Any]) -> dict[str, Any]:
    """A model's JSON schema with its $defs put in place: one self-contained schema for
    openapi_extra (the models it uses are not components of their own)."""
    defs = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                return resolve(defs[node["$ref"].rsplit("/", 1)[-1]])
            return {key: resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(value) for value in node]
        return node

    resolved: dict[str, Any] = resolve(schema)
    return resolved


def job_request_body() -> dict[str, Any]:
    """POST /v1/jobs's request body in OpenAPI: a multipart upload with the convert form's
    fields, or a JSON job."""
    form = _inline(ConvertFields.model_json_schema())
    form["properties"] = {
        "file": {
            "type": "string",
            "format": "binary",
            "description": "the document (PDF or image)",
        },
        **form["properties"],
        "callback_url": {"type": "string", "description": CALLBACK_URL},
    }
    form["required"] = ["file"]
    form["title"] = "JobUpload"
    return {
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {"schema": form},
                "application/json": {"schema": _inline(JobRequest.model_json_schema())},
            },
        }
    }
