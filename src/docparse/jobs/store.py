"""The job records. `JobStore` is the seam (a Redis-backed store can take its place);
`SqliteJobStore` is the embedded one: one SQLite file in data_dir, WAL, synchronous=FULL
(a commit is on disk when it returns), one connection used from one dedicated thread, so
there is one writer and the event loop never waits on the disk.

Finishing is conditional (`... WHERE state = 'running' AND attempt = ?`): a run that was
cancelled, or overtaken by a later attempt after a restart, cannot finish the job, so a
job is finished exactly once.
"""

from __future__ import annotations

import asyncio
import functools
import json
import sqlite3
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol, TypeVar

from docparse.jobs.model import FINISHED, Job, JobState
from docparse.jobs.schema import COLUMNS, SCHEMA, SCHEMA_VERSION, job_from_row

T = TypeVar("T")


class JobStore(Protocol):
    """What the API and the runner need of the job records, whatever holds them."""

    async def open(self) -> None: ...
    async def close(self) -> None: ...
    async def add(self, job: Job, max_queued: int) -> bool:
        """Stores a new queued job; False (nothing stored) when max_queued are waiting."""
        ...

    async def get(self, job_id: str) -> Job | None: ...
    async def page(
        self, state: JobState | None, limit: int, before: int | None, now: float | None = None
    ) -> list[Job]:
        """Up to `limit` live jobs (not past expires_at at `now`, default: the present),
        newest first; `before` is the seq of the last job of the previous page."""
        ...

    async def count(self, state: JobState) -> int: ...
    async def claim(self) -> Job | None:
        """The oldest queued job, now running under a new attempt; None when none waits."""
        ...

    async def progress(self, job_id: str, attempt: int, done: int, total: int) -> bool:
        """Pages read so far; False when that run no longer holds the job."""
        ...

    async def finish(self, job_id: str, attempt: int, state: JobState, **fields: Any) -> bool:
        """The job finished by the run holding `attempt`; False (nothing changed) when it
        does not hold it any more (cancelled, or taken over after a restart)."""
        ...

    async def requeue(self, job_id: str, attempt: int) -> bool:
        """A running job back in the queue at its old place (shutdown, a busy service),
        its attempt given back: only a run that ended in a crash counts towards
        max_attempts."""
        ...

    async def cancel(self, job_id: str, ttl: float) -> Job | None:
        """A queued or running job cancelled; None when it was not queued or running."""
        ...

    async def delete(self, job_id: str) -> bool: ...
    async def recover(self, max_attempts: int, ttl: float) -> tuple[list[str], list[str]]:
        """Jobs left running by a process that died: back in the queue, or failed once
        they have been started max_attempts times. Returns (requeued, failed) ids."""
        ...

    async def expire(self, now: float, ttl: float) -> list[str]:
        """Jobs past expires_at marked expired (their files are to go); their records are
        dropped a TTL later. Returns the ids newly expired."""
        ...

    async def live_ids(self) -> set[str]:
        """Jobs whose files may still exist: every job not expired."""
        ...

    async def running_ids(self, ids: Iterable[str]) -> set[str]:
        """Those of `ids` still running (a cancel made elsewhere shows here)."""
        ...

    async def set_webhook(self, job_id: str, outcome: dict[str, Any]) -> None: ...
    async def pending_webhooks(self) -> list[Job]: ...
    async def finished_durations(self, limit: int) -> list[float]:
        """Seconds the latest finished jobs ran (for Retry-After)."""
        ...


class SqliteJobStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="job-store")
        self._db: sqlite3.Connection | None = None

    # --- the one thread ------------------------------------------------------------
    async def _run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        def call() -> T:
            assert self._db is not None, "the job store is not open"
            return work(self._db)

        return await asyncio.get_running_loop().run_in_executor(self._thread, call)

    def _connect(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA busy_timeout = 10000")  # another process on the same file
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = FULL")
        db.executescript(SCHEMA)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        self._db = db

    async def open(self) -> None:
        await asyncio.get_running_loop().run_in_executor(self._thread, self._connect)

    async def close(self) -> None:
        def shut() -> None:
            if self._db is not None:
                self._db.close()
                self._db = None

        await asyncio.get_running_loop().run_in_executor(self._thread, shut)
        self._thread.shutdown(wait=True)

    # --- records -------------------------------------------------------------------
    async def add(self, job: Job, max_queued: int) -> bool:
        def insert(db: sqlite3.Connection) -> bool:
            cursor = db.execute(
                "INSERT INTO jobs (id, state, options, source, filename, callback_url, "
                "status_url, result_url, created_at) "
                "SELECT ?, 'queued', ?, ?, ?, ?, ?, ?, ? "
                "WHERE (SELECT count(*) FROM jobs WHERE state = 'queued') < ?",
                (
                    job.id,
                    job.options.model_dump_json(),
                    job.source,
                    job.filename,
                    job.callback_url,
                    job.status_url,
                    job.result_url,
                    job.created_at,
                    max_queued,
                ),
            )
            return cursor.rowcount == 1

        return await self._run(insert)

    async def get(self, job_id: str) -> Job | None:
        def one(db: sqlite3.Connection) -> Job | None:
            row = db.execute(f"SELECT {COLUMNS} FROM jobs WHERE id = ?", (job_id,)).fetchone()
            return job_from_row(row) if row else None

        return await self._run(one)

    async def page(
        self, state: JobState | None, limit: int, before: int | None, now: float | None = None
    ) -> list[Job]:
        def select(db: sqlite3.Connection) -> list[Job]:
            # Expired by time too, not only once the sweep has marked them.
            where: list[str] = ["expired = 0", "(expires_at IS NULL OR expires_at > ?)"]
            args: list[Any] = [time.time() if now is None else now]
            if state is not None:
                where.append("state = ?")
                args.append(state.value)
            if before is not None:
                where.append("seq < ?")
                args.append(before)
            rows = db.execute(
                f"SELECT {COLUMNS} FROM jobs WHERE {' AND '.join(where)} ORDER BY seq DESC LIMIT ?",
                (*args, limit),
            ).fetchall()
            return [job_from_row(r) for r in rows]

        return await self._run(select)

    async def count(self, state: JobState) -> int:
        def count(db: sqlite3.Connection) -> int:
            row = db.execute("SELECT count(*) FROM jobs WHERE state = ?", (state.value,))
            return int(row.fetchone()[0])

        return await self._run(count)

    async def claim(self) -> Job | None:
        def claim(db: sqlite3.Connection) -> Job | None:
            row = db.execute(
                "UPDATE jobs SET state = 'running', attempt = attempt + 1, started_at = ?, "
                "pages_done = 0 "
                "WHERE seq = (SELECT seq FROM jobs WHERE state = 'queued' ORDER BY seq LIMIT 1) "
                "AND state = 'queued' RETURNING *",
                (time.time(),),
            ).fetchone()
            return job_from_row(row) if row else None

        return await self._run(claim)

    async def progress(self, job_id: str, attempt: int, done: int, total: int) -> bool:
        def update(db: sqlite3.Connection) -> bool:
            cursor = db.execute(
                "UPDATE jobs SET pages_done = ?, pages_total = ? "
                "WHERE id = ? AND state = 'running' AND attempt = ?",
                (done, total, job_id, attempt),
            )
            return cursor.rowcount == 1

        return await self._run(update)

    async def finish(self, job_id: str, attempt: int, state: JobState, **fields: Any) -> bool:
        assert state in FINISHED
        ttl: float = fields.pop("ttl")
        now = time.time()
        values: dict[str, Any] = {
            "state": state.value,
            "finished_at": now,
            "expires_at": now + ttl,
            **fields,
        }
        if "failed_pages" in values:
            values["failed_pages"] = json.dumps(values["failed_pages"])
        if "webhook" in values:
            values["webhook"] = json.dumps(values["webhook"]) if values["webhook"] else None
        assignments = ", ".join(f"{name} = ?" for name in values)

        def update(db: sqlite3.Connection) -> bool:
            cursor = db.execute(
                f"UPDATE jobs SET {assignments} WHERE id = ? AND state = 'running' AND attempt = ?",
                (*values.values(), job_id, attempt),
            )
            return cursor.rowcount == 1

        return await self._run(update)

    async def requeue(self, job_id: str, attempt: int) -> bool:
        def update(db: sqlite3.Connection) -> bool:
            cursor = db.execute(
                "UPDATE jobs SET state = 'queued', pages_done = 0, started_at = NULL, "
                "attempt = attempt - 1 WHERE id = ? AND state = 'running' AND attempt = ?",
                (job_id, attempt),
            )
            return cursor.rowcount == 1

        return await self._run(update)

    async def cancel(self, job_id: str, ttl: float) -> Job | None:
        now = time.time()

        def update(db: sqlite3.Connection) -> Job | None:
            row = db.execute(
                "UPDATE jobs SET state = 'cancelled', finished_at = ?, expires_at = ? "
                "WHERE id = ? AND state IN ('queued', 'running') RETURNING *",
                (now, now + ttl, job_id),
            ).fetchone()
            return job_from_row(row) if row else None

        return await self._run(update)

    async def delete(self, job_id: str) -> bool:
        def delete(db: sqlite3.Connection) -> bool:
            return db.execute("DELETE FROM jobs WHERE id = ?", (job_id,)).rowcount == 1

        return await self._run(delete)

    async def recover(self, max_attempts: int, ttl: float) -> tuple[list[str], list[str]]:
        now = time.time()

        def recover(db: sqlite3.Connection) -> tuple[list[str], list[str]]:
            db.execute("BEGIN IMMEDIATE")
            try:
                failed = db.execute(
                    "UPDATE jobs SET state = 'failed', finished_at = ?, expires_at = ?, "
                    "error_code = 'interrupted', error_message = ? "
                    "WHERE state = 'running' AND attempt >= ? RETURNING id",
                    (
                        now,
                        now + ttl,
                        f"the service stopped during this job {max_attempts} times; "
                        "it is not tried again",
                        max_attempts,
                    ),
                ).fetchall()
                requeued = db.execute(
                    "UPDATE jobs SET state = 'queued', pages_done = 0, started_at = NULL "
                    "WHERE state = 'running' RETURNING id"
                ).fetchall()
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
            return [r[0] for r in requeued], [r[0] for r in failed]

        return await self._run(recover)

    async def expire(self, now: float, ttl: float) -> list[str]:
        def expire(db: sqlite3.Connection) -> list[str]:
            # Tombstones (answering 410) go a TTL after their job expired.
            db.execute("DELETE FROM jobs WHERE expired = 1 AND expires_at < ?", (now - ttl,))
            rows = db.execute(
                "UPDATE jobs SET expired = 1 WHERE expired = 0 AND expires_at <= ? RETURNING id",
                (now,),
            ).fetchall()
            return [r[0] for r in rows]

        return await self._run(expire)

    async def live_ids(self) -> set[str]:
        def ids(db: sqlite3.Connection) -> set[str]:
            return {r[0] for r in db.execute("SELECT id FROM jobs WHERE expired = 0")}

        return await self._run(ids)

    async def running_ids(self, ids: Iterable[str]) -> set[str]:
        wanted = list(ids)
        if not wanted:
            return set()

        def running(db: sqlite3.Connection) -> set[str]:
            marks = ",".join("?" * len(wanted))
            rows = db.execute(
                f"SELECT id FROM jobs WHERE state = 'running' AND id IN ({marks})", wanted
            )
            return {r[0] for r in rows}

        return await self._run(running)

    async def set_webhook(self, job_id: str, outcome: dict[str, Any]) -> None:
        await self._run(
            functools.partial(
                _execute,
                "UPDATE jobs SET webhook = ? WHERE id = ?",
                (json.dumps(outcome), job_id),
            )
        )

    async def pending_webhooks(self) -> list[Job]:
        def pending(db: sqlite3.Connection) -> list[Job]:
            rows = db.execute(
                "SELECT * FROM jobs WHERE expired = 0 AND webhook IS NOT NULL "
                "AND json_extract(webhook, '$.state') = 'pending' ORDER BY seq"
            ).fetchall()
            return [job_from_row(r) for r in rows]

        return await self._run(pending)

    async def finished_durations(self, limit: int) -> list[float]:
        def durations(db: sqlite3.Connection) -> list[float]:
            rows = db.execute(
                "SELECT finished_at - started_at FROM jobs WHERE state = 'succeeded' "
                "AND started_at IS NOT NULL ORDER BY finished_at DESC LIMIT ?",
                (limit,),
            )
            return [float(r[0]) for r in rows]

        return await self._run(durations)


def _execute(sql: str, args: tuple[Any, ...], db: sqlite3.Connection) -> None:
    db.execute(sql, args)
