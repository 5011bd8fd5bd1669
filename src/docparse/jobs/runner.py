"""The in-service worker pool: DOCPARSE_JOB_WORKERS asyncio workers take queued jobs in the
order they were accepted and convert them with the service's Converter.

- **Progress**: the converter's progress callback writes pages_done as pages finish.
- **Finished once**: a run finishes its job only while it holds it (store.finish is
  conditional on state and attempt); a run that lost it (cancelled) removes what it wrote.
- **Cancel**: DELETE marks the job cancelled in the store and cancels its conversion task
  here (pages not started never start; a page already in a thread ends, nothing after
  it); a cancel made through another process on the same store is seen within a second.
  The job's files go once the task has stopped.
- **Busy service**: a job refused by the converter's admission (the page budget, shared
  with /v1/convert) goes back to the head of the queue and is tried again after
  Retry-After, instead of failing.
- **Restart**: one process runs the jobs of a data_dir (a lock file); on taking it, jobs
  left `running` by a process that died are queued again (attempt + 1), or failed after
  MAX_ATTEMPTS starts (a document that kills the service is not tried for ever), and
  webhooks not yet delivered are sent. On shutdown a running job goes back to the queue.
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
from pathlib import Path
from typing import Any

from docparse.errors import DocparseError, Overloaded
from docparse.export.storage import ResultStore, render
from docparse.jobs.model import RESULT_FORMATS, Job, JobState, JobSummary
from docparse.jobs.results import JobFiles, discard, drop_results
from docparse.jobs.store import JobStore
from docparse.jobs.webhooks import Webhooks
from docparse.pipeline.converter import Converter
from docparse.settings import Settings

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3  # starts of one job before a restart fails it instead of queueing it
POLL_SECONDS = 1.0  # workers look at the queue at least this often; cancels are seen
ORPHAN_AGE = 3600.0  # a folder no job owns, untouched this long, is removed
STOP_WAIT = 10.0  # seconds a cancel waits for its conversion to stop


class _Progress:
    """The converter's callback: the latest pages_done written, one write at a time."""

    def __init__(self, store: JobStore, job: Job) -> None:
        self.store = store
        self.job = job
        self.latest: tuple[int, int] | None = None
        self.task: asyncio.Task[None] | None = None

    def __call__(self, done: int, total: int) -> None:
        self.latest = (done, total)
        if self.task is None or self.task.done():
            self.task = asyncio.get_running_loop().create_task(self._write())

    async def _write(self) -> None:
        while self.latest is not None:
            done, total = self.latest
            self.latest = None
            await self.store.progress(self.job.id, self.job.attempt, done, total)

    async def flush(self) -> None:
        if self.task is not None:
            await self.task

    def close(self) -> None:
        """A stopped run writes no more progress."""
        self.latest = None
        if self.task is not None:
            self.task.cancel()


class Runner:
    def __init__(
        self,
        settings: Settings,
        converter: Converter,
        store: JobStore,
        files: JobFiles,
        results: ResultStore,
        webhooks: Webhooks,
    ) -> None:
        self.settings = settings
        self.converter = converter
        self.store = store
        self.files = files
        self.results = results
        self.webhooks = webhooks
        self.lock_path = settings.data_dir / "jobs.lock"
        self._lock_fd: int | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._deliveries: set[asyncio.Task[None]] = set()
        # job id -> (its conversion task, set once the run has cleaned up after itself)
        self.running: dict[str, tuple[asyncio.Task[Any], asyncio.Event]] = {}
        self._wake: asyncio.Event | None = None
        self._resume_at = 0.0  # a busy converter: no new job before this (monotonic)

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
        tasks = [*self._tasks, *self._deliveries]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks.clear()
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # the lock goes with the descriptor
            self._lock_fd = None

    def wake(self) -> None:
        """A job was queued: an idle worker looks now rather than at its next poll."""
        if self._wake is not None:
            self._wake.set()

    async def cancel(self, job_id: str) -> None:
        """Stops the job's conversion, if it runs here, and waits until its run has cleaned
        up (the store already says cancelled)."""
        entry = self.running.get(job_id)
        if entry is None:
            return
        task, stopped = entry
        task.cancel()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopped.wait(), STOP_WAIT)

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
            await asyncio.to_thread(drop_results, self.results, job_id)
        if requeued or failed:
            log.warning(
                "jobs interrupted by a stop: %d queued again, %d failed after %d starts",
                len(requeued),
                len(failed),
                MAX_ATTEMPTS,
            )
        await self.sweep()
        for job in await self.store.pending_webhooks():
            self._notify(job)

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
            await self._run(job)

    async def _run(self, job: Job) -> None:
        log.info("job %s started (attempt %d)", job.id, job.attempt)
        stopped = asyncio.Event()
        task = asyncio.create_task(self._convert(job), name=f"job-{job.id}")
        self.running[job.id] = (task, stopped)
        try:
            try:
                await asyncio.wait({task})
            except asyncio.CancelledError:  # the service is stopping: back to the queue
                task.cancel()
                await asyncio.wait({task})
                if await self.store.requeue(job.id, job.attempt):
                    await asyncio.to_thread(drop_results, self.results, job.id)
                raise
            await self._settle(job, task)
        finally:
            del self.running[job.id]
            stopped.set()

    async def _convert(self, job: Job) -> dict[str, Any]:
        """The job's document converted and its results written: its pages, those that
        failed among them."""
        path = self.files.input(job.id)
        if not path.exists():
            raise DocparseError("the job's input is missing from the data folder")
        progress = _Progress(self.store, job)
        try:
            result = await self.converter.convert(path, job.options, progress)
            await progress.flush()
        finally:
            progress.close()
        document = result.document
        document.metadata["job_id"] = job.id
        document.metadata["filename"] = job.filename
        rendered = await asyncio.to_thread(render, document, list(RESULT_FORMATS))
        # Once started the write runs to its end, so a cancel never races it on the disk.
        writing = asyncio.ensure_future(
            asyncio.to_thread(self.results.save_result, job.id, rendered, result.figures)
        )
        try:
            await asyncio.shield(writing)
        except asyncio.CancelledError:
            await asyncio.wait({writing})
            raise
        failed = [p for p in document.pages if p.status == "failed"]
        return {
            "pages_done": len(document.pages),
            "pages_total": len(document.pages),
            "failed_pages": [{"page": p.index + 1, "error": p.error} for p in failed],
        }

    async def _settle(self, job: Job, task: asyncio.Task[dict[str, Any]]) -> None:
        ttl = self.settings.job_ttl
        webhook = {"state": "pending", "attempts": 0} if job.callback_url else None
        if task.cancelled():  # DELETE: the store says cancelled; the files go
            log.info("job %s cancelled", job.id)
            await asyncio.to_thread(discard, self.files, self.results, job.id)
            return
        error = task.exception()
        if isinstance(error, Overloaded):
            # The page budget is full (busy with /v1/convert): not the job's fault.
            self._resume_at = time.monotonic() + error.retry_after
            if await self.store.requeue(job.id, job.attempt):
                log.info("job %s waits %d s: the service is busy", job.id, error.retry_after)
            return
        if error is None:
            finished = await self.store.finish(
                job.id, job.attempt, JobState.succeeded, ttl=ttl, webhook=webhook, **task.result()
            )
            if not finished:  # cancelled as it finished: what it wrote goes
                await asyncio.to_thread(discard, self.files, self.results, job.id)
                return
            await asyncio.to_thread(self.files.remove_input, job.id)
        else:
            if isinstance(error, DocparseError):
                code, message = error.code, error.message
                pages = error.details.get("pages") or []
            else:
                log.error("job %s failed unexpectedly", job.id, exc_info=error)
                code, message, pages = "internal_error", "internal error; see the log", []
            finished = await self.store.finish(
                job.id,
                job.attempt,
                JobState.failed,
                ttl=ttl,
                error_code=code,
                error_message=message,
                failed_pages=pages,
                webhook=webhook,
            )
            await asyncio.to_thread(drop_results, self.results, job.id)
            if not finished:
                await asyncio.to_thread(self.files.remove, job.id)
                return
        done = await self.store.get(job.id)
        if done is not None:
            log.info("job %s %s", job.id, done.state)
            self._notify(done)

    # --- webhooks ------------------------------------------------------------------
    def _notify(self, job: Job) -> None:
        if not job.callback_url:
            return
        task = asyncio.create_task(self._deliver(job), name=f"webhook-{job.id}")
        self._deliveries.add(task)
        task.add_done_callback(self._deliveries.discard)

    async def _deliver(self, job: Job) -> None:
        assert job.callback_url
        body = JobSummary.of(job).model_dump_json().encode()
        outcome = await self.webhooks.deliver(job.callback_url, body)
        await self.store.set_webhook(job.id, outcome)

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
                await self._cancelled_elsewhere()
                if time.monotonic() >= next_sweep:
                    await self.sweep()
                    next_sweep = time.monotonic() + self.settings.cleanup_interval
            except Exception:  # the loop must outlive one bad turn
                log.exception("job housekeeping failed; trying again")

    async def _cancelled_elsewhere(self) -> None:
        """Running here, cancelled in the store by another process: stop it."""
        ids = list(self.running)
        still = await self.store.running_ids(ids)
        for job_id in ids:
            entry = self.running.get(job_id)
            if job_id not in still and entry is not None and not entry[0].done():
                current = await self.store.get(job_id)
                if current is None or current.state == JobState.cancelled:
                    entry[0].cancel()

    async def sweep(self) -> None:
        """Expired jobs' files and results removed (their records stay a TTL longer,
        answering 410); folders no job owns removed once untouched for an hour; stale zips
        removed."""
        now = time.time()
        for job_id in await self.store.expire(now, self.settings.job_ttl):
            await asyncio.to_thread(discard, self.files, self.results, job_id)
        live = await self.store.live_ids()
        for name in self.files.on_disk():
            if name not in live and name not in self.running:
                folder = self.files.folder(name)
                if now - await asyncio.to_thread(_last_touched, folder) > ORPHAN_AGE:
                    await asyncio.to_thread(self.files.remove, name)
        for archive in self.files.stale_archives():
            with contextlib.suppress(OSError):
                if now - archive.stat().st_mtime > ORPHAN_AGE:
                    archive.unlink()


def _last_touched(folder: Path) -> float:
    """The latest change in the folder or below (a slow upload keeps its folder fresh)."""
    latest = 0.0
    with contextlib.suppress(OSError):
        latest = folder.stat().st_mtime
        for path in folder.rglob("*"):
            with contextlib.suppress(OSError):
                latest = max(latest, path.stat().st_mtime)
    return latest
