"""`docparse bench` on a few small documents: every figure and ratio is printed."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from docparse.ops.bench import run_bench

SMALL_DOCS = ("edgar.pdf", "edgar_image.pdf", "ambiguous.pdf")
FIGURE = re.compile(
    r"^(?P<name>.+?)\s+pages=(?P<pages>\d+)\s+s=(?P<s>[\d.]+)\s+"
    r"pages/s=(?P<rate>[\d.]+)"
)
RATIO = re.compile(r"^ratio (?P<name>.+?)\s+(?P<value>\d+\.\d+)")


@pytest.fixture
def small_docs(docs: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    for name in SMALL_DOCS:
        shutil.copy(docs / name, folder / name)
    return folder


@pytest.mark.slow
def test_bench_prints_every_figure(small_docs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_bench(small_docs, ocr_pages=2) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("# docparse bench") and "cpus=" in lines[0]
    assert "workers=" in lines[0]
    figures = {m["name"]: m for m in map(FIGURE.match, lines) if m}
    ratios = {m["name"]: float(m["value"]) for m in map(RATIO.match, lines) if m}
    names = [n for n in figures if n.startswith(("tesseract w=", "ppocr w="))]
    assert len(names) == 3, lines
    for name in (
        "textlayer",
        "auto born-digital",
        "direct textlayer",
        "service textlayer",
        "direct ocr",
        "service ocr",
        *names,
    ):
        assert name in figures, f"{name!r} missing from:\n" + "\n".join(lines)
        # Seconds, not the rate: printed to one decimal, a slow machine's rate reads 0.0.
        assert int(figures[name]["pages"]) > 0 and float(figures[name]["s"]) > 0
    # edgar.pdf and ambiguous.pdf keep their text layer; edgar_image.pdf is the one scan.
    assert figures["textlayer"]["pages"] == "2"
    assert figures["service ocr"]["pages"] == "1"
    assert any(n.startswith("tesseract speed-up") for n in ratios)
    for name in ("service/direct textlayer", "service/direct ocr"):
        assert ratios[name] > 0
    assert "target>=50" in next(line for line in lines if line.startswith("textlayer"))


def test_bench_without_documents_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_bench(tmp_path / "missing", ocr_pages=2) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("docparse bench:") and "\n" not in err
