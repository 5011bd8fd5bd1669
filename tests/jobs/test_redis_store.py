"""The Redis job store against a real redis-server: the same promises as the SQLite
store — a bounded queue, one claim per job, finished once by the attempt holding it,
cancel, expiry with a tombstone — and the lease that hands a dead worker's job over."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest

from docparse.jobs.model import Job, JobState
from docparse.jobs.redis_store import RedisJobStore
from docparse.pipeline.options import ConvertOptions


@pytest.fixture
async def store(redis_url: str) -> AsyncIterator[RedisJobStore]:
    jobs = RedisJobStore(redis_url)
    await jobs.open()
    yield jobs
    await jobs.close()


def new_job(job_id: str, **changes: object) -> Job:
    job = Job(
        id=job_id,
        state=JobState.queued,
        options=ConvertOptions(engine="tesseract", languages="rus+eng"),
        created_at=time.time(),
        filename="счёт.pdf",
        callback_url="https://example.org/hook",
    )
    for name, value in changes.items():
        setattr(job, name, value)
    return job


async def test_records_round_trip_in_order_and_the_queue_is_bounded(
    store: RedisJobStore,
) -> None:
    assert await store.add(new_job("a"), max_queued=2)
    assert await store.add(new_job("b"), max_queued=2)
    assert not await store.add(new_job("c"), max_queued=2)  # full: nothing stored
    assert await store.get("c") is None
    a = await store.get("a")
    assert a is not None and a.filename == "счёт.pdf" and a.options.languages == "rus+eng"
    assert (a.seq, a.queue_position) == (1, 1)
    b = await store.get("b")
    assert b is not None and b.queue_position == 2
    assert await store.count(JobState.queued) == 2
    assert [j.id for j in await store.page(None, 10, None)] == ["b", "a"]
    assert [j.id for j in await store.page(None, 10, 2)] == ["a"]


async def test_one_claim_wins_and_only_its_attempt_finishes(store: RedisJobStore) -> None:
    await store.add(new_job("a"), max_queued=10)
    outcomes = await asyncio.gather(*(store.claim_id("a", 30, 3, 60) for _ in range(5)))
    claimed = [job for outcome, job in outcomes if outcome == "claimed"]
    held = [left for outcome, left in outcomes if outcome == "held"]
    assert len(claimed) == 1 and len(held) == 4
    job = claimed[0]
    assert isinstance(job, Job) and job.attempt == 1 and job.state == JobState.running
    assert all(isinstance(left, float) and 25 < left <= 30 for left in held)
    assert await store.progress("a", 1, 2, 5)
    assert not await store.progress("a", 2, 3, 5)  # not the attempt holding it
    assert not await store.finish("a", 2, JobState.succeeded, ttl=60)
    assert await store.finish("a", 1, JobState.succeeded, ttl=60, pages_done=5)
    assert not await store.finish("a", 1, JobState.failed, ttl=60)  # finished once
    done = await store.get("a")
    assert done is not None and done.state == JobState.succeeded and done.pages_done == 5
    assert await store.count(JobState.running) == 0
    assert (await store.claim_id("a", 30, 3, 60))[0] == "finished"
    assert await store.finished_durations(5)


async def test_a_dead_workers_job_is_taken_over_then_failed_after_max_attempts(
    store: RedisJobStore,
) -> None:
    await store.add(new_job("a"), max_queued=10)
    assert (await store.claim_id("a", 0.2, 2, 60))[0] == "claimed"
    await asyncio.sleep(0.3)  # the lease ran out: its worker is gone
    outcome, job = await store.claim_id("a", 0.2, 2, 60)
    assert outcome == "claimed" and isinstance(job, Job) and job.attempt == 2
    assert not await store.progress("a", 1, 1, 1)  # the first run lost it
    assert await store.renew("a", 2, 0.2)
    await asyncio.sleep(0.3)
    assert (await store.claim_id("a", 0.2, 2, 60))[0] == "failed"
    failed = await store.get("a")
    assert failed is not None and failed.state == JobState.failed
    assert failed.error_code == "interrupted"


async def test_recover_requeues_jobs_whose_lease_ran_out(store: RedisJobStore) -> None:
    await store.add(new_job("a"), max_queued=10)
    await store.claim_id("a", 0.1, 3, 60)
    await asyncio.sleep(0.2)
    assert await store.recover(3, 60) == (["a"], [])
    queued = await store.get("a")
    assert queued is not None and queued.state == JobState.queued and queued.started_at is None


async def test_cancel_expire_tombstone_and_delete(store: RedisJobStore) -> None:
    await store.add(new_job("a"), max_queued=10)
    await store.add(new_job("b"), max_queued=10)
    cancelled = await store.cancel("a", ttl=0.1)
    assert cancelled is not None and cancelled.state == JobState.cancelled
    assert await store.cancel("a", ttl=0.1) is None  # not queued or running any more
    assert await store.running_ids(["a", "b"]) == set()
    await asyncio.sleep(0.15)
    assert await store.expire(time.time(), ttl=0.1) == ["a"]
    gone = await store.get("a")
    assert gone is not None and gone.expired  # the tombstone answers 410
    assert await store.live_ids() == {"b"}
    assert [j.id for j in await store.page(None, 10, None)] == ["b"]
    await asyncio.sleep(0.15)
    await store.expire(time.time(), ttl=0.1)
    assert await store.get("a") is None  # a TTL after it expired, the record goes too
    assert await store.delete("b") and await store.get("b") is None
    assert await store.count(JobState.queued) == 0


async def test_webhook_outcomes_are_tracked_while_pending(store: RedisJobStore) -> None:
    await store.add(new_job("a"), max_queued=10)
    await store.claim_id("a", 30, 3, 60)
    pending = {"state": "pending", "attempts": 0}
    await store.finish("a", 1, JobState.failed, ttl=60, webhook=pending, failed_pages=[])
    assert [j.id for j in await store.pending_webhooks()] == ["a"]
    await store.set_webhook("a", {"state": "delivered", "attempts": 1, "status_code": 200})
    assert await store.pending_webhooks() == []
    job = await store.get("a")
    assert job is not None and job.webhook is not None and job.webhook["status_code"] == 200


async def test_a_put_back_job_keeps_its_attempts_but_a_dead_worker_uses_one(
    store: RedisJobStore,
) -> None:
    await store.add(new_job("a"), max_queued=10)
    for _ in range(5):
        outcome, run = await store.claim_id("a", 30, 3, 60)
        assert outcome == "claimed" and isinstance(run, Job) and run.attempt == 1
        assert await store.requeue("a", 1)
    await store.claim_id("a", 0.1, 3, 60)  # then its worker dies
    await asyncio.sleep(0.2)
    assert await store.recover(3, 60) == (["a"], [])
    outcome, run = await store.claim_id("a", 30, 3, 60)
    assert isinstance(run, Job) and run.attempt == 2
