"""A job's input wherever it is (jobs/results.py `job_input`, what the API and `docparse
worker` both read it through): its own file, a copy of the one it shared through the
result store, or gone (410, without the store's key)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from docparse.errors import JobExpired
from docparse.export.storage import LocalStore
from docparse.jobs.results import JobFiles, job_input, shared_input


def test_the_own_file_then_the_shared_copy_then_gone(tmp_path: Path) -> None:
    files, store = JobFiles(tmp_path / "jobs"), LocalStore(tmp_path / "results")
    job_id = uuid.uuid4().hex
    copy = tmp_path / "copy" / "input"

    files.input(job_id).parent.mkdir(parents=True)
    files.input(job_id).write_bytes(b"own")
    assert job_input(files, store, job_id, copy) == files.input(job_id)
    assert not copy.exists()

    files.remove(job_id)
    store.put(shared_input(job_id), "document", b"shared", "application/pdf")
    assert job_input(files, store, job_id, copy).read_bytes() == b"shared"

    store.delete(shared_input(job_id))
    with pytest.raises(JobExpired) as gone:
        job_input(files, store, job_id, tmp_path / "other")
    assert shared_input(job_id) not in gone.value.message
