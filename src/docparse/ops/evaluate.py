"""`docparse eval`: documents converted to Markdown through the service's converter, the
checks (`ops.checks`) run on them, and the pass rates reported per check type."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docparse.ops.checks import CHECK_TYPES, Check, load_checks


@dataclass
class Converted:
    """One document's Markdown, whole (key None) and per 1-based page."""

    pages: int = 0
    seconds: float = 0.0
    markdown: dict[int | None, str] = field(default_factory=dict)
    failed: set[int] = field(default_factory=set)  # pages that could not be read
    error: str | None = None


async def convert_all(folder: Path, names: list[str], engine: str) -> dict[str, Converted]:
    """Each document once, all of it (running heads are found by their repetition, so a
    page alone reads differently), one document at a time so each is timed alone."""
    from docparse.document import Document, PageStatus
    from docparse.errors import DocparseError
    from docparse.export.markdown import to_markdown
    from docparse.pipeline.converter import Converter
    from docparse.pipeline.options import ConvertOptions
    from docparse.pipeline.runtime import Engines
    from docparse.settings import Settings

    settings = Settings()
    engines, runs = Engines(settings), {}
    converter = Converter(settings, engines)
    try:  # engines and OSD workers start before the clock: page time, not start-up
        await engines.preload([settings.ocr_engine if engine in ("auto", "textlayer") else engine])
        for name in names:
            started = time.perf_counter()
            try:
                result = await converter.convert(folder / name, ConvertOptions(engine=engine))
            except (DocparseError, OSError) as exc:
                runs[name] = Converted(error=getattr(exc, "message", None) or str(exc))
                continue
            document = result.document
            run = runs[name] = Converted(len(document.pages), time.perf_counter() - started)
            run.markdown[None] = to_markdown(document)
            for page in document.pages:
                run.markdown[page.index + 1] = to_markdown(
                    Document(pages=[page], metadata=document.metadata)
                )
                if page.status == PageStatus.failed:
                    run.failed.add(page.index + 1)
    finally:
        await engines.aclose()
    return runs


def run_checks(checks: list[Check], runs: dict[str, Converted]) -> list[dict[str, Any]]:
    """One record per check: what it is, whether it passed and why not."""
    records = []
    for check in checks:
        run = runs[check.pdf]
        failed = sorted(run.failed if check.page is None else run.failed & {check.page})
        if run.error or check.page not in run.markdown:
            passed, why = False, run.error or f"the document has no page {check.page}"
        elif failed and check.type == "absent":  # an unread page proves nothing absent
            passed, why = False, f"page {failed[0]} failed"
        else:
            passed, why = check.run(run.markdown[check.page])
        records.append(
            {
                "id": check.id,
                "pdf": check.pdf,
                "type": check.type,
                "page": check.page,
                "passed": passed,
                "why": why,
            }
        )
    return records


def _rate(records: list[dict[str, Any]]) -> dict[str, Any]:
    passed = sum(r["passed"] for r in records)
    return {
        "passed": passed,
        "total": len(records),
        "rate": round(passed / len(records), 4) if records else 0.0,
    }


def summarize(
    records: list[dict[str, Any]], runs: dict[str, Converted], engine: str
) -> dict[str, Any]:
    """Pass rates per check type, per document and overall, and the time per page."""
    from docparse import __version__

    pages, seconds = sum(r.pages for r in runs.values()), sum(r.seconds for r in runs.values())
    return {
        "docparse": __version__,
        "engine": engine,
        "pages": pages,
        "seconds": round(seconds, 2),
        "seconds_per_page": round(seconds / pages, 3) if pages else None,
        "types": {
            k: _rate(of_kind)
            for k in CHECK_TYPES
            if (of_kind := [r for r in records if r["type"] == k])
        },
        "overall": _rate(records),
        "documents": {
            name: {
                **_rate([r for r in records if r["pdf"] == name]),
                "pages": run.pages,
                "seconds": round(run.seconds, 2),
                "error": run.error,
            }
            for name, run in runs.items()
        },
        "checks": records,
    }


def report(summary: dict[str, Any], verbose: bool = False) -> str:
    """The summary as fixed-width lines."""
    out = [
        f"engine {summary['engine']}: {len(summary['documents'])} documents, "
        f"{summary['pages']} pages, {summary['overall']['total']} checks"
    ]
    for name, doc in summary["documents"].items() if verbose else ():
        out.append(
            f"  {name:<40} {doc['passed']:>4}/{doc['total']:<4} {doc['pages']:>3} pages "
            f"{doc['seconds']:>7.2f} s  {doc['error'] or ''}".rstrip()
        )
        out += [
            f"    FAIL {r['id']} ({r['type']}): {r['why']}"
            for r in summary["checks"]
            if r["pdf"] == name and not r["passed"]
        ]
    out.append(f"{'type':<10}{'pass':>6}{'total':>7}{'rate':>8}")
    for name, row in [*summary["types"].items(), ("overall", summary["overall"])]:
        out.append(f"{name:<10}{row['passed']:>6}{row['total']:>7}{row['rate']:>8.1%}")
    if summary["seconds_per_page"] is not None:
        out.append(
            f"time: {summary['seconds_per_page']:.3f} s/page "
            f"({summary['pages']} pages in {summary['seconds']:.1f} s)"
        )
    return "\n".join(out)


def run_eval(
    folder: Path,
    check_files: list[Path],
    engine: str = "auto",
    json_out: Path | None = None,
    verbose: bool = False,
    min_pass: float | None = None,
) -> int:
    """`docparse eval`: 0 when it reports, 1 below `min_pass`, 2 on bad input."""
    from docparse.pipeline.options import ROUTES

    try:
        if engine not in ROUTES:
            raise ValueError(f"unknown engine {engine!r}; use one of {', '.join(ROUTES)}")
        files = check_files or sorted(folder.glob("*.jsonl"))
        if not files:
            raise ValueError(f"no --checks given and no *.jsonl in {folder}")
        checks = load_checks(files)
        missing = sorted({c.pdf for c in checks if not (folder / c.pdf).is_file()})
        if missing:
            raise ValueError(f"not in {folder}: {', '.join(missing)}")
    except (OSError, ValueError) as exc:
        print(f"docparse: {exc}", file=sys.stderr)
        return 2
    runs = asyncio.run(convert_all(folder, list(dict.fromkeys(c.pdf for c in checks)), engine))
    summary = summarize(run_checks(checks, runs), runs, engine)
    print(report(summary, verbose))
    if json_out:
        json_out.write_text(
            json.dumps(summary, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
    overall = summary["overall"]
    if min_pass is not None and overall["passed"] < min_pass * overall["total"]:
        print(f"docparse: pass rate {overall['rate']:.1%} is below {min_pass:.1%}", file=sys.stderr)
        return 1
    return 0
