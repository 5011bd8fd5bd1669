"""`docparse bench --load`: many clients at once against a real service, mixing a scanned
page, a born-digital PDF and a PNG. Prints answers by status, p50/p95 latency of accepted
requests, 429s (each client waits the Retry-After it was given), and the memory of the
service's process tree (RSS summed over the server and its workers, read from /proc):
before, at its peak, and after the load once idle.

The targets (issue 13): no 5xx, peak under 2.5 GB on 2 cores, and back within 300 MB of
the start once idle: a service that keeps what a burst made it allocate runs out of memory
on the next burst."""

from __future__ import annotations

import asyncio
import io
import os
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from docparse.ops.bench import classify, served, spec
from docparse.settings import Settings

TARGET_PEAK = 2.5e9  # bytes
TARGET_RETURN = 300e6  # bytes above the start, once idle
REQUEST_TIMEOUT = 600.0  # a client gives up (counted as a timeout, not a status)
SAMPLE_EVERY = 0.25  # seconds between memory samples
PNG_DPI = 150  # the PNG: a scanned page as a phone or scanner app would send it
SCAN, BORN_DIGITAL = "edgar_image.pdf", "edgar.pdf"  # the shared set's pair, when there


@dataclass(frozen=True)
class Upload:
    label: str
    name: str
    data: bytes
    pages: str | None  # the page range sent, for a PDF


@dataclass
class Tally:
    statuses: Counter[str] = field(default_factory=Counter)
    latencies: dict[str, list[float]] = field(default_factory=dict)  # accepted, by document
    retry_waits: list[float] = field(default_factory=list)
    pages: int = 0

    def accepted(self, label: str, seconds: float) -> None:
        self.latencies.setdefault(label, []).append(seconds)


def shared_docs() -> Path:
    """The shared development documents, found as the tests find them."""
    here = Path(__file__).resolve().parents[3]
    for folder in (os.environ.get("DOCPARSE_SHARED_DOCS"), here.parent / "shared" / "docs"):
        if folder and Path(folder).is_dir():
            return Path(folder)
    return Path("/work/shared/docs")


def uploads(docs: Path) -> list[Upload]:
    """One page of a scan, one born-digital page and the scan drawn as a PNG."""
    from docparse.io.pdf import PdfFile

    layer_jobs, scan_jobs = classify(docs)
    if not layer_jobs or not scan_jobs:
        raise SystemExit(f"docparse bench --load: {docs} needs a scanned and a born-digital PDF")
    scan = next((j for j in scan_jobs if j[0].name == SCAN), scan_jobs[-1])
    digital = next((j for j in layer_jobs if j[0].name == BORN_DIGITAL), layer_jobs[0])
    pdf = PdfFile(scan[0])
    try:
        picture = pdf.render(scan[1][0], PNG_DPI)
    finally:
        pdf.close()
    png = io.BytesIO()
    picture.save(png, format="PNG")
    return [
        Upload("scan", scan[0].name, scan[0].read_bytes(), spec(scan[1][:1])),
        Upload("born-digital", digital[0].name, digital[0].read_bytes(), spec(digital[1][:1])),
        Upload("png", scan[0].stem + ".png", png.getvalue(), None),
    ]


# The service's memory: the process listening on the port and every process below it.


def listening_pid(port: int) -> int | None:
    """The process holding the listening socket of `port` on this machine, from /proc."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:  # LISTEN
                inodes.add(f"socket:[{inode}]")
    for fd_dir in Path("/proc").glob("[0-9]*/fd"):
        try:
            for fd in fd_dir.iterdir():
                if os.readlink(fd) in inodes:
                    return int(fd_dir.parent.name)
        except OSError:  # gone, or not ours to read
            continue
    return None


def tree_rss(root: int) -> int:
    """Resident bytes of `root` and all its descendants (worker processes included)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
            ppid = int(text[text.rindex(")") + 2 :].split()[1])  # comm may hold ") "
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(stat.parent.name))
    page, total, pending = os.sysconf("SC_PAGE_SIZE"), 0, [root]
    while pending:
        pid = pending.pop()
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * page
        except (OSError, IndexError, ValueError):
            continue
        pending.extend(children.get(pid, []))
    return total


@dataclass
class MemoryWatch:
    root: int
    peak: int = 0
    stop: threading.Event = field(default_factory=threading.Event)

    def sample(self) -> int:
        now = tree_rss(self.root)
        self.peak = max(self.peak, now)
        return now

    def run(self) -> None:
        while not self.stop.wait(SAMPLE_EVERY):
            self.sample()


@contextmanager
def watching(pid: int | None) -> Iterator[MemoryWatch | None]:
    """Memory sampled in a thread of its own: the event loop is busy with the clients."""
    if pid is None:
        yield None
        return
    watch = MemoryWatch(pid)
    watch.sample()
    thread = threading.Thread(target=watch.run, name="rss-sampler", daemon=True)
    thread.start()
    try:
        yield watch
    finally:
        watch.stop.set()
        thread.join()


async def client(
    http: object, mix: list[Upload], start: int, tally: Tally, until: float, budget: list[int]
) -> None:
    """One client: documents in turn from `start`, one request at a time, until the time is
    up or the shared request budget is spent; a 429 waits its Retry-After."""
    import httpx

    assert isinstance(http, httpx.AsyncClient)
    turn = start
    while time.monotonic() < until and budget[0] != 0:
        budget[0] -= 1
        upload = mix[turn % len(mix)]
        turn += 1
        data = {"pages": upload.pages} if upload.pages else {}
        started = time.monotonic()
        try:
            response = await http.post(
                "/v1/convert", data=data, files={"file": (upload.name, upload.data)}
            )
        except httpx.TimeoutException:
            tally.statuses["timeout"] += 1
            continue
        except httpx.TransportError as exc:
            tally.statuses[f"transport: {type(exc).__name__}"] += 1
            continue
        tally.statuses[str(response.status_code)] += 1
        if response.status_code == 200:
            tally.accepted(upload.label, time.monotonic() - started)
            tally.pages += len(response.json()["pages"])
        elif response.status_code in (429, 503) and "retry-after" in response.headers:
            wait = float(response.headers["retry-after"])
            tally.retry_waits.append(wait)
            await asyncio.sleep(min(wait, max(until - time.monotonic(), 0)))


def quantile(values: list[float], q: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(q * 100) - 1]


def gb(value: int) -> str:
    return f"{value / 1e9:.2f} GB"


@dataclass(frozen=True)
class Memory:
    ready: int  # the service once /health/ready said so
    start: int  # after one of each document: workers started, models loaded
    peak: int
    final: int  # after the load and `idle` seconds of nothing


async def warm_up(http: object, mix: list[Upload]) -> None:
    """One of each document: worker processes start and models load on first use, once;
    the memory target is about what the load itself leaves behind."""
    import httpx

    assert isinstance(http, httpx.AsyncClient)
    for upload in mix:
        response = await http.post(
            "/v1/convert",
            data={"pages": upload.pages} if upload.pages else {},
            files={"file": (upload.name, upload.data)},
        )
        response.raise_for_status()


async def load(
    url: str, clients: int, duration: float, requests: int | None, mix: list[Upload], idle: float
) -> bool:
    """The load run against `url`; the report printed; True when the targets are met."""
    import httpx

    port, host = urlsplit(url).port, urlsplit(url).hostname
    pid = listening_pid(port) if port and host in ("127.0.0.1", "localhost", "::1") else None
    tally = Tally()
    budget = [requests if requests else -1]  # -1: no count, the duration alone
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    print(
        f"# docparse bench --load  url={url}  clients={clients}  duration={duration:g}s"
        f"  requests={requests or '-'}  mix={', '.join(f'{u.label}:{u.name}' for u in mix)}"
        f"  server pid={pid or 'unknown (not on this machine)'}"
    )
    async with httpx.AsyncClient(base_url=url, timeout=REQUEST_TIMEOUT, limits=limits) as http:
        with watching(pid) as watch:
            ready_rss = watch.sample() if watch else 0
            await warm_up(http, mix)
            await asyncio.sleep(1)
            start_rss = watch.sample() if watch else 0
            started = time.monotonic()
            until = started + (duration if duration > 0 else float("inf"))
            await asyncio.gather(
                *(client(http, mix, i, tally, until, budget) for i in range(clients))
            )
            wall = time.monotonic() - started
            await asyncio.sleep(idle)  # let the service settle: idle, as after a burst
            memory = Memory(ready_rss, start_rss, watch.peak, watch.sample()) if watch else None
            ready = (await http.get("/health/ready")).status_code
    return report(tally, wall, ready, memory, idle)


def report(tally: Tally, wall: float, ready: int, memory: Memory | None, idle: float) -> bool:
    """Print the figures; True when the targets are met."""
    total = sum(tally.statuses.values())
    print(
        f"requests={total}  pages={tally.pages}  wall={wall:.1f}s  pages/s={tally.pages / wall:.2f}"
    )
    print("statuses " + "  ".join(f"{s}={n}" for s, n in sorted(tally.statuses.items())))
    accepted = [s for values in tally.latencies.values() for s in values]
    for label, values in [*sorted(tally.latencies.items()), ("all accepted", accepted)]:
        if values:
            print(
                f"latency {label:<13} n={len(values):<5} p50={quantile(values, 0.5):.2f}s"
                f"  p95={quantile(values, 0.95):.2f}s  max={max(values):.2f}s"
            )
    waits = tally.retry_waits
    print(
        f"429={tally.statuses['429']}  retry-after honoured={len(waits)}"
        + (f" (mean {statistics.fmean(waits):.1f}s)" if waits else "")
    )
    server_errors = sum(n for s, n in tally.statuses.items() if s.isdigit() and int(s) >= 500)
    failed = [s for s in tally.statuses if not s.isdigit()]  # timeouts, refused connections
    ok = server_errors == 0 and not failed and ready == 200
    print(
        f"5xx={server_errors}  client timeouts/errors={sum(tally.statuses[s] for s in failed)}"
        f"  /health/ready after={ready}  {'ok' if ok else 'MISSED'}"
    )
    if memory is None:
        print("memory: not measured (the service is not a process on this machine)")
        return ok
    peak_ok = memory.peak < TARGET_PEAK
    back_ok = memory.final - memory.start < TARGET_RETURN
    print(
        f"memory ready={gb(memory.ready)}  warm start={gb(memory.start)}  peak={gb(memory.peak)}"
        f" (target<{gb(int(TARGET_PEAK))} {'ok' if peak_ok else 'MISSED'})"
        f"  final after {idle:g}s idle={gb(memory.final)}"
        f" ({(memory.final - memory.start) / 1e6:+.0f} MB; target<+{TARGET_RETURN / 1e6:.0f} MB"
        f" {'ok' if back_ok else 'MISSED'})"
    )
    return ok and peak_ok and back_ok


def run_load(
    url: str | None,
    docs: Path | None,
    clients: int,
    duration: float,
    requests: int | None,
    idle: float,
) -> int:
    """`docparse bench --load`: 0 when the targets are met, 1 when not, 2 on bad input."""
    if clients < 1 or (duration <= 0 and not requests):
        print(
            "docparse bench --load: give --clients >= 1 and a --duration or --requests",
            file=sys.stderr,
        )
        return 2
    mix = uploads(docs or shared_docs())
    if url:
        return 0 if asyncio.run(load(url, clients, duration, requests, mix, idle)) else 1

    async def own_service(workdir: Path) -> bool:
        settings = Settings(
            output_dir=workdir / "output",
            temp_dir=workdir / "tmp",
            data_dir=workdir / "data",
            preload_engines=["tesseract"],
        )
        async with served(settings) as served_url:
            return await load(served_url, clients, duration, requests, mix, idle)

    with tempfile.TemporaryDirectory(prefix="docparse-load-") as workdir:
        return 0 if asyncio.run(own_service(Path(workdir))) else 1
