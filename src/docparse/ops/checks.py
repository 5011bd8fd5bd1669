"""The checks of `docparse eval`, in the style of olmOCR-bench: small facts about a
document's Markdown, each checkable alone, and how each is scored.

A check is a JSON line: `pdf`, `id`, `type`, optional `page` (1-based; default: the whole
document) and `max_diffs` (edits allowed: an int, or a share of the text like "10%").
  present / absent  `text` is (is not) in the Markdown; with `first_n` / `last_n`, in its
                    first / last so many characters (after `normalize`), as in olmOCR-bench;
                    `case_sensitive` (default false) compares them without casefolding
  order             `before` starts before `after`
  table             a cell matching `cell` has `right` / `left` / `up` / `down` /
                    `top_heading` / `left_heading` neighbours matching the given texts;
                    with no relation, as in olmOCR-bench, it only has to be in a table
Texts are compared after `normalize` by an exact approximate-substring search."""

from __future__ import annotations

import html
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

CHECK_TYPES = {
    "present": ("text",),
    "absent": ("text",),
    "order": ("before", "after"),
    "table": ("cell",),
    "heading": ("text",),
    "not_heading": ("text",),
}
RELATIONS = ("right", "left", "up", "down", "top_heading", "left_heading")
STEPS = {"right": (0, 1), "left": (0, -1), "up": (-1, 0), "down": (1, 0)}
DEFAULT_DIFFS = "10%"

_TRANSLATE = str.maketrans(
    {
        "ё": "е",
        "«": '"',
        "»": '"',
        "“": '"',
        "”": '"',
        "„": '"',
        "‟": '"',
        "‘": "'",
        "’": "'",
        "‚": "'",
        "—": "-",
        "–": "-",
        "‑": "-",
        "‐": "-",
        "‒": "-",
        "−": "-",
        "\u00ad": None,
        "#": " ",
        "*": " ",
        "_": " ",
        "|": " ",
        "`": " ",
        "\\": " ",
    }
)
_TAG = re.compile(r"</?[a-z][^<>]*>", re.IGNORECASE)  # not a bare "<": "a < b" stays
_IMAGE, _LINK = re.compile(r"!\[[^\]]*\]\([^)]*\)"), re.compile(r"\[([^\]]*)\]\([^)]*\)")
_TABLE_RULE = re.compile(r"(?m)^[ \t|:-]*-{3,}[ \t|:-]*$")  # Markdown |---|:--:| rows
_ANGLE_QUOTES = re.compile(r"<<|>>")  # OCR reads « » as doubled angle brackets
_LEADER = re.compile(r"(?:\s*\.){4,}")  # dot leaders of a contents list or a stub column
_SPACE = re.compile(r"\s+")
_HEADING = re.compile(r"^ {0,3}#{1,6}\s")
_PIPE_RULE = re.compile(r"^\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?$")
_PIPE_SPLIT = re.compile(r"(?<!\\)\|")
_HTML_TABLE = re.compile(r"<table\b.*?</table>", re.IGNORECASE | re.DOTALL)
_SPAN = re.compile(r"\b(rowspan|colspan)\s*=\s*[\"']?(\d+)", re.IGNORECASE)


def normalize(text: str, fold: bool = True) -> str:
    """Casefold (unless not `fold`); unify ё, quotes and dashes; drop Markdown and HTML
    markup; one space."""
    text = unicodedata.normalize("NFKC", text)  # NBSP -> space, ligatures split
    text = text.casefold() if fold else text
    text = _LINK.sub(r"\1", _IMAGE.sub(" ", _TABLE_RULE.sub(" ", text)))
    text = html.unescape(_TAG.sub(" ", _ANGLE_QUOTES.sub('"', text)))  # <<Nord>> is no tag
    text = _LEADER.sub(" ", text).translate(_TRANSLATE)
    return _SPACE.sub(" ", text).strip()


def budget(text: str, max_diffs: int | str = DEFAULT_DIFFS) -> int:
    """Edits allowed for the normalised `text`: a count, or a share ("10%") rounded down,
    so that short strings such as the numbers in a table must match exactly."""
    if isinstance(max_diffs, str):
        return int(float(max_diffs.rstrip("%")) / 100 * len(text))
    return max_diffs


def _last_row(pattern: str, text: str, anywhere: bool, limit: int) -> np.ndarray | None:
    """Last row of the edit-distance table of `pattern` against `text`: entry j is the
    fewest edits turning `pattern` into text[:j] or, with `anywhere`, into any substring
    ending at j (Sellers). None once all entries exceed `limit` (row minima never fall).
    A row is vectorised: D[i][j] = min(E[j], D[i][j-1] + 1) is cummin(E - j) + j."""
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    idx = np.arange(len(codes) + 1, dtype=np.int32)
    row = np.zeros_like(idx) if anywhere else idx.copy()
    e = np.empty_like(idx)
    for i, ch in enumerate(pattern, 1):
        e[0] = i
        np.minimum(row[:-1] + (codes != ord(ch)), row[1:] + 1, out=e[1:])
        row = np.minimum.accumulate(e - idx) + idx
        if row.min() > limit:
            return None
    return row


def distance(pattern: str, text: str, limit: int) -> int | None:
    """Fewest edits from `pattern` to a substring of `text`, or None above `limit`."""
    if pattern in text:
        return 0
    row = _last_row(pattern, text, True, limit)
    return None if row is None else int(row.min())


def starts(pattern: str, text: str, limit: int) -> list[int]:
    """Offsets in `text` where a match of `pattern` within `limit` edits starts: the ends
    of the reversed pattern's matches in the reversed text."""
    row = _last_row(pattern[::-1], text[::-1], True, limit)
    return [] if row is None else [len(text) - int(j) for j in np.flatnonzero(row <= limit)]


def same_cell(expected: str, cell: str, limit: int) -> bool:
    """The whole cell reads as `expected` within `limit` edits."""
    row = _last_row(expected, cell, False, limit)
    return row is not None and int(row[-1]) <= limit


# --- tables --------------------------------------------------------------------------
@dataclass
class Table:
    """A grid of cell ids; a spanning cell's id fills every position it covers."""

    grid: list[list[int]]
    texts: list[str]  # normalised, by id


def _grid(rows: list[list[tuple[str, int, int]]]) -> Table:
    """Lay out rows of (text, rowspan, colspan), skipping positions that spans from the
    rows above already took; gaps become empty cells."""
    taken: dict[tuple[int, int], int] = {}
    texts: list[str] = []
    for r, row in enumerate(rows):
        c = 0
        for text, rowspan, colspan in row:
            while (r, c) in taken:
                c += 1
            texts.append(normalize(text))
            taken.update(
                {(r + dr, c + dc): len(texts) - 1 for dr in range(rowspan) for dc in range(colspan)}
            )
            c += colspan
    height, width = (max((p[k] for p in taken), default=-1) + 1 for k in (0, 1))
    texts.append("")  # one empty cell for every gap
    return Table(
        [[taken.get((r, c), len(texts) - 1) for c in range(width)] for r in range(height)], texts
    )


def _html_rows(table: str) -> list[list[tuple[str, int, int]]]:
    """Rows of (text, rowspan, colspan) of one <table>; closing tags may be left out."""
    rows: list[list[tuple[str, int, int]]] = []
    for row in re.split(r"(?i)<tr\b", table)[1:]:
        rows.append([])
        for cell in re.split(r"(?i)<t[dh]\b", row)[1:]:
            attrs, _, content = cell.partition(">")
            spans = dict((k.lower(), max(int(v), 1)) for k, v in _SPAN.findall(attrs))
            rows[-1].append(
                (
                    re.split(r"(?i)</t[dh]>|</tr>|<table\b", content)[0],
                    spans.get("rowspan", 1),
                    spans.get("colspan", 1),
                )
            )
    return rows


def parse_tables(markdown: str) -> list[Table]:
    """HTML tables, then Markdown pipe tables (a header row, a |---| rule, body rows)."""
    tables = [_grid(_html_rows(t)) for t in _HTML_TABLE.findall(markdown)]
    lines, i = [ln.strip() for ln in markdown.splitlines()], 0
    while i < len(lines) - 1:
        if not ("|" in lines[i] and "|" in lines[i + 1] and _PIPE_RULE.match(lines[i + 1])):
            i += 1
            continue
        end = i + 2
        while end < len(lines) and "|" in lines[end]:
            end += 1
        tables.append(
            _grid(
                [
                    [
                        (cell.strip(), 1, 1)
                        for cell in _PIPE_SPLIT.split(line.removeprefix("|").removesuffix("|"))
                    ]
                    for line in [lines[i], *lines[i + 2 : end]]
                ]
            )
        )
        i = end
    return tables


def _neighbour(table: Table, r: int, c: int, relation: str) -> int | None:
    """The cell beside position (r, c), past the cell's own span; for a heading, the first
    non-empty cell of the column (top) or row (left)."""
    grid, own = table.grid, table.grid[r][c]
    if relation in ("top_heading", "left_heading"):
        line = [row[c] for row in grid] if relation == "top_heading" else grid[r]
        return next((cell for cell in line if table.texts[cell] and cell != own), None)
    dr, dc = STEPS[relation]
    while 0 <= r < len(grid) and 0 <= c < len(grid[0]) and grid[r][c] == own:
        r, c = r + dr, c + dc
    return grid[r][c] if 0 <= r < len(grid) and 0 <= c < len(grid[0]) else None


# --- checks --------------------------------------------------------------------------
@dataclass
class Check:
    id: str
    pdf: str
    type: str
    texts: dict[str, str]  # text | before, after | cell and its relations
    page: int | None = None
    max_diffs: int | str = DEFAULT_DIFFS
    first_n: int | None = None  # present / absent: only the text's start or end is searched
    last_n: int | None = None
    case_sensitive: bool = False  # present / absent: 'TILBURG UNIVERSITY' is no 'Tilburg …'

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Check:
        kind, page, diffs = data.get("type"), data.get("page"), data.get("max_diffs", "10%")
        if kind not in CHECK_TYPES:
            raise ValueError(f"unknown type {kind!r}")
        if not all(isinstance(data.get(k), str) and data[k] for k in ("id", "pdf")):
            raise ValueError("id and pdf must be non-empty strings")
        keys = CHECK_TYPES[kind] + (RELATIONS if kind == "table" else ())
        texts = {k: data[k] for k in keys if k in data}
        if any(k not in texts for k in CHECK_TYPES[kind]) or not all(
            isinstance(v, str) and normalize(v) for v in texts.values()
        ):
            raise ValueError(f"a {kind} check needs non-empty {'/'.join(CHECK_TYPES[kind])}")
        if not (
            (type(diffs) is int and diffs >= 0)  # type(): a bool is no count
            or (isinstance(diffs, str) and re.fullmatch(r"\d+(\.\d+)?%", diffs))
        ):
            raise ValueError(f"max_diffs must be an int >= 0 or like '10%', not {diffs!r}")
        if page is not None and not (type(page) is int and page >= 1):
            raise ValueError(f"page must be an int >= 1, not {page!r}")
        ends = {k: data.get(k) for k in ("first_n", "last_n")}
        if not all(n is None or (type(n) is int and n >= 1) for n in ends.values()):
            raise ValueError(f"first_n and last_n must be ints >= 1, not {ends}")
        if not isinstance(case := data.get("case_sensitive", False), bool):
            raise ValueError(f"case_sensitive must be true or false, not {case!r}")
        return cls(data["id"], data["pdf"], kind, texts, page, diffs, **ends, case_sensitive=case)

    def run(self, markdown: str) -> tuple[bool, str]:
        """(passed, why not) on the Markdown of the check's page or document."""
        fold = not (self.case_sensitive and self.type in ("present", "absent"))
        want = {k: normalize(v, fold) for k, v in self.texts.items()}
        limits = {k: budget(v, self.max_diffs) for k, v in want.items()}
        if self.type == "table":
            return self._table(markdown, want, limits)
        if self.type in ("heading", "not_heading"):
            return self._heading(markdown, want["text"], limits["text"])
        text = normalize(markdown, fold)
        if self.type == "order":
            before, after = (starts(want[k], text, limits[k]) for k in ("before", "after"))
            if not before or not after:
                return False, f"{'before' if not before else 'after'!r} text not found"
            ok = min(before) < max(after)
            return ok, "" if ok else "'after' text comes first"
        if self.first_n or self.last_n:
            start, end = text[: self.first_n or 0], text[-self.last_n :] if self.last_n else ""
            text = start + " " + end
        found = distance(want["text"], text, limits["text"])
        if self.type == "present":
            return (
                found is not None,
                "" if found is not None else f"not found within {limits['text']} edits",
            )
        return found is None, "" if found is None else f"found with {found} edits"

    def _heading(self, markdown: str, want: str, limit: int) -> tuple[bool, str]:
        """heading: the text is a Markdown heading; not_heading: it is in the body, and
        not set as a heading."""
        headings = [ln for ln in markdown.splitlines() if _HEADING.match(ln)]
        as_heading = distance(want, normalize("\n".join(headings)), limit) is not None
        if self.type == "heading":
            return as_heading, "" if as_heading else "not a heading"
        if distance(want, normalize(markdown), limit) is None:
            return False, f"not found within {limit} edits"
        return not as_heading, "set as a heading" if as_heading else ""

    def _table(
        self, markdown: str, want: dict[str, str], limits: dict[str, int]
    ) -> tuple[bool, str]:
        tables, seen = parse_tables(markdown), False
        for table in tables:
            for r, row in enumerate(table.grid):
                for c, cell in enumerate(row):
                    if not same_cell(want["cell"], table.texts[cell], limits["cell"]):
                        continue
                    seen = True
                    if all(
                        (n := _neighbour(table, r, c, rel)) is not None
                        and same_cell(want[rel], table.texts[n], limits[rel])
                        for rel in RELATIONS
                        if rel in want
                    ):
                        return True, ""
        if not tables:
            return False, "no table in the Markdown"
        return False, "neighbours differ" if seen else "cell not in any table"


def load_checks(paths: list[Path]) -> list[Check]:
    """Checks from JSONL files; a bad line or a repeated id is an error naming its line."""
    checks: dict[str, Check] = {}
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            try:
                check = Check.from_json(json.loads(line)) if line.strip() else None
            except (ValueError, TypeError, AttributeError) as exc:
                raise ValueError(f"{path}:{number}: {exc}") from exc
            if check and checks.setdefault(check.id, check) is not check:
                raise ValueError(f"{path}:{number}: repeated id {check.id!r}")
    return list(checks.values())
