"""POST /v1/convert: one document in, Markdown and JSON out (and on request the searchable
PDF), synchronously."""

from __future__ import annotations

import base64
import json
import tempfile
import uuid
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from docparse.api.deps import StateDep
from docparse.api.disconnect import ensure_connected, while_connected
from docparse.api.metrics import count_pages
from docparse.api.schemas.convert import ConvertFields, ConvertResponse
from docparse.api.schemas.errors import error_responses
from docparse.errors import InvalidOptions, LimitExceeded
from docparse.export import EXPORTERS
from docparse.export.searchable_pdf import searchable_pdf
from docparse.export.storage import render

router = APIRouter(tags=["convert"])
CHUNK = 1024 * 1024
PDF = "pdf"  # the searchable PDF: made from the upload, not by an exporter of the Document
PDF_NAME = "document.pdf"
FORMATS_HELP = (
    "md,json,txt,pdf: the files written. pdf is the searchable PDF (the original pages "
    "with an invisible text layer where OCR read them): asked for alone, the answer is "
    "that PDF (application/pdf); with other formats, it is Base64 in the JSON's `pdf`"
)


def parse_formats(formats: str | None) -> list[str]:
    chosen = [f.strip().lower() for f in (formats or "md,json").split(",") if f.strip()]
    unknown = [f for f in chosen if f not in EXPORTERS and f != PDF]
    if unknown:
        raise InvalidOptions(f"unknown format(s) {', '.join(unknown)}; use md, json, txt, pdf")
    return list(dict.fromkeys(chosen))  # once each: formats=pdf,pdf is formats=pdf


async def save_upload(upload: UploadFile, folder: Path, max_bytes: int) -> Path:
    """Copy the upload to a file of our own, counting bytes against the limit."""
    path = folder / "input"
    size = 0
    with path.open("wb") as handle:
        while chunk := await upload.read(CHUNK):
            size += len(chunk)
            if size > max_bytes:
                raise LimitExceeded(
                    f"file is over the upload limit of {max_bytes:,} bytes "
                    "(DOCPARSE_MAX_UPLOAD_BYTES)",
                    limit="max_upload_bytes",
                )
            await run_in_threadpool(handle.write, chunk)
    return path


@router.post(
    "/v1/convert",
    summary="Convert one document to Markdown and JSON",
    # The answer is encoded by hand (below), so the model documents it but does not run.
    response_class=JSONResponse,
    responses={
        200: {
            "model": ConvertResponse,
            "description": "JSON (format=json), the Markdown alone (format=md), or the "
            "searchable PDF alone (formats=pdf and nothing else)",
            "content": {
                "text/markdown": {"schema": {"type": "string"}},
                "application/pdf": {"schema": {"type": "string", "format": "binary"}},
            },
        },
        **error_responses(408, 413, 415, 422, 429, 500, 502, 503, 504),
    },
)
async def convert(
    request: Request,
    state: StateDep,
    file: Annotated[UploadFile, File(description="the document (PDF or image)")],
    fields: Annotated[ConvertFields, Form()],
    formats: Annotated[str | None, Form(description=FORMATS_HELP)] = None,
    format: Annotated[
        Literal["json", "md"], Query(description="md: answer with text/markdown alone")
    ] = "json",
) -> Response:
    settings = state.settings
    chosen = parse_formats(formats)
    options = fields.options(figures="images" if settings.write_outputs else None)
    document_id = uuid.uuid4().hex
    with tempfile.TemporaryDirectory(dir=settings.temp_dir, prefix="req-") as tmp:
        path = await save_upload(file, Path(tmp), settings.max_upload_bytes)
        await file.close()
        # Cancelled when the client leaves: nobody waits for the answer.
        result = await while_connected(request, state.converter.convert(path, options))
        # Made while the upload is still on disk: its pages are the PDF's pages.
        pdf = (
            await run_in_threadpool(searchable_pdf, path, result.document)
            if PDF in chosen
            else None
        )
    document = result.document
    count_pages("/v1/convert", document)
    document.metadata["document_id"] = document_id
    document.metadata["filename"] = file.filename
    rendered = await run_in_threadpool(render, document, [f for f in chosen if f != PDF])
    await ensure_connected(request)
    if settings.write_outputs:  # output_dir or S3; StorageFailed (502) with the reason
        # The PDF goes with the figures: the store writes those bytes as they are.
        files = {**result.figures, PDF_NAME: pdf} if pdf is not None else result.figures
        await run_in_threadpool(state.store.save_result, document_id, rendered, files)
    if format == "md":
        return PlainTextResponse(
            rendered["md"],
            media_type="text/markdown; charset=utf-8",
            headers={"X-Document-Id": document_id},
        )
    if pdf is not None and chosen == [PDF]:
        return Response(
            pdf,
            media_type="application/pdf",
            headers={
                "X-Document-Id": document_id,
                "Content-Disposition": f'inline; filename="{document_id}.pdf"',
            },
        )
    summary: dict[str, Any] = {
        "document_id": document_id,
        "markdown": rendered["md"],
        "pages": [
            {
                "index": p.index,
                "status": p.status,
                "route": p.route,
                "engine": p.engine,
                "rotation": p.rotation,
                "error": p.error,
            }
            for p in document.pages
        ],
        "timings": result.timings,
    }
    if "txt" in chosen:
        summary["text"] = rendered["txt"]
    if pdf is not None:
        summary["pdf"] = base64.b64encode(pdf).decode("ascii")
    # The document is already JSON (pydantic's fast encoder): splice it in rather than
    # have FastAPI walk and encode the whole tree a second time.
    head = json.dumps(summary, ensure_ascii=False)
    body = f'{head[:-1]}, "document": {document.model_dump_json()}}}'
    return Response(body.encode(), media_type="application/json")
