"""Results in an S3-compatible store (s3:// sources are read in export/s3_source.py with
the client made here).

Any S3-compatible store over SigV4: AWS, MinIO, moto, and Cloud.ru Object Storage
(endpoint https://s3.cloud.ru, region ru-central-1, access key `<tenant_id>:<key_id>`,
path-style addressing). Every failure becomes StorageFailed with S3's own code and message
in it."""

from __future__ import annotations

import contextlib
import threading
import time
from typing import TYPE_CHECKING

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    HTTPClientError,
    NoCredentialsError,
    ReadTimeoutError,
)
from botocore.exceptions import ConnectionError as BotoConnectionError
from pydantic import SecretStr

from docparse.errors import ResultMissing, StorageFailed
from docparse.export.storage import check_id, check_name, result_files
from docparse.settings import S3Settings

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

CHECK_TTL = 5.0  # seconds a /health answer about the bucket is reused
# S3's error codes by what they mean for whoever reads the message.
CREDENTIAL_CODES = frozenset(
    {
        "InvalidAccessKeyId",
        "SignatureDoesNotMatch",
        "InvalidToken",
        "ExpiredToken",
        "TokenRefreshRequired",
        "AuthorizationHeaderMalformed",
        "InvalidSecurity",
        "InvalidClientTokenId",
    }
)
MISSING_CODES = frozenset({"NoSuchBucket", "NoSuchKey", "404", "NotFound"})
DENIED_CODES = frozenset({"AccessDenied", "403", "Forbidden", "AllAccessDisabled"})
# Stores that refuse DeleteObjects without Content-MD5 (botocore now sends a CRC32):
# one DeleteObject per key instead.
BATCH_DELETE_REFUSED = frozenset(
    {"MissingContentMD5", "InvalidRequest", "NotImplemented", "InvalidDigest", "BadDigest"}
)


def secret_value(value: SecretStr | str | None) -> str | None:
    # A copy made with model_copy(update=...) skips validation: a plain str then.
    return value.get_secret_value() if isinstance(value, SecretStr) else value


def make_client(
    s3: S3Settings,
    *,
    connect_timeout: float | None = None,
    read_timeout: float | None = None,
    attempts: int | None = None,
) -> S3Client:
    """A SigV4 client for the configured endpoint. Checksums only where an operation
    requires one: newer botocore adds CRC32 headers to every upload by default, which
    several S3-compatible stores refuse."""
    config = Config(
        region_name=s3.region,
        signature_version="s3v4",
        s3={"addressing_style": s3.addressing_style},
        connect_timeout=connect_timeout or s3.connect_timeout,
        read_timeout=read_timeout or s3.timeout,
        retries={"mode": "standard", "total_max_attempts": attempts or s3.retries + 1},
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
        user_agent_extra="docparse",
    )
    session = boto3.session.Session()  # a session per client: sessions are not thread-safe
    return session.client(
        "s3",
        endpoint_url=s3.endpoint_url or None,
        region_name=s3.region,
        aws_access_key_id=s3.access_key_id or None,
        aws_secret_access_key=secret_value(s3.secret_access_key) or None,
        config=config,
    )


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code") or "")


def describe(exc: Exception) -> str:
    """S3's own words: 'NoSuchBucket: The specified bucket does not exist (HTTP 404)', or
    botocore's for a connection ('Could not connect to the endpoint URL: ...')."""
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        code = error.get("Code") or "?"
        message = error.get("Message") or ""
        text = f"{code}: {message}" if message and message != code else code
        return f"{text} (HTTP {status})" if status else text
    return str(exc) or type(exc).__name__


def meaning(exc: Exception) -> str:
    """What an error says about the setup, in a few words."""
    if isinstance(exc, NoCredentialsError):
        return "no credentials (set DOCPARSE_S3_ACCESS_KEY_ID and DOCPARSE_S3_SECRET_ACCESS_KEY)"
    if isinstance(exc, ClientError):
        code = error_code(exc)
        if code in CREDENTIAL_CODES:
            return "bad credentials"
        if code in DENIED_CODES:
            return "access denied"
        if code in MISSING_CODES:
            return "not found"
        return "refused"
    if isinstance(exc, ReadTimeoutError):
        return "no answer in time"
    if isinstance(exc, (BotoConnectionError, HTTPClientError)):
        return "endpoint unreachable"
    return "failed"


class S3Store:
    """Results under s3://{bucket}/{prefix}/{id}/ (ResultStore). The client is made on first
    use, so building the app connects to nothing."""

    kind = "s3"

    def __init__(self, s3: S3Settings, check_ttl: float = CHECK_TTL) -> None:
        assert s3.bucket, "storage s3 needs a bucket"
        self.settings = s3
        self.bucket = s3.bucket
        self.prefix = s3.prefix.strip("/")
        self.check_ttl = check_ttl
        self._lock = threading.Lock()
        self._check_lock = threading.Lock()
        self._clients: dict[str, S3Client] = {}
        self._checked: tuple[float, str] | None = None

    @property
    def endpoint(self) -> str:
        return self.settings.endpoint_url or f"AWS S3 ({self.settings.region})"

    def client(self, purpose: str = "work") -> S3Client:
        """'work': the settings' timeouts and retries; 'probe': one quick try for /health."""
        with self._lock:
            if purpose not in self._clients:
                self._clients[purpose] = (
                    make_client(self.settings)
                    if purpose == "work"
                    else make_client(self.settings, connect_timeout=2, read_timeout=5, attempts=1)
                )
            return self._clients[purpose]

    def key(self, result_id: str, name: str = "") -> str:
        parts = [self.prefix, check_id(result_id), check_name(name, allow_empty=True)]
        return "/".join(p for p in parts if p)

    def _failed(self, action: str, key: str, exc: Exception) -> StorageFailed:
        missing = isinstance(exc, ClientError) and error_code(exc) == "NoSuchKey"
        cls = ResultMissing if missing else StorageFailed
        return cls(
            f"S3 {action} of s3://{self.bucket}/{key} failed: {meaning(exc)}: {describe(exc)}",
            store="s3",
            bucket=self.bucket,
            key=key,
            code=error_code(exc) if isinstance(exc, ClientError) else type(exc).__name__,
        )

    def put(self, result_id: str, name: str, data: bytes, content_type: str) -> None:
        key = self.key(result_id, check_name(name))
        try:
            self.client().put_object(
                Bucket=self.bucket, Key=key, Body=data, ContentType=content_type
            )
        except (ClientError, BotoCoreError) as exc:
            raise self._failed("write", key, exc) from exc

    def save_result(
        self, result_id: str, rendered: dict[str, str], figures: dict[str, bytes] | None = None
    ) -> None:
        try:
            for name, data, content_type in result_files(rendered, figures):
                self.put(result_id, name, data, content_type)
        except StorageFailed:
            # No half result left behind; the first error is the one that matters.
            with contextlib.suppress(StorageFailed):
                self.delete(result_id)
            raise

    def get(self, result_id: str, name: str) -> bytes:
        key = self.key(result_id, check_name(name))
        try:
            body = self.client().get_object(Bucket=self.bucket, Key=key)["Body"]
            try:
                return body.read()
            finally:
                body.close()
        except (ClientError, BotoCoreError) as exc:
            raise self._failed("read", key, exc) from exc

    def _keys(self, base: str) -> list[str]:
        keys = []
        pages = self.client().get_paginator("list_objects_v2")
        for page in pages.paginate(Bucket=self.bucket, Prefix=base):
            for item in page.get("Contents", []):
                key = item.get("Key", "")
                # 'abc' must not take 'abcd/': the key itself, or what is under it.
                if key == base or key.startswith(base + "/"):
                    keys.append(key)
        return keys

    def names(self, result_id: str) -> list[str]:
        base = self.key(result_id)
        try:
            keys = self._keys(base)
        except (ClientError, BotoCoreError) as exc:
            raise self._failed("list", base + "/", exc) from exc
        return sorted(k[len(base) + 1 :] for k in keys if k != base)

    def delete(self, result_id: str, under: str = "") -> int:
        base = self.key(result_id, under)
        try:
            keys = self._keys(base)
            self._delete_keys(keys)
        except (ClientError, BotoCoreError) as exc:
            raise self._failed("delete", base + "/", exc) from exc
        return len(keys)

    def _delete_keys(self, keys: list[str]) -> None:
        client = self.client()
        for start in range(0, len(keys), 1000):
            batch = keys[start : start + 1000]
            try:
                answer = client.delete_objects(
                    Bucket=self.bucket,
                    Delete={"Objects": [{"Key": k} for k in batch], "Quiet": True},
                )
            except ClientError as exc:
                if error_code(exc) not in BATCH_DELETE_REFUSED:
                    raise
                for key in batch:
                    client.delete_object(Bucket=self.bucket, Key=key)
                continue
            errors = answer.get("Errors", [])
            if errors:
                first = errors[0]
                raise StorageFailed(
                    f"S3 delete of s3://{self.bucket}/{first.get('Key')} failed: "
                    f"{first.get('Code')}: {first.get('Message')} "
                    f"({len(errors)} of {len(batch)} keys not deleted)",
                    store="s3",
                    bucket=self.bucket,
                    code=first.get("Code"),
                )

    def url(self, result_id: str, name: str, expires: int | None = None) -> str:
        key = self.key(result_id, check_name(name))
        seconds = expires or self.settings.url_expires
        try:  # signed locally: nothing is sent
            url: str = self.client().generate_presigned_url(
                "get_object", Params={"Bucket": self.bucket, "Key": key}, ExpiresIn=seconds
            )
        except (ClientError, BotoCoreError) as exc:
            raise self._failed("presign", key, exc) from exc
        return url

    def check(self) -> str:
        """'reachable' or the exact error, from a HEAD of the bucket; reused for
        check_ttl seconds, and one probe at a time."""
        with self._check_lock:
            now = time.monotonic()
            if self._checked and now - self._checked[0] < self.check_ttl:
                return self._checked[1]
            answer = self._probe()
            self._checked = (time.monotonic(), answer)
            return answer

    def _probe(self) -> str:
        where = f"bucket {self.bucket!r} at {self.endpoint}"
        try:
            client = self.client("probe")
            client.head_bucket(Bucket=self.bucket)
            return "reachable"
        except ClientError as exc:
            error: Exception = exc
            # A HEAD answer has no body, so only '404' or '403': a GET says which error
            # (NoSuchBucket, InvalidAccessKeyId, SignatureDoesNotMatch, AccessDenied…).
            if error_code(exc) in ("400", "403", "404"):
                try:
                    client.list_objects_v2(Bucket=self.bucket, MaxKeys=1)
                except (ClientError, BotoCoreError) as detailed:
                    error = detailed
            if meaning(error) == "not found":
                return f"{where} does not exist: {describe(error)}"
            return f"{where}: {meaning(error)}: {describe(error)}"
        except BotoCoreError as exc:
            return f"{where}: {meaning(exc)}: {describe(exc)}"
        except Exception as exc:  # /health reports what it finds; it never fails on it
            return f"{where}: {type(exc).__name__}: {exc}"
