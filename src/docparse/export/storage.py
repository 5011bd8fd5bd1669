"""Where results go: the ResultStore seam. `LocalStore` writes
{output_dir}/{document_id}/document.md, document.json, …; `S3Store` (export/s3.py) writes
the same files under {prefix}/{document_id}/ in a bucket. `create_store(settings)` picks one
by DOCPARSE_STORAGE. A store that cannot do its work raises StorageFailed with the reason."""

from __future__ import annotations

import mimetypes
import os
import re
import secrets
import shutil
import tempfile
from pathlib import Path
from typing import Protocol

from docparse.document import Document
from docparse.errors import ResultMissing, StorageFailed
from docparse.export import EXPORTERS, FILE_NAMES
from docparse.settings import Settings


def fsync_dir(folder: Path) -> None:
    """A rename or a new file in `folder` survives a crash once this returns."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, text: str) -> None:
    """Write via a temp file and rename, so a reader never sees half a file; on disk
    (fsynced) before the rename, so a crash leaves the old file or the whole new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def render(document: Document, formats: list[str]) -> dict[str, str]:
    """The document in each format; md and json always."""
    return {fmt: EXPORTERS[fmt](document) for fmt in dict.fromkeys(["md", "json", *formats])}


# A result folder being written: its files go to a sibling named PARTIAL_PREFIX + name + a
# random suffix, renamed to the folder once complete (export/retention.py leaves these
# alone while they are young).
PARTIAL_PREFIX = ".partial-"


def save_outputs(
    folder: Path, rendered: dict[str, str], figures: dict[str, bytes] | None = None
) -> None:
    """document.md/json/txt, and the figures at the relative paths Markdown uses: written
    under a partial name and renamed to `folder` when complete, so the folder is there
    whole or not at all. Into a folder that already exists, the files are written in
    place."""
    if folder.exists():
        _write_files(folder, rendered, figures)
        return
    folder.parent.mkdir(parents=True, exist_ok=True)
    partial = folder.parent / f"{PARTIAL_PREFIX}{folder.name}.{secrets.token_hex(4)}"
    partial.mkdir()  # as a plain mkdir would make the folder (the umask applies)
    try:
        _write_files(partial, rendered, figures)
        fsync_dir(partial)
        os.replace(partial, folder)
        fsync_dir(folder.parent)  # a finished job's result survives a crash
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise


def _write_files(folder: Path, rendered: dict[str, str], figures: dict[str, bytes] | None) -> None:
    for fmt, text in rendered.items():
        write_atomic(folder / FILE_NAMES[fmt], text)
    for relative, png in (figures or {}).items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            handle.write(png)
            os.fsync(handle.fileno())
        if path.parent != folder:
            fsync_dir(path.parent)


# ---- the seam -------------------------------------------------------------------------

CONTENT_TYPES = {
    "md": "text/markdown; charset=utf-8",
    "json": "application/json",
    "txt": "text/plain; charset=utf-8",
}
# A result's id: a document or job id (uuid4 hex), never a path.
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,127}")


class ResultStore(Protocol):
    """Where a result's files live, by (id, relative name). Every method raises
    StorageFailed (the reason in its message) when the store cannot do it; `get` raises
    ResultMissing for a file that is not there."""

    @property
    def kind(self) -> str:
        """'local' or 's3'."""
        ...

    def put(self, result_id: str, name: str, data: bytes, content_type: str) -> None: ...

    def save_result(
        self, result_id: str, rendered: dict[str, str], figures: dict[str, bytes] | None = None
    ) -> None:
        """A whole result: document.md/json/txt and the figures at the paths Markdown uses.
        All of it or, on failure, none of it (what was written is removed)."""
        ...

    def get(self, result_id: str, name: str) -> bytes: ...

    def names(self, result_id: str) -> list[str]:
        """The result's files, relative and sorted ('document.md', 'images/p1_0.png');
        [] when there is no such result."""
        ...

    def delete(self, result_id: str, under: str = "") -> int:
        """Remove the result (or only what is at `under` inside it); the files removed."""
        ...

    def url(self, result_id: str, name: str, expires: int | None = None) -> str | None:
        """A presigned GET URL valid for `expires` seconds; None where there is none
        (local files are served by the service itself)."""
        ...

    def check(self) -> str:
        """'reachable', or the exact error (for /health)."""
        ...


def check_id(result_id: str) -> str:
    if not _ID.fullmatch(result_id):
        raise StorageFailed(f"not a result id: {result_id!r}")
    return result_id


def check_name(name: str, allow_empty: bool = False) -> str:
    """A relative file name inside a result: 'document.md', 'images/p1_0.png'."""
    parts = name.split("/")
    if (not name and allow_empty) or (
        name and all(p not in ("", ".", "..") and "\\" not in p for p in parts)
    ):
        return name
    raise StorageFailed(f"not a file name inside a result: {name!r}")


def content_type(name: str) -> str:
    suffix = name.rsplit(".", 1)[-1] if "." in name else ""
    return CONTENT_TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"


def result_files(
    rendered: dict[str, str], figures: dict[str, bytes] | None = None
) -> list[tuple[str, bytes, str]]:
    """(name, bytes, content type) of each file of a result, figures first: the documents
    that point at them come last."""
    files = [(name, png, content_type(name)) for name, png in (figures or {}).items()]
    files += [
        (FILE_NAMES[fmt], text.encode("utf-8"), CONTENT_TYPES[fmt])
        for fmt, text in rendered.items()
    ]
    return files


class LocalStore:
    """Today's behaviour: files under {output_dir}/{id}/, written through save_outputs."""

    kind = "local"

    def __init__(self, root: Path) -> None:
        self.root = root

    def folder(self, result_id: str) -> Path:
        return self.root / check_id(result_id)

    def put(self, result_id: str, name: str, data: bytes, content_type: str) -> None:
        path = self.folder(result_id) / check_name(name)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(tmp, path)
                fsync_dir(path.parent)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise self._failed("write", result_id, name, exc) from exc

    def save_result(
        self, result_id: str, rendered: dict[str, str], figures: dict[str, bytes] | None = None
    ) -> None:
        for name in figures or {}:
            check_name(name)
        folder = self.folder(result_id)
        try:
            save_outputs(folder, rendered, figures)
        except OSError as exc:
            shutil.rmtree(folder, ignore_errors=True)  # no half result left behind
            raise self._failed("write", result_id, "", exc) from exc

    def get(self, result_id: str, name: str) -> bytes:
        try:
            return (self.folder(result_id) / check_name(name)).read_bytes()
        except FileNotFoundError as exc:
            raise ResultMissing(f"result {result_id} has no file {name!r}") from exc
        except OSError as exc:
            raise self._failed("read", result_id, name, exc) from exc

    def names(self, result_id: str) -> list[str]:
        folder = self.folder(result_id)
        try:
            found = [p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()]
        except OSError as exc:
            raise self._failed("list", result_id, "", exc) from exc
        # Files being written (.name.xxxx temp files) are not part of the result.
        names = [p.relative_to(folder).as_posix() for p in found]
        return sorted(n for n in names if not any(part.startswith(".") for part in n.split("/")))

    def delete(self, result_id: str, under: str = "") -> int:
        target = self.folder(result_id) / check_name(under, allow_empty=True)
        try:
            if target.is_symlink() or target.is_file():
                target.unlink()
                return 1
            if not target.is_dir():
                return 0
            count = sum(1 for p in target.rglob("*") if not p.is_dir())
            shutil.rmtree(target)
            return count
        except OSError as exc:
            raise self._failed("delete", result_id, under, exc) from exc

    def url(self, result_id: str, name: str, expires: int | None = None) -> str | None:
        return None

    def check(self) -> str:
        if self.root.is_dir() and os.access(self.root, os.W_OK):
            return "reachable"
        return f"output_dir {self.root} is not a writable folder"

    @staticmethod
    def _failed(action: str, result_id: str, name: str, exc: OSError) -> StorageFailed:
        # The OS's reason, not the path: the message may reach a client.
        where = f"{result_id}/{name}" if name else result_id
        return StorageFailed(
            f"could not {action} result {where} in output_dir: {exc.strerror or exc}",
            store="local",
        )


def create_store(settings: Settings) -> ResultStore:
    """The store DOCPARSE_STORAGE names. Nothing connects here: S3 is reached on first use."""
    if settings.storage == "s3":
        from docparse.export.s3 import S3Store

        return S3Store(settings.s3)
    return LocalStore(settings.output_dir)
