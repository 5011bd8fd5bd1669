"""The SQLite job store on a real file: WAL, the queue's order and bound, a job finished
exactly once, recovery after a process died, expiry."""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from docparse.jobs.model import Job, JobState
from docparse.jobs.store import SqliteJobStore
from docparse.pipeline.options import ConvertOptions

DAY = 24 * 3600.0


def new_job(**changes: object) -> Job:
    job = Job(
        id=uuid.uuid4().hex,
        state=JobState.queued,
        options=ConvertOptions(engine="textlayer", pages="1-2"),
        created_at=time.time(),
        filename="a.pdf",
        status_url="/v1/jobs/x",
        result_url="/v1/jobs/x/result",
    )
    for name, value in changes.items():
        setattr(job, name, value)
    return job


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteJobStore]:
    opened = SqliteJobStore(tmp_path / "jobs.sqlite3")
    await opened.open()
    yield opened
    await opened.close()


async def test_the_file_is_in_wal_mode_and_survives_a_reopen(tmp_path: Path) -> None:
    path = tmp_path / "jobs.sqlite3"
    first = SqliteJobStore(path)
    await first.open()
    job = new_job()
    assert await first.add(job, max_queued=10)
    await first.close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    again = SqliteJobStore(path)
    await again.open()
    try:
        stored = await again.get(job.id)
        assert stored is not None
        assert stored.state == JobState.queued
        assert stored.options == job.options  # the options round-trip
        assert stored.queue_position == 1
    finally:
        await again.close()


async def test_jobs_are_taken_in_order_and_the_queue_is_bounded(store: SqliteJobStore) -> None:
    jobs = [new_job() for _ in range(3)]
    for job in jobs:
        assert await store.add(job, max_queued=3)
    assert not await store.add(new_job(), max_queued=3)  # full: nothing stored
    assert await store.count(JobState.queued) == 3
    positions = [(await store.get(j.id)).queue_position for j in jobs]  # type: ignore[union-attr]
    assert positions == [1, 2, 3]
    claimed = [await store.claim() for _ in range(3)]
    assert [c.id for c in claimed if c] == [j.id for j in jobs]
    assert all(c is not None and c.state == JobState.running and c.attempt == 1 for c in claimed)
    assert await store.claim() is None
    assert await store.add(new_job(), max_queued=3)  # room again once they run


async def test_a_job_is_finished_exactly_once(store: SqliteJobStore) -> None:
    job = new_job()
    await store.add(job, 10)
    run = await store.claim()
    assert run is not None
    assert await store.progress(job.id, run.attempt, 1, 2)
    assert await store.finish(job.id, run.attempt, JobState.succeeded, ttl=DAY, pages_done=2)
    assert not await store.finish(job.id, run.attempt, JobState.failed, ttl=DAY)
    assert not await store.progress(job.id, run.attempt, 2, 2)  # not running any more
    done = await store.get(job.id)
    assert done is not None and done.state == JobState.succeeded and done.pages_done == 2
    assert done.expires_at == pytest.approx(done.finished_at + DAY)  # type: ignore[operator]


async def test_a_cancelled_job_cannot_be_finished_by_its_run(store: SqliteJobStore) -> None:
    job = new_job()
    await store.add(job, 10)
    run = await store.claim()
    assert run is not None
    cancelled = await store.cancel(job.id, DAY)
    assert cancelled is not None and cancelled.state == JobState.cancelled
    assert not await store.finish(job.id, run.attempt, JobState.succeeded, ttl=DAY)
    assert await store.cancel(job.id, DAY) is None  # only queued or running jobs
    assert (await store.get(job.id)).state == JobState.cancelled  # type: ignore[union-attr]


async def test_recovery_requeues_running_jobs_and_the_old_run_loses_them(
    store: SqliteJobStore,
) -> None:
    job = new_job()
    await store.add(job, 10)
    first = await store.claim()  # the process running it then dies
    assert first is not None
    requeued, failed = await store.recover(max_attempts=3, ttl=DAY)
    assert (requeued, failed) == ([job.id], [])
    again = await store.claim()
    assert again is not None and again.attempt == 2
    # The dead run's attempt no longer holds the job: it cannot finish it.
    assert not await store.finish(job.id, first.attempt, JobState.failed, ttl=DAY)
    assert await store.finish(job.id, again.attempt, JobState.succeeded, ttl=DAY)


async def test_a_job_that_keeps_killing_the_service_fails(store: SqliteJobStore) -> None:
    job = new_job()
    await store.add(job, 10)
    for _ in range(3):
        assert await store.claim() is not None
        requeued, failed = await store.recover(max_attempts=3, ttl=DAY)
    assert (requeued, failed) == ([], [job.id])
    stopped = await store.get(job.id)
    assert stopped is not None and stopped.state == JobState.failed
    assert stopped.error_code == "interrupted"


async def test_expiry_marks_then_drops_the_record(store: SqliteJobStore) -> None:
    job = new_job()
    await store.add(job, 10)
    run = await store.claim()
    assert run is not None
    await store.finish(job.id, run.attempt, JobState.succeeded, ttl=10.0)
    now = time.time()
    assert await store.expire(now, ttl=10.0) == []
    assert await store.expire(now + 11, ttl=10.0) == [job.id]
    expired = await store.get(job.id)
    assert expired is not None and expired.expired  # kept: it answers 410
    assert job.id not in await store.live_ids()
    assert await store.page(None, 10, None) == []  # not listed
    await store.expire(now + 25, ttl=10.0)  # a TTL after it expired
    assert await store.get(job.id) is None


async def test_a_job_put_back_by_a_busy_service_does_not_use_up_its_attempts(
    store: SqliteJobStore,
) -> None:
    """Put back (page budget full, shutdown) many times, then one crash: queued again,
    not failed as if it had killed the service three times (the probe's finding)."""
    job = new_job()
    await store.add(job, 10)
    for _ in range(5):
        run = await store.claim()
        assert run is not None and run.attempt == 1
        assert await store.requeue(job.id, run.attempt)
    assert await store.claim() is not None  # the service dies during this run
    assert await store.recover(max_attempts=3, ttl=DAY) == ([job.id], [])
    again = await store.claim()
    assert again is not None and again.attempt == 2
