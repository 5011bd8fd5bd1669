"""The `docparse` command: serve, convert, bench."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from docparse.errors import DocparseError

if TYPE_CHECKING:
    from docparse.pipeline import Converter, ConvertOptions


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from docparse.api.app import create_app
    from docparse.settings import Settings

    settings = Settings()
    host, port = args.host or settings.host, args.port or settings.port
    uvicorn.run(create_app(settings), host=host, port=port, log_level=args.log_level)
    return 0


def _convert(args: argparse.Namespace) -> int:
    from docparse.export import EXPORTERS
    from docparse.pipeline import Converter, ConvertOptions, Engines
    from docparse.settings import Settings

    settings = Settings(**({"languages": args.languages} if args.languages else {}))
    formats = [f.strip() for f in args.format.split(",") if f.strip()]
    unknown = [f for f in formats if f not in EXPORTERS]
    if unknown:
        print(f"docparse: unknown format {', '.join(unknown)} (use md,json,txt)",
              file=sys.stderr)
        return 2
    options = ConvertOptions(engine=args.engine, languages=args.languages, pages=args.pages,
                             dpi=args.dpi)
    args.output.mkdir(parents=True, exist_ok=True)
    return asyncio.run(_convert_all(args.inputs, args.output, formats,
                                    Converter(settings, Engines(settings)), options))


async def _convert_all(inputs: list[Path], output: Path, formats: list[str],
                       converter: Converter, options: ConvertOptions) -> int:
    """Convert each input; one line on stderr per failure; non-zero if any failed."""
    from tqdm import tqdm

    from docparse.export import EXPORTERS
    from docparse.storage import write_atomic

    failures = 0
    try:
        for path in inputs:
            bar = tqdm(total=0, desc=path.name, unit="page", disable=not sys.stderr.isatty(),
                       leave=False)

            def progress(done: int, total: int, bar: tqdm = bar) -> None:
                bar.total = total
                bar.n = done
                bar.refresh()

            try:
                result = await converter.convert(path, options, progress)
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
            for page in result.document.pages:
                if page.error:
                    print(f"docparse: {path}: page {page.index + 1} failed: {page.error}",
                          file=sys.stderr)
                    failures += 1
    finally:
        converter.engines.close()
    return 1 if failures else 0


def _bench(args: argparse.Namespace) -> int:
    from docparse.bench import run_bench

    return run_bench(args.docs, args.pages)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="docparse", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the HTTP service")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--log-level", default="info")
    serve.set_defaults(func=_serve)

    convert = commands.add_parser("convert", help="convert documents to files")
    convert.add_argument("inputs", nargs="+", type=Path)
    convert.add_argument("--output", "-o", type=Path, required=True)
    convert.add_argument("--engine", default="auto")
    convert.add_argument("--languages")
    convert.add_argument("--pages")
    convert.add_argument("--dpi", type=int)
    convert.add_argument("--format", default="md,json", help="md,json,txt")
    convert.set_defaults(func=_convert)

    bench = commands.add_parser("bench", help="print throughput figures")
    bench.add_argument("--docs", type=Path, help="folder of PDFs (default: shared/docs)")
    bench.add_argument("--pages", type=int, default=8, help="OCR pages per engine")
    bench.set_defaults(func=_bench)
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
