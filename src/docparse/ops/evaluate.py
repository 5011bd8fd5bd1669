"""`docparse eval`: documents converted to Markdown through the service's converter, the
checks (`ops.checks`) run on them, and the pass rates reported per check type; beside
them, per document, the same checks on two plain readings of the same pages, the guard
against regressions: Tesseract alone (rus+eng, no structure work, at the resolution
docparse read the page at) and, for PDFs with text, the PDF's own text layer."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docparse.ops.baselines import BASELINES, Converted, plain_readings
from docparse.ops.checks import CHECK_TYPES, Check, load_checks

if TYPE_CHECKING:
    pass


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
                elif page.route == "ocr":
                    run.dpi[page.index + 1] = page.dpi
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


def compare(
    checks: list[Check], records: list[dict[str, Any]], plain: dict[str, dict[str, Converted]]
) -> None:
    """Each docparse record gets each baseline's result on the same check beside its own:
    True or False, or None where the baseline did not read the document (a layer on a
    scan or an image)."""
    for baseline, runs in plain.items():
        passed = {
            r["id"]: r["passed"] for r in run_checks([c for c in checks if c.pdf in runs], runs)
        }
        for record in records:
            record[baseline] = passed.get(record["id"])


def _count(results: list[bool]) -> dict[str, Any]:
    return {
        "passed": sum(results),
        "total": len(results),
        "rate": round(sum(results) / len(results), 4) if results else 0.0,
    }


def summarize(
    records: list[dict[str, Any]], runs: dict[str, Converted], engine: str
) -> dict[str, Any]:
    """Pass rates per check type, per document and overall, and the time per page; with
    baselines (`compare`), theirs per document and overall, on the same checks, and the
    documents where docparse passes fewer checks than a baseline."""
    from docparse import __version__

    pages, seconds = sum(r.pages for r in runs.values()), sum(r.seconds for r in runs.values())
    baselines = [b for b in BASELINES if any(r.get(b) is not None for r in records)]
    documents: dict[str, dict[str, Any]] = {}
    for name, run in runs.items():
        mine = [r for r in records if r["pdf"] == name]
        doc = documents[name] = {
            **_rate(mine),
            "pages": run.pages,
            "seconds": round(run.seconds, 2),
            "error": run.error,
        }
        for baseline in baselines:
            theirs = [r[baseline] for r in mine if r.get(baseline) is not None]
            doc[baseline] = _count(theirs) if theirs else None
        doc["worse_than"] = [
            b for b in baselines if doc[b] is not None and doc["passed"] < doc[b]["passed"]
        ]
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
        "baselines": {
            b: {
                "docparse": _rate(both),
                b: _count([r[b] for r in both]),
                "worse_documents": [n for n, d in documents.items() if b in d["worse_than"]],
            }
            for b in baselines
            if (both := [r for r in records if r.get(b) is not None])
        },
        "documents": documents,
        "checks": records,
    }


def _cell(row: dict[str, Any] | None) -> str:
    return f"{row['passed']}/{row['total']}" if row else "-"


def report(summary: dict[str, Any], verbose: bool = False) -> str:
    """The summary as fixed-width lines: with baselines, every document beside them (a
    document worse than one is flagged); per document with its failed checks when
    `verbose`."""
    out = [
        f"engine {summary['engine']}: {len(summary['documents'])} documents, "
        f"{summary['pages']} pages, {summary['overall']['total']} checks"
    ]
    baselines = list(summary.get("baselines", {}))
    if baselines:
        out.append(
            f"  {'document':<40} {'docparse':>9}"
            + "".join(f" {b:>9}" for b in baselines)
            + f" {'pages':>5} {'seconds':>8}"
        )
    for name, doc in summary["documents"].items() if verbose or baselines else ():
        worse = ", ".join(doc.get("worse_than", []))
        out.append(
            (
                f"  {name:<40} {_cell(doc):>9}"
                + "".join(f" {_cell(doc.get(b)):>9}" for b in baselines)
                + f" {doc['pages']:>5} {doc['seconds']:>8.2f}"
                + (f"  WORSE than {worse}" if worse else "")
                + (f"  {doc['error']}" if doc["error"] else "")
            ).rstrip()
        )
        out += [
            f"    FAIL {r['id']} ({r['type']}): {r['why']}"
            + "".join(f" [{b} passes]" for b in baselines if r.get(b))
            for r in summary["checks"]
            if verbose and r["pdf"] == name and not r["passed"]
        ]
    out.append(f"{'type':<10}{'pass':>6}{'total':>7}{'rate':>8}")
    for name, row in [*summary["types"].items(), ("overall", summary["overall"])]:
        out.append(f"{name:<10}{row['passed']:>6}{row['total']:>7}{row['rate']:>8.1%}")
    for name, row in summary.get("baselines", {}).items():
        mine, theirs = row["docparse"], row[name]
        worse = row["worse_documents"]
        out.append(
            f"baseline {name}: {theirs['passed']}/{theirs['total']} {theirs['rate']:.1%}, "
            f"docparse {mine['passed']}/{mine['total']} {mine['rate']:.1%} on the same checks; "
            + (f"docparse worse on {len(worse)}: {', '.join(worse)}" if worse else "never worse")
        )
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
    baseline: bool = True,
) -> int:
    """`docparse eval`: 0 when it reports, 1 below `min_pass`, 2 on bad input. With
    `baseline`, the plain readings are scored beside docparse (`plain_readings`)."""
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
    records = run_checks(checks, runs)
    if baseline:
        compare(checks, records, plain_readings(folder, runs))
    summary = summarize(records, runs, engine)
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
