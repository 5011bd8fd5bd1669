"""A job's own files. `JobFiles` lays out data_dir/jobs/{id}/: the input, durable before
the job is accepted (a job's input stays local whatever the result store). The results go
to the service's result store (export/storage.py: output_dir or S3, under the job's id);
`archive` zips them from there.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import zipfile
from pathlib import Path

from docparse.errors import JobExpired, ResultMissing, StorageFailed
from docparse.export.storage import ResultStore

log = logging.getLogger(__name__)

INPUT = "input"
ZIP_PREFIX = ".zip-"  # result archives being sent; gone after, or at the next sweep


class JobFiles:
    def __init__(self, root: Path) -> None:
        self.root = root

    def folder(self, job_id: str) -> Path:
        return self.root / job_id

    def input(self, job_id: str) -> Path:
        return self.folder(job_id) / INPUT

    def remove(self, job_id: str) -> None:
        shutil.rmtree(self.folder(job_id), ignore_errors=True)

    def remove_input(self, job_id: str) -> None:
        self.input(job_id).unlink(missing_ok=True)

    def on_disk(self) -> list[str]:
        """The job folders present (their names are job ids)."""
        if not self.root.is_dir():
            return []
        return [p.name for p in self.root.iterdir() if p.is_dir() and not p.name.startswith(".")]

    def stale_archives(self) -> list[Path]:
        if not self.root.is_dir():
            return []
        return list(self.root.glob(f"{ZIP_PREFIX}*"))


def archive(store: ResultStore, job_id: str, folder: Path) -> Path | None:
    """A new zip in `folder` of every file of the job's result in `store` (Markdown, JSON,
    text, figures), for the caller to send and delete; None when there is no result."""
    names = store.names(job_id)
    if not names:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=folder, prefix=ZIP_PREFIX, suffix=".zip")
    try:
        with os.fdopen(fd, "wb") as handle, zipfile.ZipFile(handle, "w") as packed:
            for relative in names:
                stored = zipfile.ZIP_STORED if relative.endswith(".png") else zipfile.ZIP_DEFLATED
                packed.writestr(relative, store.get(job_id, relative), compress_type=stored)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name)


def drop_results(store: ResultStore, job_id: str) -> None:
    """The job's results (whole or partial) removed from the store; a store that cannot is
    logged, not raised, as a folder that cannot be removed is ignored."""
    try:
        store.delete(job_id)
    except StorageFailed as exc:
        log.warning("could not remove the results of job %s: %s", job_id, exc.message)


def shared_input(job_id: str) -> str:
    """The result-store id holding a job's input while it waits for a worker elsewhere
    (DOCPARSE_QUEUE=redis://): workers on other machines read it from there."""
    return f"{job_id}-input"


def job_input(files: JobFiles, store: ResultStore, job_id: str, copy: Path) -> Path:
    """The job's input on this machine: its own file, or else the input it shared through
    the result store (DOCPARSE_QUEUE=redis://) written to `copy`. JobExpired when it is in
    neither place (the store's key is not the client's business)."""
    local = files.input(job_id)
    if local.exists():
        return local
    try:
        data = store.get(shared_input(job_id), "document")
    except ResultMissing:
        raise JobExpired(f"the input of job {job_id} is gone") from None
    copy.parent.mkdir(parents=True, exist_ok=True)
    copy.write_bytes(data)
    return copy


def discard(files: JobFiles, store: ResultStore, job_id: str) -> None:
    """Everything of a job but its record: its folder (the input), its input in the
    result store (if it was shared) and its results."""
    files.remove(job_id)
    drop_results(store, job_id)
    drop_results(store, shared_input(job_id))
