"""The `docparse` command: serve, convert, bench, supervise, models."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docparse.errors import DocparseError

if TYPE_CHECKING:
    from docparse.pipeline.converter import Converter
    from docparse.pipeline.options import ConvertOptions


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from docparse.api.app import create_app
    from docparse.api.logs import configure_logging
    from docparse.settings import Settings

    settings = Settings()
    host, port = args.host or settings.host, args.port or settings.port
    # The app warns when it listens beyond loopback without keys: it must see the real host.
    settings = settings.model_copy(update={"host": host, "port": port})
    configure_logging(settings.log_format, args.log_level)
    # Our handler for uvicorn's loggers too (log_config=None), and our access line instead
    # of uvicorn's, which writes the raw path and query.
    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        log_level=args.log_level,
        log_config=None,
        access_log=False,
        # SIGTERM: stop accepting, give requests in flight this long, cancel the rest (they
        # answer 503, api/shutdown.py; the lifespan then closes engines and worker pools)
        # and exit.
        timeout_graceful_shutdown=settings.shutdown_timeout,
    )
    return 0


def _worker(args: argparse.Namespace) -> int:
    from docparse.api.logs import configure_logging
    from docparse.jobs.worker import JobWorker
    from docparse.settings import Settings

    settings = Settings()
    configure_logging(settings.log_format, args.log_level)
    if not settings.queue.startswith(("redis://", "rediss://")):
        print("docparse worker needs DOCPARSE_QUEUE=redis://host:port/db", file=sys.stderr)
        return 2
    return JobWorker(settings).run()


def _convert(args: argparse.Namespace) -> int:
    if args.server:  # through a running service's jobs API
        from docparse.client.files import convert_with_arguments

        return convert_with_arguments(args)
    from docparse.export import EXPORTERS
    from docparse.pipeline.converter import Converter
    from docparse.pipeline.options import ConvertOptions
    from docparse.pipeline.runtime import Engines
    from docparse.settings import Settings

    settings = Settings(**({"languages": args.languages} if args.languages else {}))
    formats = [f.strip() for f in args.format.split(",") if f.strip()]
    unknown = [f for f in formats if f not in EXPORTERS]
    if unknown:
        print(f"docparse: unknown format {', '.join(unknown)} (use md,json,txt)", file=sys.stderr)
        return 2
    options = ConvertOptions(
        engine=args.engine,
        languages=args.languages,
        pages=args.pages,
        dpi=args.dpi,
        layout=args.layout,
    )
    args.output.mkdir(parents=True, exist_ok=True)
    return asyncio.run(
        _convert_all(
            args.inputs, args.output, formats, Converter(settings, Engines(settings)), options
        )
    )


async def _convert_all(
    inputs: list[Path],
    output: Path,
    formats: list[str],
    converter: Converter,
    options: ConvertOptions,
) -> int:
    """Convert each input; one line on stderr per failure; non-zero if any failed."""
    from tqdm import tqdm

    from docparse.export import EXPORTERS
    from docparse.export.storage import write_atomic

    failures = 0
    try:
        for path in inputs:
            bar = tqdm(
                total=0, desc=path.name, unit="page", disable=not sys.stderr.isatty(), leave=False
            )

            def progress(done: int, total: int, bar: tqdm[Any] = bar) -> None:
                bar.total = total
                bar.n = done
                bar.refresh()

            try:
                result = await converter.convert(
                    path, options.model_copy(update={"figures": f"{path.stem}_images"}), progress
                )
            except DocparseError as exc:
                failures += 1
                print(f"docparse: {path}: {exc.message}", file=sys.stderr)
                continue
            except OSError as exc:
                failures += 1
                print(f"docparse: {path}: {exc.strerror or exc}", file=sys.stderr)
                continue
            finally:
                bar.close()
            for fmt in formats:
                write_atomic(output / f"{path.stem}.{fmt}", EXPORTERS[fmt](result.document))
            for relative, png in result.figures.items():
                (output / relative).parent.mkdir(parents=True, exist_ok=True)
                (output / relative).write_bytes(png)
            for page in result.document.pages:
                if page.error:
                    print(
                        f"docparse: {path}: page {page.index + 1} failed: {page.error}",
                        file=sys.stderr,
                    )
                    failures += 1
    finally:
        converter.engines.close()
    return 1 if failures else 0


def _bench(args: argparse.Namespace) -> int:
    if args.vlm:
        from docparse.ops.bench_vlm import run_vlm_bench

        return run_vlm_bench(args.vlm_pages, args.latency, args.capacity)
    if args.jobs:
        from docparse.ops.bench_jobs import run_jobs_bench

        return run_jobs_bench(args.docs, args.job_count)
    if args.load:
        from docparse.ops.bench_load import run_load

        return run_load(args.url, args.docs, args.clients, args.duration, args.requests, args.idle)
    from docparse.ops.bench import run_bench

    return run_bench(args.docs, args.pages)


def _eval(args: argparse.Namespace) -> int:
    from docparse.ops.evaluate import run_eval

    return run_eval(args.folder, args.checks, args.engine, args.json, args.verbose, args.min_pass)


def _supervise(args: argparse.Namespace) -> int:
    import logging

    from docparse.ops.supervisor import run_supervisor
    from docparse.ops.supervisor_config import SupervisorConfig
    from docparse.settings import Settings

    logging.basicConfig(
        level=args.log_level.upper(),
        stream=sys.stderr,
        format="%(asctime)s supervisor %(levelname)s %(message)s",
    )
    config = SupervisorConfig.from_env(Settings(), vlm=not args.no_vlm, log_level=args.log_level)
    return run_supervisor(config)


def _models_dest(args: argparse.Namespace) -> Path:
    import os

    return args.dest or Path(os.environ.get("DOCPARSE_MODELS_DIR") or "models")


def _models_list(args: argparse.Namespace) -> int:
    from docparse.ops.weights import human, load_catalog

    for spec in load_catalog(args.catalog):
        pinned = len(spec.files) - len(spec.unpinned)
        mark = "*" if spec.default else " "
        print(
            f"{mark} {spec.name:<18} {spec.repo}@{spec.revision[:12]}  "
            f"{len(spec.files)} files, {human(spec.total_size)}, "
            f"{pinned}/{len(spec.files)} pinned"
        )
    print("(* downloaded when no --only is given)")
    return 0


def _models_download(args: argparse.Namespace) -> int:
    from docparse.ops.weights import Downloader, download_models, load_catalog, select

    specs = select(load_catalog(args.catalog), args.only)
    with Downloader.from_env(
        retries=args.retries, log=lambda line: print(line, file=sys.stderr)
    ) as downloader:
        download_models(specs, _models_dest(args), downloader, allow_unpinned=args.allow_unpinned)
    return 0


def _config_doc(args: argparse.Namespace) -> int:
    from docparse.ops.settings_doc import run_config_doc

    return run_config_doc(args.output, args.check)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="docparse", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the HTTP service")
    serve.add_argument("--host", help="address to listen on (default: DOCPARSE_HOST)")
    serve.add_argument("--port", type=int, help="port to listen on (default: DOCPARSE_PORT)")
    serve.add_argument(
        "--log-level", default="info", help="debug, info, warning or error (default: info)"
    )
    serve.set_defaults(func=_serve)

    worker = commands.add_parser(
        "worker",
        help="run jobs from the Redis queue (DOCPARSE_QUEUE=redis://…), on any machine",
    )
    worker.add_argument(
        "--log-level", default="info", help="debug, info, warning or error (default: info)"
    )
    worker.set_defaults(func=_worker)

    convert = commands.add_parser("convert", help="convert documents to files")
    convert.add_argument(
        "inputs", nargs="+", type=Path, help="PDF or image files (folders too with --server)"
    )
    convert.add_argument("--output", "-o", type=Path, required=True, help="folder for the results")
    convert.add_argument(
        "--engine", default="auto", help="auto, textlayer, tesseract, ppocr or paddleocr-vl"
    )
    convert.add_argument("--languages", help="Tesseract languages, e.g. rus+eng")
    convert.add_argument("--pages", help="pages to read, e.g. 1-3,5 (default: all)")
    convert.add_argument(
        "--dpi", type=int, help="render DPI of OCR pages (default: chosen per page)"
    )
    convert.add_argument("--format", default="md,json", help="md,json,txt")
    convert.add_argument(
        "--layout", action="store_true", help="born-digital pages through the layout model too"
    )
    convert.add_argument("--server", metavar="URL", help="convert on this docparse service")
    convert.add_argument("--api-key", help="--server: the key (default: DOCPARSE_API_KEY)")
    convert.set_defaults(func=_convert)

    bench = commands.add_parser("bench", help="print throughput figures")
    bench.add_argument("--docs", type=Path, help="folder of PDFs (default: shared/docs)")
    bench.add_argument("--pages", type=int, default=8, help="OCR pages per engine")
    bench.add_argument(
        "--vlm",
        action="store_true",
        help="the VLM route against a stand-in server (latency, capacity)",
    )
    bench.add_argument("--latency", type=float, default=1.0, help="--vlm: seconds a request")
    bench.add_argument("--capacity", type=int, default=8, help="--vlm: requests at once")
    bench.add_argument("--vlm-pages", type=int, default=96, help="--vlm: pages")
    bench.add_argument(
        "--jobs",
        action="store_true",
        help="the jobs API (1 and 2 workers, embedded and Redis) beside the converter",
    )
    bench.add_argument("--job-count", type=int, default=4, help="--jobs: jobs per run")
    bench.add_argument("--load", action="store_true", help="many clients at once: answers, memory")
    bench.add_argument("--url", help="--load: a running service (default: start one)")
    bench.add_argument("--clients", type=int, default=40, help="--load: clients at once")
    bench.add_argument("--duration", type=float, default=60.0, help="--load: seconds")
    bench.add_argument("--requests", type=int, help="--load: stop after this many requests")
    bench.add_argument("--idle", type=float, default=15.0, help="--load: idle s, then memory")
    bench.set_defaults(func=_bench)

    evaluate = commands.add_parser(
        "eval", help="convert the documents that checks name and print pass rates"
    )
    evaluate.add_argument("folder", type=Path, help="folder holding the documents")
    evaluate.add_argument(
        "--checks",
        nargs="+",
        action="extend",
        type=Path,
        default=[],
        metavar="FILE",
        help="JSONL check files (default: the folder's *.jsonl)",
    )
    evaluate.add_argument("--engine", default="auto", help="auto, tesseract, ppocr...")
    evaluate.add_argument("--json", type=Path, metavar="OUT", help="write every result here")
    evaluate.add_argument(
        "-v", "--verbose", action="store_true", help="per document, with the failed checks"
    )
    evaluate.add_argument(
        "--min-pass",
        type=float,
        metavar="RATE",
        help="exit 1 when the overall pass rate is below (0..1)",
    )
    evaluate.set_defaults(func=_eval)

    supervise = commands.add_parser(
        "supervise",
        help="run the API and the VLM server (vLLM) together, restarting the "
        "VLM server when it exits (DOCPARSE_VLM_COMMAND, "
        "DOCPARSE_VLM_EXTRA_ARGS...)",
    )
    supervise.add_argument(
        "--no-vlm",
        action="store_true",
        help="supervise the API only (the VLM server runs elsewhere)",
    )
    supervise.add_argument(
        "--log-level", default="info", help="debug, info, warning or error (default: info)"
    )
    supervise.set_defaults(func=_supervise)

    models = commands.add_parser("models", help="list or download the pinned model weights")
    model_commands = models.add_subparsers(dest="models_command", required=True)
    listing = model_commands.add_parser("list", help="the catalog: models, revisions, pins")
    listing.add_argument("--catalog", type=Path, help="another models.json")
    listing.set_defaults(func=_models_list)
    download = model_commands.add_parser(
        "download",
        help="fetch and verify model files (DOCPARSE_MODELS_BASE_URL or "
        "HF_ENDPOINT for a mirror, HF_TOKEN for a token)",
    )
    download.add_argument(
        "--dest", type=Path, help="folder for the models (default: DOCPARSE_MODELS_DIR or models)"
    )
    download.add_argument(
        "--only",
        nargs="+",
        metavar="NAME",
        help="these models (default: the ones marked * in `models list`)",
    )
    download.add_argument(
        "--allow-unpinned",
        action="store_true",
        help="fetch files without a pinned SHA-256 and print their hashes",
    )
    download.add_argument(
        "--retries", type=int, default=5, help="retries of a failed file download (default: 5)"
    )
    download.add_argument("--catalog", type=Path, help="another models.json")
    download.set_defaults(func=_models_download)

    config_doc = commands.add_parser(
        "config-doc", help="write docs/configuration.md, every setting"
    )
    config_doc.add_argument("--check", action="store_true", help="exit 1 if it is out of date")
    config_doc.add_argument(
        "--output",
        type=Path,
        default=Path("docs/configuration.md"),
        help="the page (default: %(default)s)",
    )
    config_doc.set_defaults(func=_config_doc)
    return parser


def main(argv: list[str] | None = None) -> int:
    from pydantic import ValidationError

    args = build_parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except DocparseError as exc:
        print(f"docparse: {exc.message}", file=sys.stderr)
        return 2
    except ValidationError as exc:  # settings refused at start, one line per problem
        for error in exc.errors():
            where = "_".join(str(p) for p in error["loc"]).upper()
            name = f"DOCPARSE_{where}" if where else "settings"
            print(f"docparse: invalid {name}: {error['msg']}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    sys.exit(main())
