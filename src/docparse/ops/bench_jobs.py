"""`docparse bench --jobs`: the jobs API's throughput on a 10-page scanned PDF, beside the
converter called directly on the same pages in the same run (target: jobs reach ≥ 0.9 of
it), with 1 and 2 workers — `DOCPARSE_JOB_WORKERS` in the embedded service, and, when
Debian's redis-server is installed, 1 and 2 `docparse worker` processes on a Redis queue —
and the time from POST to 202 (p50/p95) while the workers are busy."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager
from pathlib import Path

import httpx

from docparse.ops.bench import classify, served
from docparse.pipeline.converter import Converter
from docparse.pipeline.options import ConvertOptions
from docparse.pipeline.runtime import Engines
from docparse.settings import Settings

PAGES = 10
TARGET_RATIO = 0.9
OPTIONS = {"engine": "tesseract", "languages": "rus+eng"}


def scanned_pdf(docs: Path, path: Path) -> Path:
    """PAGES scanned pages from the shared documents (repeated if there are fewer)."""
    import pypdfium2 as pdfium

    _, scans = classify(docs)
    if not scans:
        raise SystemExit(f"no scanned pages in {docs}")
    pages = [(pdf, index) for pdf, indices in scans for index in indices]
    out = pdfium.PdfDocument.new()
    for n in range(PAGES):
        source_path, index = pages[n % len(pages)]
        source = pdfium.PdfDocument(source_path)
        out.import_pages(source, [index])
        source.close()
    out.save(path)
    out.close()
    return path


async def direct(settings: Settings, pdf: Path, count: int) -> float:
    """Documents a minute, converted one after another in this process."""
    engines = Engines(settings)
    converter = Converter(settings, engines)
    try:
        options = ConvertOptions(**OPTIONS)  # type: ignore[arg-type]
        await converter.convert(pdf, options)  # warm: models loaded, pools started
        start = time.perf_counter()
        for _ in range(count):
            await converter.convert(pdf, options)
        return count * 60 / (time.perf_counter() - start)
    finally:
        await engines.aclose()


async def through_jobs(url: str, pdf: Path, count: int) -> tuple[float, list[float]]:
    """Documents a minute through POST /v1/jobs (all sent at once, timed to the last
    finish), and each POST's time to its 202."""
    data = pdf.read_bytes()
    async with httpx.AsyncClient(base_url=url, timeout=600) as http:

        async def submit() -> tuple[str, float]:
            start = time.perf_counter()
            answer = await http.post(
                "/v1/jobs", files={"file": ("scan.pdf", data, "application/pdf")}, data=OPTIONS
            )
            if answer.status_code != 202:
                raise SystemExit(f"POST /v1/jobs answered {answer.status_code}: {answer.text}")
            return str(answer.json()["id"]), time.perf_counter() - start

        # A warm-up job (models, pools), then the timed ones.
        warm, _ = await submit()
        await _finished(http, [warm])
        start = time.perf_counter()
        first = [await submit()]
        accepted = first + [await submit() for _ in range(count - 1)]  # workers busy
        await _finished(http, [job_id for job_id, _ in accepted])
        per_minute = count * 60 / (time.perf_counter() - start)
        return per_minute, [seconds for _, seconds in accepted[1:]]


async def _finished(http: httpx.AsyncClient, ids: list[str]) -> None:
    pending = set(ids)
    while pending:
        for job_id in list(pending):
            state = (await http.get(f"/v1/jobs/{job_id}")).json()["state"]
            if state != "queued" and state != "running":
                if state != "succeeded":
                    raise SystemExit(f"job {job_id} {state}")
                pending.discard(job_id)
        await asyncio.sleep(0.2)


@contextmanager
def redis_server(folder: Path) -> Iterator[str]:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    binary = shutil.which("redis-server") or "redis-server"
    args = [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder)]
    process = subprocess.Popen([*args, "--save", ""], stdout=subprocess.DEVNULL)
    time.sleep(0.5)
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(10)


@asynccontextmanager
async def cluster(settings: Settings, workers: int, folder: Path) -> AsyncIterator[str]:
    """An API replica and `workers` `docparse worker` processes on one Redis queue."""
    with redis_server(folder) as queue:
        env = {"DOCPARSE_QUEUE": queue, "DOCPARSE_LOG_FORMAT": "text"}
        environment = {
            **os.environ,
            **env,
            "DOCPARSE_OUTPUT_DIR": str(settings.output_dir),
            "DOCPARSE_PRELOAD_ENGINES": '["tesseract"]',
        }
        processes = [
            subprocess.Popen(
                [sys.executable, "-m", "docparse", "worker", "--log-level", "warning"],
                env={**environment, "DOCPARSE_DATA_DIR": str(folder / f"worker-{n}")},
            )
            for n in range(workers)
        ]
        try:
            async with served(settings, env) as url:
                yield url
        finally:
            for process in processes:
                process.send_signal(signal.SIGTERM)
            for process in processes:
                process.wait(60)


async def bench_jobs(docs: Path, count: int, workdir: Path) -> None:
    settings = Settings(
        output_dir=workdir / "output",
        temp_dir=workdir / "tmp",
        data_dir=workdir / "data",
        preload_engines=["tesseract"],
    )
    settings.prepare_dirs()
    pdf = scanned_pdf(docs, workdir / "scan-10.pdf")
    print(
        f"# {PAGES}-page scanned PDF, {count} jobs a run, tesseract rus+eng, {os.cpu_count()} cores"
    )
    # The direct figure before and after the job runs, their mean the base: a machine
    # whose load drifts during the run shifts both sides alike.
    before = await direct(settings, pdf, count)
    print(f"direct converter (before)        {before:6.2f} docs/min")
    figures: list[tuple[str, float, list[float]]] = []
    setups: list[tuple[str, int]] = [("embedded", 1), ("embedded", 2)]
    if shutil.which("redis-server"):
        setups += [("redis", 1), ("redis", 2)]
    for kind, workers in setups:
        run = workdir / f"{kind}-{workers}"
        run.mkdir()
        config = settings.model_copy(
            update={"data_dir": run / "data", "output_dir": run / "output"}
        )
        async with AsyncExitStack() as stack:
            if kind == "embedded":
                extra = {"DOCPARSE_JOB_WORKERS": str(workers)}
                url = await stack.enter_async_context(served(config, extra))
            else:
                url = await stack.enter_async_context(cluster(config, workers, run))
            per_minute, waits = await through_jobs(url, pdf, count)
        name = f"{kind}, {workers} worker{'s' if workers > 1 else ''}"
        figures.append((name, per_minute, waits))
    after = await direct(settings, pdf, count)
    base = (before + after) / 2
    print(f"direct converter (after)         {after:6.2f} docs/min  (base: the mean)")
    for name, per_minute, waits in figures:
        p50 = statistics.median(waits) * 1000
        p95 = sorted(waits)[max(0, round(0.95 * len(waits)) - 1)] * 1000
        print(
            f"jobs {name:<27} {per_minute:6.2f} docs/min  ratio {per_minute / base:.3f} "
            f"(target ≥ {TARGET_RATIO})  POST→202 p50 {p50:.0f} ms p95 {p95:.0f} ms"
        )


def run_jobs_bench(docs: Path | None, count: int) -> int:
    from docparse.ops.bench import DEFAULT_DOCS

    with tempfile.TemporaryDirectory(prefix="docparse-bench-jobs-") as folder:
        asyncio.run(bench_jobs(docs or DEFAULT_DOCS, count, Path(folder)))
    return 0
