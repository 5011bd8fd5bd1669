"""POST /layout-parsing in PaddleX serving's shape for PaddleOCR-VL, so an existing client
switches by changing only the URL. Unlike PaddleX's default, a PDF is never cut to 10
pages silently: DOCPARSE_MAX_PAGES applies, with a 413."""

from __future__ import annotations

import base64
import binascii
import tempfile
import uuid
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool

from docparse.api.deps import StateDep
from docparse.api.disconnect import while_connected
from docparse.api.metrics import count_pages
from docparse.api.schemas.errors import RETRY_AFTER, ErrorResponse
from docparse.api.schemas.paddlex import (
    LayoutParsingRequest,
    LayoutParsingResponse,
    PaddlexErrorResponse,
)
from docparse.errors import InvalidOptions, LimitExceeded
from docparse.export.paddlex import page_result
from docparse.io.fetch import FetchPolicy, fetch
from docparse.pipeline.options import ConvertOptions

router = APIRouter(tags=["compat"])
BASE64_WHITESPACE = str.maketrans("", "", " \t\r\n\v\f")
# Errors answer in PaddleX's envelope, except a body over the upload limit or too slow to
# arrive: the body guard refuses it before the route runs, in the service's own error body.
PADDLEX_ERRORS: dict[int | str, dict[str, Any]] = {
    408: {
        "model": ErrorResponse,
        "description": "the request body did not arrive within DOCPARSE_UPLOAD_TIMEOUT seconds",
    },
    413: {
        "model": PaddlexErrorResponse | ErrorResponse,
        "description": "over a size, page or pixel limit",
    },
    415: {"model": PaddlexErrorResponse, "description": "not a PDF or an image type we read"},
    429: {
        "model": PaddlexErrorResponse,
        "description": "the service is busy: too many pages waiting; try again after "
        "Retry-After seconds",
        "headers": RETRY_AFTER,
    },
    422: {
        "model": PaddlexErrorResponse,
        "description": "damaged or encrypted document, bad options, invalid fields",
    },
    500: {"model": PaddlexErrorResponse, "description": "no page could be read"},
    503: {
        "model": PaddlexErrorResponse,
        "description": "the engine is unavailable, a worker process died, or the service "
        "was shutting down and stopped the request (these two with Retry-After)",
    },
    504: {"model": PaddlexErrorResponse, "description": "over DOCPARSE_REQUEST_TIMEOUT"},
}


async def read_file(request: LayoutParsingRequest, policy: FetchPolicy) -> bytes:
    """The document's bytes: fetched from a URL (within the fetch policy's limits), or
    decoded from Base64 (within the same size limit)."""
    if request.file.startswith(("http://", "https://")):
        return await fetch(request.file, policy)
    max_bytes = policy.max_bytes
    if request.fileType is None:
        raise InvalidOptions("fileType is required when file is not a URL (0 = PDF, 1 = image)")
    # MIME-wrapped Base64 (76 columns, CRLF) is what many clients send: ASCII whitespace is
    # dropped, anything else outside the alphabet is still refused.
    text = request.file.translate(BASE64_WHITESPACE)
    if len(text) > max_bytes * 4 // 3 + 4:
        raise LimitExceeded(
            f"file is over the upload limit of {max_bytes:,} bytes", limit="max_upload_bytes"
        )
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidOptions("file is neither an http(s) URL nor valid Base64") from exc


@router.post(
    "/layout-parsing",
    summary="PaddleX-compatible layout parsing (PaddleOCR-VL)",
    # Validated and encoded by pydantic; keys a page leaves out stay out (not null).
    response_model=LayoutParsingResponse,
    response_model_exclude_unset=True,
    responses=PADDLEX_ERRORS,
)
async def layout_parsing(
    request: LayoutParsingRequest, state: StateDep, http: Request
) -> dict[str, Any]:
    settings = state.settings
    log_id = request.logId or str(uuid.uuid4())
    data = await read_file(request, FetchPolicy.from_settings(settings))
    options = ConvertOptions(
        engine=settings.ocr_engine,
        vlm=request.vlm_options(),
        keep_images=bool(request.visualize),
        figures="imgs",
        orientation=request.doc_orientation(),
    )
    with tempfile.TemporaryDirectory(dir=settings.temp_dir, prefix="lp-") as tmp:
        path = Path(tmp) / "input"
        await run_in_threadpool(path.write_bytes, data)
        # Cancelled when the client leaves: nobody waits for the answer.
        result = await while_connected(http, state.converter.convert(path, options))
    document = result.document
    count_pages("/layout-parsing", document)
    pages = [
        page_result(document, i, request, result.images.get(page.index), result.figures)
        for i, page in enumerate(document.pages)
    ]
    kind = document.metadata["source_type"]
    if kind == "pdf" or len(document.pages) > 1:
        info: dict[str, Any] = {
            "numPages": len(document.pages),
            "type": "pdf" if kind == "pdf" else "tiff",
            "pages": [{"width": round(p.width), "height": round(p.height)} for p in document.pages],
        }
    else:
        info = {
            "width": round(document.pages[0].width),
            "height": round(document.pages[0].height),
            "type": "image",
        }
    return {
        "logId": log_id,
        "errorCode": 0,
        "errorMsg": "Success",
        "result": {"layoutParsingResults": pages, "dataInfo": info},
    }
