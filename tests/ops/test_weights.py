"""`docparse models download` against a real HTTP server on loopback (never the internet):
Range resume, SHA-256 verification, skipping, retries, unpinned files."""

from __future__ import annotations

import contextlib
import hashlib
import http.server
import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from docparse.ops.weights import (
    DEFAULT_BASE_URL,
    Downloader,
    HashMismatch,
    ModelDownloadError,
    UnpinnedFile,
    download_models,
    load_catalog,
    parse_catalog,
    select,
)


@dataclass
class Served:
    """What the server holds and does; handlers read it under the GIL."""

    files: dict[str, bytes] = field(default_factory=dict)  # URL path -> body
    cut_after: dict[str, int] = field(default_factory=dict)  # drop the connection once
    fail: dict[str, list[int]] = field(default_factory=dict)  # statuses to answer first
    redirect: dict[str, str] = field(default_factory=dict)  # URL path -> Location
    requests: list[dict[str, str | None]] = field(default_factory=list)


def handler_for(served: Served) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            path = self.path
            served.requests.append(
                {
                    "path": path,
                    "range": self.headers.get("Range"),
                    "auth": self.headers.get("Authorization"),
                }
            )
            if served.fail.get(path):
                status = served.fail[path].pop(0)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if path in served.redirect:
                self.send_response(302)
                self.send_header("Location", served.redirect[path])
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = served.files.get(path)
            if body is None:
                self.send_error(404)
                return
            start, status = 0, 200
            match = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range") or "")
            if match:
                start = int(match.group(1))
                if start >= len(body):
                    self.send_response(416)
                    self.send_header("Content-Range", f"bytes */{len(body)}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                status = 206
            self.send_response(status)
            self.send_header("Content-Length", str(len(body) - start))
            if status == 206:
                self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
            self.end_headers()
            cut = served.cut_after.pop(path, None)
            if cut is not None:
                self.wfile.write(body[start:cut])  # then the connection dies mid-body
                self.wfile.flush()
                self.close_connection = True
                return
            self.wfile.write(body[start:])

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextlib.contextmanager
def serving() -> Iterator[tuple[str, Served]]:
    served = Served()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler_for(served))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", served
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


@pytest.fixture
def server() -> Iterator[tuple[str, Served]]:
    with serving() as running:
        yield running


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def catalog_for(
    served: Served,
    models: dict[str, dict[str, bytes]],
    *,
    pins: dict[str, str | None] | None = None,
    default: str | None = None,
) -> dict[str, Any]:
    """A catalog in the packaged shape (hub URLs), its files put on the test server."""
    pins = pins or {}
    entries = []
    for name, files in models.items():
        repo, revision = f"org/{name}", "0123456789abcdef0123456789abcdef01234567"
        listed = []
        for path, body in files.items():
            url_path = f"/{repo}/resolve/{revision}/{path}"
            served.files[url_path] = body
            key = f"{name}/{path}"
            listed.append(
                {
                    "path": path,
                    "url": DEFAULT_BASE_URL + url_path,
                    "size": len(body),
                    "sha256": pins[key] if key in pins else sha(body),
                }
            )
        entries.append(
            {
                "name": name,
                "repo": repo,
                "revision": revision,
                "kind": "vlm",
                "default": name == default,
                "files": listed,
            }
        )
    return {"schema": 1, "models": entries}


def downloader(base: str, lines: list[str] | None = None, **kwargs: Any) -> Downloader:
    log = lines.append if lines is not None else (lambda line: None)
    return Downloader(base_url=base, backoff=0.01, sleep=lambda s: None, log=log, **kwargs)


BIG = os.urandom(3 * 1024 * 1024 + 17)  # several read chunks


def test_downloads_every_file_verified_into_the_model_folder(
    server: tuple[str, Served], tmp_path: Path
) -> None:
    base, served = server
    files = {"config.json": b'{"a": 1}', "model.safetensors": BIG, "sub/dir/tok.model": b"x"}
    specs = select(
        parse_catalog(catalog_for(served, {"VL": files, "Other": {"o": b"o"}}, default="VL")), None
    )
    assert [s.name for s in specs] == ["VL"]  # the default ones when nothing is named
    with downloader(base, token="hf_secret") as fetcher:
        results = download_models(specs, tmp_path, fetcher)
    for path, body in files.items():
        assert (tmp_path / "VL" / path).read_bytes() == body
    assert {r.status for r in results} == {"downloaded"}
    assert not list(tmp_path.rglob("*.part"))
    assert not (tmp_path / "Other").exists()
    # The hub URL was rebased onto the mirror, and the token went along.
    assert {r["path"] for r in served.requests} == {
        f"/org/VL/resolve/0123456789abcdef0123456789abcdef01234567/{p}" for p in files
    }
    assert {r["auth"] for r in served.requests} == {"Bearer hf_secret"}


def test_the_token_does_not_follow_a_redirect_to_another_host(
    server: tuple[str, Served], tmp_path: Path
) -> None:
    base, served = server
    spec = parse_catalog(catalog_for(served, {"VL": {"model.safetensors": b"weights"}}))
    url_path = next(iter(served.files))
    with serving() as (cdn, cdn_served):  # like the hub sending LFS files to its CDN
        cdn_served.files["/blob"] = served.files.pop(url_path)
        served.redirect[url_path] = f"{cdn}/blob"
        with downloader(base, token="hf_secret") as fetcher:
            download_models(spec, tmp_path, fetcher)
    assert (tmp_path / "VL" / "model.safetensors").read_bytes() == b"weights"
    assert [r["auth"] for r in served.requests] == ["Bearer hf_secret"]
    assert [r["auth"] for r in cdn_served.requests] == [None]


def test_resumes_with_a_range_request_after_a_cut_off(
    server: tuple[str, Served], tmp_path: Path
) -> None:
    base, served = server
    spec = parse_catalog(catalog_for(served, {"VL": {"model.safetensors": BIG}}))
    url_path = next(iter(served.files))
    served.cut_after[url_path] = 1_000_000
    lines: list[str] = []
    with downloader(base, lines) as fetcher:
        download_models(spec, tmp_path, fetcher)
    assert (tmp_path / "VL" / "model.safetensors").read_bytes() == BIG
    assert [r["range"] for r in served.requests] == [None, "bytes=1000000-"]
    assert any("retry 1/5" in line for line in lines), lines
    assert "  model.safetensors: resuming at 1.0 MB" in lines

    # A .part left by an interrupted build is continued, not started over.
    (tmp_path / "VL" / "model.safetensors").unlink()
    (tmp_path / "VL" / "model.safetensors.part").write_bytes(BIG[:2_000_000])
    served.requests.clear()
    with downloader(base) as fetcher:
        download_models(spec, tmp_path, fetcher)
    assert (tmp_path / "VL" / "model.safetensors").read_bytes() == BIG
    assert [r["range"] for r in served.requests] == ["bytes=2000000-"]


def test_hash_mismatch_is_refused_and_nothing_is_left_in_place(
    server: tuple[str, Served], tmp_path: Path
) -> None:
    base, served = server
    spec = parse_catalog(
        catalog_for(
            served,
            {"VL": {"model.safetensors": BIG}},
            pins={"VL/model.safetensors": sha(b"other bytes")},
        )
    )
    with downloader(base) as fetcher, pytest.raises(HashMismatch, match="not kept"):
        download_models(spec, tmp_path, fetcher)
    assert not (tmp_path / "VL" / "model.safetensors").exists()
    assert not (tmp_path / "VL" / "model.safetensors.part").exists()

    # A resumed part that does not verify gets one whole download before giving up.
    (tmp_path / "VL" / "model.safetensors.part").write_bytes(BIG[:10])
    served.requests.clear()
    with downloader(base) as fetcher, pytest.raises(HashMismatch):
        download_models(spec, tmp_path, fetcher)
    assert [r["range"] for r in served.requests] == ["bytes=10-", None]
    assert list((tmp_path / "VL").iterdir()) == []


def test_files_already_present_are_verified_and_skipped(
    server: tuple[str, Served], tmp_path: Path
) -> None:
    base, served = server
    spec = parse_catalog(catalog_for(served, {"VL": {"a.json": b"{}", "b.bin": BIG}}))
    with downloader(base) as fetcher:
        download_models(spec, tmp_path, fetcher)
    served.requests.clear()
    lines: list[str] = []
    with downloader(base, lines) as fetcher:
        results = download_models(spec, tmp_path, fetcher)
    assert served.requests == []
    assert [r.status for r in results] == ["present", "present"]
    assert "  b.bin: present, verified" in lines

    # Same size, other bytes: not the pinned file, so it is fetched again.
    (tmp_path / "VL" / "b.bin").write_bytes(bytes(len(BIG)))
    with downloader(base) as fetcher:
        results = download_models(spec, tmp_path, fetcher)
    assert [r.status for r in results] == ["present", "downloaded"]
    assert (tmp_path / "VL" / "b.bin").read_bytes() == BIG


def test_unpinned_files_need_the_flag_and_get_their_hash_printed(
    server: tuple[str, Served], tmp_path: Path
) -> None:
    base, served = server
    spec = parse_catalog(
        catalog_for(served, {"VL": {"a.json": b"{}", "b.bin": b"data"}}, pins={"VL/b.bin": None})
    )
    with downloader(base) as fetcher, pytest.raises(UnpinnedFile, match=r"VL/b\.bin"):
        download_models(spec, tmp_path, fetcher)
    assert served.requests == []  # refused before fetching anything

    lines: list[str] = []
    with downloader(base, lines) as fetcher:
        download_models(spec, tmp_path, fetcher, allow_unpinned=True)
    assert (tmp_path / "VL" / "b.bin").read_bytes() == b"data"
    assert f"  UNPINNED VL/b.bin sha256 {sha(b'data')} (add it to the catalog to pin it)" in lines


def test_transient_errors_are_retried_and_missing_files_are_not(
    server: tuple[str, Served], tmp_path: Path
) -> None:
    base, served = server
    spec = parse_catalog(catalog_for(served, {"VL": {"a.bin": b"abc"}}))
    url_path = next(iter(served.files))
    served.fail[url_path] = [503, 429]
    with downloader(base) as fetcher:
        download_models(spec, tmp_path, fetcher)
    assert (tmp_path / "VL" / "a.bin").read_bytes() == b"abc"
    assert len(served.requests) == 3

    served.requests.clear()
    del served.files[url_path]
    (tmp_path / "VL" / "a.bin").unlink()
    with downloader(base) as fetcher, pytest.raises(ModelDownloadError, match="HTTP 404"):
        download_models(spec, tmp_path, fetcher)
    assert len(served.requests) == 1

    served.fail[url_path] = [503] * 10
    with (
        downloader(base, retries=2) as fetcher,
        pytest.raises(ModelDownloadError, match="gave up after 2 retries"),
    ):
        download_models(spec, tmp_path, fetcher)


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DOCPARSE_", "HF_", "HUGGING_FACE"))
    }
    return subprocess.run(
        [sys.executable, "-m", "docparse", "models", *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_cli_downloads_through_the_mirror_url(server: tuple[str, Served], tmp_path: Path) -> None:
    base, served = server
    catalog = tmp_path / "catalog.json"
    catalog.write_text(
        json.dumps(
            catalog_for(
                served,
                {"VL": {"a.json": b"{}"}, "Layout": {"x.onnx": b"onnx"}},
                pins={"Layout/x.onnx": None},
            )
        )
    )
    env = {"DOCPARSE_MODELS_BASE_URL": base, "HF_TOKEN": "hf_cli"}

    refused = run_cli(
        "download",
        "--catalog",
        str(catalog),
        "--dest",
        str(tmp_path / "m"),
        "--only",
        "vl",
        "Layout",
        env=env,
    )
    assert refused.returncode == 2
    assert "no SHA-256 is pinned for Layout/x.onnx" in refused.stderr

    done = run_cli(
        "download",
        "--catalog",
        str(catalog),
        "--only",
        "vl",
        "Layout",
        "--allow-unpinned",
        env={**env, "DOCPARSE_MODELS_DIR": str(tmp_path / "m")},
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "m" / "VL" / "a.json").read_bytes() == b"{}"
    assert (tmp_path / "m" / "Layout" / "x.onnx").read_bytes() == b"onnx"
    assert f"UNPINNED Layout/x.onnx sha256 {sha(b'onnx')}" in done.stderr
    assert {r["auth"] for r in served.requests} == {"Bearer hf_cli"}

    listing = run_cli("list", "--catalog", str(catalog), env=env)
    assert listing.returncode == 0
    assert re.search(r"Layout +org/Layout@0123456789ab +1 files, 4 B, 0/1 pinned", listing.stdout)


def test_the_packaged_catalog_pins_what_the_gpu_image_downloads() -> None:
    catalog = load_catalog()
    names = [m.name for m in catalog]
    assert names == [
        "PaddleOCR-VL-1.6",
        "PaddleOCR-VL-1.5",
        "PaddleOCR-VL",
        "PP-DocLayoutV3",
        "PP-DocLayoutV2",
    ]
    defaults = select(catalog, None)
    assert [m.name for m in defaults] == ["PaddleOCR-VL-1.6", "PP-DocLayoutV3"]
    for model in defaults:  # the image build must never need --allow-unpinned
        assert model.unpinned == []
        assert all(f.size for f in model.files)
    for model in catalog:
        assert re.fullmatch(r"[0-9a-f]{40}", model.revision)
        paths = [f.path for f in model.files]
        assert len(paths) == len(set(paths))
        for file in model.files:
            assert file.url == (
                f"https://huggingface.co/{model.repo}/resolve/{model.revision}/{file.path}"
            )
    vl16 = {f.path: f for f in catalog[0].files}
    assert {
        "config.json",
        "model.safetensors",
        "tokenizer.json",
        "chat_template.jinja",
        "preprocessor_config.json",
        "processing_paddleocr_vl.py",
    } <= set(vl16)
    assert vl16["model.safetensors"].size == 1_917_255_968
    layout = {f.path for f in catalog[3].files}
    assert layout == {"inference.onnx", "inference.yml"}  # what PPDocLayout loads
