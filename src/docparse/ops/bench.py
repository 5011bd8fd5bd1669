"""`docparse bench`: throughput of each route on a folder of PDFs, measured side by side in
one run (these machines are noisy, so ratios say more than absolute figures)."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from docparse.errors import DocparseError
from docparse.pipeline.converter import Converter
from docparse.pipeline.options import ConvertOptions
from docparse.pipeline.runtime import Engines
from docparse.settings import Settings

DEFAULT_DOCS = Path(__file__).resolve().parents[3].parent / "shared" / "docs"
TARGET_TEXTLAYER = 50.0  # pages/s
TARGET_SERVICE_RATIO = 0.9
SERVICE_OCR_PAGES = 3
SCAN_COVERAGE = 0.5  # share of the page under images that makes an OCR page a scan
ROUNDS_FAST = 3  # best of N for sub-second figures; tesseract 2 (the speed-up), ppocr 1
ROUNDS_SERVICE_OCR = 2  # a ratio of two ~1 s runs needs more than one sample each

Job = tuple[Path, list[int]]  # a PDF and the 0-based pages of it to convert
Run = Callable[[list[Job], str, str], Awaitable[int]]


def classify(docs: Path) -> tuple[list[Job], list[Job]]:
    """Born-digital pages (the auto route keeps their text layer) and scanned pages (the
    auto route OCRs them and they are mostly image: an empty page says nothing about OCR)."""
    from docparse.io.pdf import PdfFile
    from docparse.pipeline.layer_quality import assess

    layer_jobs: list[Job] = []
    scan_jobs: list[Job] = []
    area: dict[Path, float] = {}
    for path in sorted(docs.glob("*.pdf")):
        try:
            pdf = PdfFile(path)
        except DocparseError as exc:
            print(f"# skipped {path.name}: {exc.message}")
            continue
        layer, scan = [], []
        try:
            for index in range(pdf.page_count):
                text, (width, height) = pdf.text_layer(index), pdf.page_size(index)
                area[path] = max(area.get(path, 0.0), width * height)
                if assess(text, width, height).use_layer:
                    layer.append(index)
                elif text.image_coverage >= SCAN_COVERAGE:
                    scan.append(index)
        finally:
            pdf.close()
        if layer:
            layer_jobs.append((path, layer))
        if scan:
            scan_jobs.append((path, scan))
    # Multi-page scans first, so one convert call has pages to spread over the workers;
    # then small pages first, so a huge newspaper page does not dominate a short run.
    scan_jobs.sort(key=lambda job: (-len(job[1]), area[job[0]], job[0].name))
    return layer_jobs, scan_jobs


def take(jobs: list[Job], limit: int) -> list[Job]:
    """The first `limit` pages of the jobs, as jobs."""
    chosen: list[Job] = []
    for path, pages in jobs:
        if limit <= 0:
            break
        chosen.append((path, pages[:limit]))
        limit -= len(chosen[-1][1])
    return chosen


def spec(pages: list[int]) -> str:
    return ",".join(str(i + 1) for i in pages)


def count(jobs: list[Job]) -> int:
    return sum(len(pages) for _, pages in jobs)


def direct(converter: Converter) -> Run:
    async def run(jobs: list[Job], engine: str, route: str) -> int:
        done = 0
        for path, pages in jobs:
            # The same work the service does: figures cropped (files are the service's own)
            result = await converter.convert(
                path, ConvertOptions(engine=engine, pages=spec(pages), figures="images")
            )
            done += sum(p.route == route for p in result.document.pages)
        return done

    return run


def service(client: object) -> Run:
    import httpx

    assert isinstance(client, httpx.AsyncClient)

    async def run(jobs: list[Job], engine: str, route: str) -> int:
        done = 0
        for path, pages in jobs:
            response = await client.post(
                "/v1/convert",
                data={"engine": engine, "pages": spec(pages)},
                files={"file": (path.name, path.read_bytes(), "application/pdf")},
            )
            response.raise_for_status()
            done += sum(p["route"] == route for p in response.json()["pages"])
        return done

    return run


async def timed(
    run: Run, jobs: list[Job], engine: str, route: str, rounds: int = 1
) -> tuple[int, float]:
    """Pages done and the best wall time over `rounds` runs."""
    best, done = float("inf"), 0
    for _ in range(rounds):
        started = time.perf_counter()
        done = await run(jobs, engine, route)
        best = min(best, time.perf_counter() - started)
    return done, best


def report(name: str, pages: int, seconds: float, target: str = "") -> float:
    rate = pages / seconds if seconds > 0 else 0.0
    print(f"{name:<22} pages={pages:<4} s={seconds:<8.3f} pages/s={rate:<8.1f} {target}".rstrip())
    return rate


def ratio(name: str, value: float, target: float | None = None) -> None:
    goal = "" if target is None else f"  target>={target}  {'ok' if value >= target else 'MISSED'}"
    print(f"ratio {name:<30} {value:.3f}{goal}")


@asynccontextmanager
async def served(settings: Settings, extra_env: dict[str, str] | None = None) -> AsyncIterator[str]:
    """`docparse serve` in its own process, as it runs in production (a server thread in
    this process would share the GIL with the bench's client); yields its base URL."""
    import httpx

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "DOCPARSE_OUTPUT_DIR": str(settings.output_dir),
        "DOCPARSE_TEMP_DIR": str(settings.temp_dir),
        "DOCPARSE_DATA_DIR": str(settings.data_dir),
        "DOCPARSE_PRELOAD_ENGINES": json.dumps(settings.preload_engines),
        **(extra_env or {}),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "docparse",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=url) as client:
            for _ in range(600):  # engines load in the background: up to a minute
                if process.poll() is not None:
                    raise RuntimeError("the service did not start")
                try:
                    if (await client.get("/health/ready")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass  # not listening yet
                await asyncio.sleep(0.1)
            else:
                raise RuntimeError("the service was not ready within 60 s")
        yield url
    finally:
        process.terminate()
        await asyncio.to_thread(process.wait, 30)


async def bench(docs: Path, ocr_pages: int, workdir: Path) -> None:
    import httpx

    settings = Settings(
        output_dir=workdir / "output",
        temp_dir=workdir / "tmp",
        data_dir=workdir / "data",
        preload_engines=["tesseract"],
    )
    layer_jobs, scan_jobs = classify(docs)
    ocr_jobs = take(scan_jobs, ocr_pages)
    print(
        f"# docparse bench  docs={docs}  cpus={os.cpu_count()}  workers={settings.workers}"
        f"  languages={settings.languages}  born-digital pages={count(layer_jobs)}"
        f"  scanned pages={count(ocr_jobs)} of {count(scan_jobs)}"
    )
    engines = Engines(settings)
    single = Engines(settings.model_copy(update={"workers": 1}))
    run = direct(Converter(settings, engines))
    try:
        # 1. Text layer, forced and auto, on the born-digital pages (warm first: imports).
        if layer_jobs:
            await run(layer_jobs, "textlayer", "text_layer")
            report(
                "textlayer",
                *await timed(run, layer_jobs, "textlayer", "text_layer", ROUNDS_FAST),
                f"target>={TARGET_TEXTLAYER:g}",
            )
            report(
                "auto born-digital",
                *await timed(run, layer_jobs, "auto", "text_layer", ROUNDS_FAST),
            )
        # 2-3. OCR engines on the scanned pages; a short warm run per engine loads each
        # worker thread's models, which would otherwise count as page time.
        rates: dict[str, float] = {}
        for label, runner, engine, workers, rounds in (
            (f"tesseract w={settings.workers}", run, "tesseract", settings.workers, 2),
            ("tesseract w=1", direct(Converter(single.settings, single)), "tesseract", 1, 2),
            (f"ppocr w={settings.workers}", run, "ppocr", settings.workers, 1),
        ):
            if not ocr_jobs:
                break
            try:
                await runner(take(ocr_jobs, workers), engine, "ocr")
                rates[label] = report(label, *await timed(runner, ocr_jobs, engine, "ocr", rounds))
            except DocparseError as exc:
                print(f"{label:<22} unavailable: {exc.message}")
        one, many = rates.get("tesseract w=1"), rates.get(f"tesseract w={settings.workers}")
        if one and many:
            ratio(f"tesseract speed-up w={settings.workers}/w=1", many / one)
        # 4. The same documents through HTTP (engine=auto, as a client sends by default),
        # side by side with direct calls; both warm, timed in turn.
        async with served(settings) as url, httpx.AsyncClient(base_url=url, timeout=300) as client:
            http = service(client)
            for label, jobs, rounds, route in (
                ("textlayer", layer_jobs, ROUNDS_FAST, "text_layer"),
                ("ocr", take(ocr_jobs, SERVICE_OCR_PAGES), ROUNDS_SERVICE_OCR, "ocr"),
            ):
                if not jobs:
                    continue
                await run(jobs, "auto", route)
                await http(jobs, "auto", route)
                mine = report(f"direct {label}", *await timed(run, jobs, "auto", route, rounds))
                theirs = report(f"service {label}", *await timed(http, jobs, "auto", route, rounds))
                ratio(
                    f"service/direct {label}", theirs / mine if mine else 0.0, TARGET_SERVICE_RATIO
                )
    finally:
        engines.close()
        single.close()


def run_bench(docs: Path | None, ocr_pages: int) -> int:
    """Print the throughput table for the PDFs in `docs` (default: the shared docs)."""
    folder = docs or DEFAULT_DOCS
    if not folder.is_dir() or not any(folder.glob("*.pdf")):
        print(
            f"docparse bench: no PDFs in {folder} (give a folder with --docs DIR)", file=sys.stderr
        )
        return 2
    with tempfile.TemporaryDirectory(prefix="docparse-bench-") as workdir:
        asyncio.run(bench(folder, max(ocr_pages, 0), Path(workdir)))
    return 0
