"""A job's input, on disk and fsynced before the job is accepted: an upload (streamed to
the file, counted against the upload limit), a URL (through io/fetch's SSRF-safe fetcher),
Base64 in the JSON body (standard or URL-safe, wrapped or not), or an s3://bucket/key
object (export/s3_source.py, with DOCPARSE_STORAGE=s3, from DOCPARSE_S3_SOURCE_BUCKETS).
A file name is kept to MAX_FILENAME_BYTES."""

from __future__ import annotations

import asyncio
import base64
import binascii
import functools
import os
import re
from collections.abc import AsyncIterator, Callable
from pathlib import Path, PurePosixPath
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field

from docparse.errors import InvalidOptions, LimitExceeded
from docparse.export.storage import fsync_dir
from docparse.io.fetch import FetchPolicy, fetch
from docparse.io.sniff import sniff
from docparse.settings import Settings


class UrlSource(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = Field(description="an http(s) URL, fetched once when the job is submitted")


class Base64Source(BaseModel):
    model_config = ConfigDict(extra="forbid")
    base64: str = Field(description="the document, Base64-encoded")
    filename: str | None = Field(None, description="its name, for the record")


class S3Source(BaseModel):
    model_config = ConfigDict(extra="forbid")
    s3: str = Field(
        description="s3://bucket/key (needs DOCPARSE_STORAGE=s3 and the bucket in "
        "DOCPARSE_S3_SOURCE_BUCKETS)"
    )


JobSource = UrlSource | Base64Source | S3Source
SourceKind = Literal["upload", "url", "base64", "s3"]


def kind_of(source: JobSource) -> SourceKind:
    if isinstance(source, UrlSource):
        return "url"
    if isinstance(source, Base64Source):
        return "base64"
    return "s3"


def too_big(max_bytes: int) -> LimitExceeded:
    return LimitExceeded(
        f"file is over the upload limit of {max_bytes:,} bytes (DOCPARSE_MAX_UPLOAD_BYTES)",
        limit="max_upload_bytes",
    )


def _partial(path: Path) -> Path:
    return path.with_name(f".{path.name}.part")


def _commit(partial: Path, path: Path) -> None:
    """The partial file, synced, becomes the input; the rename is synced too."""
    with partial.open("rb+") as handle:
        os.fsync(handle.fileno())
    os.replace(partial, path)
    fsync_dir(path.parent)


def _check_type(path: Path) -> None:
    with path.open("rb") as handle:
        sniff(handle.read(2048))  # 415 for what no route reads, 422 for an empty file


async def save_stream(chunks: AsyncIterator[bytes], path: Path, max_bytes: int) -> None:
    """An upload's bytes to `path`, durably, within the limit."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = _partial(path)
    size = 0
    try:
        with partial.open("wb") as handle:
            async for chunk in chunks:
                size += len(chunk)
                if size > max_bytes:
                    raise too_big(max_bytes)
                await asyncio.to_thread(handle.write, chunk)
        await asyncio.to_thread(_check_type, partial)
        await asyncio.to_thread(_commit, partial, path)
    finally:
        partial.unlink(missing_ok=True)


def _save(path: Path, fill: Callable[[Path], object]) -> None:
    """`fill` writes the document to a partial file; checked, it becomes `path`, durably."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = _partial(path)
    try:
        fill(partial)
        _check_type(partial)
        _commit(partial, path)
    finally:
        partial.unlink(missing_ok=True)


MAX_FILENAME_BYTES = 255  # a file name as file systems hold it, in UTF-8
MAX_EXTENSION = 16  # characters of a suffix kept when a long name is cut
ASCII_SPACE = re.compile(r"[ \t\n\r\f\v]+")
URL_SAFE = str.maketrans("-_", "+/")


def bounded_filename(name: str | None) -> str | None:
    """The name within MAX_FILENAME_BYTES of UTF-8: a longer one is cut in its stem, its
    extension ('.pdf') kept."""
    if name is None or len(name.encode("utf-8", "surrogatepass")) <= MAX_FILENAME_BYTES:
        return name
    suffix = PurePosixPath(name).suffix
    if len(suffix) > MAX_EXTENSION or len(suffix) == len(name):
        suffix = ""
    room = MAX_FILENAME_BYTES - len(suffix.encode("utf-8", "surrogatepass"))
    stem = name[: len(name) - len(suffix)].encode("utf-8", "surrogatepass")[:room]
    return stem.decode("utf-8", "ignore") + suffix


def decode_base64(text: str, max_bytes: int) -> bytes:
    """Base64 as people send it: wrapped in lines (MIME, the `base64` tool), in the
    standard or the URL-safe alphabet, padded or not. Anything else is refused (422)."""
    text = ASCII_SPACE.sub("", text)
    if len(text) > max_bytes * 4 // 3 + 4:
        raise too_big(max_bytes)
    if "-" in text or "_" in text:
        if "+" in text or "/" in text:  # two alphabets mixed: not one encoding
            raise InvalidOptions("source.base64 is not valid Base64", field="source.base64")
        text = text.translate(URL_SAFE)
    if len(text) % 4 and "=" not in text:  # URL-safe Base64 often leaves the padding out
        text += "=" * (-len(text) % 4)
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidOptions("source.base64 is not valid Base64", field="source.base64") from exc


def url_filename(url: str) -> str | None:
    try:
        name = PurePosixPath(urlsplit(url).path).name
    except ValueError:
        return None
    return name or None


async def save_source(
    source: JobSource, path: Path, policy: FetchPolicy, settings: Settings
) -> str | None:
    """The source's document to `path`, durably; returns its file name when it has one."""
    if isinstance(source, S3Source):
        if settings.storage != "s3":
            raise InvalidOptions("S3 sources need DOCPARSE_STORAGE=s3", source="s3")
        from docparse.export.s3_source import download_s3_source  # boto3 only when used

        await asyncio.to_thread(
            _save, path, functools.partial(download_s3_source, source.s3, settings)
        )
        return PurePosixPath(source.s3).name or None
    if isinstance(source, UrlSource):
        data = await fetch(source.url, policy)
        filename = url_filename(source.url)
    else:
        data = decode_base64(source.base64, policy.max_bytes)
        filename = source.filename
    await asyncio.to_thread(_save, path, lambda target: target.write_bytes(data))
    return filename
