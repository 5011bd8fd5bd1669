"""Documents read from s3://bucket/key sources, with the DOCPARSE_S3_* endpoint and
credentials (the client and the error wording of export/s3.py), only from the buckets
DOCPARSE_S3_SOURCE_BUCKETS lists and never under the service's own results prefix. A bad
bucket name or key, a bucket not listed, and a missing or forbidden object are
InvalidOptions (the caller named it; missing and forbidden in the same words, so a caller
cannot tell which buckets or keys exist); one over the upload limit LimitExceeded; a store
that cannot be reached StorageFailed (the endpoint and S3's words go to the log, not to
the caller)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from docparse.errors import InvalidOptions, LimitExceeded, StorageFailed
from docparse.export.s3 import describe, make_client, meaning, secret_value
from docparse.settings import S3_BUCKET, S3Settings, Settings

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

log = logging.getLogger(__name__)
CHUNK = 1024 * 1024
MAX_KEY_BYTES = 1024  # S3's limit on a key, in UTF-8 bytes
SHOWN = 80  # characters of a caller's URI repeated in an error

_source_clients: dict[tuple[Any, ...], S3Client] = {}
_source_lock = threading.Lock()


def _shown(uri: str) -> str:
    return repr(uri if len(uri) <= SHOWN else uri[:SHOWN] + "…")


def parse_s3_uri(uri: str) -> tuple[str, str]:
    """s3://bucket/key → (bucket, key), both within S3's rules (a bucket name of 3-63
    lowercase letters, digits, '.' and '-'; a key of 1 to 1024 bytes). The key is
    everything after the bucket, '?' and '#' included (they are legal in keys)."""
    if not uri.startswith("s3://"):
        raise InvalidOptions(f"not an s3:// URI: {_shown(uri)}", field="source.s3")
    bucket, _, key = uri[len("s3://") :].partition("/")
    if not bucket or not key:
        raise InvalidOptions(
            f"an S3 source is s3://bucket/key, got {_shown(uri)}", field="source.s3"
        )
    if not S3_BUCKET.fullmatch(bucket):
        raise InvalidOptions(
            f"an S3 source is s3://bucket/key, got {_shown(uri)}: a bucket name is 3-63 "
            "lowercase letters, digits, '.' and '-' (S3's naming rules)",
            field="source.s3",
        )
    if len(key.encode("utf-8", "surrogatepass")) > MAX_KEY_BYTES:
        raise InvalidOptions(
            f"the key of the S3 source {_shown(uri)} is longer than S3's {MAX_KEY_BYTES} bytes",
            field="source.s3",
        )
    return bucket, key


def _source_client(s3: S3Settings) -> S3Client:
    fingerprint = (
        s3.endpoint_url,
        s3.region,
        s3.access_key_id,
        secret_value(s3.secret_access_key),
        s3.addressing_style,
        s3.connect_timeout,
        s3.timeout,
        s3.retries,
    )
    with _source_lock:
        if fingerprint not in _source_clients:
            _source_clients[fingerprint] = make_client(s3)
        return _source_clients[fingerprint]


def _copy_source(uri: str, settings: Settings, write: Callable[[bytes], object]) -> int:
    bucket, key = parse_s3_uri(uri)
    s3 = settings.s3
    if not (settings.storage == "s3" or s3.endpoint_url or s3.access_key_id):
        raise InvalidOptions(
            "s3:// sources are not enabled: set DOCPARSE_S3_ENDPOINT_URL or the "
            "DOCPARSE_S3_ACCESS_KEY_ID/SECRET_ACCESS_KEY the service reads them with"
        )
    # The service's credentials may reach many buckets: a caller reads only from those
    # the operator lists (none by default).
    allowed = s3.source_buckets.split(",") if s3.source_buckets else []
    if bucket not in allowed:
        raise InvalidOptions(
            f"bucket {bucket!r} is not one DOCPARSE_S3_SOURCE_BUCKETS allows s3:// sources from"
            if allowed
            else "s3:// sources are off: DOCPARSE_S3_SOURCE_BUCKETS names no bucket to read "
            "them from",
            field="source.s3",
        )
    results = f"{s3.prefix}/" if s3.prefix else ""
    if bucket == s3.bucket and key.startswith(results):
        # The service's credentials reach every stored result: a caller may not name one.
        raise InvalidOptions(f"{uri} is under the service's own results; not a source")
    limit = settings.max_upload_bytes
    too_big = LimitExceeded(
        f"{uri} is over the upload limit of {limit:,} bytes (DOCPARSE_MAX_UPLOAD_BYTES)",
        limit="max_upload_bytes",
    )
    try:
        answer = _source_client(s3).get_object(Bucket=bucket, Key=key)
    except (ClientError, BotoCoreError) as exc:
        what = meaning(exc)
        where = s3.endpoint_url or "AWS S3"
        log.warning("s3 source %s from %s: %s: %s", uri, where, what, describe(exc))
        if what in ("not found", "access denied"):
            # One answer for a missing bucket, a missing key and a forbidden object.
            raise InvalidOptions(
                f"cannot read the source {uri}: no such object, or the service may not read it",
                field="source.s3",
            ) from exc
        raise StorageFailed(
            f"cannot read the source {uri} from the object store: {what}", source=uri
        ) from exc
    size = 0
    body = answer["Body"]
    try:
        if answer.get("ContentLength", 0) > limit:
            raise too_big
        for chunk in body.iter_chunks(CHUNK):
            size += len(chunk)
            if size > limit:  # a length that lied, or none
                raise too_big
            write(chunk)
    except BotoCoreError as exc:
        log.warning("s3 source %s broke off after %d bytes: %s", uri, size, describe(exc))
        raise StorageFailed(
            f"reading the source {uri} broke off after {size:,} bytes", source=uri
        ) from exc
    finally:
        body.close()
    return size


def read_s3_source(uri: str, settings: Settings) -> bytes:
    """The object at s3://bucket/key, read with the DOCPARSE_S3_* endpoint and credentials,
    at most max_upload_bytes (LimitExceeded past it). A missing or forbidden object is
    InvalidOptions (the caller named it); a store that cannot be reached, StorageFailed.
    Blocking: call it in a thread."""
    chunks: list[bytes] = []
    _copy_source(uri, settings, chunks.append)
    return b"".join(chunks)


def download_s3_source(uri: str, settings: Settings, path: Path) -> int:
    """read_s3_source streamed to `path` (removed on failure); the bytes written."""
    try:
        with path.open("wb") as handle:
            return _copy_source(uri, settings, handle.write)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
