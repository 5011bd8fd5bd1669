"""Tables into the page's blocks on every CPU route: words (from the PDF or from OCR) and
the page image go to table recognition; a table replaces the text lines it covers whose
words it holds."""

from __future__ import annotations

import re
from typing import NamedTuple

from PIL import Image

from docparse.document import BBox, Block, Label, Line
from docparse.tables.bands import MIN_RULES
from docparse.tables.grid import find_tables, table_from_alignment
from docparse.tables.model import Word, strip_rule_marks
from docparse.tables.rulers import is_ruler_text
from docparse.tables.ruling import PageLines, detect_lines

_NUMBER = re.compile(r"^[(+\-–]?[\d.,%]+[)%]?$")
MIN_RULE_PATHS = 100  # vector paths (rules among them) before looking for ruled tables
MIN_NUMERIC_LINES = 4  # lines with 2+ numbers before looking for borderless tables…
NUMERIC_SHARE = 0.25  # …and at least this share of the page's lines
MIN_ALIGNED_ROWS, ALIGN_PT = 4, 3.0  # rows with a column starting at one place (points)
GRID_RULES = 3  # rules each way: the fewest a drawn grid of two by two cells has
HELD_SHARE = 0.5  # of a line's words a table over it must hold to replace it
HEAD_GAP = 1.0  # line heights between a paragraph's table and a head line over it
MIN_LEFT_OUT_LETTERS = 3  # a word the table left out of a line it replaces: not "$", "X"


def worth_a_look(
    lines: list[str],
    paths: int,
    column_starts: list[tuple[float, ...]] | None = None,
    rules: tuple[int, int] = (0, 0),
    stacked_rules: int = 0,
) -> bool:
    """Cheap test before the costly one (it keeps the text-layer route fast): many rows of
    numbers, rules drawn on the page and some numbers, rules drawn both ways (a grid,
    whatever its cells hold), or rows whose runs start at the same places after wide gaps
    (columns), or rules across that start and end together (a table ruled across only),
    or a ruler of dash groups typed under column heads (a fixed-width report).
    A page of prose with formulas or a drawing does not qualify."""
    numeric = sum(sum(bool(_NUMBER.match(t)) for t in line.split()) >= 2 for line in lines)
    return (
        numeric >= max(MIN_NUMERIC_LINES, NUMERIC_SHARE * len(lines))
        or (paths >= MIN_RULE_PATHS and numeric >= MIN_NUMERIC_LINES // 2)
        or min(rules) >= GRID_RULES
        or stacked_rules >= MIN_RULES
        or aligned_rows(column_starts or []) >= MIN_ALIGNED_ROWS
        or any(is_ruler_text(line) for line in lines)
    )


def aligned_rows(column_starts: list[tuple[float, ...]]) -> int:
    """The most rows that have a column start within one ALIGN_PT-wide window."""
    starts = sorted((x, row) for row, xs in enumerate(column_starts) for x in xs)
    best, first = 0, 0
    for last in range(len(starts)):
        while starts[last][0] - starts[first][0] > ALIGN_PT:
            first += 1
        best = max(best, len({row for _, row in starts[first : last + 1]}))
    return best


class FoundTables(NamedTuple):
    ruled: list[Block]  # drawn by rules: their grid is certain
    borderless: list[Block]  # guessed from word alignment

    @property
    def all(self) -> list[Block]:
        return self.ruled + self.borderless


def page_lines(image: Image.Image, scale: float) -> PageLines:
    """The ruling lines of `image` drawn at `scale` pixels per page unit, as
    `table_blocks` looks for them: found apart, they need no words."""
    return detect_lines(image, 72 * scale)


def table_blocks(
    words: list[Word],
    image: Image.Image | None,
    scale: float,
    page_index: int,
    engine: str,
    lines: PageLines | None = None,
) -> FoundTables:
    """Tables found among `words` (page units, read by `engine`) with `image` drawn at
    `scale` pixels per page unit; blocks in page units. `lines`: the image's ruling
    lines (`page_lines`), when they were found already."""
    dpi = 72 * scale if image is not None else 150.0
    words = _without_rule_marks(words, engine)
    scaled = [Word(w.text, w.bbox.scaled(scale)) for w in words] if image is not None else words
    found_tables = FoundTables([], [])
    for i, found in enumerate(find_tables(scaled, image, dpi, lines)):
        table = found.table
        box = found.bbox.scaled(1 / scale) if image is not None else found.bbox
        cells = [
            c.model_copy(update={"bbox": c.bbox.scaled(1 / scale)})
            if c.bbox is not None and image is not None
            else c
            for c in table.cells
        ]
        block = Block(
            id=f"p{page_index}-t{i}",
            label=Label.table,
            bbox=box,
            html=table.html(),
            cells=cells,
            text=table.markdown(),
            source_engine=engine,
        )
        (found_tables.ruled if found.ruled else found_tables.borderless).append(block)
    return found_tables


def paragraph_tables(
    blocks: list[Block], found: list[Block], page_index: int, engine: str
) -> list[Block]:
    """Borderless tables the page-wide search missed because prose around them broke the
    columns: OCR often gives such a table as one paragraph of its own, so try each."""
    tables: list[Block] = []
    for block in blocks:
        words = _without_rule_marks(line_words([block]), engine)
        if len(block.lines) < 3 or any(_overlaps(block.bbox, t.bbox) for t in found):
            continue
        table, bbox = table_from_alignment(words, None), block.bbox
        head = _line_over(block, blocks)
        if table is not None and head is not None:
            # The table's head, which OCR gave as a line of its own just over it.
            head_words = _without_rule_marks([Word(t, b) for t, b in head.words], engine)
            headed = table_from_alignment(head_words + words, None)
            if headed is not None and headed.cols == table.cols and headed.rows > table.rows:
                table, bbox = headed, BBox.around([bbox, head.bbox])
        if table is not None:
            tables.append(
                Block(
                    id=f"p{page_index}-t{len(found) + len(tables)}",
                    label=Label.table,
                    bbox=bbox,
                    html=table.html(),
                    cells=table.cells,
                    text=table.markdown(),
                    source_engine=engine,
                )
            )
    return tables


def _line_over(block: Block, blocks: list[Block]) -> Line | None:
    """The line of another block right over `block` (less than a line's height between)
    and over its width: a table's head that OCR set apart from its rows."""
    height = sorted(ln.bbox.height for ln in block.lines)[len(block.lines) // 2]
    over = [
        ln
        for other in blocks
        if other is not block
        for ln in other.lines
        if ln.words
        and 0 <= block.bbox.y0 - ln.bbox.y1 < HEAD_GAP * height
        and ln.bbox.x0 < block.bbox.x1
        and block.bbox.x0 < ln.bbox.x1
    ]
    return max(over, key=lambda ln: ln.bbox.y1, default=None)


_DASHES = re.compile(r"[-‐‒–—―_~]+")


def _without_rule_marks(words: list[Word], engine: str) -> list[Word]:
    """OCR's words without the `|` it reads a table's rules as (a bar alone is no word: it
    would make a column of its own, and a bar at a word's edge would stay in its cell);
    a PDF's own text is kept as it is."""
    if engine == "textlayer":
        return words
    cleaned = ((strip_rule_marks(w.text), w) for w in words if not _upright_dash(w))
    return [w if text == w.text else Word(text, w.bbox) for text, w in cleaned if text]


def _upright_dash(word: Word) -> bool:
    """A "dash" twice as tall as it is wide: OCR's name for a speck or a stroke of a rule
    (`№ — Наименование` where the scan has a grey streak), which would join the cells on
    either side of it into one."""
    box = word.bbox
    return bool(_DASHES.fullmatch(word.text)) and box.height >= 2 * box.width


def prefer(first: list[Block], second: list[Block]) -> list[Block]:
    """`first`'s tables, and those of `second` that overlap none of them. A table of
    `second` that holds every cell of each `first` table it overlaps, in more columns, is
    the same table found whole and replaces them: a statement's figures, which OCR gives
    as a paragraph of their own, with the row labels beside them."""
    whole = [
        t
        for t in second
        if (parts := [f for f in first if _overlaps(t.bbox, f.bbox)])
        and all(_holds(t, f) for f in parts)
    ]
    kept = [f for f in first if not any(_overlaps(f.bbox, t.bbox) for t in whole)]
    return kept + [t for t in second if not any(_overlaps(t.bbox, f.bbox) for f in kept)]


def _holds(whole: Block, part: Block) -> bool:
    """Every non-empty cell of `part` is a cell of `whole`, which has more columns."""
    cells = {c.text for c in whole.cells}
    texts = [c.text for c in part.cells if c.text]
    return bool(texts) and _columns(whole) > _columns(part) and all(t in cells for t in texts)


def _columns(table: Block) -> int:
    return max((c.col + c.col_span for c in table.cells), default=0)


def _overlaps(a: BBox, b: BBox) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def without_tables(lines: list[Line], tables: list[Block]) -> list[Line]:
    """The lines a table does not replace: those whose middle is outside every table, and
    those inside one whose words it does not hold (a column of rotated labels, a line
    the grid left out): their text is not lost. Of a line a table replaces, the words
    it left out stay (a row's label beyond the table's columns: 'Medicaid …… 275')."""
    held = [{w for cell in t.cells for w in cell.text.split()} for t in tables]
    letters = ["".join(_letters(cell.text) for cell in t.cells) for t in tables]  # once each
    kept = []
    for line in lines:
        holding = [
            i for i, (t, h) in enumerate(zip(tables, held, strict=True)) if _replaces(t, h, line)
        ]
        if not holding:
            kept.append(line)
        elif rest := _left_out(line, "".join(letters[i] for i in holding)):
            kept.append(rest)
    return kept


def _letters(text: str) -> str:
    return "".join(c for c in text.casefold() if c.isalpha())


def _left_out(line: Line, held: str) -> Line | None:
    """The words of `line` that are words (three letters or more) and that no cell holds,
    as a line of their own; None when there are none. Cells are matched by letters only: a
    text layer may run words and figures together ('ofInclusion:', '71,137Alaska') that
    the table's words part. A text layer's line has no word boxes: its words keep the
    line's."""
    words = [
        (text, box)
        for text, box in line.words or [(text, line.bbox) for text in line.text.split()]
        if sum(c.isalpha() for c in text) >= MIN_LEFT_OUT_LETTERS and _letters(text) not in held
    ]
    if not words:
        return None
    return line.model_copy(
        update={
            "text": " ".join(text for text, _ in words),
            "bbox": BBox.around([box for _, box in words]),
            "words": words,
        }
    )


def _replaces(table: Block, held: set[str], line: Line) -> bool:
    if not line.bbox.centre_in(table.bbox):
        return False
    words = [w for w in line.text.split() if any(c.isalnum() for c in w)]  # not "|" rules
    return sum(w in held for w in words) >= HELD_SHARE * len(words)


def merge_into(blocks: list[Block], tables: list[Block]) -> list[Block]:
    """OCR blocks with the lines a table took out of them (a block left empty goes),
    plus the tables."""
    if not tables:
        return blocks
    kept = []
    for block in blocks:
        lines = without_tables(block.lines, tables)
        if len(lines) == len(block.lines):
            kept.append(block)
        elif lines:
            kept.append(
                block.model_copy(
                    update={
                        "lines": lines,
                        "text": "\n".join(ln.text for ln in lines),
                        "bbox": BBox.around([ln.bbox for ln in lines]),
                    }
                )
            )
    return kept + tables


def line_words(blocks: list[Block]) -> list[Word]:
    return [Word(text, box) for b in blocks for ln in b.lines for text, box in ln.words]
