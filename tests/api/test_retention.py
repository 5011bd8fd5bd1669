"""Results expire: the service removes document folders older than DOCPARSE_RESULT_TTL,
once at start and then every DOCPARSE_CLEANUP_INTERVAL seconds."""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from pathlib import Path

import pytest

from docparse.settings import Settings
from tests.fixtures.service import running

DAY = 24 * 3600


def old_result(output: Path, age: float) -> Path:
    folder = output / uuid.uuid4().hex
    folder.mkdir(parents=True)
    (folder / "document.md").write_text("old")
    then = time.time() - age
    os.utime(folder, (then, then))
    return folder


def test_the_defaults() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.result_ttl == 7 * DAY
    assert settings.cleanup_interval == 600


async def test_expired_results_are_removed_at_start(settings: Settings) -> None:
    expired = old_result(settings.output_dir, 8 * DAY)
    kept = old_result(settings.output_dir, 6 * DAY)
    async with running(settings.model_copy(update={"preload_engines": []})) as http:
        assert (await http.get("/health/live")).status_code == 200
        for _ in range(100):  # the first sweep runs beside the start, not before it
            if not expired.exists():
                break
            await asyncio.sleep(0.05)
        assert not expired.exists()
        assert kept.exists()


@pytest.mark.slow
async def test_a_result_expires_while_the_service_runs(settings: Settings, docs: Path) -> None:
    config = settings.model_copy(
        update={"preload_engines": [], "result_ttl": 1.5, "cleanup_interval": 0.2}
    )
    async with running(config) as http:
        with (docs / "edgar.pdf").open("rb") as handle:
            response = await http.post(
                "/v1/convert", files={"file": handle}, data={"engine": "textlayer"}
            )
        assert response.status_code == 200, response.text
        folder = settings.output_dir / response.json()["document_id"]
        assert (folder / "document.md").exists()
        written = time.monotonic()
        while folder.exists() and time.monotonic() - written < 15:
            await asyncio.sleep(0.1)
        assert not folder.exists()
        assert time.monotonic() - written >= 1.0  # not before its time
        assert list(settings.output_dir.iterdir()) == []


async def test_a_ttl_of_zero_keeps_results(settings: Settings) -> None:
    ancient = old_result(settings.output_dir, 3650 * DAY)
    config = settings.model_copy(
        update={"preload_engines": [], "result_ttl": 0, "cleanup_interval": 0.1}
    )
    async with running(config) as http:
        assert (await http.get("/health/live")).status_code == 200
        await asyncio.sleep(0.5)
    assert ancient.exists()
