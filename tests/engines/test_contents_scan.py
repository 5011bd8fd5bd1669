"""A contents page on a scan. Its dot leaders are wiped before Tesseract reads the page
(before: read as letters, '.....<c.....csecesessveceneorosvss' after an entry)."""

from __future__ import annotations

import re
from pathlib import Path

from docparse.export.markdown import to_markdown
from docparse.pipeline.converter import Converter
from docparse.pipeline.options import ConvertOptions
from tests.fixtures.contents import ENTRIES, contents_page
from tests.fixtures.degrade import degrade, rasterize


async def test_a_scanned_contents_page_reads_its_entries_and_page_numbers(
    converter: Converter, tmp_path: Path
) -> None:
    image = rasterize(contents_page(), 200)[0]
    scan = degrade(
        image, seed=5, rotate_deg=0.3, blur=0.5, noise=5, jpeg_quality=75, grayscale=True
    )
    path = tmp_path / "contents.png"
    scan.save(path, dpi=(200, 200))
    result = await converter.convert(path, ConvertOptions(languages="rus+eng"))
    lines = [line.strip("# ") for line in to_markdown(result.document).splitlines()]
    text = " ".join(" ".join(lines).split())
    for entry, _ in ENTRIES:  # each entry read whole
        assert entry in text
    words = text.split()  # and no word read from a leader ('eee', 'cesaseccosss')
    assert [w for w in words if re.fullmatch(r"[^\W\d]*([^\W\d])\1\1[^\W\d]*", w)] == []
    for _, page in ENTRIES[5:]:  # the two-digit page numbers, which Tesseract reads alone
        assert page in words
