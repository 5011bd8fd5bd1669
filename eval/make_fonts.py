"""Write the font set: the Russian set's documents (contracts, invoices with a ruled or a
borderless goods table, two-column articles) drawn in other faces than DejaVu, and
scanned in more ways: 150-300 dpi, image PDFs, JPEGs, PNG and TIFF files that state no
resolution. With its checks, made as the Russian set's are (eval/make_russian.py).

    apt-get install fonts-liberation2 fonts-freefont-ttf fonts-paratype fonts-noto-core \\
        fonts-crosextra-carlito fonts-crosextra-caladea      # what is missing is skipped
    .venv/bin/python eval/make_fonts.py /tmp/font_eval
    .venv/bin/docparse eval /tmp/font_eval                   # reads checks.jsonl

Faces: Times-, Arial- and Calibri-like ones and the PT and Noto faces Russian offices
use. A face that is not installed, or has no Cyrillic, is skipped and named; the set is
then smaller, never broken. Seeds fix the output (same fonts, same bytes).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import random
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

sys.path.insert(0, str(Path(__file__).resolve().parent))  # make_russian, beside this file

import make_russian  # first: it puts the repository on the path, for tests.fixtures
from make_russian import Generated, checks_for, image_pdf
from tests.fixtures import russian
from tests.fixtures.degrade import degrade, rasterize

FONT_ROOT = Path("/usr/share/fonts")
CYRILLIC_PROBE = "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдеёжзийклмнопрстуфхцчшщъыьэюя№«»"
# The names the generators draw with (tests/fixtures/russian.py, make_russian's article).
DRAWN_AS = ("DejaVuSerif", "DejaVuSerif-Bold", "DejaVuSans", "DejaVuSans-Bold")


@dataclass(frozen=True)
class Face:
    name: str  # short, used in file names
    package: str  # the Debian package that installs it
    regular: str  # file names, found anywhere under /usr/share/fonts
    bold: str


FACES = [
    Face("liberation_serif", "fonts-liberation2", "LiberationSerif-Regular.ttf",
         "LiberationSerif-Bold.ttf"),  # Times New Roman's metrics
    Face("liberation_sans", "fonts-liberation2", "LiberationSans-Regular.ttf",
         "LiberationSans-Bold.ttf"),  # Arial's
    Face("pt_serif", "fonts-paratype", "PTF55F.ttf", "PTF75F.ttf"),
    Face("pt_sans", "fonts-paratype", "PTS55F.ttf", "PTS75F.ttf"),
    Face("free_serif", "fonts-freefont-ttf", "FreeSerif.ttf", "FreeSerifBold.ttf"),
    Face("free_sans", "fonts-freefont-ttf", "FreeSans.ttf", "FreeSansBold.ttf"),
    Face("noto_serif", "fonts-noto-core", "NotoSerif-Regular.ttf", "NotoSerif-Bold.ttf"),
    Face("noto_sans", "fonts-noto-core", "NotoSans-Regular.ttf", "NotoSans-Bold.ttf"),
    Face("carlito", "fonts-crosextra-carlito", "Carlito-Regular.ttf", "Carlito-Bold.ttf"),
    Face("caladea", "fonts-crosextra-caladea", "Caladea-Regular.ttf", "Caladea-Bold.ttf"),
]  # fmt: skip


def find_font(file_name: str) -> Path | None:
    return next(iter(sorted(FONT_ROOT.rglob(file_name))), None) if FONT_ROOT.is_dir() else None


def usable(face: Face) -> tuple[Path, Path] | str:
    """The face's two files, or why it cannot be used."""
    regular, bold = find_font(face.regular), find_font(face.bold)
    if regular is None or bold is None:
        return f"not installed (apt-get install {face.package})"
    for path in (regular, bold):
        glyphs = TTFont("probe", str(path)).face.charToGlyph
        if missing := [ch for ch in CYRILLIC_PROBE if ord(ch) not in glyphs]:
            return f"{path.name} has no {''.join(missing[:6])}…: no Cyrillic"
    return regular, bold


@contextlib.contextmanager
def drawn_in(files: tuple[Path, Path]) -> Iterator[None]:
    """Everything the generators draw in DejaVu drawn in this face instead (serif and
    sans alike, bold as its bold): reportlab's font registry is pointed at the face's
    files under DejaVu's names for the while, its widths wrap the lines."""
    russian._register_fonts()  # so that the DejaVu entries exist to put back
    registry = pdfmetrics._fonts
    saved = {name: registry[name] for name in DRAWN_AS}
    try:
        for name in DRAWN_AS:
            registry[name] = TTFont(name, str(files[1] if name.endswith("Bold") else files[0]))
        yield
    finally:
        registry.update(saved)


@dataclass(frozen=True)
class Scan:
    dpi: int
    container: str  # pdf (an image PDF stating its dpi), jpeg (states it), png / tiff (not)
    skew: float
    blur: float
    noise: float
    jpeg: int | None


def scan_for(rng: random.Random, pages: int) -> Scan:
    """A scan's resolution, container and damage, drawn from `rng`: a PNG holds one
    page, a TIFF several; neither says its resolution."""
    container = rng.choice(("pdf", "jpeg", "png") if pages == 1 else ("pdf", "tiff"))
    return Scan(
        dpi=rng.choice((150, 200, 240, 300)),
        container=container,
        skew=round(rng.uniform(-1.2, 1.2), 2),
        blur=round(rng.uniform(0.3, 0.8), 2),
        noise=rng.choice((4, 6, 8)),
        jpeg=rng.choice((65, 75, 85)) if container in ("pdf", "jpeg") else None,
    )


def write_scan(pages: list[Image.Image], scan: Scan, path_stem: Path) -> str:
    """The pages in the scan's container; its file name."""
    if scan.container == "pdf":
        path = path_stem.with_suffix(".pdf")
        path.write_bytes(image_pdf(pages, scan.dpi))
    elif scan.container == "jpeg":
        path = path_stem.with_suffix(".jpg")
        buf = io.BytesIO()
        pages[0].convert("RGB").save(buf, "JPEG", quality=scan.jpeg or 75, dpi=(scan.dpi,) * 2)
        path.write_bytes(buf.getvalue())
    elif scan.container == "png":
        path = path_stem.with_suffix(".png")
        buf = io.BytesIO()
        pages[0].save(buf, "PNG")  # no pHYs chunk: no resolution stated
        path.write_bytes(buf.getvalue())
    else:
        path = path_stem.with_suffix(".tif")
        buf = io.BytesIO()
        pages[0].save(buf, "TIFF", save_all=True, append_images=pages[1:], compression="tiff_lzw")
        path.write_bytes(buf.getvalue())
    return path.name


def _invoice(seed: int) -> Generated:
    return make_russian.make_invoice(seed, ruled=seed % 2 == 0)


# Per face, two documents: an invoice (ruled on even seeds, borderless on odd ones) and a
# contract or a two-column article, in turn.
KINDS: list[tuple[str, Callable[[int], Generated]]] = [
    ("contract", make_russian.make_contract),
    ("article", make_russian.make_article),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder for the scans and checks.jsonl")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    checks: list[dict[str, Any]] = []
    skipped: list[str] = []
    for number, face in enumerate(FACES):
        files = usable(face)
        if isinstance(files, str):
            skipped.append(f"{face.name}: {files}")
            continue
        kind, make = KINDS[number % 2]
        for label, generate, seed in (
            (kind, make, 10 + number),
            ("invoice", _invoice, 20 + number),
        ):
            rng = random.Random(f"{face.name}-{label}-{seed}")
            try:
                with drawn_in(files):
                    gen = generate(seed)
            except (ValueError, RuntimeError) as exc:  # a cell or an article that won't fit
                skipped.append(f"{face.name} {label} {seed}: {exc}")
                continue
            scan = scan_for(rng, gen.doc.pages)
            pages = [
                degrade(
                    page,
                    seed=seed * 100 + i,
                    rotate_deg=scan.skew,
                    blur=scan.blur,
                    noise=scan.noise,
                    jpeg_quality=scan.jpeg,
                    contrast=0.85,
                    grayscale=i % 2 == 1,
                )
                for i, page in enumerate(rasterize(gen.doc.pdf, dpi=scan.dpi))
            ]
            name = write_scan(pages, scan, args.out / f"{face.name}_{gen.doc.name}")
            checks += checks_for(name, gen)
            print(
                f"{name}: {gen.doc.pages} pages at {scan.dpi} dpi"
                f"{'' if scan.container in ('pdf', 'jpeg') else ', no resolution stated'}"
            )
    with (args.out / "checks.jsonl").open("w", encoding="utf-8") as out:
        out.writelines(json.dumps(c, ensure_ascii=False) + "\n" for c in checks)
    kinds = {
        k: sum(c["type"] == k for c in checks) for k in dict.fromkeys(c["type"] for c in checks)
    }
    print(
        f"{len(checks)} checks ({', '.join(f'{k} {n}' for k, n in kinds.items())}) "
        f"in {args.out / 'checks.jsonl'}"
    )
    for line in skipped:
        print(f"skipped {line}")


if __name__ == "__main__":
    main()
