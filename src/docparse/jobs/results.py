"""A job's files. `JobFiles` lays out data_dir/jobs/{id}/: the input (durable before the
job is accepted) and the results. Results are written through one function,
`ResultStore.write` (here: export/storage.py's save_outputs into `result.part/`, renamed
to `result/` once complete, so a reader never sees half a result), which is the place an
S3 backend slots in.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Protocol

from docparse.export import FILE_NAMES
from docparse.export.storage import save_outputs

INPUT = "input"
RESULT = "result"
PARTIAL = "result.part"
ZIP_PREFIX = ".zip-"  # result archives being sent; gone after, or at the next sweep


def fsync_dir(folder: Path) -> None:
    """A rename or a new file in `folder` survives a crash once this returns."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


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


class ResultStore(Protocol):
    """Where a finished job's results go and come back from."""

    def write(self, job_id: str, rendered: dict[str, str], figures: dict[str, bytes]) -> None:
        """The results, complete or not at all."""
        ...

    def locate(self, job_id: str, fmt: str) -> Path | str | None:
        """One format's file (md, json, txt): a local path, or a URL to send the caller
        to (a presigned one, from an object store); None when it is not there."""
        ...

    def archive(self, job_id: str) -> Path | None:
        """A new zip of every result file (Markdown, JSON, text, figures), for the caller
        to send and delete; None when there are no results."""
        ...

    def remove_partial(self, job_id: str) -> None:
        """What a run stopped half-way left behind."""
        ...

    def remove(self, job_id: str) -> None: ...


class LocalResults:
    """Results in data_dir/jobs/{id}/result/: document.md, .json, .txt, images/…"""

    def __init__(self, files: JobFiles) -> None:
        self.files = files

    def write(self, job_id: str, rendered: dict[str, str], figures: dict[str, bytes]) -> None:
        folder = self.files.folder(job_id)
        partial, final = folder / PARTIAL, folder / RESULT
        shutil.rmtree(partial, ignore_errors=True)
        save_outputs(partial, rendered, figures)
        for path in partial.rglob("*"):
            if path.is_file():
                with path.open("rb") as handle:
                    os.fsync(handle.fileno())
        shutil.rmtree(final, ignore_errors=True)
        os.replace(partial, final)
        fsync_dir(folder)

    def locate(self, job_id: str, fmt: str) -> Path | str | None:
        path = self.files.folder(job_id) / RESULT / FILE_NAMES[fmt]
        return path if path.is_file() else None

    def archive(self, job_id: str) -> Path | None:
        folder = self.files.folder(job_id) / RESULT
        if not folder.is_dir():
            return None
        self.files.root.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=self.files.root, prefix=ZIP_PREFIX, suffix=".zip")
        try:
            with os.fdopen(fd, "wb") as handle, zipfile.ZipFile(handle, "w") as archive:
                for path in sorted(folder.rglob("*")):
                    if path.is_file():
                        relative = path.relative_to(folder).as_posix()
                        packed = zipfile.ZIP_STORED if path.suffix == ".png" else None
                        archive.write(path, relative, compress_type=packed or zipfile.ZIP_DEFLATED)
        except BaseException:
            Path(name).unlink(missing_ok=True)
            raise
        return Path(name)

    def remove_partial(self, job_id: str) -> None:
        folder = self.files.folder(job_id)
        for leftover in [folder / PARTIAL, *folder.glob(".partial-*")]:  # save_outputs' own
            shutil.rmtree(leftover, ignore_errors=True)

    def remove(self, job_id: str) -> None:
        shutil.rmtree(self.files.folder(job_id) / RESULT, ignore_errors=True)
        self.remove_partial(job_id)
