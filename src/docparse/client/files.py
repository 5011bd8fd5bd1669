"""`docparse convert --server`: documents sent one at a time to a running service as jobs,
with a progress bar each, and written as the local convert writes them: {stem}.md, .json,
.txt, and the figures under {stem}_images/ (the paths the Markdown and JSON name)."""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from docparse.client._base import Options
from docparse.client.models import ClientError, JobStatus, ServiceError, ServiceUnreachable
from docparse.client.sync import Client

if TYPE_CHECKING:
    import argparse

FORMATS = ("md", "json", "txt")
DOCUMENT_SUFFIXES = frozenset({".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".webp", ".bmp"})
JOB_FIGURES = "images"  # where a job puts figures: in its zip and in its documents' paths


def documents(inputs: Sequence[Path]) -> list[Path]:
    """Files as given; a folder's documents by suffix (not its subfolders: the outputs are
    named by stem in one folder), sorted by name."""
    found: list[Path] = []
    for path in inputs:
        if path.is_dir():
            found += sorted(
                p for p in path.iterdir() if p.is_file() and p.suffix.lower() in DOCUMENT_SUFFIXES
            )
        else:
            found.append(path)
    return found


def convert_with_arguments(args: argparse.Namespace) -> int:
    """`docparse convert --server`'s arguments: those of the local convert, plus the key
    (--api-key, else DOCPARSE_API_KEY)."""
    options: Options = {"engine": args.engine, "layout": args.layout}
    if args.languages:
        options["languages"] = args.languages
    if args.pages:
        options["pages"] = args.pages
    if args.dpi is not None:
        options["dpi"] = args.dpi
    key = args.api_key or os.environ.get("DOCPARSE_API_KEY") or None
    formats = [f.strip() for f in args.format.split(",") if f.strip()]
    return convert_remote(args.server, key, args.inputs, args.output, formats, options)


def convert_remote(
    server: str,
    api_key: str | None,
    inputs: Sequence[Path],
    output: Path,
    formats: Sequence[str],
    options: Options,
) -> int:
    """Each document through the jobs API; one stderr line per failure, non-zero if any
    failed. A service that cannot be reached or refuses the key stops the run (2)."""
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        print(f"docparse: unknown format {', '.join(unknown)} (use md,json,txt)", file=sys.stderr)
        return 2
    output.mkdir(parents=True, exist_ok=True)
    failures = 0
    with Client(server, api_key=api_key) as client:
        for path in documents(inputs):
            try:
                failures += _convert_one(client, path, output, formats, options)
            except (ServiceUnreachable, ServiceError) as exc:
                if isinstance(exc, ServiceUnreachable) or exc.status in (401, 403):
                    print(f"docparse: {server}: {_reason(exc)}", file=sys.stderr)
                    return 2
                failures += 1
                print(f"docparse: {path}: {_reason(exc)}", file=sys.stderr)
            except ClientError as exc:
                failures += 1
                print(f"docparse: {path}: {_reason(exc)}", file=sys.stderr)
            except OSError as exc:
                failures += 1
                print(f"docparse: {path}: {exc.strerror or exc}", file=sys.stderr)
    return 1 if failures else 0


def _reason(exc: ClientError) -> str:
    message = getattr(exc, "message", None)
    return message if isinstance(message, str) and message else str(exc)


def _convert_one(
    client: Client, path: Path, output: Path, formats: Sequence[str], options: Options
) -> int:
    """The pages that failed in a document that was converted."""
    from tqdm import tqdm

    bar = tqdm(total=0, desc=path.name, unit="page", disable=not sys.stderr.isatty(), leave=False)

    def progress(status: JobStatus) -> None:
        bar.total = status.pages_total or 0
        bar.n = status.pages_done
        queued = status.state == "queued" and status.queue_position
        bar.set_postfix_str(f"queued #{status.queue_position}" if queued else status.state)

    try:
        job = client.submit(path, path.name, **options)
        try:
            client.wait(job, progress)
        except KeyboardInterrupt:
            client.cancel(job)  # the service stops reading it rather than finish for no one
            raise
    finally:
        bar.close()
    documents, figures = unpack(client.result(job, "zip"), f"{path.stem}_images")
    missing = [f"document.{f}" for f in {*formats, "json"} if f not in documents]
    if missing:
        raise ClientError(f"the job's zip has no {', '.join(sorted(missing))}")
    for fmt in formats:
        _write_atomic(output / f"{path.stem}.{fmt}", documents[fmt])
    for relative, png in figures.items():
        (output / relative).parent.mkdir(parents=True, exist_ok=True)
        (output / relative).write_bytes(png)
    # Finished: deleted from the service, the files are here now (left behind, it goes
    # after DOCPARSE_JOB_TTL anyway).
    with contextlib.suppress(ClientError):
        client.cancel(job)
    failed = 0
    for page in json.loads(documents["json"]).get("pages", []):
        if page.get("error"):
            print(
                f"docparse: {path}: page {page['index'] + 1} failed: {page['error']}",
                file=sys.stderr,
            )
            failed += 1
    return failed


def unpack(packed: bytes, figures: str) -> tuple[dict[str, str], dict[str, bytes]]:
    """A job's zip as the local convert's files: document.{md,json,txt} by format, with the
    figure paths moved from images/ to `figures`/, and the figures by their new paths."""
    documents: dict[str, str] = {}
    found: dict[str, bytes] = {}
    with zipfile.ZipFile(io.BytesIO(packed)) as archive:
        for entry in archive.namelist():
            name = PurePosixPath(entry)
            if name.parent == PurePosixPath(JOB_FIGURES) and name.name not in ("", ".", ".."):
                found[name.name] = archive.read(entry)  # only plain names: nothing escapes
            elif name.parent == PurePosixPath(".") and name.stem == "document":
                documents[name.suffix.lstrip(".")] = archive.read(entry).decode("utf-8")
    for fmt, text in documents.items():
        for figure in found:
            old, new = f"{JOB_FIGURES}/{figure}", f"{figures}/{figure}"
            if fmt == "json":  # as the JSON exporter writes a string: UTF-8, not \u escapes
                text = text.replace(json.dumps(old), json.dumps(new, ensure_ascii=False))
            else:
                text = text.replace(f"]({old})", f"]({new})")
        documents[fmt] = text
    return documents, {f"{figures}/{name}": png for name, png in found.items()}


def _write_atomic(path: Path, text: str) -> None:
    """Whole or not at all, as the local convert writes: a temp file renamed over it."""
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
