"""A contents page on a scan. Its dot leaders are wiped before Tesseract reads the page
(before: read as letters, '.....<c.....csecesessveceneorosvss' after an entry), and the
column of lone page numbers, which Tesseract's page layout runs together into one tall
"word" ('ча' for '3 4 5 7'), is read again as a block of lines."""

from __future__ import annotations

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
    words = to_markdown(result.document).replace("#", " ").split()
    expected = {"СОДЕРЖАНИЕ"} | {w for entry, page in ENTRIES for w in (*entry.split(), page)}
    assert [w for w in words if w not in expected] == []  # nothing read from the leaders
    for entry, page in ENTRIES:
        assert entry.split()[-1] in words
        assert page in words
