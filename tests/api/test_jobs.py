"""The jobs API through the real app (lifespan, SQLite store, worker pool, converter): a
job's whole life, its sources, results and zip, the queue bound, 404/409/410, cancelling
a running OCR job, and the webhook with its signature."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import sqlite3
import time
import zipfile
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image
from pydantic import SecretStr

from docparse.api.app import create_app
from docparse.api.schemas.jobs import JobAccepted, JobList, JobRemoved, JobSummary
from docparse.document import Document
from docparse.jobs.webhooks import SIGNATURE_HEADER, verify
from docparse.settings import Settings
from tests.api.test_openapi import conforms
from tests.fixtures.figure_page import figure_page
from tests.fixtures.jobs import jobs_lock, receiver, scanned_pdf, wait_for
from tests.fixtures.made_pdfs import words_pdf
from tests.fixtures.searchable import pdftotext, word_recall
from tests.fixtures.service import running, state_of

SECRET = "webhook-secret-for-tests"


def light(settings: Settings, **changes: Any) -> Settings:
    """No engine preloaded: the text-layer route needs none."""
    return settings.model_copy(update={"preload_engines": [], **changes})


def ocr(settings: Settings, **changes: Any) -> Settings:
    return settings.model_copy(
        update={"preload_engines": ["tesseract"], "cpu_layout": "none", **changes}
    )


def upload(pdf: bytes, name: str = "words.pdf", **data: str) -> dict[str, Any]:
    return {"files": {"file": (name, pdf, "application/pdf")}, "data": data}


async def submit(http: httpx.AsyncClient, **request: Any) -> str:
    response = await http.post("/v1/jobs", **request)
    assert response.status_code == 202, response.text
    return conforms(JobAccepted, response).id


def job_folder(settings: Settings, job_id: str) -> Path:
    return settings.data_dir / "jobs" / job_id


async def test_an_uploaded_pdf_goes_through_its_whole_life(settings: Settings) -> None:
    pdf = words_pdf(3)
    async with running(light(settings)) as http:
        response = await http.post("/v1/jobs", **upload(pdf, engine="textlayer"))
        assert response.status_code == 202, response.text
        accepted = conforms(JobAccepted, response)
        assert accepted.status_url.endswith(f"/v1/jobs/{accepted.id}")
        assert accepted.result_url.endswith(f"/v1/jobs/{accepted.id}/result")

        status = await wait_for(http, accepted.id)
        summary = conforms(JobSummary, await http.get(f"/v1/jobs/{accepted.id}"))
        assert status["state"] == summary.state == "succeeded", status
        assert (summary.pages_done, summary.pages_total) == (3, 3)
        assert summary.attempt == 1 and summary.filename == "words.pdf"
        assert summary.source == "upload" and summary.error is None
        assert summary.created_at <= summary.started_at <= summary.finished_at  # type: ignore[operator]
        assert summary.expires_at is not None and summary.queue_position is None

        markdown = await http.get(accepted.result_url, params={"format": "md"})
        assert markdown.status_code == 200
        assert markdown.headers["content-type"].startswith("text/markdown")
        assert "Page 3" in markdown.text and "quick brown fox" in markdown.text
        document = Document.model_validate_json(
            (await http.get(accepted.result_url, params={"format": "json"})).content
        )
        assert len(document.pages) == 3 and document.metadata["job_id"] == accepted.id
        text = await http.get(accepted.result_url, params={"format": "txt"})
        assert text.headers["content-type"].startswith("text/plain") and "Page 1" in text.text

        listed = conforms(JobList, await http.get("/v1/jobs"))
        assert [j.id for j in listed.jobs] == [accepted.id] and listed.next_cursor is None

        # The results stay in the result store (here output_dir, under the job's id); the
        # input stays beside the record until the job goes, to draw its pages from.
        folder = job_folder(settings, accepted.id)
        results = settings.output_dir / accepted.id
        assert (folder / "input").exists()
        assert (results / "document.md").exists() and (results / "document.json").exists()
        # Each page as a picture for a viewer, shaped as the page the boxes are drawn on.
        for number, page in enumerate(document.pages, start=1):
            picture = await http.get(f"/v1/jobs/{accepted.id}/pages/{number}")
            assert picture.headers["content-type"] == "image/jpeg"
            with Image.open(io.BytesIO(picture.content)) as preview:
                assert max(preview.size) <= 1600
                assert abs(preview.width / preview.height - page.width / page.height) < 0.01
        assert (await http.get(f"/v1/jobs/{accepted.id}/pages/4")).status_code == 404

        deleted = await http.delete(f"/v1/jobs/{accepted.id}")
        assert deleted.status_code == 200
        removed = conforms(JobRemoved, deleted)
        assert (removed.outcome, removed.state) == ("deleted", "succeeded")
        assert not folder.exists() and not results.exists()
        for method, path in (
            ("GET", f"/v1/jobs/{accepted.id}"),
            ("GET", accepted.result_url),
            ("DELETE", f"/v1/jobs/{accepted.id}"),
        ):
            gone = await http.request(method, path)
            assert gone.status_code == 404, (method, path, gone.text)
            assert gone.json()["error"]["code"] == "job_not_found"


async def test_json_jobs_from_base64_and_from_a_url(settings: Settings) -> None:
    pdf = words_pdf(2)
    config = light(settings, fetch_allow="127.0.0.1")
    with receiver(document=pdf) as server:
        async with running(config) as http:
            from_base64 = await submit(
                http,
                json={
                    "source": {"base64": base64.b64encode(pdf).decode(), "filename": "b.pdf"},
                    "options": {"engine": "textlayer", "pages": "2"},
                },
            )
            from_url = await submit(
                http, json={"source": {"url": f"{server.url}/folder/remote.pdf"}}
            )
            first = await wait_for(http, from_base64)
            second = await wait_for(http, from_url)
            assert (first["state"], first["filename"], first["source"]) == (
                "succeeded",
                "b.pdf",
                "base64",
            )
            assert first["pages_total"] == 1  # pages "2" only
            assert (second["state"], second["filename"], second["source"]) == (
                "succeeded",
                "remote.pdf",
                "url",
            )
            md = await http.get(f"/v1/jobs/{from_base64}/result", params={"format": "md"})
            assert "Page 2" in md.text and "Page 1" not in md.text

            # Refused before anything is stored: no job is left behind.
            refused = {
                "s3": await http.post("/v1/jobs", json={"source": {"s3": "s3://b/k.pdf"}}),
                "text": await http.post(
                    "/v1/jobs", json={"source": {"base64": base64.b64encode(b"hi").decode()}}
                ),
                "option": await http.post(
                    "/v1/jobs", json={"source": {"url": server.url}, "options": {"dpu": 1}}
                ),
                "engine": await http.post("/v1/jobs", **upload(pdf, engine="nonesuch", pages="1")),
                "no file": await http.post("/v1/jobs", data={"engine": "auto"}),
                "no body": await http.post("/v1/jobs", content=b"plain"),
            }
            statuses = {name: r.status_code for name, r in refused.items()}
            assert statuses == {
                "s3": 422,
                "text": 415,
                "option": 422,
                "engine": 422,
                "no file": 422,
                "no body": 422,
            }, {name: r.text for name, r in refused.items()}
            assert refused["s3"].json()["error"]["message"] == (
                "S3 sources need DOCPARSE_STORAGE=s3"
            )
            assert refused["option"].json()["error"]["details"][0]["field"] == "body.options.dpu"
            assert refused["no file"].json()["error"]["details"][0]["field"] == "body.file"
            listed = (await http.get("/v1/jobs")).json()["jobs"]
            assert {j["id"] for j in listed} == {from_base64, from_url}
            assert sorted(p.name for p in (settings.data_dir / "jobs").iterdir()) == sorted(
                [from_base64, from_url]
            )


async def test_a_url_to_an_internal_address_is_refused(settings: Settings) -> None:
    with receiver(document=words_pdf(1)) as server:
        async with running(light(settings)) as http:
            refused = await http.post("/v1/jobs", json={"source": {"url": server.url}})
    assert refused.status_code == 422
    assert refused.json()["error"]["message"] == "the URL could not be fetched"


@pytest.mark.slow  # moved out of the 10-minute default run
async def test_the_zip_holds_markdown_json_text_and_the_figures(
    settings: Settings, tmp_path: Path
) -> None:
    page = tmp_path / "report.png"
    figure_page(page)
    config = settings.model_copy(update={"preload_engines": ["tesseract"]})
    async with running(config) as http:
        job_id = await submit(
            http,
            files={"file": ("report.png", page.read_bytes(), "image/png")},
            data={"engine": "tesseract", "languages": "rus+eng"},
        )
        status = await wait_for(http, job_id, timeout=300)
        assert status["state"] == "succeeded", status
        response = await http.get(f"/v1/jobs/{job_id}/result", params={"format": "zip"})
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/zip"
        assert 'filename="report.zip"' in response.headers["content-disposition"]
        searchable = await http.get(f"/v1/jobs/{job_id}/result", params={"format": "pdf"})
        assert searchable.status_code == 200, searchable.text
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        names = archive.namelist()
        markdown = archive.read("document.md").decode()
        document = json.loads(archive.read("document.json"))
        figures = [n for n in names if n.startswith("images/") and n.endswith(".png")]
        assert {"document.md", "document.json", "document.txt"} <= set(names)
        assert figures, names
        assert all(archive.read(n).startswith(b"\x89PNG") for n in figures)
    assert all(f"]({name})" in markdown for name in figures)
    assert document["pages"][0]["blocks"]
    # The searchable PDF, made from the input the job keeps: the scan with its words.
    assert searchable.headers["content-type"] == "application/pdf"
    assert 'filename="report.pdf"' in searchable.headers["content-disposition"]
    assert word_recall(markdown, pdftotext(searchable.content)) >= 0.95
    # The archive was a temporary file: sent, then removed.
    assert not list((settings.data_dir / "jobs").glob(".zip-*"))


async def test_the_queue_bound_409_and_paging_while_another_process_runs_the_jobs(
    settings: Settings,
) -> None:
    config = light(settings, max_queued_jobs=3)
    pdf = words_pdf(1)
    with jobs_lock(settings.data_dir):  # this service accepts jobs but runs none
        async with running(config) as http:
            ids = [await submit(http, **upload(pdf, engine="textlayer")) for _ in range(3)]
            # Accepted means on disk: the input fsynced, the record committed.
            with sqlite3.connect(settings.data_dir / "jobs.sqlite3") as db:
                rows = dict(db.execute("SELECT id, state FROM jobs").fetchall())
            assert rows == dict.fromkeys(ids, "queued")
            assert (job_folder(settings, ids[0]) / "input").read_bytes() == pdf

            positions = [(await http.get(f"/v1/jobs/{i}")).json()["queue_position"] for i in ids]
            assert positions == [1, 2, 3]

            full = await http.post("/v1/jobs", **upload(pdf))
            assert full.status_code == 429, full.text
            assert int(full.headers["Retry-After"]) >= 1
            error = full.json()["error"]
            assert error["code"] == "job_queue_full"
            assert "DOCPARSE_MAX_QUEUED_JOBS" in error["message"]
            assert error["details"]["queued_jobs"] == 3
            # A crowd refused at once is spread out: each is told a later time.
            waits = [int(full.headers["Retry-After"])]
            for _ in range(4):
                again = await http.post("/v1/jobs", **upload(pdf))
                waits.append(int(again.headers["Retry-After"]))
            assert waits == sorted(waits) and len(set(waits)) == 5, waits

            early = await http.get(f"/v1/jobs/{ids[0]}/result")
            assert early.status_code == 409
            assert early.json()["error"]["code"] == "job_not_finished"
            assert "queued" in early.json()["error"]["message"]

            first = conforms(JobList, await http.get("/v1/jobs", params={"limit": 2}))
            assert [j.id for j in first.jobs] == [ids[2], ids[1]]  # newest first
            assert first.next_cursor
            rest = conforms(
                JobList,
                await http.get("/v1/jobs", params={"limit": 2, "cursor": first.next_cursor}),
            )
            assert [j.id for j in rest.jobs] == [ids[0]] and rest.next_cursor is None
            queued = (await http.get("/v1/jobs", params={"state": "queued"})).json()
            assert len(queued["jobs"]) == 3
            done = (await http.get("/v1/jobs", params={"state": "succeeded"})).json()
            assert done["jobs"] == []

            cancelled = conforms(JobRemoved, await http.delete(f"/v1/jobs/{ids[1]}"))
            assert (cancelled.outcome, cancelled.state) == ("cancelled", "cancelled")
            assert not job_folder(settings, ids[1]).exists()
            assert (await http.get(f"/v1/jobs/{ids[2]}")).json()["queue_position"] == 2
    # Started again with the lock free, the service runs what was queued.
    async with running(config) as http:
        for job_id in (ids[0], ids[2]):
            assert (await wait_for(http, job_id))["state"] == "succeeded"
        assert (await http.get(f"/v1/jobs/{ids[1]}")).json()["state"] == "cancelled"
        assert (await http.get(f"/v1/jobs/{ids[1]}/result")).status_code == 409


@pytest.mark.slow
async def test_a_service_takes_the_jobs_over_when_the_other_process_lets_go(
    settings: Settings,
) -> None:
    config = light(settings)
    lock = jobs_lock(settings.data_dir)
    lock.__enter__()
    try:
        async with running(config) as http:
            job_id = await submit(http, **upload(words_pdf(1), engine="textlayer"))
            await asyncio.sleep(1.5)
            assert (await http.get(f"/v1/jobs/{job_id}")).json()["state"] == "queued"
            lock.__exit__(None, None, None)  # the other process stops
            assert (await wait_for(http, job_id, timeout=30))["state"] == "succeeded"
    finally:
        lock.__exit__(None, None, None)


@pytest.mark.slow
async def test_an_expired_job_answers_410_and_its_files_are_gone(settings: Settings) -> None:
    config = light(settings, job_ttl=1.0, cleanup_interval=0.2)
    async with running(config) as http:
        job_id = await submit(http, **upload(words_pdf(1), engine="textlayer"))
        assert (await wait_for(http, job_id))["state"] == "succeeded"
        folder, results = job_folder(settings, job_id), settings.output_dir / job_id
        assert folder.exists() and results.exists()
        deadline = time.monotonic() + 15
        while folder.exists() or results.exists():
            assert time.monotonic() < deadline, "the sweep did not remove the files"
            await asyncio.sleep(0.1)
        for method, path in (
            ("GET", f"/v1/jobs/{job_id}"),
            ("GET", f"/v1/jobs/{job_id}/result"),
            ("DELETE", f"/v1/jobs/{job_id}"),
        ):
            gone = await http.request(method, path)
            assert gone.status_code == 410, (method, gone.text)
            assert gone.json()["error"]["code"] == "job_expired"
        assert (await http.get("/v1/jobs")).json()["jobs"] == []


async def test_unknown_jobs_and_formats(settings: Settings) -> None:
    async with running(light(settings)) as http:
        assert (await http.get("/v1/jobs/nonesuch")).status_code == 404
        assert (await http.get("/v1/jobs/nonesuch/result")).status_code == 404
        assert (await http.delete("/v1/jobs/nonesuch")).status_code == 404
        bad = await http.get("/v1/jobs/nonesuch/result", params={"format": "docx"})
        assert bad.status_code == 422
        assert (await http.get("/v1/jobs", params={"cursor": "x"})).status_code == 422
        assert (await http.get("/v1/jobs", params={"state": "lost"})).status_code == 422


@pytest.mark.slow  # moved out of the 10-minute default run
async def test_cancelling_a_running_ocr_job_stops_it_within_a_page(settings: Settings) -> None:
    pages = 24
    async with running(ocr(settings)) as http:
        admission = state_of(http).converter.admission
        job_id = await submit(http, **upload(scanned_pdf(pages), "scan.pdf", engine="tesseract"))
        running_job = await wait_for(http, job_id, ("running",), timeout=300, pages_done=2)
        assert running_job["pages_total"] == pages
        folder = job_folder(settings, job_id)
        assert (folder / "input").exists()

        asked = time.monotonic()
        response = await http.delete(f"/v1/jobs/{job_id}")
        answered = time.monotonic() - asked
        started_then = admission.started
        assert response.status_code == 200, response.text
        removed = conforms(JobRemoved, response)
        assert (removed.outcome, removed.state) == ("cancelled", "cancelled")
        assert answered < 10, f"the cancel took {answered:.1f} s"
        # Nothing waits any more, no page starts after the cancel, nothing is left on disk.
        assert admission.queued == 0
        assert not folder.exists()
        status = (await http.get(f"/v1/jobs/{job_id}")).json()
        await asyncio.sleep(3)
        assert admission.started == started_then
        assert admission.running == 0
        later = (await http.get(f"/v1/jobs/{job_id}")).json()
        assert later["state"] == "cancelled"
        assert later["pages_done"] == status["pages_done"] < pages
        assert not folder.exists()
        # The workers are free: the next job runs.
        after = await submit(http, **upload(words_pdf(1), engine="textlayer"))
        assert (await wait_for(http, after))["state"] == "succeeded"


async def test_the_webhook_is_signed_and_retried_until_it_is_received(
    settings: Settings,
) -> None:
    config = light(
        settings,
        fetch_allow="127.0.0.1",
        webhook_secret=SecretStr(SECRET),
        webhook_backoff=0.1,
    )
    with receiver(failures=2) as hook:
        async with running(config) as http:
            job_id = await submit(
                http, **upload(words_pdf(2), engine="textlayer", callback_url=hook.url)
            )
            assert (await wait_for(http, job_id))["state"] == "succeeded"
            deadline = time.monotonic() + 30
            while (status := (await http.get(f"/v1/jobs/{job_id}")).json())["webhook"][
                "state"
            ] == "pending":
                assert time.monotonic() < deadline, status
                await asyncio.sleep(0.05)
    assert status["webhook"]["state"] == "delivered", status
    assert status["webhook"]["attempts"] == 3 and status["webhook"]["status_code"] == 200
    assert [r.status for r in hook.received] == [500, 500, 200]
    delivered = hook.received[-1]
    assert verify(SECRET, delivered.headers[SIGNATURE_HEADER], delivered.body)
    assert not verify("not-the-secret", delivered.headers[SIGNATURE_HEADER], delivered.body)
    body = JobSummary.model_validate_json(delivered.body)
    assert (body.id, body.state, body.pages_done) == (job_id, "succeeded", 2)
    assert body.result_url.endswith(f"/v1/jobs/{job_id}/result")


async def test_a_callback_needs_the_secret_and_an_allowed_address(settings: Settings) -> None:
    pdf = words_pdf(1)
    with receiver() as hook:
        async with running(light(settings, fetch_allow="127.0.0.1")) as http:
            unsigned = await http.post("/v1/jobs", **upload(pdf, callback_url=hook.url))
        async with running(light(settings, webhook_secret=SecretStr(SECRET))) as http:
            internal = await http.post("/v1/jobs", **upload(pdf, callback_url=hook.url))
    assert unsigned.status_code == 422
    assert "DOCPARSE_WEBHOOK_SECRET" in unsigned.json()["error"]["message"]
    assert internal.status_code == 422
    assert internal.json()["error"]["message"] == "callback_url: the URL could not be reached"
    assert hook.received == []


def test_the_jobs_routes_are_documented(settings: Settings) -> None:
    spec = create_app(settings).openapi()
    paths = spec["paths"]
    post = paths["/v1/jobs"]["post"]
    assert set(post["responses"]) == {"202", "413", "415", "422", "429", "502"}
    assert "Retry-After" in post["responses"]["429"]["headers"]
    assert post["responses"]["202"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/JobAccepted"
    }
    bodies = post["requestBody"]["content"]
    form = bodies["multipart/form-data"]["schema"]
    assert form["required"] == ["file"]
    assert set(form["properties"]) == {
        "file",
        "engine",
        "languages",
        "pages",
        "dpi",
        "spotting",
        "layout",
        "callback_url",
    }
    as_json = bodies["application/json"]["schema"]
    assert set(as_json["properties"]) == {"source", "options", "callback_url"}
    sources = as_json["properties"]["source"]["anyOf"]
    assert [set(s["properties"]) for s in sources] == [{"url"}, {"base64", "filename"}, {"s3"}]
    assert "$ref" not in json.dumps(as_json)  # self-contained
    assert set(paths["/v1/jobs"]["get"]["responses"]) == {"200", "422"}
    assert set(paths["/v1/jobs/{job_id}"]["get"]["responses"]) == {"200", "404", "410", "422"}
    assert set(paths["/v1/jobs/{job_id}"]["delete"]["responses"]) == {
        "200",
        "404",
        "410",
        "422",
    }
    result = paths["/v1/jobs/{job_id}/result"]["get"]["responses"]
    assert set(result) == {"200", "404", "409", "410", "422", "502"}
    assert set(result["200"]["content"]) == {
        "application/json",
        "text/markdown",
        "text/plain",
        "application/zip",
        "application/pdf",
    }
    summary = spec["components"]["schemas"]["JobSummary"]["properties"]
    assert {"state", "pages_done", "pages_total", "queue_position", "error"} <= set(summary)
