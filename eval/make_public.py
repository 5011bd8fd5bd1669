"""Write the public set: real Russian documents from public GitHub repositories (contracts,
offers, orders, forms, invoices, leaflets, reports), each as published and as an office
scan, with checks whose truth is the document's own text layer.

    .venv/bin/python eval/make_public.py /work/evaldata/public/src /work/evaldata/public/out
    .venv/bin/docparse eval /work/evaldata/public/out         # reads checks.jsonl

eval/public_docs.jsonl names each document (repo, commit, path, sha256, kind, the pages
used); SRC holds them as NAME.pdf, fetched by hand (binaries stay out of the repository)
and checked against the sha256. Per document OUT gets NAME.pdf (the pages as published),
NAME_scan.pdf (an image-only PDF at 200 dpi: grey, slightly skewed, noisy, JPEG'd) and
NAME_scan.png (its first page, stating no resolution) and NAME_phone.jpg (the first page
printed and photographed on a desk at an angle, unevenly lit: tests.fixtures.degrade's
phone_photo). Checks: `present` for mid-length
lines of the text layer (20-80 characters, not mostly digits, a few per page) and `order`
between lines far apart in one column; nothing is tuned to docparse. Seeds fix the output.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

sys.path.insert(0, str(Path(__file__).resolve().parent))  # make_russian, beside this file

from make_russian import image_pdf  # first: it puts the repository on the path
from make_scans import office_scan
from tests.fixtures.degrade import phone_photo, rasterize, to_jpeg

from docparse.ops.checks import normalize

MANIFEST = Path(__file__).resolve().parent / "public_docs.jsonl"
DPI = 200
PRESENT_PER_PAGE = 6
ORDER_PER_PAGE = 2
CREATED = re.compile(rb"(?<=/CreationDate\(D:)\d{14}([+-]\d\d'\d\d')?")
FILE_ID = re.compile(rb"/ID\[<[0-9A-Fa-f]{32}><[0-9A-Fa-f]{32}>\]")
SOFT_HYPHENS = "\ufffe\xad\x02"  # how PDFium marks a word hyphenated at a line end


@dataclass(frozen=True)
class Line:
    """One text line of a page's layer, in PDF points (y up)."""

    text: str
    left: float
    bottom: float
    right: float
    top: float


def _chars(textpage: pdfium.PdfTextPage) -> list[tuple[str, tuple[float, ...] | None]]:
    """Each character of the layer with its box (None for spaces and line breaks); a
    character beyond the BMP (an emoji) is two UTF-16 units in PDFium, one here; the
    hyphen of a word broken at a line end is dropped, as a reader joins the word."""
    chars: list[tuple[str, tuple[float, ...] | None]] = []
    count, high = textpage.count_chars(), 0
    for i in range(count):
        code = pdfium_c.FPDFText_GetUnicode(textpage, i)
        if 0xD800 <= code < 0xDC00:
            high = code
            continue
        if 0xDC00 <= code < 0xE000 and high:
            code, high = 0x10000 + ((high - 0xD800) << 10) + (code - 0xDC00), 0
        char = chr(code)
        if char in SOFT_HYPHENS:  # the word goes on: its two halves read as one word
            continue
        chars.append((char, None if char.isspace() else textpage.get_charbox(i)))
    return chars


def page_lines(page: pdfium.PdfPage) -> list[Line]:
    """The layer's lines as PDFium reads them (the text the `layer` baseline sees), each
    with the box of its characters; a line is cut where its characters are more than two
    line heights apart (table cells, form fields, columns in one PDFium line)."""
    textpage = page.get_textpage()
    chars = _chars(textpage)
    textpage.close()
    lines: list[Line] = []
    current: list[tuple[str, tuple[float, ...] | None]] = []

    def close() -> None:
        boxes = [box for _, box in current if box]
        text = " ".join("".join(ch for ch, _ in current).split())
        if boxes and text:
            lines.append(
                Line(
                    text,
                    min(b[0] for b in boxes),
                    min(b[1] for b in boxes),
                    max(b[2] for b in boxes),
                    max(b[3] for b in boxes),
                )
            )
        current.clear()

    last: tuple[float, ...] | None = None
    for char, box in chars:
        if char in "\r\n":
            close()
            last = None
            continue
        if box and last and box[0] - last[2] > 2 * max(last[3] - last[1], box[3] - box[1]):
            close()
        current.append((char, box))
        last = box or last
    close()
    return lines


def usable(line: Line) -> bool:
    """A line worth a present check: 20-80 characters, mostly letters, Cyrillic, with no
    word mixing Latin and Cyrillic (a broken layer), not a hyphenated end nor leaders."""
    text = line.text
    letters = sum(ch.isalpha() for ch in text)
    cyrillic = len(re.findall(r"[а-яё]", text, re.IGNORECASE))
    return (
        20 <= len(normalize(text)) <= 80
        and letters >= 0.6 * len(text.replace(" ", ""))
        and cyrillic >= 0.7 * letters
        and not any(
            re.search("[a-z]", w, re.I) and re.search("[а-яё]", w, re.I) for w in text.split()
        )
        and not text.endswith(("-", "_"))
        and "__" not in text
        and "..." not in text
    )


def _pick(items: list[Line], n: int) -> list[Line]:
    """n items spread evenly over the list."""
    if len(items) <= n:
        return items
    return [items[round((i + 0.5) * len(items) / n - 0.5)] for i in range(n)]


def page_checks(lines: list[Line], rng: random.Random) -> tuple[list[str], list[tuple[str, str]]]:
    """Present lines and ordered pairs of one page. A text found twice on the page is no
    landmark, so it is left out; an order pair is two usable lines, one above the other
    with at least three line heights between them and sharing at least half the narrower
    one's width (one column), so that any sound reading order has them in this order."""
    counts: dict[str, int] = {}
    for line in lines:
        counts[normalize(line.text)] = counts.get(normalize(line.text), 0) + 1
    good = [ln for ln in lines if usable(ln) and counts[normalize(ln.text)] == 1]
    good.sort(key=lambda ln: (-ln.top, ln.left))
    present = _pick(good, PRESENT_PER_PAGE)
    pairs = []
    for a in good:
        for b in good:
            height = a.top - a.bottom
            overlap = min(a.right, b.right) - max(a.left, b.left)
            if a.bottom - b.top > 3 * height and overlap > 0.5 * min(
                a.right - a.left, b.right - b.left
            ):
                pairs.append((a.text, b.text))
    order = rng.sample(pairs, min(ORDER_PER_PAGE, len(pairs)))
    return [ln.text for ln in present], order


def published(pdf: bytes, pages: list[int]) -> bytes:
    """The chosen pages (1-based) of `pdf`, as they are."""
    src, out = pdfium.PdfDocument(pdf), pdfium.PdfDocument.new()
    out.import_pages(src, [p - 1 for p in pages])
    buf = io.BytesIO()
    out.save(buf)
    # PDFium dates the file and gives it a random /ID: a fixed date and an /ID made from
    # the content keep the bytes the same (same lengths: no offset moves).
    data = CREATED.sub(lambda m: b"20000101000000+00'00'"[: len(m[0])], buf.getvalue())
    digest = hashlib.md5(FILE_ID.sub(b"/ID[<>]", data)).hexdigest().upper().encode()
    return FILE_ID.sub(b"/ID[<%s><%s>]" % (digest, digest), data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("src", type=Path, help="folder of the documents, NAME.pdf")
    parser.add_argument("out", type=Path, help="folder for the files and checks.jsonl")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    checks: list[dict[str, Any]] = []
    docs = [json.loads(line) for line in MANIFEST.read_text(encoding="utf-8").splitlines()]
    for number, doc in enumerate(docs):
        name, data = doc["name"], (args.src / f"{doc['name']}.pdf").read_bytes()
        if hashlib.sha256(data).hexdigest() != doc["sha256"]:
            raise SystemExit(f"{name}.pdf: sha256 differs from {MANIFEST.name}")
        pdf = published(data, doc["pages"])
        (args.out / f"{name}.pdf").write_bytes(pdf)
        rng = random.Random(f"public-{name}")
        skew = round(rng.uniform(-1.0, 1.0), 2)
        scans = [
            office_scan(image, number * 100 + i, skew)
            for i, image in enumerate(rasterize(pdf, dpi=DPI))
        ]
        (args.out / f"{name}_scan.pdf").write_bytes(image_pdf(scans, DPI))
        buf = io.BytesIO()
        scans[0].save(buf, "PNG")  # no pHYs chunk: no resolution stated
        (args.out / f"{name}_scan.png").write_bytes(buf.getvalue())
        photo = phone_photo(rasterize(pdf, dpi=DPI)[0], seed=number, strength=rng.uniform(0.6, 1.3))
        (args.out / f"{name}_phone.jpg").write_bytes(to_jpeg(photo, 85))
        document = pdfium.PdfDocument(pdf)
        per_page = [page_checks(page_lines(document[i]), rng) for i in range(len(document))]
        for file, pages in (
            (f"{name}.pdf", range(1, len(per_page) + 1)),
            (f"{name}_scan.pdf", range(1, len(per_page) + 1)),
            (f"{name}_scan.png", [1]),
            (f"{name}_phone.jpg", [1]),
        ):
            stem = file.replace(".", "_")
            for page in pages:
                present, order = per_page[page - 1]
                at = {"page": page} if file.endswith(".pdf") else {}
                for k, text in enumerate(present, 1):
                    checks.append(
                        {"pdf": file, "id": f"{stem}-p{page}-present-{k:02d}",
                         "type": "present", **at, "text": text}
                    )  # fmt: skip
                for k, (before, after) in enumerate(order, 1):
                    checks.append(
                        {"pdf": file, "id": f"{stem}-p{page}-order-{k:02d}",
                         "type": "order", **at, "before": before, "after": after}
                    )  # fmt: skip
        print(
            f"{name} ({doc['kind']}): pages {doc['pages']}, skew {skew}°, "
            f"{sum(len(p) for p, _ in per_page)} present, {sum(len(o) for _, o in per_page)} order"
        )
    with (args.out / "checks.jsonl").open("w", encoding="utf-8") as out:
        out.writelines(json.dumps(c, ensure_ascii=False) + "\n" for c in checks)
    print(f"{len(checks)} checks for {len(docs)} documents in {args.out / 'checks.jsonl'}")


if __name__ == "__main__":
    main()
