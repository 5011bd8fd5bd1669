"""The local result store: today's files in output_dir behind the ResultStore seam."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from docparse.errors import ResultMissing, StorageFailed
from docparse.export.storage import LocalStore, ResultStore, create_store, result_files
from docparse.settings import Settings


def test_local_store_put_get_names_delete(tmp_path: Path) -> None:
    store: ResultStore = LocalStore(tmp_path)
    doc = uuid.uuid4().hex
    store.save_result(doc, {"md": "# hi\n", "json": "{}"}, {"images/p1_0.png": b"png"})
    store.put(doc, "extra/note.txt", b"note", "text/plain")
    assert (tmp_path / doc / "document.md").read_text() == "# hi\n"
    assert store.names(doc) == [
        "document.json",
        "document.md",
        "extra/note.txt",
        "images/p1_0.png",
    ]
    assert store.get(doc, "images/p1_0.png") == b"png"
    assert store.url(doc, "document.md") is None  # served by the service itself
    assert store.check() == "reachable"
    assert store.delete(doc, "images") == 1
    assert store.delete(doc, "document.json") == 1
    assert store.names(doc) == ["document.md", "extra/note.txt"]
    assert store.delete(doc) == 2
    assert not (tmp_path / doc).exists()
    assert store.delete(doc) == 0
    assert store.names(doc) == []
    with pytest.raises(ResultMissing):
        store.get(doc, "document.md")


@pytest.mark.parametrize("name", ["../escape.md", "/etc/passwd", "a//b", "", "images/../../x"])
def test_names_cannot_leave_the_result(tmp_path: Path, name: str) -> None:
    store = LocalStore(tmp_path / "output")
    with pytest.raises(StorageFailed, match="not a file name"):
        store.put(uuid.uuid4().hex, name, b"x", "text/plain")
    assert not (tmp_path / "escape.md").exists()


@pytest.mark.parametrize("result_id", ["..", "a/b", ".hidden", ""])
def test_ids_are_not_paths(tmp_path: Path, result_id: str) -> None:
    with pytest.raises(StorageFailed, match="not a result id"):
        LocalStore(tmp_path).get(result_id, "document.md")


def test_a_failed_write_is_a_storage_error_and_leaves_nothing(tmp_path: Path) -> None:
    blocked = tmp_path / "output"
    blocked.write_text("a file where the folder should be")
    store = LocalStore(blocked)
    with pytest.raises(StorageFailed, match="could not write result") as failed:
        store.save_result(uuid.uuid4().hex, {"md": "x", "json": "{}"})
    assert str(blocked) not in failed.value.message  # the reason, not the path
    assert store.check().endswith("is not a writable folder")


def test_files_of_a_result_figures_first_with_content_types() -> None:
    files = result_files({"md": "m", "json": "{}", "txt": "t"}, {"images/a.png": b"p"})
    assert [(name, kind) for name, _, kind in files] == [
        ("images/a.png", "image/png"),
        ("document.md", "text/markdown; charset=utf-8"),
        ("document.json", "application/json"),
        ("document.txt", "text/plain; charset=utf-8"),
    ]


def test_the_store_follows_the_setting(settings: Settings) -> None:
    assert isinstance(create_store(settings), LocalStore)
    s3 = Settings(storage="s3", s3={"bucket": "b"}, _env_file=None)  # type: ignore[call-arg]
    assert create_store(s3).kind == "s3"
