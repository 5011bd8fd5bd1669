"""`docparse bench --vlm` runs the stand-in server and prints the ratio to the ideal."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest


@pytest.mark.slow
def test_vlm_bench_prints_figures() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "docparse",
            "bench",
            "--vlm",
            "--vlm-pages",
            "12",
            "--latency",
            "0.2",
            "--capacity",
            "4",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "ideal=20.0 requests/s" in lines[0]
    ratios = [float(m[1]) for line in lines if (m := re.search(r"ideal\s+([\d.]+)", line))]
    assert len(ratios) == 2
    assert all(0 < r <= 1.2 for r in ratios)
    assert re.search(r"layout=page\s+pages=12\s+requests=12\b", result.stdout)
