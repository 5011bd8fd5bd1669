"""A small typed client for a running docparse service's jobs API:

    from docparse.client import Client

    with Client("http://localhost:8081", api_key="...") as client:
        done = client.convert("scan.pdf", formats=("md", "json"), engine="tesseract")
        print(done.outputs["md"])

or step by step: `submit` → `wait` (with on_progress) → `result`, and `cancel`.
`AsyncClient` is the same, awaited. 429 and 503 are retried after Retry-After, a failed
connection only where a repeat is harmless (RetryPolicy). It imports httpx and nothing of
the service's own (no pipeline, engines or pydantic): cheap to import."""

from docparse.client._base import Options
from docparse.client.aio import AsyncClient
from docparse.client.models import (
    ClientError,
    Converted,
    FailedPage,
    JobCancelled,
    JobError,
    JobFailed,
    JobRef,
    JobStatus,
    Removal,
    ServiceError,
    ServiceUnreachable,
    WaitTimedOut,
)
from docparse.client.retry import RetryPolicy
from docparse.client.sync import Client

__all__ = [
    "AsyncClient",
    "Client",
    "ClientError",
    "Converted",
    "FailedPage",
    "JobCancelled",
    "JobError",
    "JobFailed",
    "JobRef",
    "JobStatus",
    "Options",
    "Removal",
    "RetryPolicy",
    "ServiceError",
    "ServiceUnreachable",
    "WaitTimedOut",
]
