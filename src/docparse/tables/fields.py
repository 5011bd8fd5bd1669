"""Two cells read as one phrase: a narrow column set close to the next one. A row's
counter before its first cell (`10 ОС-009574`: a two-digit number leaves less than a
cell's gap where `9 ОС-007853` left one) and a date before an amount (`25.01.2017
1 779 945,38`) part at a word space only, and a column whose rows are sometimes one
phrase and sometimes two has no gap that every row keeps. Where enough rows agree,
the lead word is a phrase of its own and the column gap shows."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable

from docparse.tables.lines import MIN_ROWS, is_numeric
from docparse.tables.model import Word

Phrases = list[list[Word]]

_COUNTER = re.compile(r"^(\d{1,3})[.)]?$")  # № п/п: 1 … 999
_DATE = re.compile(r"^\d{1,2}[./]\d{1,2}[./](?:\d{2}|\d{4})$")
_DIGIT_GROUP = re.compile(r"^\d{3}(?:[.,]\d+)?$")  # '779' of '1 779 945,38': one amount
_NUMBER_SIGNS = frozenset(["№", "N", "#", "No", "№№"])
_ROW_NUMBER = frozenset(["п/п", "пп", "п.п.", "п/п."])  # `№ п/п`: the row's number
COUNTING_SHARE = 0.6  # of the steps between counters down the rows: one up
ALIGN_EM = 1.0  # lead words of one column start within this


def fields_apart(lines: list[Phrases], em: float) -> list[Phrases]:
    """`lines` (each a row's phrases) with a leading counter and a date before an
    amount made phrases of their own, where MIN_ROWS rows of several phrases hold one
    at the same place (counters counting up, one by one, mostly)."""
    counters = _leads(lines, em, _counter_lead, first_only=True)
    values = [int(lines[i][j][0].text.rstrip(".)")) for i, j in counters]
    steps = [b - a for a, b in itertools.pairwise(values)]
    if steps and sum(s == 1 for s in steps) < COUNTING_SHARE * len(steps):
        counters = []
    split = dict.fromkeys(counters, 1) | dict.fromkeys(
        _leads(lines, em, _date_lead, first_only=False), 1
    )
    if counters:  # the counters' head: `№ Инвентарный` over `1 ОС-002321`
        x = sorted(lines[i][j][0].bbox.x0 for i, j in counters)[len(counters) // 2]
        for i, line in enumerate(lines):
            head = line[0] if line else []
            if (
                len(head) >= 2
                and head[0].text in _NUMBER_SIGNS
                and abs(head[0].bbox.x0 - x) <= ALIGN_EM * em
            ):
                split[(i, 0)] = 2 if head[1].text in _ROW_NUMBER and len(head) > 2 else 1
    if not split:
        return lines
    out = []
    for i, line in enumerate(lines):
        parts: Phrases = []
        for j, phrase in enumerate(line):
            cut = split.get((i, j))
            parts += [phrase[:cut], phrase[cut:]] if cut else [phrase]
        out.append(parts)
    return out


def _counter_lead(phrase: list[Word]) -> bool:
    return bool(_COUNTER.match(phrase[0].text)) and not _DIGIT_GROUP.match(phrase[1].text)


def _date_lead(phrase: list[Word]) -> bool:
    return bool(_DATE.match(phrase[0].text)) and is_numeric(phrase[1].text)


def _leads(
    lines: list[Phrases], em: float, lead: Callable[[list[Word]], bool], first_only: bool
) -> list[tuple[int, int]]:
    """(line, phrase) of the phrases of two words or more that start with a `lead` word,
    on lines of several phrases, when MIN_ROWS of them start within ALIGN_EM of one
    another; [] otherwise."""
    found = [
        (i, j)
        for i, line in enumerate(lines)
        if len(line) >= 2
        for j, phrase in enumerate(line[:1] if first_only else line)
        if len(phrase) >= 2 and lead(phrase)
    ]
    starts = sorted(lines[i][j][0].bbox.x0 for i, j in found)
    for x in starts:
        near = [(i, j) for i, j in found if abs(lines[i][j][0].bbox.x0 - x) <= ALIGN_EM * em]
        if len(near) >= MIN_ROWS:
            return near
    return []
