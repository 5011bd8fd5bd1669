"""Liveness answers before engines load; readiness flips once they have."""

from __future__ import annotations

import asyncio

import httpx

from docparse.api.app import create_app
from docparse.settings import Settings


async def test_live_before_ready_then_ready(settings: Settings) -> None:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://d") as http:
            live = await http.get("/health/live")
            ready = await http.get("/health/ready")
            health = (await http.get("/health")).json()
            assert live.status_code == 200
            assert ready.status_code == 503  # engines are still loading
            assert health["status"] == "starting"
            assert health["engines"]["tesseract"]["state"] in ("not_loaded", "loading")
            await asyncio.wait_for(app.state.service.preload_task, 60)
            assert (await http.get("/health/ready")).status_code == 200
            health = (await http.get("/health")).json()
    assert health["status"] == "healthy"
    for field in ("status", "paddleocr", "s3_storage", "output_dir", "temp_dir"):
        assert field in health
    assert health["s3_storage"] == "not_configured"
    assert health["engines"]["tesseract"]["state"] == "ready"
    assert health["engines"]["tesseract"]["detail"]["languages"] == "rus+eng"
    assert health["engines"]["ppocr"]["state"] == "ready"
    assert health["layout"]["state"] == "ready"  # the CPU route's layout model, loaded
    assert health["layout"]["path"].endswith("layout_cdla.onnx")
    assert health["storage"]["output_dir"]["writable"] is True


async def test_failed_engine_is_reported_with_reason(settings: Settings) -> None:
    broken = settings.model_copy(update={"languages": "rus+eng+xyz"})
    app = create_app(broken)
    async with app.router.lifespan_context(app):
        await app.state.service.preload_task
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://d") as http:
            ready = await http.get("/health/ready")
            health = (await http.get("/health")).json()
    assert ready.status_code == 503
    assert health["status"] == "unhealthy"
    assert health["engines"]["tesseract"]["state"] == "failed"
    assert "xyz" in health["engines"]["tesseract"]["reason"]
    assert health["engines"]["ppocr"]["state"] == "ready"
