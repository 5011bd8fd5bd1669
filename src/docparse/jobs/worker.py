"""`docparse worker` (DOCPARSE_QUEUE=redis://…): takes job ids from the Dramatiq queue and
runs them here with the same converter, result store and settings as the service.

Dramatiq's worker threads call `_handle`, which runs the job on this process's one event
loop (a thread of its own) and returns when the job has settled; the message is
acknowledged then (late ack). Around the runs, once a second: each running job's lease is
renewed (the sign of life other workers go by), and a cancel made through any API replica
(the record says cancelled) stops the conversion here. Every DOCPARSE_CLEANUP_INTERVAL one
worker (a Redis lock) sweeps expired jobs and sends again the jobs of workers that died
without their message coming back. SIGTERM: running jobs go back to the queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
import time
from concurrent.futures import CancelledError, Future
from pathlib import Path
from typing import Any

import dramatiq

from docparse.export.storage import create_store
from docparse.io.fetch import FetchPolicy
from docparse.jobs.execution import Execution
from docparse.jobs.model import Job, JobState
from docparse.jobs.queue import ACTOR_NAME, QUEUE_NAME, Dispatch
from docparse.jobs.redis_store import RedisJobStore
from docparse.jobs.results import JobFiles, drop_results, job_input, shared_input
from docparse.jobs.runner import MAX_ATTEMPTS
from docparse.jobs.webhooks import Webhooks
from docparse.pipeline.converter import Converter
from docparse.pipeline.runtime import Engines
from docparse.settings import Settings

log = logging.getLogger(__name__)

TICK = 1.0  # seconds between lease renewals and cancel checks
DAY_MS = 24 * 3600 * 1000  # Dramatiq's own time limit, out of the way of long documents


class JobWorker:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.lease = settings.queue_heartbeat
        self.loop = asyncio.new_event_loop()
        self.engines = Engines(settings)
        self.results = create_store(settings)
        self.store = RedisJobStore(settings.queue)
        self.dispatch = Dispatch(settings)
        self.files = JobFiles(settings.data_dir / "jobs")
        webhooks = Webhooks(
            settings.webhook_secret.get_secret_value(),
            FetchPolicy.from_settings(settings),
            settings.webhook_retries,
            settings.webhook_backoff,
        )
        self.execution = Execution(
            settings,
            Converter(settings, self.engines),
            self.store,
            self.files,
            self.results,
            webhooks,
            input_path=self._fetch_input,
            on_requeue=self.dispatch.send,
        )
        self.attempts: dict[str, int] = {}  # running job id -> the attempt it holds
        self._ticker: asyncio.Task[None] | None = None
        self.handling: set[Future[Any]] = set()  # the runs Dramatiq's threads wait on

    # --- on the event loop -----------------------------------------------------------
    async def _start(self) -> None:
        self.settings.prepare_dirs()
        await self.store.open()
        await self.engines.preload(self.settings.engines_to_load)
        self._ticker = asyncio.create_task(self._tick(), name="worker-housekeeping")

    async def _fetch_input(self, job: Job) -> Path:
        """The input from the result store into this machine's data folder."""
        path = self.files.input(job.id)
        return await asyncio.to_thread(job_input, self.files, self.results, job.id, path)

    async def execute(self, job_id: str) -> None:
        outcome, claimed = await self.store.claim_id(
            job_id, self.lease, MAX_ATTEMPTS, self.settings.job_ttl
        )
        if outcome == "held" and isinstance(claimed, float):
            # Another worker holds it; if that worker is dead its lease runs out: look again.
            await self.dispatch.send(job_id, delay=claimed + TICK)
            return
        if outcome != "claimed" or not isinstance(claimed, Job):
            return  # finished, cancelled, failed after max attempts, or deleted
        self.attempts[job_id] = claimed.attempt
        try:
            await self.execution.run(claimed)
        finally:
            self.attempts.pop(job_id, None)
            await asyncio.to_thread(self.files.remove, job_id)  # the local copy
            current = await self.store.get(job_id)  # a success keeps its input (pictures)
            if current is None or current.state in (JobState.failed, JobState.cancelled):
                await asyncio.to_thread(drop_results, self.results, shared_input(job_id))

    async def _tick(self) -> None:
        next_sweep = time.monotonic() + self.settings.cleanup_interval
        while True:
            await asyncio.sleep(TICK)
            try:
                for job_id, attempt in list(self.attempts.items()):
                    await self.store.renew(job_id, attempt, self.lease)
                await self.execution.cancelled_elsewhere()
                if time.monotonic() >= next_sweep:
                    next_sweep = time.monotonic() + self.settings.cleanup_interval
                    await self._sweep()
            except Exception:  # the loop must outlive one bad turn (Redis restarting)
                log.exception("worker housekeeping failed; trying again")

    async def _sweep(self) -> None:
        lock = f"{self.store.prefix}sweep"
        if not await self.store.db.set(lock, "1", nx=True, ex=int(self.settings.cleanup_interval)):
            return  # another worker sweeps this round
        await self.execution.sweep()
        requeued, _ = await self.store.recover(MAX_ATTEMPTS, self.settings.job_ttl)
        for job_id in requeued:  # their worker died and its message did not come back
            await self.dispatch.send(job_id)
        for job in await self.store.pending_webhooks():
            if job.finished_at and time.time() - job.finished_at > self.settings.cleanup_interval:
                self.execution.notify(job)

    async def _stop(self) -> None:
        for handling in list(self.handling):
            handling.cancel()  # Execution.run puts the job back in the queue
        deadline = time.monotonic() + 30
        while self.execution.running and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        if self._ticker is not None:
            self._ticker.cancel()
        await self.execution.stop()
        await self.engines.aclose()
        await self.store.close()

    # --- on Dramatiq's threads -------------------------------------------------------
    def _on_loop(self, work: Any) -> Future[Any]:
        return asyncio.run_coroutine_threadsafe(work, self.loop)

    def _handle(self, job_id: str) -> None:
        handling = self._on_loop(self.execute(job_id))
        self.handling.add(handling)
        try:
            handling.result()
        except (asyncio.CancelledError, CancelledError):
            pass  # stopping: the job went back to the queue with a new message
        finally:
            self.handling.discard(handling)

    def run(self) -> int:
        """Until SIGTERM or SIGINT."""
        threading.Thread(target=self.loop.run_forever, name="worker-loop", daemon=True).start()
        self._on_loop(self._start()).result()
        broker = self.dispatch.broker
        dramatiq.actor(
            broker=broker,
            actor_name=ACTOR_NAME,
            queue_name=QUEUE_NAME,
            max_retries=0,  # a job's failures are recorded on it, not retried blindly
            time_limit=DAY_MS,
        )(self._handle)
        worker = dramatiq.Worker(broker, worker_threads=self.settings.job_workers)
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        worker.start()
        log.info("worker started: %d job(s) at once from %s", self.settings.job_workers, QUEUE_NAME)
        stop.wait()
        log.info("worker stopping: running jobs go back to the queue")
        with contextlib.suppress(Exception):
            self._on_loop(self._stop()).result(timeout=60)
        worker.stop(timeout=10_000)
        self.dispatch.close()
        self.loop.call_soon_threadsafe(self.loop.stop)
        return 0
