"""Write the extra set: real English born-digital PDFs nobody here wrote (pdfplumber's and
docling's test documents: a Federal Register issue, a Supreme Court transcript, USDA and
FBI statistics, Senate expenditures, WARN and police reports, a child-welfare form, papers,
a handbook, an IBM Redbook, a loan rate sheet, ledgers, a questionnaire, slides).

    .venv/bin/python eval/make_extra.py /work/.mirror /work/evaldata/extra_out
    .venv/bin/docparse eval /work/evaldata/extra_out          # reads checks.jsonl

eval/extra_docs.jsonl names each document (repo, commit, path, sha256, kind, the pages
used, at most 3); MIRRORS_ROOT holds the bare git mirrors as OWNER+NAME/repo, from which
each file is read at its commit and checked against the sha256. OUT gets NAME.pdf (the
listed pages only, as published) and checks.jsonl (a copy of eval/extra_checks.jsonl:
present, absent, order, table, heading and not_heading checks written by hand from each
page's text layer and rendered image; pages are those of NAME.pdf; nothing is tuned to
docparse).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # make_public, beside this file

from make_public import published  # the chosen pages, the same bytes every run

HERE = Path(__file__).resolve().parent
MANIFEST = HERE / "extra_docs.jsonl"
CHECKS = HERE / "extra_checks.jsonl"


def source(mirrors: Path, repo: str, commit: str, path: str) -> bytes:
    """The file `path` of `repo` at `commit`, read from its bare mirror."""
    git_dir = mirrors / repo.replace("/", "+") / "repo"
    return subprocess.run(
        ["git", f"--git-dir={git_dir}", "show", f"{commit}:{path}"],
        check=True,
        capture_output=True,
    ).stdout


def build(manifest: Path, checks: Path, about: str) -> None:
    """The command line of a set pinned in `manifest` (repository, commit, path, sha256,
    the pages used) with hand-written `checks`: NAME.pdf per document, and checks.jsonl."""
    parser = argparse.ArgumentParser(description=about.splitlines()[0])
    parser.add_argument("mirrors", type=Path, help="folder of the git mirrors, OWNER+NAME/repo")
    parser.add_argument("out", type=Path, help="folder for NAME.pdf and checks.jsonl")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    docs = [json.loads(line) for line in manifest.read_text(encoding="utf-8").splitlines()]
    for doc in docs:
        data = source(args.mirrors, doc["repo"], doc["commit"], doc["path"])
        if hashlib.sha256(data).hexdigest() != doc["sha256"]:
            raise SystemExit(f"{doc['repo']}:{doc['path']}: sha256 differs from {manifest.name}")
        (args.out / f"{doc['name']}.pdf").write_bytes(published(data, doc["pages"]))
        print(f"{doc['name']} ({doc['kind']}): {doc['path']} pages {doc['pages']}")
    shutil.copyfile(checks, args.out / "checks.jsonl")
    count = sum(1 for line in checks.read_text(encoding="utf-8").splitlines() if line.strip())
    print(f"{len(docs)} documents, {count} checks in {args.out / 'checks.jsonl'}")


def main() -> None:
    build(MANIFEST, CHECKS, __doc__ or "")


if __name__ == "__main__":
    main()
