"""The pipeline reports its stages and pages in flight while it converts: what a sink
receives from a real conversion, and what /metrics shows after one through the service."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from docparse.pipeline import telemetry
from docparse.pipeline.converter import Converter
from docparse.pipeline.options import ConvertOptions
from docparse.settings import Settings
from tests.api.test_metrics import scrape, value
from tests.fixtures.made_pdfs import text_then_scan_pdf
from tests.fixtures.service import running, state_of


@dataclass
class Recorder:
    stages: list[tuple[telemetry.Stage, float]] = field(default_factory=list)
    in_flight: int = 0
    peak: int = 0

    def stage(self, stage: telemetry.Stage, seconds: float) -> None:
        self.stages.append((stage, seconds))

    def flight(self, change: int) -> None:
        self.in_flight += change
        self.peak = max(self.peak, self.in_flight)

    def count(self, stage: str) -> int:
        return sum(s == stage for s, _ in self.stages)


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    previous = telemetry._sink  # the service's, when an app was built in this process
    found = Recorder()
    telemetry.install(telemetry.Sink(found.stage, found.flight))
    try:
        yield found
    finally:
        telemetry.install(previous)


async def test_a_conversion_reports_each_stage_of_each_page(
    converter: Converter, recorder: Recorder, tmp_path_factory: pytest.TempPathFactory
) -> None:
    path = tmp_path_factory.mktemp("in") / "mixed.pdf"
    path.write_bytes(text_then_scan_pdf())  # page 1 its text layer, page 2 a scan
    result = await converter.convert(path, ConvertOptions())
    assert [p.route for p in result.document.pages] == ["text_layer", "ocr"]
    # Both pages' text layers read; the scan drawn, turned upright, read, its tables
    # looked for (the born-digital page's too) and arranged.
    assert recorder.count("text_layer") == 2
    assert recorder.count("render") == 1
    assert recorder.count("orientation") == 1
    assert recorder.count("ocr") == 1
    assert recorder.count("tables") == 2
    assert recorder.count("structure") == 2
    assert recorder.count("vlm") == 0
    # The CPU layout model, when there is one, looks at the scan beside the OCR engine.
    assert recorder.count("layout") == (converter.engines.layout() is not None)
    assert all(seconds >= 0 for _, seconds in recorder.stages)
    ocr_seconds = next(s for stage, s in recorder.stages if stage == "ocr")
    assert ocr_seconds > 0.05  # Tesseract on an A4 scan, not a stage timed around nothing
    # Both pages were in flight together (the service's page slots), and none is left.
    assert recorder.peak == 2
    assert recorder.in_flight == 0


async def test_a_failed_page_leaves_no_page_in_flight(
    converter: Converter, recorder: Recorder, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from tests.io.test_damaged_pdf import GOOD_THEN_CYCLE

    path = tmp_path_factory.mktemp("in") / "damaged.pdf"
    path.write_bytes(GOOD_THEN_CYCLE)
    result = await converter.convert(path, ConvertOptions(engine="textlayer"))
    assert [p.status for p in result.document.pages] == ["ok", "failed"]
    assert recorder.peak >= 1
    assert recorder.in_flight == 0


async def test_a_conversion_through_the_service_moves_the_stage_metrics(
    settings: Settings,
) -> None:
    async with running(settings) as http:
        before = await scrape(http)
        response = await http.post(
            "/v1/convert", files={"file": ("mixed.pdf", text_then_scan_pdf(), "application/pdf")}
        )
        assert response.status_code == 200, response.text
        after = await scrape(http)
        layout = state_of(http).engines.layout() is not None
    count, total = "docparse_stage_seconds_count", "docparse_stage_seconds_sum"
    moved = {
        stage: value(after, count, stage=stage) - value(before, count, stage=stage)
        for stage in telemetry.STAGES
    }
    assert moved == {
        "render": 1,
        "text_layer": 2,
        "orientation": 1,
        "layout": int(layout),
        "ocr": 1,
        "vlm": 0,
        "tables": 2,
        "structure": 2,
    }
    assert value(after, total, stage="ocr") > value(before, total, stage="ocr")
    assert value(after, "docparse_pages_in_flight") == 0
