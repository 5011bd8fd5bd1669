"""The evaluation harness: each check type on hand-written Markdown, then `docparse eval`
end to end on a real PDF."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from docparse.ops import evaluate
from docparse.ops.baselines import Converted
from docparse.ops.checks import Check, load_checks, normalize, parse_tables


def check(kind: str, **fields: Any) -> Check:
    return Check.from_json({"pdf": "a.pdf", "id": "c", "type": kind, **fields})


def passes(kind: str, markdown: str, **fields: Any) -> bool:
    return check(kind, **fields).run(markdown)[0]


def test_normalize_drops_markup_and_unifies_typography() -> None:
    markdown = (
        "## Счёт   на **оплату** — «ООО»\n\n| a | b |\n|---|:-:|\n"
        "<td>x&amp;y<br/>z</td> [link](http://x) ![image](p.png) Name . . . . . 5"
    )
    assert normalize(markdown) == 'счет на оплату - "ооо" a b x&y z link name 5'
    assert normalize("“Quoted” ‘text’ 1\u00a0000 x\u00adz") == "\"quoted\" 'text' 1 000 xz"
    assert normalize("a < b > c") == "a < b > c"  # not a tag
    assert normalize("ООО <<Nord Trade>>") == 'ооо "nord trade"'  # OCR's « »


def test_present_and_absent_with_the_edit_budget() -> None:
    text = "The quick brown fox jumps"  # 25 characters: 10% allows 2 edits
    markdown = "Intro.\n\nThe quikc brown fox jumps over the dog."  # 2 edits away
    assert passes("present", markdown, text=text)
    assert not passes("absent", markdown, text=text)
    assert not passes("present", markdown.replace("brown", "brwn"), text=text)  # 3 edits
    assert passes("absent", markdown.replace("brown", "brwn"), text=text)
    assert not passes("present", markdown, text=text, max_diffs=1)
    assert passes("present", markdown, text=text, max_diffs=2)
    assert passes("present", markdown, text=text, max_diffs="8%")  # int(2.0) = 2
    assert not passes("present", markdown, text=text, max_diffs="7%")  # int(1.75) = 1
    assert passes("present", "# THE QUICK — brown fox", text="the quick - Brown FOX")
    assert check("present", text="Missing words here").run("nothing") == (
        False,
        "not found within 1 edits",
    )
    assert check("absent", text="quick brown", max_diffs=0).run(markdown) == (True, "")


def test_heading_and_not_heading() -> None:
    markdown = (
        "# Счёт на оплату № 103\n\nПолучатель: ООО «Балтика»\n\n"
        "## 1. Предмет договора\n\nИтого: 246 400,00 руб."
    )
    assert passes("heading", markdown, text="Счет на оплату № 103")
    assert passes("heading", markdown, text="1. Предмет договора")
    assert check("heading", text="Получатель: ООО «Балтика»").run(markdown) == (
        False,
        "not a heading",
    )
    assert passes("not_heading", markdown, text="Итого: 246 400,00 руб.")
    assert check("not_heading", text="1. Предмет договора").run(markdown) == (
        False,
        "set as a heading",
    )
    assert not passes("not_heading", markdown, text="Основание: договор")  # not there
    assert not passes("heading", "#hashtag text", text="hashtag text")  # no space: no heading


def test_short_texts_must_match_exactly() -> None:
    # 10% of a 3-character string rounds down to no edit: "105" is not "106".
    assert passes("absent", "page 106", text="105")
    assert not passes("absent", "page 105", text="105")


def test_order_compares_where_the_texts_start() -> None:
    markdown = "Left column ends here. Right column starts here."
    assert passes("order", markdown, before="Left column ends", after="Right column starts")
    assert not passes("order", markdown, before="Right column starts", after="Left column ends")
    assert passes("order", markdown, before="Left colomn ends", after="Right columm starts")
    assert check("order", before="Not there at all", after="Right column").run(markdown) == (
        False,
        "'before' text not found",
    )
    # any pair in the right order counts: a repeated text once before suffices
    assert passes("order", "B text. A text. B text.", before="A text", after="B text")


PIPE = """Intro

| Item | Qty | Price |
|------|:---:|------:|
| Apples | 3 | 1.50 |
| Pears | 12 | 0.75 |

After the table.
"""


def test_pipe_table_neighbours() -> None:
    assert passes("table", PIPE, cell="Apples", right="3", down="Pears", up="Item")
    assert passes("table", PIPE, cell="12", left="Pears", up="3", right="0.75")
    assert passes("table", PIPE, cell="0.75", top_heading="Price", left_heading="Pears")
    assert not passes("table", PIPE, cell="Apples", right="12")
    assert not passes("table", PIPE, cell="Apples", left="Item")  # nothing left of it
    assert not passes("table", PIPE, cell="Pears", down="Apples")  # nothing below
    assert passes("table", PIPE, cell="Aples", right="3", max_diffs=1)
    assert check("table", cell="Plums", right="3").run(PIPE) == (False, "cell not in any table")
    assert check("table", cell="Apples", right="4").run(PIPE) == (False, "neighbours differ")
    assert check("table", cell="Apples", right="3").run("no table") == (
        False,
        "no table in the Markdown",
    )


SPANS = """<table>
<thead><tr><th rowspan="2">Country</th><th colspan="2">Population</th></tr>
<tr><th>2003</th><th>2004</th></tr></thead>
<tbody><tr><td colspan="3">AFRICA</td></tr>
<tr><td>Algeria<td>33 003<td>33 461
<tr><td rowspan=2>Total<br>(estimated)</td><td>1</td><td>2</td></tr>
<tr><td>3</td><td>4</td></tr>
</tbody></table>"""


def test_html_table_spans_fill_their_grid_positions() -> None:
    (table,) = parse_tables(SPANS)
    assert [[table.texts[c] for c in row] for row in table.grid] == [
        ["country", "population", "population"],
        ["country", "2003", "2004"],
        ["africa", "africa", "africa"],
        ["algeria", "33 003", "33 461"],
        ["total (estimated)", "1", "2"],
        ["total (estimated)", "3", "4"],
    ]
    assert passes("table", SPANS, cell="2003", up="Population", left="Country")
    assert passes("table", SPANS, cell="2004", up="Population", down="AFRICA")
    assert passes("table", SPANS, cell="Country", right="2003")  # from its second row
    assert passes("table", SPANS, cell="Country", down="AFRICA", right="Population")
    assert passes("table", SPANS, cell="33 003", up="AFRICA", left="Algeria")
    assert passes("table", SPANS, cell="Total (estimated)", right="3", up="Algeria")
    assert passes(
        "table", SPANS, cell="4", left_heading="Total (estimated)", top_heading="Population"
    )
    assert not passes("table", SPANS, cell="Population", right="2004")  # past its span
    assert passes("table", SPANS, cell="Population")  # olmOCR-bench: only in a table
    assert not passes("table", SPANS, cell="Nowhere")
    assert not passes("table", "Population 2004", cell="Population")  # text, no table


def test_first_n_and_last_n_search_only_the_ends() -> None:
    page = "Volume 1 of the report. " + "Body text. " * 10 + "Page 7"
    assert not passes("absent", page, text="1")
    assert passes("absent", page, text="1", last_n=20)  # the foot holds no folio '1'
    assert not passes("absent", page, text="7", last_n=20)
    assert passes("present", page, text="Volume 1", first_n=20)
    assert not passes("present", page, text="Page 7", first_n=20)
    assert passes("present", page, text="Volume 1", first_n=10, last_n=10)


def test_case_sensitive_present_and_absent() -> None:
    page = "# Tilburg University\n\nBill Otting, Aerojet Rocketdyne"
    assert not passes("absent", page, text="TILBURG UNIVERSITY")  # casefolded by default
    assert passes("absent", page, text="TILBURG UNIVERSITY", case_sensitive=True)
    assert passes("present", page, text="Aerojet Rocketdyne", case_sensitive=True)
    assert not passes("present", page, text="AEROJET ROCKETDYNE", case_sensitive=True)


def test_pipe_and_html_tables_in_one_document() -> None:
    assert len(parse_tables(PIPE + "\n" + SPANS + "\n" + PIPE)) == 3


def test_check_lines_are_validated() -> None:
    for bad in (
        {"type": "nope", "text": "x"},
        {"type": "present"},
        {"type": "present", "text": "  **  "},
        {"type": "table", "cell": "x", "right": " "},
        {"type": "order", "before": "x"},
        {"type": "present", "text": "x", "page": 0},
        {"type": "present", "text": "x", "max_diffs": "ten"},
        {"type": "present", "text": "x", "max_diffs": True},
        {"type": "absent", "text": "1", "last_n": 0},
        {"type": "absent", "text": "1", "case_sensitive": "yes"},
    ):
        with pytest.raises(ValueError):
            Check.from_json({"pdf": "a.pdf", "id": "c", **bad})


def test_load_checks_names_the_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    line = {"pdf": "a.pdf", "id": "one", "type": "present", "text": "hello"}
    path.write_text(json.dumps(line) + "\n\n" + json.dumps(line) + "\n")
    with pytest.raises(ValueError, match=r"c.jsonl:3: repeated id 'one'"):
        load_checks([path])
    path.write_text(json.dumps(line) + "\n{not json\n")
    with pytest.raises(ValueError, match=r"c.jsonl:2:"):
        load_checks([path])


def test_checks_see_their_page_and_unread_pages_prove_nothing() -> None:
    run = Converted(
        pages=2, markdown={None: "first page\n\nsecond page", 1: "first page", 2: "second page"}
    )
    checks = [
        check("present", text="second page", page=2),
        check("present", text="second page", page=1),
        check("absent", text="second page", page=1),
        check("present", text="first page", page=3),
    ]
    records = evaluate.run_checks(checks, {"a.pdf": run})
    assert [r["passed"] for r in records] == [True, False, True, False]
    assert records[3]["why"] == "the document has no page 3"
    run.failed.add(1)
    assert evaluate.run_checks(checks[2:3], {"a.pdf": run})[0]["why"] == "page 1 failed"
    broken = Converted(error="damaged file")
    assert evaluate.run_checks(checks[:1], {"a.pdf": broken})[0]["why"] == "damaged file"


def test_min_pass_sets_the_exit_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.pdf").write_bytes(b"%PDF-1.7")
    lines = [
        {"pdf": "a.pdf", "id": str(i), "type": "present", "text": text}
        for i, text in enumerate(["alpha beta", "gamma delta"])
    ]
    (tmp_path / "checks.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))

    async def fake_convert(folder: Path, names: list[str], engine: str) -> dict[str, Converted]:
        return {"a.pdf": Converted(1, 0.5, {None: "alpha beta", 1: "alpha beta"})}

    monkeypatch.setattr(evaluate, "convert_all", fake_convert)
    assert evaluate.run_eval(tmp_path, [], min_pass=0.5) == 0  # checks.jsonl by default
    assert "overall        1      2   50.0%" in capsys.readouterr().out
    assert evaluate.run_eval(tmp_path, [], min_pass=0.51) == 1
    assert "below 51.0%" in capsys.readouterr().err
    assert evaluate.run_eval(tmp_path, [tmp_path / "none.jsonl"]) == 2
    assert evaluate.run_eval(tmp_path / "empty", []) == 2
    assert evaluate.run_eval(tmp_path, [], engine="nope") == 2
    assert "unknown engine 'nope'" in capsys.readouterr().err


@pytest.mark.slow
def test_eval_command_end_to_end(docs: Path, tmp_path: Path) -> None:
    shutil.copy(docs / "edgar.pdf", tmp_path / "edgar.pdf")
    lines = [
        ("present", {"text": "He became king of all England on his brother's death."}),
        ("present", {"text": "King Alfred burned the cakes at Athelney."}),
        ("absent", {"text": "Genghis Khan crossed the Danube."}),
        ("absent", {"text": "Edgar, King of England"}),
        (
            "order",
            {
                "before": "Edgar mainly followed the political policies",
                "after": "England had suffered from Viking invasions",
            },
        ),
        (
            "order",
            {
                "before": "England had suffered from Viking invasions",
                "after": "Edgar mainly followed the political policies",
                "page": 1,
            },
        ),
        ("table", {"cell": "Predecessor", "right": "Edward the Martyr"}),  # it is Eadwig
    ]
    checks = tmp_path / "edgar.jsonl"
    checks.write_text(
        "".join(
            json.dumps({"pdf": "edgar.pdf", "id": f"e{i}", "type": kind, **fields}) + "\n"
            for i, (kind, fields) in enumerate(lines)
        )
    )
    out = tmp_path / "result.json"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "docparse",
            "eval",
            str(tmp_path),
            "--checks",
            str(checks),
            "--engine",
            "auto",
            "--json",
            str(out),
            "-v",
            "--min-pass",
            "0.9",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1, result.stderr  # 3 of 7 is below 90%
    printed = result.stdout.splitlines()
    for line in (
        "present        1      2   50.0%",
        "absent         1      2   50.0%",
        "order          1      2   50.0%",
        "table          0      1    0.0%",
        "overall        3      7   42.9%",
    ):
        assert line in printed, result.stdout
    assert "    FAIL e1 (present): not found within 4 edits" in printed
    assert any(line.startswith("time: ") and "s/page (1 pages in" in line for line in printed)
    summary = json.loads(out.read_text())
    assert summary["overall"] == {"passed": 3, "total": 7, "rate": 0.4286}
    assert summary["documents"]["edgar.pdf"]["pages"] == 1
    assert [c["passed"] for c in summary["checks"]] == [
        True,
        False,
        True,
        False,
        True,
        False,
        False,
    ]
