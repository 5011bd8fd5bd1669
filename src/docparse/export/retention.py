"""Results expire: `sweep` removes the document folders under output_dir older than the
TTL (DOCPARSE_RESULT_TTL; 0 keeps them forever), and `expire_periodically` runs it once at
start and every DOCPARSE_CLEANUP_INTERVAL seconds (the app's lifespan starts it).

What the sweep may remove is narrow on purpose, so an output_dir pointed at the wrong
folder loses nothing: only directories (never a symlink, never followed: `shutil.rmtree`
works through file descriptors and unlinks links inside) named like a document id, or a
`save_outputs` folder still under its partial name. A folder's age is its mtime: the
moment its last file was written, since `save_outputs` writes under a partial name and
renames when complete (a rename keeps the folder's mtime). A partial folder is a writer at
work, left alone for PARTIAL_GRACE (or the TTL, if longer); past that it was left by a
killed process and goes too."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import shutil
import time
from pathlib import Path

from docparse.export.storage import PARTIAL_PREFIX

log = logging.getLogger(__name__)

# A document id: uuid4().hex (api/routes/convert.py).
DOCUMENT_ID = re.compile(r"[0-9a-f]{32}")
PARTIAL = re.compile(re.escape(PARTIAL_PREFIX) + r"[0-9a-f]{32}\..+")
PARTIAL_GRACE = 3600.0  # seconds a folder may stay under its partial name


def sweep(folder: Path, ttl: float, now: float) -> int:
    """Remove the result folders directly in `folder` whose mtime is more than `ttl`
    seconds before `now`; how many were removed. `ttl` 0 (or less) removes nothing."""
    if ttl <= 0:
        return 0
    try:
        entries = list(os.scandir(folder))
    except (FileNotFoundError, NotADirectoryError):
        return 0
    removed = 0
    for entry in entries:
        if DOCUMENT_ID.fullmatch(entry.name):
            limit = ttl
        elif PARTIAL.fullmatch(entry.name):
            limit = max(ttl, PARTIAL_GRACE)
        else:
            continue  # not ours
        try:
            if not entry.is_dir(follow_symlinks=False):
                continue  # a file or a symlink: never ours, never followed
            if now - entry.stat(follow_symlinks=False).st_mtime <= limit:
                continue
            # Safe against a swap for a symlink after the check: rmtree refuses to start
            # at a link and never follows one inside.
            shutil.rmtree(entry.path)
        except FileNotFoundError:
            continue  # gone meanwhile (removed by hand, or a delete through the API)
        except OSError as exc:
            log.warning("could not remove expired result %s: %s", entry.name, exc)
            continue
        removed += 1
    return removed


async def expire_periodically(folder: Path, ttl: float, interval: float) -> None:
    """Sweep `folder` now and every `interval` seconds, in a thread, until cancelled."""
    while True:
        try:
            removed = await asyncio.to_thread(sweep, folder, ttl, time.time())
        except Exception:
            log.exception("the sweep of expired results failed")
        else:
            if removed:
                log.info("removed %d expired result folder(s)", removed, extra={"removed": removed})
        await asyncio.sleep(interval)
