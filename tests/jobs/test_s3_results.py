"""Jobs with DOCPARSE_STORAGE=s3, against moto in server mode (tests/export/test_s3.py's
server and settings): a job's results go to the bucket under {prefix}/{job_id}/ and its
result endpoint answers with them (the zip built from the bucket too); a job's input may
be an s3:// object; DELETE removes the results from the bucket."""

from __future__ import annotations

import io
import zipfile

from docparse.document import Document
from docparse.settings import Settings
from tests.api.test_jobs import submit, upload
from tests.export.test_s3 import admin, bucket, endpoint, keys, service_settings
from tests.fixtures.jobs import wait_for
from tests.fixtures.made_pdfs import words_pdf
from tests.fixtures.service import running

__all__ = ["bucket", "endpoint"]  # the fixtures, shared with tests/export/test_s3.py


def s3_jobs(settings: Settings, endpoint: str, bucket: str) -> Settings:
    configured = service_settings(settings, endpoint, bucket, preload_engines=[])
    # s3:// sources from the results bucket (outside its results prefix) only.
    s3 = configured.s3.model_copy(update={"source_buckets": bucket})
    return configured.model_copy(update={"s3": s3})


async def test_a_job_stores_its_results_in_the_bucket(
    endpoint: str, bucket: str, settings: Settings
) -> None:
    async with running(s3_jobs(settings, endpoint, bucket)) as http:
        job_id = await submit(http, **upload(words_pdf(2), engine="textlayer"))
        status = await wait_for(http, job_id)
        assert status["state"] == "succeeded", status
        stored = keys(endpoint, bucket)
        files = ("document.json", "document.md", "document.txt")
        assert stored == [f"results/{job_id}/{name}" for name in files]
        in_bucket = admin(endpoint).get_object(Bucket=bucket, Key=f"results/{job_id}/document.md")

        markdown = await http.get(f"/v1/jobs/{job_id}/result", params={"format": "md"})
        assert markdown.status_code == 200, markdown.text
        assert markdown.headers["content-type"].startswith("text/markdown")
        assert markdown.headers["content-disposition"] == 'inline; filename="words.md"'
        assert markdown.content == in_bucket["Body"].read()
        assert "Page 2" in markdown.text
        answer = await http.get(f"/v1/jobs/{job_id}/result", params={"format": "json"})
        document = Document.model_validate_json(answer.content)
        assert document.metadata["job_id"] == job_id and len(document.pages) == 2
        packed = await http.get(f"/v1/jobs/{job_id}/result", params={"format": "zip"})
        assert packed.status_code == 200
        with zipfile.ZipFile(io.BytesIO(packed.content)) as archive:
            assert sorted(archive.namelist()) == list(files)
            assert archive.read("document.md") == markdown.content

        # Nothing of the result in output_dir; the input (local) stays until the job goes.
        assert not (settings.output_dir / job_id).exists()
        assert (settings.data_dir / "jobs" / job_id / "input").exists()

        assert (await http.delete(f"/v1/jobs/{job_id}")).status_code == 200
        assert keys(endpoint, bucket) == []


async def test_a_job_reads_its_document_from_an_s3_source(
    endpoint: str, bucket: str, settings: Settings
) -> None:
    admin(endpoint).put_object(Bucket=bucket, Key="incoming/scan 1.pdf", Body=words_pdf(3))
    async with running(s3_jobs(settings, endpoint, bucket)) as http:
        job_id = await submit(
            http,
            json={
                "source": {"s3": f"s3://{bucket}/incoming/scan 1.pdf"},
                "options": {"engine": "textlayer"},
            },
        )
        status = await wait_for(http, job_id)
        assert (status["state"], status["source"], status["filename"]) == (
            "succeeded",
            "s3",
            "scan 1.pdf",
        )
        assert status["pages_total"] == 3
        markdown = await http.get(f"/v1/jobs/{job_id}/result", params={"format": "md"})
        assert "Page 3" in markdown.text
        assert f"results/{job_id}/document.md" in keys(endpoint, bucket)

        missing = await http.post(
            "/v1/jobs", json={"source": {"s3": f"s3://{bucket}/incoming/nothing.pdf"}}
        )
        assert missing.status_code == 422, missing.text
        assert "no such object" in missing.json()["error"]["message"]
        # Refused before the job is stored: nothing left in the data folder.
        assert sorted(p.name for p in (settings.data_dir / "jobs").iterdir()) == [job_id]
