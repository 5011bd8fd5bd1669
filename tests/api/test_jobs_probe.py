"""The jobs API against what a hostile probe tried (through the real app): paging past
jobs that expired but were not swept yet, cursors the service never gave, links built
from the caller's Host header, options only found wrong once the job ran, everyday Base64,
and names and ids of any length."""

from __future__ import annotations

import asyncio
import base64
import sqlite3
import time
from typing import Any

import httpx
import pytest
from pydantic import SecretStr, ValidationError

from docparse.api.schemas.jobs import JobList, JobSummary
from docparse.settings import Settings
from tests.api.test_jobs import SECRET, light, submit, upload
from tests.api.test_openapi import conforms
from tests.fixtures.jobs import receiver, wait_for
from tests.fixtures.made_pdfs import words_pdf
from tests.fixtures.service import running


async def all_pages(http: httpx.AsyncClient, limit: int, **params: str) -> list[list[str]]:
    """Every page of GET /v1/jobs, following next_cursor."""
    pages: list[list[str]] = []
    cursor: str | None = None
    while True:
        query: dict[str, Any] = {"limit": limit, **params}
        if cursor:
            query["cursor"] = cursor
        listed = conforms(JobList, await http.get("/v1/jobs", params=query))
        pages.append([j.id for j in listed.jobs])
        cursor = listed.next_cursor
        if cursor is None:
            return pages


async def test_paging_reaches_every_live_job_past_expired_unswept_ones(
    settings: Settings,
) -> None:
    # The sweep runs at start, then not for an hour: jobs past expires_at stay unmarked.
    config = light(settings, cleanup_interval=3600.0)
    pdf = words_pdf(1)
    async with running(config) as http:
        ids = [await submit(http, **upload(pdf, engine="textlayer")) for _ in range(5)]
        for job_id in ids:
            assert (await wait_for(http, job_id))["state"] == "succeeded"
        # Jobs 1 and 3 (of 0-4) reach expires_at; the sweep has not marked them.
        with sqlite3.connect(settings.data_dir / "jobs.sqlite3") as db:
            db.executemany(
                "UPDATE jobs SET expires_at = ? WHERE id = ?",
                [(time.time() - 1, ids[1]), (time.time() - 1, ids[3])],
            )
            assert db.execute("SELECT count(*) FROM jobs WHERE expired = 0").fetchone() == (5,)
        live = [ids[4], ids[2], ids[0]]  # newest first
        assert await all_pages(http, 1) == [[i] for i in live]
        assert await all_pages(http, 2) == [live[:2], live[2:]]
        assert await all_pages(http, 1, state="succeeded") == [[i] for i in live]
        assert (await http.get(f"/v1/jobs/{ids[1]}")).status_code == 410


async def test_a_cursor_the_service_did_not_give_is_422(settings: Settings) -> None:
    async with running(light(settings)) as http:
        for cursor in (
            "99999999999999999999",  # past SQLite's INTEGER: was a 500
            str(2**63),
            "-1",
            "0",
            "+5",
            " 5",
            "5_000",
            "٣",  # an Arabic-Indic digit int() takes
            "1" * 5000,
        ):
            refused = await http.get("/v1/jobs", params={"cursor": cursor})
            assert refused.status_code == 422, (cursor, refused.text)
            error = refused.json()["error"]
            assert error["message"] == "cursor is not one this service gave"
            assert error["details"]["field"] == "cursor"
        largest = await http.get("/v1/jobs", params={"cursor": str(2**63 - 1)})
        assert largest.status_code == 200 and largest.json()["jobs"] == []


async def test_links_never_come_from_the_host_header(settings: Settings) -> None:
    evil = {"Host": "evil.example:666", "X-Forwarded-Host": "evil.example"}
    pdf = words_pdf(1)
    async with running(light(settings)) as http:
        response = await http.post("/v1/jobs", headers=evil, **upload(pdf, engine="textlayer"))
        assert response.status_code == 202, response.text
        accepted = response.json()
        job_id = accepted["id"]
        # Paths from the service's root: what the client joins to the address it used.
        assert accepted["status_url"] == f"/v1/jobs/{job_id}"
        assert accepted["result_url"] == f"/v1/jobs/{job_id}/result"
        summary = conforms(JobSummary, await http.get(f"/v1/jobs/{job_id}"))
        assert (summary.status_url, summary.result_url) == (
            accepted["status_url"],
            accepted["result_url"],
        )
        assert (await wait_for(http, job_id))["state"] == "succeeded"
        assert (await http.get(accepted["result_url"])).status_code == 200

    public = "https://docparse.example.com/ocr"
    config = light(
        settings,
        public_url=public,
        fetch_allow="127.0.0.1",
        webhook_secret=SecretStr(SECRET),
        webhook_backoff=0.1,
    )
    with receiver() as hook:
        async with running(config) as http:
            job_id = await submit(
                http, headers=evil, **upload(pdf, engine="textlayer", callback_url=hook.url)
            )
            status = await wait_for(http, job_id)
            assert status["status_url"] == f"{public}/v1/jobs/{job_id}"
            assert status["result_url"] == f"{public}/v1/jobs/{job_id}/result"
            deadline = time.monotonic() + 30
            while not hook.arrived.is_set():  # the webhook is sent on this event loop
                assert time.monotonic() < deadline, "no webhook"
                await asyncio.sleep(0.05)
    sent = JobSummary.model_validate_json(hook.received[-1].body)  # the signed webhook
    assert sent.result_url == f"{public}/v1/jobs/{job_id}/result"


def test_public_url_is_a_base_url() -> None:
    assert Settings(public_url="https://ocr.example.com/", _env_file=None).public_url == (  # type: ignore[call-arg]
        "https://ocr.example.com"
    )
    for bad in ("ocr.example.com", "https://ocr.example.com/?a=1", "ftp://x", "https://u@x"):
        with pytest.raises(ValidationError, match="public_url"):
            Settings(public_url=bad, _env_file=None)  # type: ignore[call-arg]


async def test_options_the_run_would_refuse_are_refused_at_submission(
    settings: Settings,
) -> None:
    one_page = words_pdf(1)
    as_json = base64.b64encode(one_page).decode()
    async with running(light(settings)) as http:
        refused: dict[str, httpx.Response] = {
            "vlm": await http.post("/v1/jobs", **upload(one_page, engine="paddleocr-vl")),
            "vlm json": await http.post(
                "/v1/jobs",
                json={"source": {"base64": as_json}, "options": {"engine": "paddleocr-vl"}},
            ),
            "languages": await http.post("/v1/jobs", **upload(one_page, languages="../../../x")),
            "languages json": await http.post(
                "/v1/jobs",
                json={"source": {"base64": as_json}, "options": {"languages": "eng+nonesuch"}},
            ),
            "page 0": await http.post("/v1/jobs", **upload(one_page, pages="0")),
            "pages past the end": await http.post("/v1/jobs", **upload(one_page, pages="5-9")),
            "pages json": await http.post(
                "/v1/jobs", json={"source": {"base64": as_json}, "options": {"pages": "2"}}
            ),
            "pages form": await http.post("/v1/jobs", **upload(one_page, pages="1;2")),
        }
        fields = {}
        for name, response in refused.items():
            assert response.status_code == 422, (name, response.text)
            fields[name] = response.json()["error"]["details"]["field"]
        assert fields == {
            "vlm": "engine",
            "vlm json": "engine",
            "languages": "languages",
            "languages json": "languages",
            "page 0": "pages",
            "pages past the end": "pages",
            "pages json": "pages",
            "pages form": "pages",
        }
        assert "DOCPARSE_VLM_URL" in refused["vlm"].json()["error"]["message"]
        assert "outside the document's 1 pages" in refused["pages json"].json()["error"]["message"]
        # Nothing was stored for any of them.
        assert (await http.get("/v1/jobs")).json()["jobs"] == []
        folder = settings.data_dir / "jobs"
        assert not folder.exists() or not any(folder.iterdir())

        # What the run takes is still taken, normalised as the run reads it.
        job_id = await submit(
            http, **upload(words_pdf(3), engine="textlayer", pages="2-", languages="eng, rus")
        )
        status = await wait_for(http, job_id)
        assert (status["state"], status["pages_total"]) == ("succeeded", 2)
        # A document that does not open is refused at once, as /v1/convert refuses it,
        # and nothing of it is kept.
        broken = await http.post("/v1/jobs", **upload(b"%PDF-1.7\n" + b"\x00" * 500, pages="1"))
        assert broken.status_code == 422, broken.text
        assert broken.json()["error"]["code"] == "corrupt_document"
        assert [job["id"] for job in (await http.get("/v1/jobs")).json()["jobs"]] == [job_id]
    # So is one past the page limit, whether or not pages were asked for.
    async with running(light(settings).model_copy(update={"max_pages": 2})) as http:
        before = (await http.get("/v1/jobs")).json()["jobs"]
        long = await http.post("/v1/jobs", **upload(words_pdf(3)))
        assert long.status_code == 413, long.text
        assert long.json()["error"]["code"] == "limit_exceeded"
        assert (await http.get("/v1/jobs")).json()["jobs"] == before


async def test_wrapped_and_url_safe_base64_are_taken(settings: Settings) -> None:
    pdf = words_pdf(2)
    standard = base64.b64encode(pdf).decode()
    url_safe = base64.urlsafe_b64encode(pdf).decode().rstrip("=")
    assert set("+/") & set(standard) and url_safe != standard.rstrip("=")
    wrapped = base64.encodebytes(pdf).decode()  # 76 columns, as the `base64` tool writes
    assert "\n" in wrapped.strip()
    async with running(light(settings)) as http:
        ids = [
            await submit(
                http,
                json={"source": {"base64": text, "filename": "b.pdf"}, "options": {"pages": "2"}},
            )
            for text in (wrapped, wrapped.replace("\n", "\r\n"), url_safe, f"  {standard}\t\n")
        ]
        for job_id in ids:
            status = await wait_for(http, job_id)
            assert status["state"] == "succeeded", status
            text = await http.get(f"/v1/jobs/{job_id}/result", params={"format": "md"})
            assert "Page 2" in text.text
        mixed = url_safe[:40] + "+/" + url_safe[42:]
        for garbage in ("not base64 at all!", "%PDF-1.7", mixed, "QUJD\x00REVG", "A"):
            refused = await http.post("/v1/jobs", json={"source": {"base64": garbage}})
            assert refused.status_code == 422, (garbage, refused.text)
            assert refused.json()["error"]["message"] == "source.base64 is not valid Base64"


async def test_names_and_ids_of_any_length(settings: Settings) -> None:
    pdf = words_pdf(1)
    long_name = "x" * 100_000 + ".pdf"
    russian = "отчёт" * 100 + ".pdf"  # 2 bytes a letter: cut on a letter, not in one
    async with running(light(settings)) as http:
        from_json = await submit(
            http,
            json={
                "source": {"base64": base64.b64encode(pdf).decode(), "filename": long_name},
                "options": {"engine": "textlayer"},
            },
        )
        from_form = await submit(http, **upload(pdf, russian, engine="textlayer"))
        for job_id, stem in ((from_json, "x"), (from_form, "отчёт")):
            status = await wait_for(http, job_id)
            name = status["filename"]
            assert len(name.encode()) <= 255 and name.endswith(".pdf"), name
            assert name.startswith(stem) and len(name.encode()) >= 250
            result = await http.get(f"/v1/jobs/{job_id}/result", params={"format": "md"})
            assert result.status_code == 200
            assert len(result.headers["content-disposition"]) < 1000
            listed = (await http.get("/v1/jobs")).json()["jobs"]
            assert all(len(j["filename"].encode()) <= 255 for j in listed)

        huge_id = "a" * 5000
        for method, path in (
            ("GET", f"/v1/jobs/{huge_id}"),
            ("GET", f"/v1/jobs/{huge_id}/result"),
            ("DELETE", f"/v1/jobs/{huge_id}"),
        ):
            missing = await http.request(method, path)
            assert missing.status_code == 404
            error = missing.json()["error"]
            assert error["code"] == "job_not_found" and huge_id[:40] not in error["message"]
            assert len(missing.content) < 300
        # An id of the right shape is still named.
        unknown = "0" * 32
        message = (await http.get(f"/v1/jobs/{unknown}")).json()["error"]["message"]
        assert unknown in message
