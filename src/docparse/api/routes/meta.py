"""Service identity."""

from __future__ import annotations

from fastapi import APIRouter

from docparse import __version__
from docparse.api.schemas.meta import VersionResponse
from docparse.engines import OCR_ENGINES
from docparse.pipeline.options import ROUTES

router = APIRouter(tags=["meta"])


@router.get("/version", summary="Version and what this build can do")
async def version() -> VersionResponse:
    return VersionResponse(
        name="docparse",
        version=__version__,
        engines=list(OCR_ENGINES),
        routes=list(ROUTES),
        formats=["md", "json", "txt"],
    )
