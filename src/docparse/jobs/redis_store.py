"""The job records in Redis (DOCPARSE_QUEUE=redis://…), so any API replica and any
`docparse worker` sees every job. A job is a hash `{prefix}job:{id}` whose fields are the
Job's, each JSON-encoded; sorted sets by seq index all live jobs and each state, and by
time the running jobs' leases and the finished jobs' expiry.

Every change is one Lua script (jobs/redis_scripts.py), so a condition and its change are
atomic as SQLite's `UPDATE … WHERE` is: a job is claimed by one worker, finished once by
the run holding its attempt, and the indexes always agree with the records.

Leases replace the embedded store's lock file: a running job's worker renews
`lease_until` every second; a job whose lease ran out belongs to a worker that died, and
the next claim takes it over (attempt + 1, or failed after max_attempts starts).
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Iterable
from typing import Any

import redis.asyncio as redis

from docparse.jobs.model import FINISHED, Job, JobState
from docparse.jobs.redis_scripts import ADD, CLAIM, UPDATE
from docparse.pipeline.options import ConvertOptions

PREFIX = "docparse:"
FIELDS = [f.name for f in dataclasses.fields(Job) if f.name != "queue_position"]
DURATIONS_KEPT = 100  # latest job durations kept for Retry-After


def _encode(values: dict[str, Any]) -> list[str]:
    pairs: list[str] = []
    for name, value in values.items():
        if isinstance(value, ConvertOptions):
            value = value.model_dump(mode="json")
        pairs += [name, json.dumps(value, ensure_ascii=False)]
    return pairs


def _ids(found: Any) -> list[str]:
    """Members from a range query (decode_responses=True: strings)."""
    return [str(member) for member in found]


def _decode(raw: dict[str, str]) -> Job:
    values = {name: json.loads(raw[name]) for name in FIELDS if name in raw}
    values["state"] = JobState(values["state"])
    values["options"] = ConvertOptions.model_validate(values["options"])
    return Job(**values)


class RedisJobStore:
    def __init__(self, url: str, prefix: str = PREFIX) -> None:
        self.url = url
        self.prefix = prefix
        self._redis: redis.Redis | None = None

    @property
    def db(self) -> Any:  # redis.Redis: its stubs type every answer as a union
        assert self._redis is not None, "the job store is not open"
        return self._redis

    def _key(self, job_id: str) -> str:
        return f"{self.prefix}job:{job_id}"

    async def open(self) -> None:
        self._redis = redis.Redis.from_url(self.url, decode_responses=True)
        await self._redis.ping()

    async def close(self) -> None:
        if self._redis is not None:
            await self._redis.aclose()
            self._redis = None

    async def _update(
        self, job_id: str, states: Iterable[JobState], holding: int | None, **fields: Any
    ) -> bool:
        """`fields` set when the job is in one of `states` (any when empty) and its
        attempt is `holding` (any when None)."""
        allowed = " ".join(s.value for s in states)
        held = "" if holding is None else str(holding)
        args = [self.prefix, allowed, held, *_encode(fields)]
        return bool(await self.db.eval(UPDATE, 1, self._key(job_id), *args))

    # --- records -------------------------------------------------------------------
    async def add(self, job: Job, max_queued: int) -> bool:
        values = {f: getattr(job, f) for f in FIELDS if f != "seq"}
        args = [self.prefix, str(max_queued), *_encode(values)]
        return bool(await self.db.eval(ADD, 1, self._key(job.id), *args))

    async def get(self, job_id: str) -> Job | None:
        raw = await self.db.hgetall(self._key(job_id))
        if not raw:
            return None
        job = _decode(raw)
        if job.state == JobState.queued:
            rank = await self.db.zrank(f"{self.prefix}state:queued", job_id)
            job.queue_position = None if rank is None else rank + 1
        return job

    async def _many(self, ids: list[str]) -> list[Job]:
        async with self.db.pipeline(transaction=False) as pipe:
            for job_id in ids:
                pipe.hgetall(self._key(job_id))
            found = await pipe.execute()
        return [_decode(raw) for raw in found if raw]

    async def page(
        self, state: JobState | None, limit: int, before: int | None, now: float | None = None
    ) -> list[Job]:
        """Read from the index a batch at a time until `limit` live jobs or its end: jobs
        past expires_at the sweep has not marked yet are skipped, not counted."""
        now = time.time() if now is None else now
        index = f"{self.prefix}state:{state.value}" if state else f"{self.prefix}jobs"
        top = f"({before}" if before is not None else "+inf"
        jobs: list[Job] = []
        while len(jobs) < limit:
            batch = await self.db.zrevrangebyscore(
                index, top, "-inf", start=0, num=limit, withscores=True
            )
            found = await self._many(_ids(member for member, _ in batch))
            jobs += [j for j in found if not j.is_expired(now)][: limit - len(jobs)]
            if len(batch) < limit:
                break  # the index ends
            top = f"({int(batch[-1][1])}"
        if state == JobState.queued:
            for job in jobs:
                rank = await self.db.zrank(index, job.id)
                job.queue_position = None if rank is None else rank + 1
        return jobs

    async def count(self, state: JobState) -> int:
        return int(await self.db.zcard(f"{self.prefix}state:{state.value}"))

    async def claim_id(
        self, job_id: str, lease: float, max_attempts: int, ttl: float
    ) -> tuple[str, Job | float | None]:
        """The job, if queued or left by a dead worker, now running under a new attempt:
        ("claimed", job); ("held", seconds until its lease ends) while a live worker runs
        it; ("failed", None) after max_attempts starts; ("finished"|"missing", None)."""
        now = time.time()
        message = json.dumps(
            f"the workers running this job stopped {max_attempts} times; it is not tried again"
        )
        args = [self.prefix, repr(now), repr(now + lease), str(max_attempts), message, repr(ttl)]
        outcome, value = await self.db.eval(CLAIM, 1, self._key(job_id), *args)
        if outcome == "claimed":
            return outcome, await self.get(job_id)
        if outcome == "held":
            return outcome, max(0.0, float(value) - now)
        return outcome, None

    async def claim(self) -> Job | None:
        for job_id in _ids(await self.db.zrange(f"{self.prefix}state:queued", 0, 9)):
            outcome, job = await self.claim_id(job_id, 30.0, 1_000_000, 0.0)
            if outcome == "claimed" and isinstance(job, Job):
                return job
        return None

    async def renew(self, job_id: str, attempt: int, lease: float) -> bool:
        """The running worker is alive: its lease extended."""
        return await self._update(
            job_id, [JobState.running], attempt, lease_until=time.time() + lease
        )

    async def progress(self, job_id: str, attempt: int, done: int, total: int) -> bool:
        return await self._update(
            job_id, [JobState.running], attempt, pages_done=done, pages_total=total
        )

    async def finish(self, job_id: str, attempt: int, state: JobState, **fields: Any) -> bool:
        assert state in FINISHED
        ttl: float = fields.pop("ttl")
        now = time.time()
        done = await self._update(
            job_id,
            [JobState.running],
            attempt,
            state=state.value,
            finished_at=now,
            expires_at=now + ttl,
            **fields,
        )
        if done and state == JobState.succeeded:
            job = await self.get(job_id)
            if job is not None and job.started_at is not None:
                durations = f"{self.prefix}durations"
                await self.db.lpush(durations, repr(now - job.started_at))
                await self.db.ltrim(durations, 0, DURATIONS_KEPT - 1)
        return done

    async def requeue(self, job_id: str, attempt: int) -> bool:
        return await self._update(
            job_id,
            [JobState.running],
            attempt,
            state="queued",
            pages_done=0,
            started_at=None,
            attempt=attempt - 1,  # only a run that ended in a crash counts
        )

    async def cancel(self, job_id: str, ttl: float) -> Job | None:
        now = time.time()
        changed = await self._update(
            job_id,
            [JobState.queued, JobState.running],
            None,
            state="cancelled",
            finished_at=now,
            expires_at=now + ttl,
        )
        return await self.get(job_id) if changed else None

    async def delete(self, job_id: str) -> bool:
        removed = await self._update(job_id, [], None, expired=True)
        if removed:
            await self._drop(job_id)
        return removed

    async def _drop(self, job_id: str) -> None:
        async with self.db.pipeline(transaction=True) as pipe:
            pipe.delete(self._key(job_id))
            for index in ("jobs", "leases", "expiry", "webhooks"):
                pipe.zrem(f"{self.prefix}{index}", job_id)
            for state in JobState:
                pipe.zrem(f"{self.prefix}state:{state.value}", job_id)
            await pipe.execute()

    async def recover(self, max_attempts: int, ttl: float) -> tuple[list[str], list[str]]:
        """Running jobs whose lease ran out (their worker died): queued again, or failed
        after max_attempts starts."""
        requeued: list[str] = []
        failed: list[str] = []
        now = time.time()
        for job_id in _ids(await self.db.zrangebyscore(f"{self.prefix}leases", "-inf", now)):
            job = await self.get(job_id)
            if job is None or job.state != JobState.running:
                continue
            if job.attempt >= max_attempts:
                if await self.finish(
                    job_id,
                    job.attempt,
                    JobState.failed,
                    ttl=ttl,
                    error_code="interrupted",
                    error_message=f"the workers running this job stopped {max_attempts} times",
                ):
                    failed.append(job_id)
            elif await self._update(  # a crash: the attempt counts
                job_id,
                [JobState.running],
                job.attempt,
                state="queued",
                pages_done=0,
                started_at=None,
            ):
                requeued.append(job_id)
        return requeued, failed

    async def expire(self, now: float, ttl: float) -> list[str]:
        expiry = f"{self.prefix}expiry"
        for job_id in _ids(await self.db.zrangebyscore(expiry, "-inf", now - ttl)):
            job = await self.get(job_id)
            if job is None or job.expired:  # a tombstone a TTL old
                await self._drop(job_id)
        newly: list[str] = []
        for job_id in _ids(await self.db.zrangebyscore(expiry, "-inf", now)):
            job = await self.get(job_id)
            if job is None or job.expired:
                continue
            if await self._update(job_id, FINISHED, None, expired=True):
                newly.append(job_id)
        return newly

    async def live_ids(self) -> set[str]:
        return set(_ids(await self.db.zrange(f"{self.prefix}jobs", 0, -1)))

    async def running_ids(self, ids: Iterable[str]) -> set[str]:
        wanted = list(ids)
        if not wanted:
            return set()
        running = f"{self.prefix}state:running"
        scores = await self.db.zmscore(running, wanted)
        return {job_id for job_id, score in zip(wanted, scores, strict=True) if score is not None}

    async def set_webhook(self, job_id: str, outcome: dict[str, Any]) -> None:
        await self._update(job_id, [], None, webhook=outcome)

    async def pending_webhooks(self) -> list[Job]:
        ids = _ids(await self.db.zrange(f"{self.prefix}webhooks", 0, -1))
        return [j for j in await self._many(list(ids)) if not j.expired]

    async def finished_durations(self, limit: int) -> list[float]:
        latest = await self.db.lrange(f"{self.prefix}durations", 0, limit - 1)
        return [float(d) for d in latest]
