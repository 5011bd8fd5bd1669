from docparse.model import BBox, Block, Label, Line
from docparse.paragraphs import group_lines, join_lines, label_headings


def line(text: str, y: float, x0: float = 10, height: float = 10, x1: float = 300) -> Line:
    return Line(text=text, bbox=BBox(x0=x0, y0=y, x1=x1, y1=y + height))


def test_hyphenation_at_line_end_is_undone() -> None:
    assert join_lines(["This is an exam-", "ple of text"]) == "This is an example of text"
    assert join_lines(["Договор постав-", "ки товара"]) == "Договор поставки товара"


def test_hyphen_before_capital_or_number_is_kept() -> None:
    assert join_lines(["Jean-", "Paul"]) == "Jean-Paul"
    assert join_lines(["pages 10-", "12"]) == "pages 10-12"
    assert join_lines(["a dash -", "then more"]) == "a dash - then more"


def test_lines_group_by_gap_and_column() -> None:
    lines = [line("a", 0), line("b", 12), line("c", 24),  # one paragraph
             line("d", 60),  # after a gap
             line("e", 72, x0=400, x1=600)]  # another column
    groups = group_lines(lines)
    assert [[ln.text for ln in g] for g in groups] == [["a", "b", "c"], ["d"], ["e"]]


def test_taller_short_block_becomes_heading() -> None:
    blocks = [
        Block(id="t", bbox=BBox(x0=0, y0=0, x1=1, y1=1), text="Title",
              lines=[line("Title", 0, height=30)]),
        Block(id="h", bbox=BBox(x0=0, y0=0, x1=1, y1=1), text="Section",
              lines=[line("Section", 40, height=15)]),
        *[Block(id=f"b{i}", bbox=BBox(x0=0, y0=0, x1=1, y1=1), text="body",
                lines=[line("body", 60 + i * 12) for _ in range(4)]) for i in range(3)],
    ]
    label_headings(blocks, first_page=True)
    assert [b.label for b in blocks[:3]] == [Label.doc_title, Label.paragraph_title, Label.text]
