"""The SQLite shape of a job record: the table, its indexes, the columns a read selects
(with the queue position computed), and a row turned back into a `Job`
(jobs/store.py's SqliteJobStore uses them)."""

from __future__ import annotations

import json
import sqlite3

from docparse.jobs.model import Job, JobState
from docparse.pipeline.options import ConvertOptions

SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL,
    attempt INTEGER NOT NULL DEFAULT 0,
    options TEXT NOT NULL,
    source TEXT NOT NULL,
    filename TEXT,
    callback_url TEXT,
    status_url TEXT NOT NULL,
    result_url TEXT NOT NULL,
    pages_done INTEGER NOT NULL DEFAULT 0,
    pages_total INTEGER,
    created_at REAL NOT NULL,
    started_at REAL,
    finished_at REAL,
    expires_at REAL,
    expired INTEGER NOT NULL DEFAULT 0,
    error_code TEXT,
    error_message TEXT,
    failed_pages TEXT NOT NULL DEFAULT '[]',
    webhook TEXT
);
CREATE INDEX IF NOT EXISTS jobs_by_state ON jobs (state, seq);
CREATE INDEX IF NOT EXISTS jobs_by_expiry ON jobs (expires_at);
"""
# A queued job's place: 1 + the queued jobs accepted before it.
POSITION = "(SELECT count(*) FROM jobs q WHERE q.state = 'queued' AND q.seq <= jobs.seq)"
COLUMNS = f"jobs.*, {POSITION} AS queue_position"


def job_from_row(row: sqlite3.Row) -> Job:
    keys = row.keys()
    return Job(
        id=row["id"],
        seq=row["seq"],
        state=JobState(row["state"]),
        attempt=row["attempt"],
        options=ConvertOptions.model_validate_json(row["options"]),
        source=row["source"],
        filename=row["filename"],
        callback_url=row["callback_url"],
        status_url=row["status_url"],
        result_url=row["result_url"],
        pages_done=row["pages_done"],
        pages_total=row["pages_total"],
        created_at=row["created_at"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        expires_at=row["expires_at"],
        expired=bool(row["expired"]),
        error_code=row["error_code"],
        error_message=row["error_message"],
        failed_pages=json.loads(row["failed_pages"]),
        webhook=json.loads(row["webhook"]) if row["webhook"] else None,
        queue_position=row["queue_position"] if "queue_position" in keys else None,
    )
