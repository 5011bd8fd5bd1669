"""Write the olmOCR-bench sample: the 20 English pages (reports, papers, financial tables,
single pages with running heads and feet, handwriting) and their checks that ship in
allenai/olmocr under olmocr/bench/sample_data, as the benchmark's authors wrote them.

    .venv/bin/python eval/make_olmocr.py /work/.mirror/allenai+olmocr/repo /work/evaldata/olmocr
    .venv/bin/docparse eval /work/evaldata/olmocr           # reads checks.jsonl

MIRROR is a git directory of olmocr (files are read from HEAD with `git show`). The
`math` checks are left out: they compare rendered KaTeX, which `docparse eval` does not
do. Every other check is copied unchanged, except that a present / absent check gets
`case_sensitive` true unless it says otherwise (olmOCR's default, not docparse's); a
`table` check with no relation (olmOCR's "this cell is in a table") is scored as olmOCR
scores it.
"""

from __future__ import annotations

import argparse
import json
import subprocess
from pathlib import Path

SAMPLE = "olmocr/bench/sample_data"
PRESENCE = ("present", "absent")


def _git(mirror: Path, *args: str) -> bytes:
    return subprocess.run(["git", "-C", str(mirror), *args], check=True, capture_output=True).stdout


def build(mirror: Path, out: Path) -> int:
    """Copy the sample's PDFs under OUT (keeping their folders) and write checks.jsonl;
    the number of checks written."""
    names = _git(mirror, "ls-tree", "-r", "--name-only", "HEAD", f"{SAMPLE}/pdfs").decode()
    for name in names.split():
        target = out / name.removeprefix(f"{SAMPLE}/pdfs/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(_git(mirror, "show", f"HEAD:{name}"))
    lines = _git(mirror, "show", f"HEAD:{SAMPLE}/dataset.jsonl").decode().splitlines()
    checks = [json.loads(line) for line in lines if line.strip()]
    # olmOCR compares present / absent texts case-sensitively unless a check says not.
    kept = [
        c | ({"case_sensitive": c.get("case_sensitive", True)} if c["type"] in PRESENCE else {})
        for c in checks
        if c["type"] != "math"
    ]
    (out / "checks.jsonl").write_text(
        "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in kept), encoding="utf-8"
    )
    return len(kept)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mirror", type=Path, help="git directory of allenai/olmocr")
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    print(f"{build(args.mirror, args.out)} checks written to {args.out}")


if __name__ == "__main__":
    main()
