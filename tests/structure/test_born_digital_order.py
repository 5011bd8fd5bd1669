"""Issue 14 (6): born-digital paragraphs kept whole and in order. Where the PDF's own
order and the boxes' geometry disagree, the reason decides: a short last line under an
indented first line is the same paragraph, not a column; a scrambled content stream
is read by geometry."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from docparse.document import Block, Label
from docparse.export.markdown import to_markdown
from docparse.io.pdf import PdfFile
from docparse.pipeline.converter import Converter
from docparse.pipeline.options import ConvertOptions
from docparse.structure.reading_order import xy_cut
from tests.structure.drawn import CLAUSES, LEFT, RIGHT, WIDTH, Sheet, wrap

SIZE, LEADING, INDENT = 11.0, 13.5, 48.0


def clause(k: int) -> str:
    return f"4.{k} {CLAUSES[k % len(CLAUSES)]} (раздела)."


async def markdown_of(converter: Converter, path: Path) -> list[str]:
    result = await converter.convert(path, ConvertOptions())
    assert {p.route for p in result.document.pages} == {"text_layer"}
    return to_markdown(result.document).strip().split("\n\n")


def two_line_clauses(path: Path, count: int = 14, longer: int = 4) -> list[str]:
    """Clauses of a standard: a full first line set in by 17 mm, then a last line
    ('(раздела).') narrower than that indent; every `longer`th clause runs a line more
    (0: none). No space between paragraphs. Returns the clauses as written."""
    sheet, y, texts = Sheet(path), 70.0, []
    for k in range(1, count + 1):
        first = wrap(clause(k), SIZE, RIGHT - LEFT - INDENT, RIGHT - LEFT)[0]
        middle = "по правилам и в сроки, установленные в подразделах 4.2 и 4.3 настоящего"
        lines = [first, *([middle.split()] if longer and k % longer == 0 else []), ["(раздела)."]]
        for i, words in enumerate(lines):
            last = i == len(lines) - 1
            sheet.words(LEFT + (INDENT if i == 0 else 0), RIGHT, y, words, SIZE, spread=not last)
            y += LEADING
        texts.append(" ".join(" ".join(words) for words in lines))
    sheet.save()
    return texts


async def test_short_last_lines_stay_with_their_clauses(
    converter: Converter, tmp_path: Path
) -> None:
    path = tmp_path / "clauses.pdf"
    texts = two_line_clauses(path)
    # Before: each '(раздела).' was its own block, and XY-cut read the narrow last lines
    # as a column left of the first lines: all of them first, the clauses after.
    assert await markdown_of(converter, path) == texts


def test_ocr_lines_that_take_turns_are_one_column(tmp_path: Path) -> None:
    """The same page as OCR sees it: one block per line, in no useful order. The last
    lines leave a gutter left of the first lines, but never stand beside them."""
    path = tmp_path / "clauses.pdf"
    two_line_clauses(path, longer=0)
    pdf = PdfFile(path)
    try:
        lines = pdf.text_layer(0).lines
    finally:
        pdf.close()
    blocks = [Block(id=str(i), text=ln.text, bbox=ln.bbox) for i, ln in enumerate(lines)]
    shuffled = random.Random(7).sample(blocks, len(blocks))
    assert [b.id for b in xy_cut(shuffled, min_gap=4)] == [b.id for b in blocks]


async def test_paragraphs_set_without_space_part_at_their_indents(
    converter: Converter, tmp_path: Path
) -> None:
    path = tmp_path / "standard.pdf"
    sheet = Sheet(path)
    # The page opens with the end of a paragraph from the page before.
    opening = "указаны в приложении А, а их расположение определяется схемами, приведёнными"
    sheet.words(LEFT, RIGHT, 60, opening.split(), SIZE, spread=True)
    sheet.words(LEFT, RIGHT, 60 + LEADING, ["(раздела)."], SIZE, spread=False)
    y = 60 + 2 * LEADING
    for k in range(1, 7):
        y = sheet.paragraph(clause(k), y, SIZE, LEADING, INDENT)
    sheet.save()
    paragraphs = await markdown_of(converter, path)
    # Before: the whole page was one paragraph.
    assert paragraphs == [f"{opening} (раздела).", *(clause(k) for k in range(1, 7))]


async def test_heading_before_a_one_line_paragraph(converter: Converter, tmp_path: Path) -> None:
    """A centred heading and the short paragraph under it leave a gutter between them;
    they stand one above the other, not side by side: no columns."""
    path = tmp_path / "heading.pdf"
    sheet = Sheet(path)
    y = 70.0
    for k in range(1, 4):
        y = sheet.paragraph(clause(k), y) + 6
    sheet.text(WIDTH / 2, y + 10, "5 Оформление реквизитов", bold=True, align="centre")
    sheet.text(LEFT + INDENT, y + 32, "5.1 Общие требования.")
    sheet.save()
    paragraphs = await markdown_of(converter, path)
    assert paragraphs[-2:] == ["## 5 Оформление реквизитов", "5.1 Общие требования."]


def columns_page(path: Path, by_rows: bool, title: str | None) -> list[str]:
    """Two columns of three paragraphs at the same heights, so that their gaps line up
    across the gutter, under a title across both or none; drawn column by column, or
    row by row across the columns (a content stream in no reading order). Returns the
    page's text in reading order."""
    sheet, gutter = Sheet(path), 18.0
    middle = (LEFT + RIGHT) / 2
    sides = [(LEFT, middle - gutter / 2), (middle + gutter / 2, RIGHT)]
    texts = [[f"{c + 1}.{r + 1} {CLAUSES[c * 3 + r]}." for r in range(3)] for c in range(2)]
    if title:
        sheet.text(WIDTH / 2, 50, title, size=16, bold=True, align="centre")
    cells = [(c, r) for r in range(3) for c in range(2)] if by_rows else None
    for c, r in cells or [(c, r) for c in range(2) for r in range(3)]:
        left, right = sides[c]
        sheet.paragraph(texts[c][r], 90.0 + r * 140, indent=18, left=left, right=right)
    sheet.save()
    return ([f"# {title}"] if title else []) + texts[0] + texts[1]


@pytest.mark.parametrize(
    "title", [None, "Электронный архив: опыт внедрения"], ids=["bare", "title"]
)
@pytest.mark.parametrize("by_rows", [False, True], ids=["by-columns", "by-rows"])
async def test_two_columns_read_column_by_column(
    converter: Converter, tmp_path: Path, by_rows: bool, title: str | None
) -> None:
    # Before, under a title: the widest gap was between two rows of paragraphs, and
    # the columns were read row by row.
    path = tmp_path / "columns.pdf"
    texts = columns_page(path, by_rows, title)
    assert await markdown_of(converter, path) == texts


async def test_a_scrambled_content_stream_is_read_by_geometry(
    converter: Converter, tmp_path: Path
) -> None:
    """Lines drawn in random order: the PDF's order says nothing, the page's geometry
    decides (the order top to bottom; the lines of a paragraph may part)."""
    path = tmp_path / "scrambled.pdf"
    sheet = Sheet(path)
    lines: list[tuple[float, float, list[str], bool]] = []
    y = 70.0
    for k in range(1, 6):
        words = wrap(clause(k), SIZE, RIGHT - LEFT - INDENT, RIGHT - LEFT)
        for i, line in enumerate(words):
            lines.append((y, LEFT + (INDENT if i == 0 else 0), line, i < len(words) - 1))
            y += LEADING
        y += 8
    for y, x0, words, spread in random.Random(3).sample(lines, len(lines)):
        sheet.words(x0, RIGHT, y, words, SIZE, spread)
    sheet.save()
    markdown = " ".join(await markdown_of(converter, path))
    assert markdown == " ".join(clause(k) for k in range(1, 6))


def test_text_layer_blocks_keep_the_pdf_order_within_a_column(tmp_path: Path) -> None:
    """The text layer's own order is kept where it reads one column downwards; the
    same blocks in no order are put in order by geometry alone."""
    path = tmp_path / "clauses.pdf"
    two_line_clauses(path, count=6)
    pdf = PdfFile(path)
    try:
        lines = pdf.text_layer(0).lines
    finally:
        pdf.close()
    blocks = [
        Block(id=str(i), label=Label.text, text=ln.text, bbox=ln.bbox) for i, ln in enumerate(lines)
    ]
    assert xy_cut(blocks, min_gap=4, stream=True) == blocks
    reversed_stream = xy_cut(blocks[::-1], min_gap=4, stream=True)
    assert reversed_stream == blocks  # upwards is no reading order: geometry decides


async def test_centred_lines_stay_one_paragraph(converter: Converter, tmp_path: Path) -> None:
    """A centred title in body type, each line shorter than the one above: the last
    stops short of the edge and starts further in, yet begins no paragraph."""
    path = tmp_path / "centred.pdf"
    sheet = Sheet(path)
    title = [
        "ПОЛОЖЕНИЕ О ПОРЯДКЕ ВЕДЕНИЯ ДЕЛОПРОИЗВОДСТВА",
        "В ОБЩЕСТВЕ С ОГРАНИЧЕННОЙ",
        "ОТВЕТСТВЕННОСТЬЮ",
    ]
    for i, text in enumerate(title):
        sheet.text(WIDTH / 2, 60 + i * LEADING, text, align="centre")
    y = 60 + 4 * LEADING
    for k in range(1, 4):
        y = sheet.paragraph(clause(k), y)
    sheet.save()
    paragraphs = await markdown_of(converter, path)
    assert paragraphs == [" ".join(title), *(clause(k) for k in range(1, 4))]
