"""create_app(settings): the FastAPI application. Nothing heavy happens at import or in
create_app; engines load in the background once the server has started."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from docparse import __version__
from docparse.api import auth, metrics
from docparse.api.errors import install_error_handlers
from docparse.api.limits import BodySizeLimit
from docparse.api.logs import RequestContext
from docparse.api.routes import convert, docs, health, jobs, meta, paddlex, web
from docparse.api.shutdown import CancelledAtShutdown
from docparse.api.state import ServiceState
from docparse.export.retention import expire_periodically
from docparse.io.temp import clear_leftovers
from docparse.settings import Settings

log = logging.getLogger(__name__)


def create_app(settings: Settings) -> FastAPI:
    state = ServiceState.build(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        settings.prepare_dirs()
        auth.warn_if_open(settings)
        clear_leftovers(settings.temp_dir)  # uploads of a process that was killed
        state.preload_task = asyncio.create_task(
            state.engines.preload(settings.engines_to_load), name="preload-engines"
        )
        # Results older than DOCPARSE_RESULT_TTL go: now, then every cleanup interval.
        expiry = (
            asyncio.create_task(
                expire_periodically(
                    settings.output_dir, settings.result_ttl, settings.cleanup_interval
                ),
                name="expire-results",
            )
            if settings.result_ttl > 0
            else None
        )
        # The job store opened, interrupted jobs queued again, the workers started.
        await state.jobs.start()
        try:
            yield
        finally:
            await state.jobs.stop()  # a running job goes back to the queue
            state.preload_task.cancel()
            if expiry is not None:
                expiry.cancel()
            await state.engines.aclose()

    app = FastAPI(
        title="docparse",
        version=__version__,
        lifespan=lifespan,
        # Swagger UI and ReDoc come from api/routes/docs.py: FastAPI's pages load theirs
        # from a CDN, blank on a machine without internet.
        docs_url=None,
        redoc_url=None,
        description="Documents in (PDF, PNG, JPEG, TIFF, WebP, BMP); Markdown and "
        "structured JSON out.",
    )
    app.state.service = state
    install_error_handlers(app)
    # Added inside out: the request id is outermost (on every answer), then the metrics
    # (they count the refusals), then the key check (before a body is read), then the body
    # guard (size and time), then the 503 of a request cancelled by a shutdown.
    app.add_middleware(CancelledAtShutdown)
    app.add_middleware(
        BodySizeLimit,
        max_bytes=settings.max_upload_bytes,
        timeout=settings.upload_timeout,
    )
    auth.install(app, settings)
    app.add_middleware(metrics.Metrics)
    app.add_middleware(RequestContext)
    metrics.install()
    for module in (convert, jobs, paddlex, health, meta, docs, web):
        app.include_router(module.router)
    metrics.add_route(app)
    return app
