"""Issue 3's targets on generated Russian scans (eval/make_russian.py: contracts,
ruled and borderless invoices, two-column articles; skewed, blurred, noisy, JPEG'd),
measured with `docparse eval` on the CPU route."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from docparse.ops.evaluate import convert_all, load_checks, run_checks, summarize

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
async def test_russian_scans_meet_the_structure_targets(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, str(REPO / "eval" / "make_russian.py"), str(tmp_path)],
        check=True,
        capture_output=True,
    )
    checks = load_checks([tmp_path / "checks.jsonl"])
    runs = await convert_all(tmp_path, sorted({c.pdf for c in checks}), "auto")
    summary = summarize(run_checks(checks, runs), runs, "auto")
    rates = {kind: row["rate"] for kind, row in summary["types"].items()}
    print("Russian scans:", rates, "overall", summary["overall"]["rate"])
    assert summary["overall"]["rate"] >= 0.90
    assert rates["table"] >= 0.85
    assert rates["absent"] >= 0.90  # running heads, footers and page numbers left out
    assert rates["heading"] >= 0.90 and rates["not_heading"] >= 0.90
    assert rates["order"] >= 0.90
