"""Write a checked set's born-digital PDFs again as office scans: each page drawn at 200
dpi (--dpi for another), grey, slightly skewed, noisy and JPEG'd as make_public's scans,
in an image-only PDF, with the set's own checks pointed at it. The hand-written checks
of a born-digital set (extra, tabula, camelot) then measure the OCR route on the same
pages; a set with scans of its own (public2) is scanned again at another resolution.

    .venv/bin/python eval/make_scans.py /work/evaldata/extra_out /work/evaldata/extra_scan
    .venv/bin/docparse eval /work/evaldata/extra_scan          # reads checks.jsonl

OUT gets NAME_scan.pdf per NAME.pdf that a check names, and checks.jsonl (each check's
`pdf` renamed, its id suffixed `-scan`). Seeds fix the output.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # make_russian, beside this file

from make_russian import image_pdf  # first: it puts the repository on the path
from PIL import Image
from tests.fixtures.degrade import degrade, rasterize

DPI = 200


def office_scan(image: Image.Image, seed: int, skew: float) -> Image.Image:
    """A page drawn from a PDF as an office scanner gives it back: turned `skew` degrees,
    a little blurred, noisy, grey, JPEG'd (make_public's scans too)."""
    return degrade(
        image,
        seed=seed,
        rotate_deg=skew,
        blur=0.5,
        noise=6,
        jpeg_quality=75,
        contrast=0.85,
        grayscale=True,
    )


def scanned(pdf: bytes, name: str, dpi: int = DPI) -> bytes:
    """`pdf` as an image-only office scan at `dpi`, the same bytes every run."""
    rng = random.Random(f"scan-{name}")
    skew = round(rng.uniform(-1.0, 1.0), 2)
    pages = [office_scan(image, rng.randrange(1 << 30), skew) for image in rasterize(pdf, dpi=dpi)]
    return image_pdf(pages, dpi)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("src", type=Path, help="a set's folder: NAME.pdf and checks.jsonl")
    parser.add_argument("out", type=Path, help="folder for NAME_scan.pdf and checks.jsonl")
    parser.add_argument("--dpi", type=int, default=DPI, help="scan resolution (default 200)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    lines = (args.src / "checks.jsonl").read_text(encoding="utf-8").splitlines()
    checks = [json.loads(line) for line in lines if line.strip()]
    # Born-digital PDFs only: a set's own scans (NAME_scan.pdf) are scans already.
    names = sorted(
        {c["pdf"] for c in checks if c["pdf"].endswith(".pdf") and "_scan" not in c["pdf"]}
    )
    for file in names:
        stem = file.removesuffix(".pdf")
        pdf = (args.src / file).read_bytes()
        (args.out / f"{stem}_scan.pdf").write_bytes(scanned(pdf, stem, args.dpi))
    with (args.out / "checks.jsonl").open("w", encoding="utf-8") as out:
        for check in checks:
            if check["pdf"] in names:
                moved = {**check, "pdf": check["pdf"].removesuffix(".pdf") + "_scan.pdf"}
                moved["id"] = f"{check['id']}-scan"
                out.write(json.dumps(moved, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
