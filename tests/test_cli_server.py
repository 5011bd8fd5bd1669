"""`docparse convert --server`: the command run as a user runs it, against a real
`docparse serve` process with API keys, writing what the local convert writes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.fixtures.service import serve_process
from tests.test_client import free_port

KEY = "cli-server-key"
UNSUPPORTED = "unsupported document type: expected PDF, PNG, JPEG, TIFF, WebP or BMP"


def run(*args: str, key: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DOCPARSE_API_KEY"}
    if key is not None:
        env["DOCPARSE_API_KEY"] = key
    return subprocess.run(
        [sys.executable, "-m", "docparse", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=env,
    )


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    env = {"DOCPARSE_API_KEYS": KEY, "DOCPARSE_PRELOAD_ENGINES": "[]"}
    with serve_process(tmp_path_factory.mktemp("serve"), port, env=env):
        yield f"http://127.0.0.1:{port}"


@pytest.mark.slow
def test_a_folder_is_converted_by_the_service_as_it_is_here(
    server: str, docs: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("edgar.pdf", "ambiguous.pdf"):
        shutil.copy(docs / name, folder / name)
    (folder / "notes.txt").write_text("not a document: left alone")
    remote, local = tmp_path / "remote", tmp_path / "local"

    sent = run(
        "convert",
        str(folder),
        "--server",
        server,
        "-o",
        str(remote),
        "--format",
        "md,json,txt",
        key=KEY,
    )
    assert sent.returncode == 0, sent.stderr
    here = run(
        "convert",
        str(folder / "ambiguous.pdf"),
        str(folder / "edgar.pdf"),
        "-o",
        str(local),
        "--format",
        "md,json,txt",
    )
    assert here.returncode == 0, here.stderr

    files = sorted(str(p.relative_to(remote)) for p in remote.rglob("*") if p.is_file())
    assert files == sorted(str(p.relative_to(local)) for p in local.rglob("*") if p.is_file())
    assert "edgar.md" in files and "ambiguous.txt" in files and "notes.md" not in files
    figures = [f for f in files if f.endswith(".png")]
    assert figures and all(f.split("/")[0] in ("edgar_images", "ambiguous_images") for f in figures)
    assert "King of the English" in (remote / "edgar.md").read_text()
    for name in files:
        ours, theirs = (remote / name).read_bytes(), (local / name).read_bytes()
        if name.endswith(".json"):  # the same Document; the service notes its job
            ours_doc, theirs_doc = json.loads(ours), json.loads(theirs)
            noted = ours_doc.pop("metadata")
            assert theirs_doc.pop("metadata").items() <= noted.items()
            assert noted["job_id"] and noted["filename"] == Path(name).stem + ".pdf"
            assert ours_doc == theirs_doc, name
        else:  # Markdown names the figures where they were written, as here
            assert ours == theirs, name
    # The results are here now: the jobs are gone from the service.
    listed = httpx.get(f"{server}/v1/jobs", headers={"X-API-Key": KEY}).json()
    assert listed["jobs"] == []


def test_a_bad_file_is_one_line_and_the_key_option_wins(
    server: str, docs: Path, tmp_path: Path
) -> None:
    bogus = tmp_path / "notes.pdf"
    bogus.write_text("<html>not a pdf</html>")
    out = tmp_path / "out"
    result = run(
        "convert",
        str(bogus),
        str(docs / "ambiguous.pdf"),
        "--server",
        server,
        "--api-key",
        KEY,
        "-o",
        str(out),
        key="wrong",
    )
    assert result.returncode == 1, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("docparse:")]
    assert errors == [f"docparse: {bogus}: {UNSUPPORTED}"]  # the words of the local convert
    assert (out / "ambiguous.md").exists() and (out / "ambiguous.json").exists()
    assert not (out / "ambiguous.txt").exists()  # md,json unless --format says otherwise
    assert "Traceback" not in result.stderr


@pytest.mark.slow  # moved out of the 10-minute default run
def test_a_refused_key_or_no_service_stops_with_one_line(
    server: str, docs: Path, tmp_path: Path
) -> None:
    pdf = str(docs / "ambiguous.pdf")
    refused = run("convert", pdf, "--server", server, "-o", str(tmp_path / "a"), key="wrong")
    assert refused.returncode == 2
    assert refused.stderr.splitlines() == [f"docparse: {server}: the API key is not valid"]
    nobody = f"http://127.0.0.1:{free_port()}"
    missing = run("convert", pdf, pdf, "--server", nobody, "-o", str(tmp_path / "b"))
    assert missing.returncode == 2
    lines = missing.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"docparse: {nobody}: "), lines
    assert not list((tmp_path / "b").glob("*.md"))
