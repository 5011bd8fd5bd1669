"""The service's temporary files: what a crash left behind is removed at the next start."""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Iterable
from pathlib import Path

log = logging.getLogger(__name__)

# Names the service gives its temporary folders and files under temp_dir: requests
# (api/routes/convert.py), /layout-parsing (api/routes/paddlex.py), jobs. A new kind of
# temporary file takes one of these prefixes, or adds its own here.
TEMP_PREFIXES = ("req-", "lp-", "job-", "docparse-")


def clear_leftovers(
    temp_dir: Path,
    prefixes: Iterable[str] | None = TEMP_PREFIXES,
    older_than: float = 0.0,
) -> int:
    """Remove what earlier runs left in `temp_dir`: the entries named with one of
    `prefixes` (None: every entry) last changed at least `older_than` seconds ago. Call it
    at startup, before any request. Symlinks are removed, never followed; what cannot be
    removed is logged and left. Returns the number of entries removed."""
    try:
        entries = list(temp_dir.iterdir())
    except FileNotFoundError:
        return 0
    except OSError as exc:
        log.warning("cannot list temp folder %s: %s", temp_dir, exc)
        return 0
    wanted = tuple(prefixes) if prefixes is not None else None
    cutoff = time.time() - older_than
    removed = 0
    for entry in entries:
        if wanted is not None and not entry.name.startswith(wanted):
            continue
        try:
            if older_than and entry.lstat().st_mtime > cutoff:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
            removed += 1
        except FileNotFoundError:
            continue
        except OSError as exc:
            log.warning("cannot remove leftover %s: %s", entry, exc)
    if removed:
        log.info("removed %d leftover temporary entries from %s", removed, temp_dir)
    return removed
