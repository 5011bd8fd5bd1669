"""Temporary files a crash left behind are removed at the next start, and only those."""

from __future__ import annotations

import os
import time
from pathlib import Path

from docparse.io.temp import clear_leftovers


def leftovers(temp: Path) -> None:
    (temp / "req-abc123").mkdir(parents=True)
    (temp / "req-abc123" / "upload.pdf").write_bytes(b"%PDF")
    (temp / "lp-xyz" / "deep").mkdir(parents=True)
    (temp / "lp-xyz" / "deep" / "input").write_bytes(b"data")
    (temp / "docparse-part.tmp").write_bytes(b"x")


def test_leftovers_are_removed(tmp_path: Path) -> None:
    temp = tmp_path / "tmp"
    leftovers(temp)
    (temp / "notes.txt").write_text("not ours")
    assert clear_leftovers(temp) == 3
    assert sorted(p.name for p in temp.iterdir()) == ["notes.txt"]
    assert clear_leftovers(temp) == 0


def test_every_entry_when_asked(tmp_path: Path) -> None:
    temp = tmp_path / "tmp"
    leftovers(temp)
    (temp / "notes.txt").write_text("x")
    assert clear_leftovers(temp, prefixes=None) == 4
    assert list(temp.iterdir()) == []


def test_a_symlink_is_removed_not_followed(tmp_path: Path) -> None:
    temp = tmp_path / "tmp"
    temp.mkdir()
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "keep.txt").write_text("keep")
    (temp / "req-link").symlink_to(precious, target_is_directory=True)
    assert clear_leftovers(temp) == 1
    assert (precious / "keep.txt").read_text() == "keep"


def test_young_entries_stay_when_an_age_is_given(tmp_path: Path) -> None:
    temp = tmp_path / "tmp"
    leftovers(temp)
    old = time.time() - 7200
    os.utime(temp / "req-abc123", (old, old))
    assert clear_leftovers(temp, older_than=3600) == 1
    assert sorted(p.name for p in temp.iterdir()) == ["docparse-part.tmp", "lp-xyz"]


def test_a_missing_folder_is_nothing_to_do(tmp_path: Path) -> None:
    assert clear_leftovers(tmp_path / "absent") == 0
