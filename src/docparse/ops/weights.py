"""`docparse models`: fetch the VLM and layout weights ahead of time (at image build), so a
container starts with no network.

The catalog (`docparse/data/models.json`) pins each model to a repository revision and
each file to a SHA-256. A file without a pin (`"sha256": null`, where no published hash
could be found) is refused unless `--allow-unpinned` is given; then its computed hash is
printed so it can be pinned. Downloads stream to `<file>.part`, resume it with an HTTP
Range request, are verified, then renamed into place; a file already present with the
right hash is skipped.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import Any

import httpx

from docparse.errors import ConfigurationError, DocparseError

DEFAULT_BASE_URL = "https://huggingface.co"
CHUNK = 1 << 20
# Transient answers worth another try; anything else (401, 403, 404...) will not improve.
RETRY_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})


class ModelDownloadError(DocparseError):
    code = "model_download_failed"


class UnpinnedFile(ModelDownloadError):
    code = "model_file_unpinned"


class HashMismatch(ModelDownloadError):
    code = "model_hash_mismatch"


@dataclass(frozen=True)
class ModelFile:
    path: str  # relative to the model folder
    url: str
    sha256: str | None
    size: int | None = None


@dataclass(frozen=True)
class ModelSpec:
    name: str
    repo: str
    revision: str
    kind: str
    description: str
    default: bool
    files: tuple[ModelFile, ...]
    hash_sources: tuple[str, ...] = ()
    note: str = ""

    @property
    def unpinned(self) -> list[ModelFile]:
        return [f for f in self.files if f.sha256 is None]

    @property
    def total_size(self) -> int | None:
        sizes = [f.size for f in self.files]
        return None if any(s is None for s in sizes) else sum(s or 0 for s in sizes)


def _safe_path(raw: str, model: str) -> str:
    path = PurePosixPath(raw)
    if path.is_absolute() or not path.parts or ".." in path.parts:
        raise ConfigurationError(f"model {model}: unsafe file path {raw!r} in the catalog")
    return str(path)


def _sha256(value: Any, where: str) -> str | None:
    if value is None:
        return None
    if not (
        isinstance(value, str)
        and len(value) == 64
        and all(c in "0123456789abcdef" for c in value.lower())
    ):
        raise ConfigurationError(f"{where}: sha256 must be 64 hex digits or null")
    return value.lower()


def parse_catalog(data: dict[str, Any]) -> list[ModelSpec]:
    specs = []
    for entry in data.get("models", []):
        name = entry["name"]
        files = tuple(
            ModelFile(
                path=_safe_path(f["path"], name),
                url=f["url"],
                sha256=_sha256(f.get("sha256"), f"{name}/{f['path']}"),
                size=f.get("size"),
            )
            for f in entry["files"]
        )
        specs.append(
            ModelSpec(
                name=name,
                repo=entry["repo"],
                revision=entry["revision"],
                kind=entry.get("kind", ""),
                description=entry.get("description", ""),
                default=bool(entry.get("default", False)),
                files=files,
                hash_sources=tuple(entry.get("hash_sources", ())),
                note=entry.get("note", ""),
            )
        )
    return specs


def load_catalog(path: Path | None = None) -> list[ModelSpec]:
    """The packaged catalog, or another file of the same shape."""
    try:
        if path is None:
            text = resources.files("docparse").joinpath("data/models.json").read_text("utf-8")
        else:
            text = path.read_text(encoding="utf-8")
        return parse_catalog(json.loads(text))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigurationError(
            f"cannot read the model catalog {path or 'docparse/data/models.json'}: {exc}"
        ) from exc


def select(catalog: list[ModelSpec], only: Iterable[str] | None) -> list[ModelSpec]:
    """The named models (case-insensitive), else the ones marked default."""
    names = [n for n in (only or []) if n]
    if not names:
        return [m for m in catalog if m.default]
    by_name = {m.name.lower(): m for m in catalog}
    unknown = [n for n in names if n.lower() not in by_name]
    if unknown:
        raise ConfigurationError(
            f"unknown model {', '.join(unknown)}; the catalog has "
            f"{', '.join(m.name for m in catalog)}"
        )
    return list(dict.fromkeys(by_name[n.lower()] for n in names))


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def rebase(url: str, base_url: str | None) -> str:
    """Point a catalog URL at a mirror (HF_ENDPOINT style): the default host is replaced."""
    if base_url and url.startswith(DEFAULT_BASE_URL + "/"):
        return base_url.rstrip("/") + url[len(DEFAULT_BASE_URL) :]
    return url


def human(size: int | None) -> str:
    if size is None:
        return "size unknown"
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{size} B"  # pragma: no cover


@dataclass
class FetchResult:
    path: Path
    status: str  # "present" | "downloaded"
    sha256: str
    pinned: bool


@dataclass
class Downloader:
    """Fetches one file at a time with resume, verification and retries."""

    base_url: str | None = None
    token: str | None = None
    retries: int = 5
    backoff: float = 1.0  # seconds, doubled per retry
    max_backoff: float = 30.0
    timeout: float = 60.0  # per read; a stalled connection is retried, not waited on
    progress_every: int = 200_000_000  # bytes between progress lines (a build log shows life)
    log: Callable[[str], None] = print
    sleep: Callable[[float], None] = time.sleep
    _client: httpx.Client | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, **kwargs: Any) -> Downloader:
        """DOCPARSE_MODELS_BASE_URL (or HF_ENDPOINT) for a mirror, HF_TOKEN for gated repos."""
        base = os.environ.get("DOCPARSE_MODELS_BASE_URL") or os.environ.get("HF_ENDPOINT") or None
        token = os.environ.get("HF_TOKEN") or os.environ.get("HUGGING_FACE_HUB_TOKEN") or None
        return cls(base_url=base, token=token, **kwargs)

    def __enter__(self) -> Downloader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            # httpx drops Authorization when a redirect leaves the origin, so the token
            # goes to the hub and not to the CDN it redirects to.
            headers = {"User-Agent": "docparse-models"}
            if self.token:
                headers["Authorization"] = f"Bearer {self.token}"
            self._client = httpx.Client(
                headers=headers,
                follow_redirects=True,
                timeout=httpx.Timeout(self.timeout, connect=min(30.0, self.timeout)),
            )
        return self._client

    def fetch(self, file: ModelFile, target: Path, *, allow_unpinned: bool = False) -> FetchResult:
        """Make `target` hold `file`, verified; download only what is missing."""
        if file.sha256 is None and not allow_unpinned:
            raise UnpinnedFile(
                f"{target}: no SHA-256 pinned in the catalog "
                "(pass --allow-unpinned to fetch it and print its hash)"
            )
        if target.is_file():
            if file.size is None or target.stat().st_size == file.size:
                digest = file_sha256(target)
                if file.sha256 is None or digest == file.sha256:
                    return FetchResult(target, "present", digest, file.sha256 is not None)
            # Known bad: remove it now so nothing loads it if the download below fails.
            self.log(f"  {target.name}: present but not the pinned file; fetching again")
            target.unlink()
        target.parent.mkdir(parents=True, exist_ok=True)
        part = target.with_name(target.name + ".part")
        url = rebase(file.url, self.base_url)
        attempt = 0
        fresh_retry_done = False
        while True:
            resumed_from = part.stat().st_size if part.is_file() else 0
            try:
                self._transfer(url, part, file.size, target.name)
            except _Retryable as exc:
                attempt += 1
                if attempt > self.retries:
                    raise ModelDownloadError(
                        f"{url}: {exc} (gave up after {self.retries} retries)"
                    ) from None
                delay = min(self.backoff * 2 ** (attempt - 1), self.max_backoff)
                self.log(f"  {target.name}: {exc}; retry {attempt}/{self.retries} in {delay:.0f} s")
                self.sleep(delay)
                continue
            digest = file_sha256(part)
            if file.sha256 is None or digest == file.sha256:
                break
            part.unlink()
            if resumed_from and not fresh_retry_done:
                # The bytes kept from an earlier attempt may be the bad ones: once, from 0.
                fresh_retry_done = True
                self.log(
                    f"  {target.name}: SHA-256 mismatch after resuming; "
                    "downloading it whole once more"
                )
                continue
            raise HashMismatch(
                f"{url}: SHA-256 is {digest}, the catalog pins {file.sha256}; the file was not kept"
            )
        with part.open("rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(part, target)
        return FetchResult(target, "downloaded", digest, file.sha256 is not None)

    def _transfer(self, url: str, part: Path, size: int | None, name: str) -> None:
        """Append the rest of `url` to `part` (Range from its current size)."""
        offset = part.stat().st_size if part.is_file() else 0
        if size is not None and offset > size:
            part.unlink()  # longer than the file can be: nothing in it is trustworthy
            offset = 0
        if size is not None and offset == size:
            return  # complete already; the hash decides
        headers = {"Range": f"bytes={offset}-"} if offset else {}
        try:
            with self.client.stream("GET", url, headers=headers) as response:
                if response.status_code == 416 and offset:
                    # Nothing after `offset`: either complete (the hash will tell) or a
                    # part from another file version; start over if it is not complete.
                    if size is None:
                        return
                    part.unlink()
                    raise _Retryable("server refused the resume range; restarting")
                if response.status_code in RETRY_STATUS:
                    raise _Retryable(f"HTTP {response.status_code}")
                if response.status_code not in (200, 206):
                    raise ModelDownloadError(
                        f"{url}: HTTP {response.status_code} {response.reason_phrase}".rstrip()
                    )
                mode = "ab"
                if offset and response.status_code == 200:
                    mode = "wb"  # the server ignored Range and sends it all
                    offset = 0
                if offset:
                    self.log(f"  {name}: resuming at {human(offset)}")
                with part.open(mode) as out:
                    written = offset
                    next_report = offset + self.progress_every
                    # No chunk_size: a re-chunking buffer would lose its tail on a cut-off.
                    for chunk in response.iter_bytes():
                        out.write(chunk)
                        written += len(chunk)
                        if size is not None and written > size:
                            raise _Retryable(f"more than the expected {size} bytes")
                        if written >= next_report:
                            total = f" of {human(size)}" if size is not None else ""
                            self.log(f"  {name}: {human(written)}{total}")
                            next_report = written + self.progress_every
        except httpx.TransportError as exc:
            raise _Retryable(f"{type(exc).__name__}: {exc}") from exc
        if size is not None and part.stat().st_size < size:
            raise _Retryable(f"connection closed at {part.stat().st_size} of {size} bytes")


class _Retryable(Exception):
    pass


def download_models(
    specs: list[ModelSpec], dest: Path, downloader: Downloader, *, allow_unpinned: bool = False
) -> list[FetchResult]:
    """Every file of every model under `dest/<model name>/`. Unpinned files are refused
    before anything is fetched, so a build does not download gigabytes and then fail."""
    if not allow_unpinned:
        missing = [f"{m.name}/{f.path}" for m in specs for f in m.unpinned]
        if missing:
            raise UnpinnedFile(
                "no SHA-256 is pinned for "
                + ", ".join(missing)
                + "; pass --allow-unpinned to fetch them anyway (their "
                "hashes are printed so they can be pinned)"
            )
    log = downloader.log
    results = []
    for spec in specs:
        folder = dest / spec.name
        log(f"{spec.name}: {spec.repo}@{spec.revision[:12]} -> {folder} ({human(spec.total_size)})")
        for file in spec.files:
            started = time.monotonic()
            result = downloader.fetch(file, folder / file.path, allow_unpinned=allow_unpinned)
            results.append(result)
            took = time.monotonic() - started
            if result.status == "present":
                log(f"  {file.path}: present, verified")
            else:
                log(f"  {file.path}: downloaded {human(file.size)} in {took:.1f} s")
            if not result.pinned:
                log(
                    f"  UNPINNED {spec.name}/{file.path} sha256 {result.sha256} "
                    "(add it to the catalog to pin it)"
                )
    return results
