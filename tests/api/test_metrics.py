"""GET /metrics through the real app: the counters move with real requests. The metric
objects are process-wide, so each test compares a scrape after with one before."""

from __future__ import annotations

import subprocess
import sys

import httpx
from prometheus_client.parser import text_string_to_metric_families

from docparse.api.metrics import child_rss_bytes
from docparse.pipeline import telemetry
from docparse.settings import Settings
from tests.conftest import free_port
from tests.fixtures.russian import make_letter
from tests.fixtures.service import running, state_of
from tests.fixtures.vlm import with_vlm


async def scrape(http: httpx.AsyncClient) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    response = await http.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def value(
    samples: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str
) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def test_a_conversion_moves_requests_latency_and_pages(client: httpx.AsyncClient) -> None:
    letter = make_letter(3)
    before = await scrape(client)
    response = await client.post(
        "/v1/convert", files={"file": ("letter.pdf", letter.pdf, "application/pdf")}
    )
    assert response.status_code == 200, response.text
    after = await scrape(client)
    ok = {"method": "POST", "route": "/v1/convert", "status": "200"}
    assert value(after, "docparse_http_requests_total", **ok) == (
        value(before, "docparse_http_requests_total", **ok) + 1
    )
    latency = "docparse_http_request_duration_seconds_count"
    assert (
        value(after, latency, route="/v1/convert")
        == value(before, latency, route="/v1/convert") + 1
    )
    pages = response.json()["pages"]
    assert len(pages) == letter.pages
    page = pages[0]
    labels = {"endpoint": "/v1/convert", "route": page["route"], "engine": page["engine"]}
    labels["status"] = page["status"]
    name = "docparse_pages_converted_total"
    assert page["route"] == "text_layer"
    assert value(after, name, **labels) == value(before, name, **labels) + letter.pages


async def test_rejections_are_counted_by_reason(settings: Settings) -> None:
    small = settings.model_copy(update={"max_upload_bytes": 10_000})
    async with running(small, wait_for_engines=False) as http:
        before = await scrape(http)
        text = await http.post("/v1/convert", files={"file": ("a.txt", b"plain text")})
        no_file = await http.post("/v1/convert", data={"engine": "auto"})
        too_big = await http.post("/v1/convert", files={"file": ("a.pdf", b"%PDF" * 100_000)})
        after = await scrape(http)
    assert (text.status_code, no_file.status_code, too_big.status_code) == (415, 422, 413)
    for status, reason in (
        ("415", "unsupported_format"),
        ("422", "invalid_request"),
        ("413", "limit_exceeded"),  # refused by the size guard, before any handler
    ):
        name = "docparse_rejections_total"
        assert value(after, name, status=status, reason=reason) == (
            value(before, name, status=status, reason=reason) + 1
        ), (status, reason)


async def test_requests_are_labelled_by_route_template_not_path(settings: Settings) -> None:
    async with running(settings, wait_for_engines=False) as http:
        before = await scrape(http)
        assert (await http.get("/private-name-4711")).status_code == 404
        assert (await http.get("/version")).status_code == 200
        after = await scrape(http)
        text = (await http.get("/metrics")).text
    unmatched = {"method": "GET", "route": "unmatched", "status": "404"}
    name = "docparse_http_requests_total"
    assert value(after, name, **unmatched) == value(before, name, **unmatched) + 1
    version = {"method": "GET", "route": "/version", "status": "200"}
    assert value(after, name, **version) == value(before, name, **version) + 1
    assert "private-name-4711" not in text


async def test_stage_timings_and_pages_in_flight_reach_the_metrics(settings: Settings) -> None:
    async with running(settings, wait_for_engines=False) as http:
        before = await scrape(http)
        with telemetry.observe_stage("ocr"), telemetry.page_in_flight():
            during = await scrape(http)
        after = await scrape(http)
    count = "docparse_stage_seconds_count"
    assert value(after, count, stage="ocr") == value(before, count, stage="ocr") + 1
    assert value(after, count, stage="render") == value(before, count, stage="render")
    assert ("docparse_stage_seconds_count", frozenset({("stage", "vlm")})) in before  # at 0
    flight = "docparse_pages_in_flight"
    assert value(during, flight) == value(before, flight) + 1
    assert value(after, flight) == value(before, flight)


async def test_memory_of_the_service_and_its_workers(settings: Settings) -> None:
    async with running(settings, wait_for_engines=False) as http:
        samples = await scrape(http)
    assert value(samples, "process_resident_memory_bytes") > 10_000_000
    assert ("docparse_child_processes_resident_memory_bytes", frozenset()) in samples
    idle = child_rss_bytes()
    worker = subprocess.Popen(
        [sys.executable, "-c", "import time; print('up', flush=True); time.sleep(30)"],
        stdout=subprocess.PIPE,
    )
    try:
        assert worker.stdout and worker.stdout.readline() == b"up\n"  # running, not forking
        # A Python interpreter holds several MB resident.
        assert child_rss_bytes() > idle + 1_000_000
    finally:
        worker.kill()
        worker.communicate()


async def test_vlm_up_follows_the_server(vlm_settings: Settings) -> None:
    async with running(vlm_settings) as http:
        assert value(await scrape(http), "docparse_vlm_up", engine="paddleocr-vl") == 1
    unreachable = with_vlm(vlm_settings, url=f"http://127.0.0.1:{free_port()}/v1")
    async with running(unreachable, wait_for_engines=False) as http:
        samples = await scrape(http)
    assert ("docparse_vlm_up", frozenset({("engine", "paddleocr-vl")})) in samples
    assert value(samples, "docparse_vlm_up", engine="paddleocr-vl") == 0


async def test_queue_depth_and_worker_restarts_come_from_the_service(settings: Settings) -> None:
    async with running(settings) as http:
        state = state_of(http)
        before = await scrape(http)
        assert value(before, "docparse_pages_queued") == 0
        assert value(before, "docparse_worker_restarts") == 0
        assert value(before, "docparse_jobs", state="queued") == 0
        # What an autoscaler reads is what the service holds, not a copy set elsewhere.
        state.converter.admission.queued = 7
        state.engines.worker_restarts = 2
        after = await scrape(http)
        state.converter.admission.queued = 0
    assert value(after, "docparse_pages_queued") == 7
    assert value(after, "docparse_worker_restarts") == 2
