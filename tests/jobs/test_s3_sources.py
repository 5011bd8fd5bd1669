"""s3:// job sources through the real service against moto: only the buckets
DOCPARSE_S3_SOURCE_BUCKETS lists (none by default, the results bucket included); a
missing bucket, a missing key and a forbidden object answer the same words; a bad bucket
name or key is the caller's 422, and no answer shows the store's endpoint."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from docparse.export import s3_source
from docparse.settings import Settings
from tests.api.test_jobs import submit
from tests.export.test_s3 import admin, bucket, endpoint, service_settings
from tests.fixtures.jobs import wait_for
from tests.fixtures.made_pdfs import words_pdf
from tests.fixtures.service import running

__all__ = ["bucket", "endpoint"]  # the fixtures, shared with tests/export/test_s3.py

GENERIC = "no such object, or the service may not read it"


def configured(settings: Settings, endpoint: str, bucket: str, **s3: Any) -> Settings:
    config = service_settings(settings, endpoint, bucket, preload_engines=[])
    return config.model_copy(update={"s3": config.s3.model_copy(update=s3)})


def job(uri: str) -> dict[str, Any]:
    return {"json": {"source": {"s3": uri}, "options": {"engine": "textlayer"}}}


@pytest.mark.slow
async def test_s3_sources_are_off_until_buckets_are_listed(
    endpoint: str, bucket: str, settings: Settings
) -> None:
    other = f"{bucket}-other"
    admin(endpoint).create_bucket(Bucket=other)
    admin(endpoint).put_object(Bucket=other, Key="in/doc.pdf", Body=words_pdf(1))
    admin(endpoint).put_object(Bucket=bucket, Key="private/secret.pdf", Body=words_pdf(1))
    async with running(configured(settings, endpoint, bucket)) as http:
        for uri in (f"s3://{other}/in/doc.pdf", f"s3://{bucket}/private/secret.pdf"):
            refused = await http.post("/v1/jobs", **job(uri))
            assert refused.status_code == 422, refused.text
            error = refused.json()["error"]
            assert "DOCPARSE_S3_SOURCE_BUCKETS" in error["message"]
            assert error["details"]["field"] == "source.s3"
        assert (await http.get("/v1/jobs")).json()["jobs"] == []

    async with running(configured(settings, endpoint, bucket, source_buckets=other)) as http:
        job_id = await submit(http, **job(f"s3://{other}/in/doc.pdf"))
        assert (await wait_for(http, job_id))["state"] == "succeeded"
        # The results bucket is not listed: nothing of it is a source.
        refused = await http.post("/v1/jobs", **job(f"s3://{bucket}/private/secret.pdf"))
        assert refused.status_code == 422
        assert "not one DOCPARSE_S3_SOURCE_BUCKETS allows" in refused.json()["error"]["message"]


async def test_missing_and_forbidden_sources_answer_alike(
    endpoint: str, bucket: str, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    listed = f"{bucket},{bucket}-gone"
    async with running(configured(settings, endpoint, bucket, source_buckets=listed)) as http:
        no_key = await http.post("/v1/jobs", **job(f"s3://{bucket}/in/none.pdf"))
        no_bucket = await http.post("/v1/jobs", **job(f"s3://{bucket}-gone/in/none.pdf"))

        class Forbidding:
            def get_object(self, **_: Any) -> Any:
                error = {"Code": "AccessDenied", "Message": "Access Denied"}
                raise ClientError({"Error": error}, "GetObject")

        monkeypatch.setattr(s3_source, "_source_client", lambda _s3: Forbidding())
        denied = await http.post("/v1/jobs", **job(f"s3://{bucket}/in/none.pdf"))
    answers = {"key": no_key, "bucket": no_bucket, "denied": denied}
    for name, response in answers.items():
        assert response.status_code == 422, (name, response.text)
    messages = {
        name: r.json()["error"]["message"].replace(f"{bucket}-gone", bucket)
        for name, r in answers.items()
    }
    assert messages["key"] == messages["bucket"] == messages["denied"], messages
    assert GENERIC in messages["key"]
    assert not any(word in messages["key"] for word in ("NoSuch", "Denied", "not found"))


@pytest.mark.slow
async def test_bad_bucket_names_and_keys_are_422_without_the_endpoint(
    endpoint: str, bucket: str, settings: Settings
) -> None:
    async with running(configured(settings, endpoint, bucket, source_buckets=bucket)) as http:
        bad = {
            "300 characters": f"s3://{'b' * 300}/k.pdf",
            "upper case": "s3://Bucket/k.pdf",
            "underscore": "s3://my_bucket/k.pdf",
            "an IP": "s3://10.0.0.1/k.pdf",
            "two characters": "s3://ab/k.pdf",
            "a long key": f"s3://{bucket}/{'k' * 1025}",
            "a long key in UTF-8": f"s3://{bucket}/{'ж' * 513}",
            "no key": f"s3://{bucket}/",
        }
        for name, uri in bad.items():
            refused = await http.post("/v1/jobs", **job(uri))
            assert refused.status_code == 422, (name, refused.text)
            assert endpoint.split("//")[1] not in refused.text, name
            assert len(refused.content) < 600, name
    # A store that cannot be reached is the store's failure (502), in words without it.
    dead = "http://127.0.0.1:9"
    config = configured(
        settings, endpoint, bucket, source_buckets=bucket, endpoint_url=dead, retries=0
    )
    async with running(config) as http:
        failed = await http.post("/v1/jobs", **job(f"s3://{bucket}/in/doc.pdf"))
    assert failed.status_code == 502, failed.text
    assert "127.0.0.1" not in failed.text and "endpoint unreachable" in failed.text
