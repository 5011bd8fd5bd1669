"""PaddleX's Markdown for one page: the formatters of PaddleX's
`build_handle_funcs_dict`, one block at a time (from `layout_parsing/result_v2.py`:
`format_title_func`, `format_centered_by_html`, ...), and `_to_markdown` (`markdown`).
export/paddlex.py builds the page result around them."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from docparse.document import Block, Label


def table_rows(block: Block) -> list[list[str]]:
    rows = 1 + max((c.row for c in block.cells), default=-1)
    cols = 1 + max((c.col for c in block.cells), default=-1)
    grid = [["" for _ in range(cols)] for _ in range(rows)]
    for cell in block.cells:
        grid[cell.row][cell.col] = cell.text
    return grid


# -- PaddleX's formatters, one block at a time ---------------------------------------------

# layout_parsing/result_v2.py compile_title_pattern: a title's numbering (1.2, (3), 三、, IV.)
TITLE_NUMBERING = re.compile(
    r"^\s*("
    r"(?:[1-9][0-9]*(?:\.[1-9][0-9]*)*[\.、]?|"
    r"[\(\（](?:[1-9][0-9]*|[一二三四五六七八九十百千万亿零壹贰叁肆伍陆柒捌玖拾]+)[\)\）]|"
    r"[一二三四五六七八九十百千万亿零壹贰叁肆伍陆柒捌玖拾]+[、\.]?|"
    r"(?:I|II|III|IV|V|VI|VII|VIII|IX|X)(?:\.|\s))"
    r")(\s*)(.*)$"
)


def format_title(content: str) -> str:
    """PaddleX format_title_func (paragraph_title without restructurePages' levels): one
    space after the numbering, then one '#' more than the numbering has dots: `1 Intro` is
    `## 1 Intro`, `2.1 Method` is `### 2.1 Method`."""
    match = TITLE_NUMBERING.match(content)
    if match:
        content = match.group(1).strip() + " " + match.group(3).lstrip()
    content = content.rstrip(".")
    level = content.count(".") + 1 if "." in content else 1
    return f"#{'#' * level} {content}".replace("-\n", "").replace("\n", " ")


def format_doc_title(content: str) -> str:
    return f"# {content}".replace("-\n", "").replace("\n", " ")


def centered(html: str) -> str:
    """PaddleX format_centered_by_html."""
    html = html.replace("-\n", "").replace("\n", " ")
    return f'<div style="text-align: center;">{html}</div>\n'


def paragraphs(content: str) -> str:
    """A text block: each of the model's lines a paragraph."""
    return content.replace("\n\n", "\n").replace("\n", "\n\n")


def first_line(content: str, names: tuple[str, ...], mark: Callable[[str], str], sep: str) -> str:
    """PaddleX format_first_line_func: the first non-blank part marked when it names the
    section (`Abstract`, `References`)."""
    parts = content.split(sep)
    for i, part in enumerate(parts):
        if part.strip() == "":
            continue
        if part.lower() in names:
            parts[i] = mark(part)
        break
    return sep.join(parts)


def table_centered(html: str) -> str:
    """PaddleX format_table_center_func."""
    html = html.replace("<table>", "<table border=1 style='margin: auto; width: max-content;'>")
    html = html.replace("<th>", "<th style='text-align: center;'>")
    return html.replace("<td>", "<td style='text-align: center;'>")


def chart_table(rows: list[list[str]]) -> str:
    """PaddleX format_chart2table_func: the first row a header."""
    cell = "<{0} style='text-align: center;'>{1}</{0}>"
    out = "<table border=1 style='margin: auto; width: max-content;'>\n"
    head = "".join(cell.format("th", c.strip()) for c in (rows[0] if rows else []))
    out += f"  <thead><tr>{head}</tr></thead>\n  <tbody>\n"
    for row in rows[1:]:
        out += "    <tr>" + "".join(cell.format("td", c.strip()) for c in row) + "</tr>\n"
    return out + "  </tbody>\n</table>"


def with_formula_number(formula: str, number: str) -> str:
    """PaddleX merge_formula_and_number (showFormulaNumber)."""
    return f"$${formula.replace('$$', '')} \\tag*{{{number}}}$$"


@dataclass
class PaddleXBlock:
    """A block as PaddleX's result holds it: label, content, box, picture path."""

    label: Label
    content: str
    block: Block
    image: str | None  # PaddleX's key of its picture, when it has one


Formatter = Callable[[PaddleXBlock], str]


def formatters(
    page_width: float, pretty: bool, charts: bool, seals_as_image: bool
) -> dict[Label, Formatter]:
    """PaddleX build_handle_funcs_dict, as `_to_markdown` (pretty or not) and
    `_to_json` with formatBlockContent fill it in. formula_number has no entry: it is left
    out (or joined to its formula with showFormulaNumber)."""

    def image(b: PaddleXBlock) -> str:
        if b.image is None:
            return ""
        if not pretty:
            return f"![]({b.image})"
        scale = int(b.block.bbox.width / page_width * 100)
        return centered(f'<img src="{b.image}" alt="Image" width="{scale}%" />')

    def caption(b: PaddleXBlock) -> str:
        return centered(b.content) if pretty else b.content

    def table(b: PaddleXBlock) -> str:
        if pretty:
            return "\n" + table_centered(b.content)
        return "\n\n" + b.content  # simplify_table_func("\n" + content)

    def chart(b: PaddleXBlock) -> str:
        return chart_table(table_rows(b.block)) if b.block.cells else b.content

    def plain(b: PaddleXBlock) -> str:
        return b.content

    return {
        Label.paragraph_title: lambda b: format_title(b.content),
        Label.doc_title: lambda b: format_doc_title(b.content),
        Label.figure_title: caption,
        Label.vision_footnote: lambda b: paragraphs(b.content),
        Label.text: lambda b: paragraphs(b.content),
        Label.vertical_text: lambda b: paragraphs(b.content),
        Label.reference_content: lambda b: paragraphs(b.content),
        Label.abstract: lambda b: first_line(
            b.content, ("摘要", "abstract"), lambda s: f"## {s}\n", " "
        ),
        Label.content: lambda b: b.content.replace("-\n", "  \n").replace("\n", "  \n"),
        Label.image: image,
        Label.chart: chart if charts else image,
        Label.display_formula: plain,
        Label.inline_formula: plain,
        Label.table: table,
        Label.reference: lambda b: first_line(
            b.content, ("参考文献", "references"), lambda s: f"## {s}", "\n"
        ),
        Label.algorithm: lambda b: b.content.strip("\n"),
        Label.seal: image if seals_as_image else caption,
        Label.number: plain,
        Label.footnote: plain,
        Label.header: plain,
        Label.header_image: image,
        Label.footer: plain,
        Label.footer_image: image,
        Label.aside_text: plain,
    }


def markdown(
    blocks: list[PaddleXBlock],
    ignore: set[str],
    page_width: float,
    pretty: bool,
    charts: bool,
    formula_numbers: bool = False,
) -> str:
    """PaddleX `_to_markdown`: each block through its label's formatter (none for an
    ignored label), joined by blank lines."""
    handlers = formatters(page_width, pretty, charts, seals_as_image=True)
    text = ""
    for i, b in enumerate(blocks):
        handler = handlers.get(b.label) if b.label.value not in ignore else None
        if (
            formula_numbers
            and b.label == Label.display_formula
            and i + 1 < len(blocks)
            and blocks[i + 1].label == Label.formula_number
        ):
            b = PaddleXBlock(
                b.label, with_formula_number(b.content, blocks[i + 1].content), b.block, b.image
            )
        if handler:
            out = handler(b)
            text = text + "\n\n" + out if text else out
    return text
