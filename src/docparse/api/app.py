"""create_app(settings): the FastAPI application. Nothing heavy happens at import or in
create_app; engines load in the background once the server has started."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from docparse import __version__
from docparse.api.errors import install_error_handlers
from docparse.api.limits import BodySizeLimit
from docparse.api.routes import convert, health, meta, paddlex
from docparse.api.state import ServiceState
from docparse.io.temp import clear_leftovers
from docparse.settings import Settings

log = logging.getLogger(__name__)


def create_app(settings: Settings) -> FastAPI:
    state = ServiceState.build(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        settings.prepare_dirs()
        clear_leftovers(settings.temp_dir)  # uploads of a process that was killed
        state.preload_task = asyncio.create_task(
            state.engines.preload(settings.engines_to_load), name="preload-engines"
        )
        try:
            yield
        finally:
            state.preload_task.cancel()
            await state.engines.aclose()

    app = FastAPI(
        title="docparse",
        version=__version__,
        lifespan=lifespan,
        description="Documents in (PDF, PNG, JPEG, TIFF, WebP, BMP); Markdown and "
        "structured JSON out.",
    )
    app.state.service = state
    install_error_handlers(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_upload_bytes)
    for module in (convert, paddlex, health, meta):
        app.include_router(module.router)
    return app
