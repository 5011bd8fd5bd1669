"""The app in-process, as the tests use it: lifespan run, engines loaded, an httpx client."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from docparse.api.app import create_app
from docparse.settings import Settings


@asynccontextmanager
async def running(settings: Settings, wait_for_engines: bool = True
                  ) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        if wait_for_engines:
            await app.state.service.preload_task
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://docparse",
                                     timeout=120) as http:
            yield http
