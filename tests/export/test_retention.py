"""The sweep of expired results: what it removes, and everything it must leave alone."""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

import pytest

from docparse.export.retention import PARTIAL_GRACE, sweep
from docparse.export.storage import save_outputs

DAY = 24 * 3600.0
NOW = 1_900_000_000.0  # a fixed "now": ages are set with utime relative to it


def result(output: Path, age: float, name: str | None = None) -> Path:
    """A finished document folder as the service writes it, `age` seconds old."""
    folder = output / (name or uuid.uuid4().hex)
    save_outputs(folder, {"md": "# hi\n", "json": "{}"}, {"images/p1.png": b"png"})
    aged(folder, age)
    return folder


def aged(path: Path, age: float) -> None:
    os.utime(path, (NOW - age, NOW - age), follow_symlinks=False)


def test_folders_older_than_the_ttl_are_removed_the_rest_kept(tmp_path: Path) -> None:
    old = [result(tmp_path, 8 * DAY), result(tmp_path, 7 * DAY + 1)]
    fresh = [result(tmp_path, 6 * DAY), result(tmp_path, 0)]
    assert sweep(tmp_path, 7 * DAY, NOW) == 2
    assert not any(f.exists() for f in old)
    assert all((f / "document.md").exists() for f in fresh)
    assert sweep(tmp_path, 7 * DAY, NOW) == 0


def test_a_ttl_of_zero_keeps_everything(tmp_path: Path) -> None:
    folder = result(tmp_path, 3650 * DAY)
    assert sweep(tmp_path, 0, NOW) == 0
    assert folder.exists()


def test_a_missing_output_folder_is_nothing_to_do(tmp_path: Path) -> None:
    assert sweep(tmp_path / "never-made", DAY, NOW) == 0


def test_symlinks_are_never_followed(tmp_path: Path) -> None:
    output, outside = tmp_path / "output", tmp_path / "outside"
    output.mkdir()
    outside.mkdir()
    precious = outside / "precious.txt"
    precious.write_text("keep me")
    aged(precious, 30 * DAY)
    aged(outside, 30 * DAY)
    # A link named like a document folder, old itself and pointing at an old folder.
    link = output / uuid.uuid4().hex
    link.symlink_to(outside, target_is_directory=True)
    aged(link, 30 * DAY)
    # A document folder with a link inside to the outside folder: the folder goes, the
    # link with it, never what it points at.
    folder = result(output, 0)
    (folder / "escape").symlink_to(outside, target_is_directory=True)
    aged(folder, 30 * DAY)
    assert sweep(output, DAY, NOW) == 1
    assert not folder.exists()
    assert link.is_symlink()  # not ours to remove, and not followed
    assert precious.read_text() == "keep me"


def test_only_document_folders_are_removed(tmp_path: Path) -> None:
    # An output_dir pointed at a folder with other things in it: only what the service
    # writes (a folder named by a document id) may go.
    others = [tmp_path / "photos", tmp_path / ("A" * 32), tmp_path / ("0" * 31)]
    for other in others:
        other.mkdir()
        aged(other, 30 * DAY)
    file_like_an_id = tmp_path / uuid.uuid4().hex
    file_like_an_id.write_text("a file, not a result folder")
    aged(file_like_an_id, 30 * DAY)
    assert sweep(tmp_path, DAY, NOW) == 0
    assert all(p.exists() for p in [*others, file_like_an_id])


def test_a_folder_being_written_is_not_removed(tmp_path: Path) -> None:
    # Written under a hidden name and renamed when complete: the partial folder of a
    # writer still at work is young, and is left alone even past a short TTL.
    document_id = uuid.uuid4().hex
    writing = tmp_path / f".partial-{document_id}.k3x9_2ab"
    writing.mkdir()
    (writing / "document.md").write_text("half")
    aged(writing, 60)
    assert sweep(tmp_path, 1, NOW) == 0
    assert writing.exists()
    # One a killed process left behind goes once it is older than the grace period.
    aged(writing, PARTIAL_GRACE + 1)
    assert sweep(tmp_path, 1, NOW) == 1
    assert not writing.exists()


def test_save_outputs_writes_then_renames(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[list[str]] = []
    real_replace = os.replace

    def watching(src: str | Path, dst: str | Path) -> None:
        seen.append(sorted(p.name for p in tmp_path.iterdir()))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", watching)
    folder = tmp_path / uuid.uuid4().hex
    save_outputs(folder, {"md": "# hi\n", "json": "{}"}, {"images/p1.png": b"png"})
    # Until the last file was written, the folder had no document-id name to be swept by.
    assert seen and all(folder.name not in names for names in seen)
    assert sorted(p.name for p in tmp_path.iterdir()) == [folder.name]
    assert (folder / "images" / "p1.png").read_bytes() == b"png"
    assert (folder / "document.md").read_text() == "# hi\n"


def test_the_age_is_the_time_the_folder_was_written(tmp_path: Path) -> None:
    folder = tmp_path / uuid.uuid4().hex
    save_outputs(folder, {"md": "x", "json": "{}"})
    assert sweep(tmp_path, 60, time.time()) == 0
    assert sweep(tmp_path, 60, time.time() + 61) == 1
