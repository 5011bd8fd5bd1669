"""A page of jobs from either store leaves out jobs past expires_at that the sweep has
not marked yet, without coming back short: a full page whenever older live jobs exist
(SQLite in its query; Redis by reading its index on until the page is full)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from docparse.jobs.model import JobState
from docparse.jobs.redis_store import RedisJobStore
from docparse.jobs.store import JobStore, SqliteJobStore
from tests.jobs.test_store import new_job


@pytest.fixture(params=["sqlite", "redis"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[JobStore]:
    opened: JobStore
    if request.param == "sqlite":
        opened = SqliteJobStore(tmp_path / "jobs.sqlite3")
    else:
        opened = RedisJobStore(request.getfixturevalue("redis_url"))
    await opened.open()
    yield opened
    await opened.close()


async def every_page(store: JobStore, state: JobState | None, limit: int) -> list[list[str]]:
    """Pages as Jobs.page makes them: limit + 1 asked, the last one's seq the cursor."""
    pages: list[list[str]] = []
    before: int | None = None
    while True:
        found = await store.page(state, limit + 1, before)
        shown = found[:limit]
        pages.append([j.id for j in shown])
        if len(found) <= limit:
            return pages
        before = shown[-1].seq


async def test_expired_unswept_jobs_neither_show_nor_shorten_a_page(store: JobStore) -> None:
    ttl = 3600.0
    ids: list[str] = []
    for _ in range(7):
        job = new_job()
        assert await store.add(job, max_queued=100)
        ids.append(job.id)
    # All run; the newest four finish, and three of those pass expires_at unswept.
    for _ in ids:
        assert await store.claim() is not None
    for number, job_id in enumerate(ids[3:], start=3):
        running = await store.get(job_id)
        assert running is not None
        assert await store.finish(job_id, running.attempt, JobState.succeeded, ttl=ttl)
        if number != 4:
            await expire_now(store, job_id)
    later = time.time() + 1
    live = [ids[4], ids[2], ids[1], ids[0]]  # newest first
    assert [j.id for j in await store.page(None, 10, None)] == live
    assert await every_page(store, None, 1) == [[i] for i in live]
    assert await every_page(store, None, 2) == [live[:2], live[2:]]
    assert await every_page(store, JobState.running, 1) == [[ids[2]], [ids[1]], [ids[0]]]
    assert await every_page(store, JobState.succeeded, 1) == [[ids[4]]]
    # Asked for a later moment, the one still live at present is past it too.
    assert [j.id for j in await store.page(JobState.succeeded, 5, None, later + ttl)] == []


async def expire_now(store: JobStore, job_id: str) -> None:
    """expires_at set to a second ago, as the record of a job whose TTL ran out between
    two sweeps."""
    past = time.time() - 1
    if isinstance(store, SqliteJobStore):
        await store._run(
            lambda db: db.execute("UPDATE jobs SET expires_at = ? WHERE id = ?", (past, job_id))
        )
    else:
        assert isinstance(store, RedisJobStore)
        await store.db.hset(store._key(job_id), "expires_at", repr(past))
