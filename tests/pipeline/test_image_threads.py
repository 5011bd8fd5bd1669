"""A page's image work has threads of its own: with one worker, the ruling lines a
scan's table search needs are found while Tesseract reads the page, not after it (on
the engine's one thread they waited for it, and the second core stood idle)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from docparse.engines.tesseract import TesseractEngine
from docparse.pipeline import ocr
from docparse.pipeline.converter import Converter
from docparse.pipeline.options import ConvertOptions
from docparse.pipeline.runtime import Engines
from docparse.settings import Settings
from tests.fixtures.made_pdfs import text_then_scan_pdf


async def test_a_scans_ruling_lines_are_found_while_it_is_read(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = settings.model_copy(update={"workers": 1, "cpu_layout": "none"})
    reading = threading.Event()
    found_while_reading: list[bool] = []
    page_lines, recognize_sync = ocr.page_lines, TesseractEngine.recognize_sync

    def lines(*args: Any) -> Any:
        # On the engine's one thread these were found before or after the reading, never
        # during it: the reading cannot begin while they wait for it.
        found_while_reading.append(reading.wait(timeout=20))
        return page_lines(*args)

    def recognize(self: TesseractEngine, *args: Any) -> Any:
        reading.set()
        return recognize_sync(self, *args)

    monkeypatch.setattr(ocr, "page_lines", lines)
    monkeypatch.setattr(TesseractEngine, "recognize_sync", recognize)
    path = tmp_path / "mixed.pdf"
    path.write_bytes(text_then_scan_pdf())
    engines = Engines(settings)
    try:
        result = await Converter(settings, engines).convert(path, ConvertOptions())
    finally:
        await engines.aclose()
    assert [p.route for p in result.document.pages] == ["text_layer", "ocr"]
    assert found_while_reading == [True]
    assert result.document.pages[1].blocks  # and the scan was read
