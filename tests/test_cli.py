"""The docparse command as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "docparse", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_convert_writes_each_format(docs: Path, tmp_path: Path) -> None:
    result = run(
        "convert",
        str(docs / "edgar.pdf"),
        str(docs / "ambiguous.pdf"),
        "--output",
        str(tmp_path),
        "--format",
        "md,json,txt",
    )
    assert result.returncode == 0, result.stderr
    assert "King of the English" in (tmp_path / "edgar.md").read_text()
    document = json.loads((tmp_path / "edgar.json").read_text())
    assert document["pages"][0]["route"] == "text_layer"
    assert "Hello" in (tmp_path / "ambiguous.txt").read_text()


def test_failed_file_gets_one_line_and_nonzero_exit(docs: Path, tmp_path: Path) -> None:
    bogus = tmp_path / "notes.pdf"
    bogus.write_text("<html>not a pdf</html>")
    result = run(
        "convert", str(bogus), str(docs / "ambiguous.pdf"), "--output", str(tmp_path / "out")
    )
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("docparse:")]
    assert errors == [
        f"docparse: {bogus}: unsupported document type: expected PDF, PNG, JPEG, TIFF, WebP or BMP"
    ]
    assert (tmp_path / "out" / "ambiguous.md").exists()  # the good file is still converted
    assert "Traceback" not in result.stderr


def test_unknown_format_is_refused(docs: Path, tmp_path: Path) -> None:
    result = run("convert", str(docs / "edgar.pdf"), "-o", str(tmp_path), "--format", "docx")
    assert result.returncode == 2
    assert "unknown format docx" in result.stderr


def test_invalid_settings_are_refused_with_a_clear_line() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "docparse", "serve"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "DOCPARSE_PORT": "99999"},
    )
    assert result.returncode == 2
    assert "invalid DOCPARSE_PORT" in result.stderr
    assert "Traceback" not in result.stderr
