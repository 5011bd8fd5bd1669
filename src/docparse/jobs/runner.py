"""The in-service worker pool (the embedded default): DOCPARSE_JOB_WORKERS asyncio
workers take queued jobs from the SQLite store in the order they were accepted and run
each through `Execution` (jobs/execution.py: convert, write, finish once, webhook).

- **Restart**: one process runs the jobs of a data_dir (a lock file); on taking it, jobs
  left `running` by a process that died are queued again (attempt + 1), or failed after
  MAX_ATTEMPTS starts (a document that kills the service is not tried for ever), and
  webhooks not yet delivered are sent. On shutdown a running job goes back to the queue.
- **Busy service**: a job the converter's admission refused waits in the queue; no job
  starts before its Retry-After.
- **Expiry**: every DOCPARSE_CLEANUP_INTERVAL a sweep removes jobs past their
  expires_at (files now, the record a TTL later) and folders no job owns.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import time

from docparse.jobs.execution import Execution
from docparse.jobs.results import drop_results

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3  # starts of one job before a restart fails it instead of queueing it
POLL_SECONDS = 1.0  # workers look at the queue at least this often; cancels are seen


class Runner:
    def __init__(self, execution: Execution) -> None:
        self.execution = execution
        self.execution.on_requeue = self._wait_before_next
        self.store = execution.store
        self.settings = execution.settings
        self.lock_path = self.settings.data_dir / "jobs.lock"
        self._lock_fd: int | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._wake: asyncio.Event | None = None
        self._resume_at = 0.0  # a busy converter: no new job before this (monotonic)

    @property
    def running(self) -> set[str]:
        return set(self.execution.running)

    async def cancel(self, job_id: str) -> None:
        await self.execution.cancel(job_id)

    async def _wait_before_next(self, job_id: str, delay: float) -> None:
        self._resume_at = max(self._resume_at, time.monotonic() + delay)

    # --- life ----------------------------------------------------------------------
    @property
    def leader(self) -> bool:
        return self._lock_fd is not None

    async def start(self) -> None:
        self._wake = asyncio.Event()
        if self._take_lock():
            await self._take_over()
        else:
            log.warning(
                "another process runs the jobs of %s; this one only accepts and answers "
                "for them until it can take over",
                self.settings.data_dir,
            )
        for number in range(self.settings.job_workers):
            self._tasks.append(asyncio.create_task(self._work(), name=f"job-worker-{number}"))
        self._tasks.append(asyncio.create_task(self._housekeeping(), name="job-housekeeping"))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        await self.execution.stop()
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # the lock goes with the descriptor
            self._lock_fd = None

    def wake(self) -> None:
        """A job was queued: an idle worker looks now rather than at its next poll."""
        if self._wake is not None:
            self._wake.set()

    def _take_lock(self) -> bool:
        self.lock_path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self._lock_fd = fd
        return True

    async def _take_over(self) -> None:
        requeued, failed = await self.store.recover(MAX_ATTEMPTS, self.settings.job_ttl)
        for job_id in requeued:
            await asyncio.to_thread(drop_results, self.execution.results, job_id)
        if requeued or failed:
            log.warning(
                "jobs interrupted by a stop: %d queued again, %d failed after %d starts",
                len(requeued),
                len(failed),
                MAX_ATTEMPTS,
            )
        await self.execution.sweep()
        for job in await self.store.pending_webhooks():
            self.execution.notify(job)

    # --- workers -------------------------------------------------------------------
    async def _work(self) -> None:
        assert self._wake is not None
        while True:
            pause = self._resume_at - time.monotonic()
            if not self.leader or pause > 0:
                await asyncio.sleep(min(POLL_SECONDS, max(pause, 0.05)))
                continue
            self._wake.clear()
            job = await self.store.claim()
            if job is None:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), POLL_SECONDS)
                continue
            await self.execution.run(job)

    # --- housekeeping --------------------------------------------------------------
    async def _housekeeping(self) -> None:
        next_sweep = time.monotonic() + self.settings.cleanup_interval
        while True:
            await asyncio.sleep(POLL_SECONDS)
            try:
                if not self.leader and self._take_lock():
                    log.warning("this process now runs the jobs of %s", self.settings.data_dir)
                    await self._take_over()
                    next_sweep = time.monotonic() + self.settings.cleanup_interval
                if not self.leader:
                    continue
                await self.execution.cancelled_elsewhere()
                if time.monotonic() >= next_sweep:
                    await self.execution.sweep()
                    next_sweep = time.monotonic() + self.settings.cleanup_interval
            except Exception:  # the loop must outlive one bad turn
                log.exception("job housekeeping failed; trying again")
