"""Admission control through the real converter, real PDFs and real Tesseract: a queue
budget for the whole service (refused at once past it), pages in flight bounded by the
pixels of their renders, time limits per page and per request, and cancellation that
stops pages not yet started and hands their budget back."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from docparse.document import PageStatus
from docparse.errors import Overloaded, RequestTimeout
from docparse.pipeline.admission import Admission, render_pixels
from docparse.pipeline.converter import Converter
from docparse.pipeline.options import ConvertOptions
from docparse.pipeline.runtime import Engines
from docparse.settings import Settings
from tests.fixtures.made_pdfs import text_then_scan_pdf, words_pdf

OCR = ConvertOptions(engine="tesseract")


@asynccontextmanager
async def converter(settings: Settings, **changes: Any) -> AsyncIterator[Converter]:
    """A converter of its own (and so an admission budget of its own): one worker, the CPU
    engine alone unless `changes` say otherwise."""
    settings = settings.model_copy(update={"workers": 1, "cpu_layout": "none", **changes})
    engines = Engines(settings)
    try:
        yield Converter(settings, engines)
    finally:
        await engines.aclose()


def pdf(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


async def until(condition: Callable[[], bool], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        await asyncio.sleep(0.01)


def assert_all_returned(conv: Converter) -> None:
    admission = conv.admission
    assert (admission.queued, admission.running, admission.pixels) == (0, 0, 0)


async def test_a_request_past_the_queue_budget_is_refused_at_once(
    settings: Settings, tmp_path: Path
) -> None:
    big = pdf(tmp_path, "big.pdf", words_pdf(6))
    small = pdf(tmp_path, "small.pdf", words_pdf(1))
    async with converter(settings, max_queued_pages=2) as conv:
        # Larger than the whole budget, but nothing waits: admitted (else it never could be).
        first = asyncio.create_task(conv.convert(big, OCR))
        await until(lambda: conv.admission.started >= 2)
        assert conv.admission.queued == 4  # two slots: two pages run, four wait

        asked = time.monotonic()
        with pytest.raises(Overloaded) as refused:
            await conv.convert(small, OCR)
        assert time.monotonic() - asked < 1  # refused, not queued
        assert 1 <= refused.value.retry_after <= 60
        assert refused.value.details["max_queued_pages"] == 2
        assert "DOCPARSE_MAX_QUEUED_PAGES" in refused.value.message
        assert conv.admission.refused == 1

        result = await first
        assert [p.status for p in result.document.pages] == [PageStatus.ok] * 6
        assert_all_returned(conv)
        # The queue drained: the same request is taken now.
        result = await conv.convert(small, OCR)
        assert result.document.pages[0].status == PageStatus.ok


@pytest.mark.slow
async def test_cancelling_stops_pages_not_started_and_frees_the_budget(
    settings: Settings, tmp_path: Path
) -> None:
    path = pdf(tmp_path, "long.pdf", words_pdf(12))
    async with converter(settings) as conv:
        task = asyncio.create_task(conv.convert(path, OCR))
        await until(lambda: conv.admission.started >= 2)
        assert conv.admission.queued == 10
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        started = conv.admission.started
        assert started <= 4
        assert_all_returned(conv)
        await asyncio.sleep(2)  # a page would be read in well under that
        assert conv.admission.started == started  # the queued pages never started
        assert conv.engines.executor._work_queue.qsize() == 0  # nor wait in a thread pool
        # Every slot is free again: the next request runs.
        result = await conv.convert(pdf(tmp_path, "one.pdf", words_pdf(1)), OCR)
        assert result.document.pages[0].status == PageStatus.ok
        assert_all_returned(conv)


@pytest.mark.slow  # moved out of the 10-minute default run
async def test_a_short_request_is_not_queued_behind_every_page_of_a_long_one(
    settings: Settings, tmp_path: Path
) -> None:
    long = pdf(tmp_path, "long.pdf", words_pdf(12))
    short = pdf(tmp_path, "short.pdf", words_pdf(1))
    async with converter(settings) as conv:
        first = asyncio.create_task(conv.convert(long, OCR))
        await until(lambda: conv.admission.started >= 2)
        result = await conv.convert(short, OCR)
        assert result.document.pages[0].status == PageStatus.ok
        # The long request's pages are still waiting: the short one took the next free
        # slot (a fair share), not the place after all of them.
        assert not first.done()
        assert conv.admission.queued >= 5
        await first
        assert_all_returned(conv)


@pytest.mark.slow  # moved out of the 10-minute default run
async def test_born_digital_pages_are_not_queued_behind_ocr_pages(
    settings: Settings, tmp_path: Path
) -> None:
    """Every OCR slot busy with a long scan: a born-digital request still goes through at
    once — its pages start in the light lane, no OCR page has to end first (under the
    load run, born-digital pages waited 54 s at p50 for slots OCR pages held)."""
    scans = pdf(tmp_path, "long.pdf", words_pdf(8, size=(612, 792)))
    digital = pdf(tmp_path, "digital.pdf", words_pdf(6))
    slow_ocr = ConvertOptions(engine="tesseract", dpi=400)  # seconds a page
    async with converter(settings) as conv:
        ended: list[int] = []
        first = asyncio.create_task(
            conv.convert(scans, slow_ocr, progress=lambda done, total: ended.append(done))
        )
        await until(lambda: conv.admission.started >= 2)  # both OCR slots taken
        before = len(ended)
        result = await conv.convert(digital, ConvertOptions())
        assert len(ended) == before  # no OCR page ended to make room
        assert [p.status for p in result.document.pages] == [PageStatus.ok] * 6
        assert {p.engine for p in result.document.pages} == {"textlayer"}
        # A page whose layer will not do moves on to an OCR slot, and waits its turn.
        mixed = pdf(tmp_path, "mixed.pdf", text_then_scan_pdf())
        result = await conv.convert(mixed, ConvertOptions())
        assert [p.engine for p in result.document.pages] == ["textlayer", "tesseract"]
        assert len(ended) > before
        first.cancel()
        with pytest.raises(asyncio.CancelledError):
            await first
        assert_all_returned(conv)


async def test_pages_in_flight_are_bounded_by_their_render_pixels(
    settings: Settings, tmp_path: Path
) -> None:
    path = pdf(tmp_path, "four.pdf", words_pdf(4))
    options = ConvertOptions(engine="tesseract", dpi=300)
    page = render_pixels(288, 144, 300)
    assert page == 1200 * 600
    # Room for one page's render: the four pages are drawn and read one at a time though
    # four slots are free.
    async with converter(settings, workers=2, max_pixels_in_flight=page + 1000) as conv:
        result = await conv.convert(path, options)
        assert [p.status for p in result.document.pages] == [PageStatus.ok] * 4
        assert conv.admission.peak_pixels == page
        assert_all_returned(conv)
    # The default budget lets them go together: it was the pixels that held them back.
    async with converter(settings, workers=2) as conv:
        await conv.convert(path, options)
        assert conv.admission.peak_pixels >= 2 * page


async def test_a_page_larger_than_the_pixel_budget_runs_alone(
    settings: Settings, tmp_path: Path
) -> None:
    path = pdf(tmp_path, "two.pdf", words_pdf(2))
    async with converter(settings, workers=2, max_pixels_in_flight=100_000) as conv:
        result = await conv.convert(path, ConvertOptions(engine="tesseract", dpi=300))
        assert [p.status for p in result.document.pages] == [PageStatus.ok] * 2
        assert conv.admission.peak_pixels == 100_000
        assert_all_returned(conv)


async def test_a_page_over_its_time_limit_fails_alone(settings: Settings, tmp_path: Path) -> None:
    # Forty lines to read: seconds on any machine (twelve took under 1 s on a fast one).
    path = pdf(tmp_path, "mixed.pdf", text_then_scan_pdf(scan_lines=40))
    async with converter(settings, page_timeout=1.0) as conv:
        result = await conv.convert(path, ConvertOptions())
        text, scan = result.document.pages
        assert (text.route, text.status) == ("text_layer", PageStatus.ok)
        assert scan.status == PageStatus.failed
        assert scan.error is not None
        assert "longer than 1 s (DOCPARSE_PAGE_TIMEOUT)" in scan.error
        assert_all_returned(conv)


async def test_a_pages_time_limit_stands_still_while_it_waits_for_an_ocr_slot() -> None:
    """A long scanned PDF on the auto route: every page leaves the light lane at once and
    queues for the OCR slots. The limit counts a page's work, not its wait: the pages at
    the back were failed as 'took longer than' the limit before they had started."""
    admission = Admission(max_queued_pages=10, max_pixels=10**9, slots=1, remote_slots=1)
    busy, waiting = admission.admit(1), admission.admit(1)
    async with busy.page() as holder, waiting.page(light=True) as slot:
        loop = asyncio.get_running_loop()
        async with asyncio.timeout(0.3) as deadline:
            slot.deadline = deadline
            worked = 0.1
            await asyncio.sleep(worked)  # the text layer would not do
            moving = asyncio.ensure_future(slot.to_heavy())
            await asyncio.sleep(0.5)  # the one OCR slot is busy past the page's limit
            assert not moving.done()
            holder.let_go()
            await moving
            left = deadline.when() - loop.time()
            assert slot.lane == "local"
            assert 0.3 - worked - 0.1 < left <= 0.3 - worked + 0.01  # the limit waited too


async def test_every_page_over_its_limit_is_a_timeout_not_an_engine_failure(
    settings: Settings, tmp_path: Path
) -> None:
    path = pdf(tmp_path, "two.pdf", words_pdf(2))
    async with converter(settings, page_timeout=0.01) as conv:
        with pytest.raises(RequestTimeout) as stopped:
            await conv.convert(path, OCR)
        assert "DOCPARSE_PAGE_TIMEOUT" in stopped.value.message
        assert_all_returned(conv)


@pytest.mark.slow
async def test_a_conversion_over_the_request_limit_is_stopped(
    settings: Settings, tmp_path: Path
) -> None:
    path = pdf(tmp_path, "long.pdf", words_pdf(12))
    async with converter(settings, request_timeout=1.0) as conv:
        asked = time.monotonic()
        with pytest.raises(RequestTimeout) as stopped:
            await conv.convert(path, OCR)
        assert time.monotonic() - asked < 3
        assert "longer than 1 s (DOCPARSE_REQUEST_TIMEOUT)" in stopped.value.message
        started = conv.admission.started
        assert started < 12
        assert_all_returned(conv)
        await asyncio.sleep(1.5)
        assert conv.admission.started == started


async def test_a_vlm_page_may_take_what_the_vlm_read_timeout_allows(
    vlm_settings: Settings, vlm: Any, tmp_path: Path
) -> None:
    """DOCPARSE_PAGE_TIMEOUT below DOCPARSE_VLM_TIMEOUT: a block answer the server is
    allowed to take does not fail its page."""
    path = pdf(tmp_path, "one.pdf", words_pdf(1))
    vlm.latency = 1.5  # every block answer
    async with converter(vlm_settings, page_timeout=0.5) as conv:
        result = await conv.convert(path, ConvertOptions(engine="paddleocr-vl"))
        (page,) = result.document.pages
        assert page.status == PageStatus.ok, page.error
        assert page.blocks


def test_a_crowd_refused_at_once_is_told_to_come_back_at_spread_times() -> None:
    """Each refused request's pages count ahead of the next one refused while it waits,
    so twenty clients are not all told the same second (the load run's 803 refusals)."""
    admission = Admission(max_queued_pages=4, max_pixels=10**9, slots=2, remote_slots=2)
    admission.queued = 4  # the queue is full
    waits = []
    for _ in range(20):
        with pytest.raises(Overloaded) as refused:
            admission.admit(2)
        waits.append(refused.value.retry_after)
    assert waits == sorted(waits) and waits[-1] > waits[0]
    assert len(set(waits)) >= 10
