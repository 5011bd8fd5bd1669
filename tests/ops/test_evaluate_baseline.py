"""The regression guard of `docparse eval`: per document, docparse beside plain Tesseract
(rus+eng, the same pages at the same resolution) and beside a PDF's own text layer, on a
small fixed sample made here: Russian scans (a PNG with no resolution stated, a 150-dpi
JPEG), a phone photo of a printed page and a born-digital PDF. docparse must not be below
either on any document."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

from docparse.ops import evaluate
from docparse.ops.baselines import Converted
from docparse.ops.checks import Check
from tests.fixtures import russian
from tests.fixtures.degrade import degrade, phone_photo, rasterize, to_jpeg, to_png
from tests.fixtures.russian import SynthDoc, make_letter


def _pick(items: list[str], n: int) -> list[str]:
    return [items[round(i * (len(items) - 1) / (n - 1))] for i in range(n)]


def _checks(name: str, doc: SynthDoc, absent: bool) -> list[dict[str, Any]]:
    checks: list[dict[str, Any]] = [
        {"pdf": name, "id": f"{name}-present-{i}", "type": "present", "text": text}
        for i, text in enumerate(_pick([s for s in doc.sentences if len(s) >= 25], 5))
    ]
    checks += [
        {"pdf": name, "id": f"{name}-absent-{i}", "type": "absent", "text": text}
        for i, text in enumerate(doc.headers_footers if absent else [])
    ]
    return checks


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sample")
    checks = []
    rows: list[list[str]] = []
    table = russian._Layout.table

    def keep_rows(layout: Any, widths: Any, cells: list[list[str]], *args: Any) -> None:
        rows.extend(cells)
        table(layout, widths, cells, *args)

    with mock.patch.object(russian._Layout, "table", keep_rows):
        invoice = russian.make_invoice(3)  # a 200-dpi scan, as a PNG stating no resolution
    page = degrade(rasterize(invoice.pdf, 200)[0], seed=3, rotate_deg=0.7, blur=0.6, noise=6)
    (folder / "invoice.png").write_bytes(to_png(page))
    checks += _checks("invoice.png", invoice, absent=True)
    head, first = rows[0], rows[1]
    checks.append(
        {"pdf": "invoice.png", "id": "invoice-table", "type": "table", "cell": first[1],
         "up": head[1], "right": first[2]}
    )  # fmt: skip
    letter = make_letter(3)  # a 150-dpi JPEG
    page = degrade(rasterize(letter.pdf, 150)[0], seed=4, rotate_deg=-0.4, blur=0.4, noise=4)
    buf = io.BytesIO()
    page.save(buf, "JPEG", quality=80, dpi=(150, 150))
    (folder / "letter.jpg").write_bytes(buf.getvalue())
    checks += _checks("letter.jpg", letter, absent=False)
    printed = make_letter(8)  # printed, photographed at an angle on a desk
    photo = phone_photo(rasterize(printed.pdf, 200)[0], seed=2)
    (folder / "photo.jpg").write_bytes(to_jpeg(photo, 85))
    checks += _checks("photo.jpg", printed, absent=False)
    born = make_letter(6)  # born-digital: docparse reads its text layer
    (folder / "letter.pdf").write_bytes(born.pdf)
    checks += _checks("letter.pdf", born, absent=False)
    (folder / "checks.jsonl").write_text(
        "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in checks), encoding="utf-8"
    )
    return folder


def test_docparse_is_not_below_a_plain_baseline_on_any_document(
    sample: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "result.json"
    assert evaluate.run_eval(sample, [], json_out=out) == 0
    printed = capsys.readouterr().out
    summary = json.loads(out.read_text())
    documents = summary["documents"]
    assert set(documents) == {"invoice.png", "letter.jpg", "photo.jpg", "letter.pdf"}
    for name, doc in documents.items():
        assert doc["tesseract"]["total"] == doc["total"], name
        assert doc["passed"] >= doc["tesseract"]["passed"], (name, printed)
        if doc["layer"] is not None:
            assert doc["passed"] >= doc["layer"]["passed"], (name, printed)
        assert doc["worse_than"] == [], printed
    # The text layer is a baseline for the PDF only; the scans have none.
    assert documents["letter.pdf"]["layer"]["total"] == documents["letter.pdf"]["total"]
    assert documents["invoice.png"]["layer"] is None
    # Plain Tesseract reads everything on the page: the invoice's footer and no table.
    assert documents["invoice.png"]["tesseract"]["passed"] < documents["invoice.png"]["passed"]
    lines = printed.splitlines()
    assert any(ln.split()[:4] == ["document", "docparse", "tesseract", "layer"] for ln in lines)
    row = next(ln for ln in lines if ln.strip().startswith("invoice.png"))
    assert row.split()[3] == "-"  # no layer column for a scan
    assert "WORSE" not in printed
    assert any(ln.startswith("baseline tesseract:") and "never worse" in ln for ln in lines)


def test_a_document_worse_than_a_baseline_is_flagged() -> None:
    checks = [
        Check.from_json({"pdf": "a.pdf", "id": str(i), "type": "present", "text": t})
        for i, t in enumerate(["alpha beta", "gamma delta"])
    ]
    runs = {"a.pdf": Converted(1, 0.5, {None: "alpha beta", 1: "alpha beta"})}
    plain = {
        "tesseract": {"a.pdf": Converted(1, 0.1, {None: "alpha beta gamma delta"})},
        "layer": {},
    }
    records = evaluate.run_checks(checks, runs)
    evaluate.compare(checks, records, plain)
    assert [(r["passed"], r["tesseract"], r["layer"]) for r in records] == [
        (True, True, None),
        (False, True, None),
    ]
    summary = evaluate.summarize(records, runs, "auto")
    assert summary["documents"]["a.pdf"]["worse_than"] == ["tesseract"]
    assert "layer" not in summary["baselines"]
    printed = evaluate.report(summary, verbose=True)
    assert "WORSE than tesseract" in printed
    assert "    FAIL 1 (present): not found within 1 edits [tesseract passes]" in printed
    assert "docparse worse on 1: a.pdf" in printed
