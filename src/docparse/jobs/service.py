"""What the API asks of jobs: submit (the input durably on disk and the record committed
before the answer), look up, list, cancel or delete, and the results.

`Jobs` holds either the embedded parts — the SQLite store and the in-service runner — or,
with DOCPARSE_QUEUE=redis://, the Redis store and the queue's dispatch (the jobs then run
in `docparse worker` processes; the input goes to the result store for them to read). It
writes and reads results through the service's result store (export/storage.py's
`ResultStore`: output_dir or S3, under the job's id).
"""

from __future__ import annotations

import asyncio
import math
import re
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from docparse.document import Document, Page, PageStatus
from docparse.errors import (
    InputError,
    InvalidOptions,
    JobExpired,
    JobNotFinished,
    JobNotFound,
    JobQueueFull,
    QueueUnavailable,
    ResultMissing,
)
from docparse.export import FILE_NAMES
from docparse.export.searchable_pdf import searchable_pdf
from docparse.export.storage import ResultStore
from docparse.io.fetch import FetchPolicy, check_url
from docparse.io.previews import page_picture
from docparse.io.sources import open_source, select_pages
from docparse.jobs.execution import Execution
from docparse.jobs.model import FINISHED, Job, JobState
from docparse.jobs.queue import Dispatch
from docparse.jobs.redis_store import RedisJobStore
from docparse.jobs.results import INPUT, JobFiles, archive, discard, job_input, shared_input
from docparse.jobs.runner import Runner
from docparse.jobs.sources import (
    JobSource,
    bounded_filename,
    kind_of,
    save_source,
    save_stream,
)
from docparse.jobs.store import JobStore, SqliteJobStore
from docparse.jobs.webhooks import Webhooks
from docparse.pipeline.converter import Converter
from docparse.pipeline.options import ConvertOptions, check_options
from docparse.settings import Settings

# Links to a job, made by the API from its id: (status_url, result_url).
Links = Callable[[str], tuple[str, str]]
MAX_RETRY_AFTER = 600
FIGURES = "images"  # figure crops, in the results and the zip, under this folder
JOB_ID = re.compile(r"[0-9a-f]{32}")  # uuid4().hex
CURSOR = re.compile(r"[1-9][0-9]{0,18}")  # a seq: a positive signed 64-bit integer
MAX_SEQ = 2**63 - 1


def job_links(public_url: str, root: str = "") -> Links:
    """A job's links: under DOCPARSE_PUBLIC_URL when set, else paths from the service's
    root (`root`: the ASGI root_path, the server's own setting). Never from a request's
    Host header: the links are stored and sent in signed webhooks."""
    base = public_url.rstrip("/") if public_url else root.rstrip("/")

    def links(job_id: str) -> tuple[str, str]:
        return f"{base}/v1/jobs/{job_id}", f"{base}/v1/jobs/{job_id}/result"

    return links


def _parse_cursor(cursor: str | None) -> int | None:
    """A next_cursor this service gave (a job's seq), or InvalidOptions (422)."""
    if not cursor:
        return None
    if not CURSOR.fullmatch(cursor) or int(cursor) > MAX_SEQ:
        raise InvalidOptions("cursor is not one this service gave", field="cursor")
    return int(cursor)


@dataclass
class Removal:
    job: Job
    outcome: Literal["cancelled", "deleted"]


class Jobs:
    def __init__(self, settings: Settings, converter: Converter, results: ResultStore) -> None:
        self.settings = settings
        self.files = JobFiles(settings.data_dir / "jobs")
        self.store: JobStore = SqliteJobStore(settings.data_dir / "jobs.sqlite3")
        self.results = results  # the service's result store (state.store)
        self.limits = converter.limits
        self._promised: list[float] = []  # when refused clients were told to come back
        self.policy = FetchPolicy.from_settings(settings)
        # DOCPARSE_QUEUE=redis://: records and queue in Redis, jobs run by `docparse
        # worker`s (this replica only accepts and answers); else SQLite and a pool here.
        self.runner: Runner | None = None
        self.dispatch: Dispatch | None = None
        if settings.queue:
            self.store = RedisJobStore(settings.queue)
            self.dispatch = Dispatch(settings)
            return
        webhooks = Webhooks(
            settings.webhook_secret.get_secret_value(),
            self.policy,
            settings.webhook_retries,
            settings.webhook_backoff,
        )
        self.runner = Runner(
            Execution(settings, converter, self.store, self.files, self.results, webhooks)
        )

    async def start(self) -> None:
        await self.store.open()
        if self.runner is not None:
            await self.runner.start()

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.stop()
        if self.dispatch is not None:
            self.dispatch.close()
        await self.store.close()

    # --- submit --------------------------------------------------------------------
    async def check_room(self) -> None:
        """JobQueueFull (429) when max_queued_jobs wait: before an upload is read."""
        queued = await self.store.count(JobState.queued)
        if queued >= self.settings.max_queued_jobs:
            retry_after = await self._retry_after(queued)
            raise JobQueueFull(
                f"{queued} jobs are waiting, the limit (DOCPARSE_MAX_QUEUED_JOBS); try again "
                f"in {retry_after} s",
                retry_after,
                queued_jobs=queued,
                max_queued_jobs=self.settings.max_queued_jobs,
            )

    async def _retry_after(self, queued: int) -> int:
        """Seconds for one place to free up, at the pace of the latest jobs; clients
        refused before and told to come back later are ahead of this one (one place each),
        so a crowd refused at once is spread out instead of all told the same second."""
        durations = await self.store.finished_durations(20)
        each = sum(durations) / len(durations) if durations else 10.0
        now = time.monotonic()
        self._promised = [at for at in self._promised if at > now]
        seconds = each * (1 + len(self._promised)) / self.settings.job_workers
        wait = max(1, min(MAX_RETRY_AFTER, math.ceil(seconds)))
        self._promised.append(now + wait)
        return wait

    async def _check_request(
        self, options: ConvertOptions, callback_url: str | None
    ) -> ConvertOptions:
        """What can be refused before anything is stored, as the run would refuse it: the
        options (languages normalised) once checked."""
        checked = check_options(options, self.settings)
        if callback_url is not None:
            if not self.settings.webhook_secret.get_secret_value():
                raise InvalidOptions(
                    "callback_url needs DOCPARSE_WEBHOOK_SECRET set: webhooks are signed",
                    field="callback_url",
                )
            try:
                await check_url(callback_url, self.policy)
            except InvalidOptions as exc:
                raise InvalidOptions(f"callback_url: {exc.message}", field="callback_url") from exc
        await self.check_room()
        return checked

    def _check_document(self, path: Path, pages: str | None) -> None:
        """The saved document opened as its run will open it (blocking): one that is not a
        document, is damaged, locked or past the page limit is refused now, as
        /v1/convert refuses it, and the page range is checked against its pages."""
        try:
            source = open_source(path, self.limits)
        except InputError:
            raise
        except Exception:  # pragma: no cover - anything else: the run says what
            return
        try:
            if source.page_count:  # the whole document, when no pages are asked for
                select_pages(pages, source.page_count, self.settings.max_pages)
        except InvalidOptions as exc:
            raise InvalidOptions(f"pages: {exc.message}", field="pages") from exc
        finally:
            source.close()

    async def submit_upload(
        self,
        chunks: AsyncIterator[bytes],
        filename: str | None,
        options: ConvertOptions,
        callback_url: str | None,
        links: Links,
    ) -> Job:
        async def save(path: Path) -> str | None:
            await save_stream(chunks, path, self.settings.max_upload_bytes)
            return filename

        return await self._accept("upload", save, options, callback_url, links)

    async def submit_source(
        self,
        source: JobSource,
        options: ConvertOptions,
        callback_url: str | None,
        links: Links,
    ) -> Job:
        async def save(path: Path) -> str | None:
            return await save_source(source, path, self.policy, self.settings)

        return await self._accept(kind_of(source), save, options, callback_url, links)

    async def _accept(
        self,
        kind: str,
        save: Callable[[Path], Coroutine[None, None, str | None]],
        options: ConvertOptions,
        callback_url: str | None,
        links: Links,
    ) -> Job:
        """The request checked, the input saved by `save` (fsynced), the record committed."""
        options = await self._check_request(options, callback_url)
        job_id = uuid.uuid4().hex
        status_url, result_url = links(job_id)
        try:
            filename = bounded_filename(await save(self.files.input(job_id)))  # fsynced
            await asyncio.to_thread(self._check_document, self.files.input(job_id), options.pages)
            job = Job(
                id=job_id,
                state=JobState.queued,
                options=options.model_copy(update={"figures": FIGURES, "keep_images": False}),
                created_at=time.time(),
                source=kind,
                filename=filename,
                callback_url=callback_url,
                status_url=status_url,
                result_url=result_url,
            )
            if self.dispatch is not None:  # workers elsewhere read it from the result store
                await asyncio.to_thread(self._share_input, job_id)
            if not await self.store.add(job, self.settings.max_queued_jobs):  # committed
                await self.check_room()
                raise JobQueueFull("the job queue is full", 1)  # pragma: no cover - a race
        except BaseException:
            await asyncio.to_thread(discard, self.files, self.results, job_id)
            raise
        if self.runner is not None:
            self.runner.wake()
        else:
            await self._send(job_id)
        stored = await self.store.get(job_id)
        return stored or job

    def _share_input(self, job_id: str) -> None:
        path = self.files.input(job_id)
        self.results.put(shared_input(job_id), "document", path.read_bytes(), "application/pdf")
        self.files.remove(job_id)

    async def _send(self, job_id: str) -> None:
        """The stored job's id on the queue; if that fails the job is withdrawn (503)."""
        assert self.dispatch is not None
        try:
            await self.dispatch.send(job_id)
        except Exception as exc:
            await self.store.delete(job_id)
            await asyncio.to_thread(discard, self.files, self.results, job_id)
            raise QueueUnavailable(
                f"the job queue cannot be reached ({type(exc).__name__}); try again"
            ) from exc

    # --- look up -------------------------------------------------------------------
    async def get(self, job_id: str) -> Job:
        job = await self.store.get(job_id)
        if job is None:
            if JOB_ID.fullmatch(job_id):
                raise JobNotFound(f"no job {job_id!r}")
            # Not an id this service gives: not repeated back (it may be anything, any size).
            raise JobNotFound("no such job: a job id is 32 hexadecimal digits")
        if job.is_expired(time.time()):
            raise JobExpired(
                f"job {job_id} expired (DOCPARSE_JOB_TTL): its record and results are gone"
            )
        return job

    async def page(
        self, state: JobState | None, limit: int, cursor: str | None
    ) -> tuple[list[Job], str | None]:
        before = _parse_cursor(cursor)
        # The store leaves out jobs past expires_at the sweep has not marked yet: a page is
        # full whenever older live jobs exist, and the cursor reaches every one.
        jobs = await self.store.page(state, limit + 1, before, time.time())
        more = len(jobs) > limit
        jobs = jobs[:limit]
        return jobs, str(jobs[-1].seq) if more and jobs else None

    async def result(self, job_id: str, fmt: str) -> bytes | Path:
        """The result of a job that succeeded, from the result store: one format's bytes,
        or (zip) a new archive in a local file, the caller's to delete once sent."""
        job = await self.get(job_id)
        if job.state != JobState.succeeded:
            detail = f": {job.error_message}" if job.error_message else ""
            raise JobNotFinished(
                f"job {job_id} is {job.state.value}{detail}; results come once it has succeeded",
                state=job.state.value,
            )
        found: bytes | Path | None
        try:
            if fmt == "pdf":  # made on request from the input the job keeps
                return await asyncio.to_thread(self._searchable, job_id)
            if fmt == "zip":
                found = await asyncio.to_thread(archive, self.results, job_id, self.files.root)
            else:
                found = await asyncio.to_thread(self.results.get, job_id, FILE_NAMES[fmt])
        except ResultMissing:
            found = None
        if found is None:
            raise JobExpired(f"the results of job {job_id} are gone")
        return found

    async def page_picture(self, job: Job, number: int) -> bytes:
        """Page `number` (1-based, in the Document's pages) of a job that succeeded, as a
        JPEG made from its input; ResultMissing past the last page or a failed page."""
        try:
            data = await asyncio.to_thread(self.results.get, job.id, FILE_NAMES["json"])
        except ResultMissing:
            raise JobExpired(f"the results of job {job.id} are gone") from None
        pages = Document.model_validate_json(data).pages
        if not 1 <= number <= len(pages) or pages[number - 1].status == PageStatus.failed:
            raise ResultMissing(f"job {job.id} has no picture of page {number}")
        return await asyncio.to_thread(self._picture, job.id, pages[number - 1])

    def _picture(self, job_id: str, page: Page) -> bytes:
        return self._with_input(job_id, lambda path: page_picture(path, page, self.limits))

    def _searchable(self, job_id: str) -> bytes:
        document = Document.model_validate_json(self.results.get(job_id, FILE_NAMES["json"]))
        return self._with_input(job_id, lambda path: searchable_pdf(path, document))

    def _with_input(self, job_id: str, use: Callable[[Path], bytes]) -> bytes:
        """`use` called on the job's input: the local file, or (DOCPARSE_QUEUE=redis://,
        shared through the result store) a temporary copy."""
        self.files.root.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=self.files.root, prefix=".input-") as scratch:
            return use(job_input(self.files, self.results, job_id, Path(scratch) / INPUT))

    # --- cancel, delete ------------------------------------------------------------
    async def remove(self, job_id: str) -> Removal:
        """A queued or running job cancelled (its conversion stopped, its files removed,
        its record kept); a finished one deleted with its files."""
        job = await self.get(job_id)
        if job.state not in FINISHED:
            cancelled = await self.store.cancel(job_id, self.settings.job_ttl)
            if cancelled is not None:
                if self.runner is not None:
                    await self.runner.cancel(job_id)
                # A running job's files go with its run (here, or in the worker running it).
                running_here = self.runner is not None and job_id in self.runner.running
                if job.state == JobState.queued or (self.runner and not running_here):
                    await asyncio.to_thread(discard, self.files, self.results, job_id)
                return Removal(await self.store.get(job_id) or cancelled, "cancelled")
            job = await self.get(job_id)  # it finished meanwhile: deleted below
        await self.store.delete(job_id)
        await asyncio.to_thread(discard, self.files, self.results, job_id)
        return Removal(job, "deleted")
