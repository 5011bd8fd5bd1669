"""One job's run, wherever jobs are taken from (the embedded runner's loop, or a
`docparse worker` fed by the Redis queue): convert the input, write the results, finish
the job once, tell the webhook.

- **Progress**: the converter's progress callback writes pages_done as pages finish.
- **Finished once**: a run finishes its job only while it holds it (store.finish is
  conditional on state and attempt); a run that lost it (cancelled) removes what it wrote.
- **Cancel**: DELETE marks the job cancelled in the store; `cancel` (this process) or
  `cancelled_elsewhere` (another process, seen within a second) cancels its conversion
  task (pages not started never start; a page already in a thread ends, nothing after it).
  The job's files go once the task has stopped.
- **Busy service**: a job refused by the converter's admission (the page budget, shared
  with /v1/convert) goes back to the queue (`on_requeue` says when to try again) instead
  of failing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
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

STOP_WAIT = 10.0  # seconds a cancel waits for its conversion to stop
ORPHAN_AGE = 3600.0  # a folder no job owns, untouched this long, is removed

# Where a job's input is read from: a local path, fetched first if it lives elsewhere.
InputPath = Callable[[Job], Awaitable[Path]]
# A job put back in the queue: (job id, seconds before it may run again).
Requeued = Callable[[str, float], Awaitable[None]]


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


class Execution:
    def __init__(
        self,
        settings: Settings,
        converter: Converter,
        store: JobStore,
        files: JobFiles,
        results: ResultStore,
        webhooks: Webhooks,
        input_path: InputPath | None = None,
        on_requeue: Requeued | None = None,
    ) -> None:
        self.settings = settings
        self.converter = converter
        self.store = store
        self.files = files
        self.results = results
        self.webhooks = webhooks
        self.input_path = input_path or self._local_input
        self.on_requeue = on_requeue
        self._deliveries: set[asyncio.Task[None]] = set()
        # job id -> (its conversion task, set once the run has cleaned up after itself)
        self.running: dict[str, tuple[asyncio.Task[Any], asyncio.Event]] = {}

    async def _local_input(self, job: Job) -> Path:
        return self.files.input(job.id)

    async def stop(self) -> None:
        """Webhook deliveries in flight stop (a pending one is sent again on take-over)."""
        for task in list(self._deliveries):
            task.cancel()
        await asyncio.gather(*self._deliveries, return_exceptions=True)

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

    async def run(self, job: Job) -> None:
        """The job (claimed: running under job.attempt) converted and settled. Cancelled
        (the process is stopping), the job goes back to the queue."""
        log.info("job %s started (attempt %d)", job.id, job.attempt)
        stopped = asyncio.Event()
        task = asyncio.create_task(self._convert(job), name=f"job-{job.id}")
        self.running[job.id] = (task, stopped)
        try:
            try:
                await asyncio.wait({task})
            except asyncio.CancelledError:
                task.cancel()
                await asyncio.wait({task})
                await self._requeue(job, 0.0)
                raise
            await self._settle(job, task)
        finally:
            del self.running[job.id]
            stopped.set()

    async def _requeue(self, job: Job, delay: float) -> bool:
        if not await self.store.requeue(job.id, job.attempt):
            return False
        await asyncio.to_thread(drop_results, self.results, job.id)
        if self.on_requeue is not None:
            await self.on_requeue(job.id, delay)
        return True

    async def _convert(self, job: Job) -> dict[str, Any]:
        """The job's document converted and its results written: its pages, those that
        failed among them."""
        path = await self.input_path(job)
        if not path.exists():
            raise DocparseError("the job's input is missing from the data folder")
        progress = _Progress(self.store, job)
        try:
            result = await self.converter.convert(path, job.options, progress, bounded=False)
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
            if await self._requeue(job, float(error.retry_after)):
                log.info("job %s waits %d s: the service is busy", job.id, error.retry_after)
            return
        if error is None:
            finished = await self.store.finish(
                job.id, job.attempt, JobState.succeeded, ttl=ttl, webhook=webhook, **task.result()
            )
            if not finished:  # cancelled as it finished: what it wrote goes
                await asyncio.to_thread(discard, self.files, self.results, job.id)
                return
            # The input stays until the job expires: its pages are drawn from it on request.
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
            self.notify(done)

    # --- webhooks ------------------------------------------------------------------
    def notify(self, job: Job) -> None:
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
    async def cancelled_elsewhere(self) -> None:
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
