"""Results in S3, against moto in server mode over real HTTP on a free port: write, presign
and fetch through the presigned URL, delete by prefix, path-style requests; the errors a
misconfigured store gives (missing bucket, bad credentials, endpoint down) in S3's own words;
/health and /v1/convert through the real service; s3:// sources; Cloud.ru's settings."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
import httpx
import pytest
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from moto.server import ThreadedMotoServer
from pydantic import SecretStr, ValidationError

from docparse.errors import InvalidOptions, LimitExceeded, ResultMissing, StorageFailed
from docparse.export.s3 import S3Store
from docparse.export.s3_source import download_s3_source, read_s3_source
from docparse.settings import S3Settings, Settings
from tests.conftest import free_port
from tests.fixtures.service import running, state_of

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256))


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    """moto's S3 over HTTP. 'localhost', not an IP: with an IP botocore goes path-style by
    itself, with a name it would go virtual-hosted (bucket.localhost) unless told."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's access lines
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    _, port = server.get_host_and_port()
    yield f"http://localhost:{port}"
    server.stop()


def s3_settings(endpoint: str, bucket: str, **update: Any) -> S3Settings:
    fields: dict[str, Any] = {
        "endpoint_url": endpoint,
        "bucket": bucket,
        "region": "us-east-1",
        "access_key_id": "testing",
        "secret_access_key": SecretStr("testing"),
        "prefix": "results",
    }
    return S3Settings(**(fields | update))


def admin(endpoint: str, service: str = "s3") -> Any:
    return boto3.session.Session().client(
        service,
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@pytest.fixture
def bucket(endpoint: str) -> str:
    name = f"docparse-{uuid.uuid4().hex[:12]}"
    admin(endpoint).create_bucket(Bucket=name)
    return name


@pytest.fixture
def store(endpoint: str, bucket: str) -> S3Store:
    return S3Store(s3_settings(endpoint, bucket))


def keys(endpoint: str, bucket: str) -> list[str]:
    listed = admin(endpoint).list_objects_v2(Bucket=bucket)
    return sorted(item["Key"] for item in listed.get("Contents", []))


def recorded(store: S3Store, purpose: str = "work") -> list[AWSPreparedRequest]:
    """Every request the store's client sends from now on."""
    seen: list[AWSPreparedRequest] = []

    def hook(request: AWSPreparedRequest, **_: Any) -> None:
        seen.append(request)

    store.client(purpose).meta.events.register("before-send", hook)
    return seen


def test_write_presign_fetch_and_delete_by_prefix(
    endpoint: str, bucket: str, store: S3Store
) -> None:
    doc, neighbour = uuid.uuid4().hex, None
    neighbour = doc + "x"  # shares the prefix 'doc': a delete of doc must leave it alone
    markdown = "# Привет\n\n![](images/p1_0.png)\n"
    store.save_result(doc, {"md": markdown, "json": '{"pages": []}'}, {"images/p1_0.png": PNG})
    store.put(neighbour, "document.md", b"other", "text/markdown")
    assert keys(endpoint, bucket) == sorted(
        [
            f"results/{doc}/document.md",
            f"results/{doc}/document.json",
            f"results/{doc}/images/p1_0.png",
            f"results/{neighbour}/document.md",
        ]
    )
    assert store.names(doc) == ["document.json", "document.md", "images/p1_0.png"]
    assert store.get(doc, "document.md") == markdown.encode()
    head = admin(endpoint).head_object(Bucket=bucket, Key=f"results/{doc}/document.md")
    assert head["ContentType"] == "text/markdown; charset=utf-8"

    for name, expected in (("document.md", markdown.encode()), ("images/p1_0.png", PNG)):
        url = store.url(doc, name, expires=120)
        parts = urlsplit(url)
        query = parse_qs(parts.query)
        assert parts.path == f"/{bucket}/results/{doc}/{name}"  # path-style
        assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]  # SigV4
        assert query["X-Amz-Expires"] == ["120"]
        fetched = httpx.get(url)  # a plain HTTP client, no credentials
        assert fetched.status_code == 200
        assert fetched.content == expected

    assert store.delete(doc, "images") == 1
    assert store.names(doc) == ["document.json", "document.md"]
    assert store.delete(doc) == 2
    assert store.names(doc) == []
    assert store.delete(doc) == 0
    with pytest.raises(ResultMissing, match="NoSuchKey"):
        store.get(doc, "document.md")
    assert keys(endpoint, bucket) == [f"results/{neighbour}/document.md"]


def test_requests_are_path_style(endpoint: str, bucket: str, store: S3Store) -> None:
    seen = recorded(store)
    doc = uuid.uuid4().hex
    store.save_result(doc, {"md": "x", "json": "{}"})
    store.get(doc, "document.md")
    store.delete(doc)
    assert len(seen) >= 5
    for request in seen:
        parts = urlsplit(request.url)
        assert parts.netloc == urlsplit(endpoint).netloc  # never bucket.localhost
        assert parts.path.startswith(f"/{bucket}")
        assert request.headers["Authorization"].startswith(b"AWS4-HMAC-SHA256 Credential=")
    # What the setting prevents: virtual-hosted style puts the bucket in the host name.
    virtual = S3Store(s3_settings(endpoint, bucket, addressing_style="virtual"))
    assert urlsplit(virtual.url(doc, "document.md")).netloc.startswith(f"{bucket}.localhost")


def test_health_check_is_cached(bucket: str, store: S3Store) -> None:
    seen = recorded(store, "probe")
    assert store.check() == "reachable"
    assert store.check() == "reachable"
    assert [r.method for r in seen] == ["HEAD"]
    store.check_ttl = 0
    assert store.check() == "reachable"
    assert len(seen) == 2


def test_a_missing_bucket_is_a_clear_error(endpoint: str) -> None:
    store = S3Store(s3_settings(endpoint, "no-such-bucket-here"))
    answer = store.check()
    assert answer.startswith(f"bucket 'no-such-bucket-here' at {endpoint} does not exist")
    assert "NoSuchBucket" in answer
    with pytest.raises(StorageFailed, match="NoSuchBucket") as failed:
        store.save_result(uuid.uuid4().hex, {"md": "x", "json": "{}"})
    assert not isinstance(failed.value, ResultMissing)  # a broken store, not a missing file
    assert failed.value.details["code"] == "NoSuchBucket"


def test_an_endpoint_that_is_down_is_a_clear_error() -> None:
    closed = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    store = S3Store(s3_settings(closed, "docparse", connect_timeout=1, retries=0))
    answer = store.check()
    assert "endpoint unreachable" in answer
    assert f'Could not connect to the endpoint URL: "{closed}/docparse"' in answer
    with pytest.raises(StorageFailed, match="endpoint unreachable"):
        store.put(uuid.uuid4().hex, "document.md", b"x", "text/markdown")


@pytest.fixture
def authenticating(endpoint: str, bucket: str) -> Iterator[tuple[str, str]]:
    """moto checks no credentials unless told: an IAM user with an S3 policy is made while
    it does not, then /moto-api/reset-auth turns the checks on (signature and key) until the
    test ends. Yields that user's key pair."""
    iam = admin(endpoint, "iam")
    user = f"docparse-{uuid.uuid4().hex[:8]}"
    iam.create_user(UserName=user)
    iam.put_user_policy(
        UserName=user,
        PolicyName="s3",
        PolicyDocument='{"Version": "2012-10-17", "Statement": '
        '[{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}',
    )
    key = iam.create_access_key(UserName=user)["AccessKey"]
    httpx.post(f"{endpoint}/moto-api/reset-auth", content=b"0").raise_for_status()
    try:
        yield key["AccessKeyId"], key["SecretAccessKey"]
    finally:
        httpx.post(f"{endpoint}/moto-api/reset-auth", content=b"inf").raise_for_status()


def test_bad_credentials_are_a_clear_error(
    endpoint: str, bucket: str, authenticating: tuple[str, str]
) -> None:
    key_id, secret = authenticating
    good = S3Store(s3_settings(endpoint, bucket, access_key_id=key_id, secret_access_key=secret))
    assert good.check() == "reachable"
    doc = uuid.uuid4().hex
    good.save_result(doc, {"md": "signed", "json": "{}"})
    assert good.get(doc, "document.md") == b"signed"

    # A key the store does not know, in Cloud.ru's <tenant_id>:<key_id> shape.
    unknown = S3Store(s3_settings(endpoint, bucket, access_key_id="tenant-1:key-1"))
    answer = unknown.check()
    assert answer.startswith(f"bucket '{bucket}' at {endpoint}: bad credentials: ")
    assert "InvalidAccessKeyId" in answer
    with pytest.raises(StorageFailed, match="bad credentials: InvalidAccessKeyId"):
        unknown.save_result(uuid.uuid4().hex, {"md": "x", "json": "{}"})

    wrong_secret = S3Store(
        s3_settings(endpoint, bucket, access_key_id=key_id, secret_access_key="not-it")
    )
    assert "bad credentials: SignatureDoesNotMatch" in wrong_secret.check()
    with pytest.raises(StorageFailed, match="SignatureDoesNotMatch"):
        wrong_secret.get(doc, "document.md")


def test_cloud_ru_settings_sign_path_style_sigv4_for_ru_central_1(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The documented environment, read as it would be in a deployment.
    for name, value in {
        "DOCPARSE_STORAGE": "s3",
        "DOCPARSE_S3_ENDPOINT_URL": "https://s3.cloud.ru",
        "DOCPARSE_S3_BUCKET": "docs",
        "DOCPARSE_S3_REGION": "ru-central-1",
        "DOCPARSE_S3_ACCESS_KEY_ID": "0a1b2c3d-tenant:f00dkey",
        "DOCPARSE_S3_SECRET_ACCESS_KEY": "s3cr3t",
        "DOCPARSE_S3_PREFIX": "/ocr/results/",
    }.items():
        monkeypatch.setenv(name, value)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.storage == "s3"
    s3 = settings.s3
    assert (s3.endpoint_url, s3.bucket, s3.region) == (
        "https://s3.cloud.ru",
        "docs",
        "ru-central-1",
    )
    assert s3.access_key_id == "0a1b2c3d-tenant:f00dkey"
    assert isinstance(s3.secret_access_key, SecretStr)
    assert "s3cr3t" not in repr(settings)
    assert s3.prefix == "ocr/results"

    store = S3Store(s3)
    doc = uuid.uuid4().hex
    url = urlsplit(store.url(doc, "document.md"))
    query = parse_qs(url.query)
    assert (url.scheme, url.netloc) == ("https", "s3.cloud.ru")
    assert url.path == f"/docs/ocr/results/{doc}/document.md"
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    key, _date, region, service, scope = query["X-Amz-Credential"][0].split("/")
    assert (key, region, service, scope) == (
        "0a1b2c3d-tenant:f00dkey",
        "ru-central-1",
        "s3",
        "aws4_request",
    )

    # An upload as it would leave for Cloud.ru, stopped before the network.
    sent: list[AWSPreparedRequest] = []

    def intercept(request: AWSPreparedRequest, **_: Any) -> AWSResponse:
        sent.append(request)
        return AWSResponse(request.url, 200, {}, _Empty())

    store.client().meta.events.register("before-send", intercept)
    store.put(doc, "document.md", b"# hi", "text/markdown; charset=utf-8")
    (request,) = sent
    assert request.url == f"https://s3.cloud.ru/docs/ocr/results/{doc}/document.md"
    authorization = request.headers["Authorization"].decode()
    assert (
        authorization.startswith("AWS4-HMAC-SHA256 Credential=0a1b2c3d-tenant:f00dkey/")
        and "/ru-central-1/s3/aws4_request" in authorization
    )
    # No CRC32 checksum headers, which several S3-compatible stores refuse.
    assert not any(name.lower().startswith("x-amz-checksum") for name in request.headers)


class _Empty:
    def stream(self, **_: Any) -> Iterator[bytes]:
        yield b""


def test_settings_are_checked() -> None:
    with pytest.raises(ValidationError, match="DOCPARSE_S3_BUCKET"):
        Settings(storage="s3", _env_file=None)  # type: ignore[call-arg]
    with pytest.raises(ValidationError, match="prefix"):
        S3Settings(prefix="a/../b")
    with pytest.raises(ValidationError, match="a URL like"):
        S3Settings(endpoint_url="s3.cloud.ru")


# ---- s3:// sources -------------------------------------------------------------------


def source_settings(settings: Settings, endpoint: str, bucket: str, **update: Any) -> Settings:
    allowed = f"{bucket},no-such-source-bucket"  # the buckets s3:// sources may name
    s3 = s3_settings(endpoint, bucket, source_buckets=allowed)
    return settings.model_copy(update={"s3": s3, **update})


def test_read_s3_source(endpoint: str, bucket: str, settings: Settings, tmp_path: Path) -> None:
    admin(endpoint).put_object(Bucket=bucket, Key="incoming/scan #1?.png", Body=PNG)
    configured = source_settings(settings, endpoint, bucket)
    uri = f"s3://{bucket}/incoming/scan #1?.png"
    assert read_s3_source(uri, configured) == PNG
    target = tmp_path / "input"
    assert download_s3_source(uri, configured, target) == len(PNG)
    assert target.read_bytes() == PNG

    small = source_settings(settings, endpoint, bucket, max_upload_bytes=len(PNG) - 1)
    with pytest.raises(LimitExceeded, match="DOCPARSE_MAX_UPLOAD_BYTES"):
        download_s3_source(uri, small, target)
    assert not target.exists()  # nothing half-written left behind

    # A missing key and a missing bucket in the same words: which exists is not told.
    with pytest.raises(InvalidOptions, match="no such object, or the service may not read"):
        read_s3_source(f"s3://{bucket}/incoming/nothing.pdf", configured)
    with pytest.raises(InvalidOptions, match="no such object, or the service may not read"):
        read_s3_source("s3://no-such-source-bucket/a.pdf", configured)
    with pytest.raises(InvalidOptions, match="s3://bucket/key"):
        read_s3_source(f"s3://{bucket}", configured)
    # The service's own results are not a source (its credentials reach every one).
    with pytest.raises(InvalidOptions, match="service's own results"):
        read_s3_source(f"s3://{bucket}/results/{uuid.uuid4().hex}/document.md", configured)
    # Only the buckets DOCPARSE_S3_SOURCE_BUCKETS lists; none unless it lists some.
    with pytest.raises(InvalidOptions, match="not one DOCPARSE_S3_SOURCE_BUCKETS allows"):
        read_s3_source("s3://another-bucket/a.pdf", configured)
    unlisted = settings.model_copy(update={"s3": s3_settings(endpoint, bucket)})
    with pytest.raises(InvalidOptions, match="DOCPARSE_S3_SOURCE_BUCKETS names no bucket"):
        read_s3_source(uri, unlisted)
    # Not enabled unless S3 is configured: the machine's own AWS credentials are not lent.
    with pytest.raises(InvalidOptions, match="not enabled"):
        read_s3_source(uri, settings)


# ---- through the service --------------------------------------------------------------


def service_settings(settings: Settings, endpoint: str, bucket: str, **update: Any) -> Settings:
    fields: dict[str, Any] = {
        "storage": "s3",
        "s3": s3_settings(endpoint, bucket),
        "preload_engines": ["tesseract"],
    }
    return settings.model_copy(update=fields | update)


async def test_health_shows_s3_reachable_then_the_error(
    endpoint: str, bucket: str, settings: Settings
) -> None:
    async with running(service_settings(settings, endpoint, bucket)) as http:
        health = (await http.get("/health")).json()
        assert health["s3_storage"] == "reachable"
        assert health["status"] == "healthy"
        state_of(http).store.check_ttl = 0  # type: ignore[attr-defined]
        admin(endpoint).delete_bucket(Bucket=bucket)
        health = (await http.get("/health")).json()
        assert health["s3_storage"].startswith(f"bucket '{bucket}' at {endpoint} does not exist")
        assert "NoSuchBucket" in health["s3_storage"]
        assert health["status"] == "degraded"  # writes fail; the service still answers
        assert (await http.get("/health/ready")).status_code == 200


async def test_health_names_the_s3_error_only_to_callers_with_a_key(
    endpoint: str, settings: Settings
) -> None:
    configured = service_settings(
        settings, endpoint, "no-such-bucket-here", api_keys=SecretStr("k1"), preload_engines=[]
    )
    async with running(configured) as http:
        anonymous = (await http.get("/health")).json()
        full = (await http.get("/health", headers={"X-API-Key": "k1"})).json()
    assert set(anonymous) == {"status", "ready"}
    assert "NoSuchBucket" in full["s3_storage"]
    assert full["status"] == "unhealthy"  # no engine loaded, and the store is broken


async def test_convert_writes_results_into_the_bucket(
    endpoint: str, bucket: str, settings: Settings, docs: Path
) -> None:
    async with running(service_settings(settings, endpoint, bucket)) as http:
        with (docs / "edgar.pdf").open("rb") as handle:
            response = await http.post(
                "/v1/convert", files={"file": ("edgar.pdf", handle)}, data={"formats": "md,json"}
            )
        assert response.status_code == 200, response.text
        body = response.json()
        doc = body["document_id"]
        store = state_of(http).store
        names = store.names(doc)
        assert store.get(doc, "document.md").decode() == body["markdown"]
    # The page's picture too, at the path the Markdown links to.
    assert names[:2] == ["document.json", "document.md"]
    assert names[2:] and all(n.startswith("images/") for n in names[2:])
    assert all(f"]({n})" in body["markdown"] for n in names[2:])
    assert keys(endpoint, bucket) == [f"results/{doc}/{n}" for n in names]
    stored = admin(endpoint).get_object(Bucket=bucket, Key=f"results/{doc}/document.json")
    assert b"King of the English" in stored["Body"].read()
    assert not settings.output_dir.exists() or not any(settings.output_dir.iterdir())


async def test_convert_answers_502_with_the_reason_when_the_store_fails(
    endpoint: str, settings: Settings, docs: Path
) -> None:
    configured = service_settings(settings, endpoint, "no-such-bucket-here")
    async with running(configured) as http:
        with (docs / "edgar.pdf").open("rb") as handle:
            response = await http.post("/v1/convert", files={"file": ("edgar.pdf", handle)})
    assert response.status_code == 502
    error = response.json()["error"]
    assert error["code"] == "storage_failed"
    assert "NoSuchBucket" in error["message"]
    assert error["details"]["bucket"] == "no-such-bucket-here"
