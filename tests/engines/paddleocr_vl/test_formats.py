"""PaddleOCR-VL's output formats parsed as PaddleX does."""

from docparse.engines.paddleocr_vl.formats import (
    inline_math,
    latex_body,
    parse_chart,
    parse_otsl,
    parse_spotting,
    truncate_repetitive_content,
)


def test_otsl_with_colspan_and_rowspan() -> None:
    table = parse_otsl(
        "<fcel>Name<fcel>Score<lcel><nl><fcel>Bob<fcel>1<fcel>2<nl><ucel><fcel>3<fcel>4<nl>"
    )
    assert table is not None
    assert (table.rows, table.cols) == (3, 3)
    assert table.html() == (
        '<table><tr><td>Name</td><td colspan="2">Score</td></tr>'
        '<tr><td rowspan="2">Bob</td><td>1</td><td>2</td></tr>'
        "<tr><td>3</td><td>4</td></tr></table>"
    )
    assert not table.is_simple()
    bob = next(c for c in table.cells if c.text == "Bob")
    assert (bob.row, bob.col, bob.row_span, bob.col_span) == (1, 0, 2, 1)


def test_otsl_ragged_rows_are_padded_and_text_escaped() -> None:
    table = parse_otsl("<fcel>a<fcel>b<fcel>c<nl><fcel>x<nl><fcel>1 < 2 & 3<ecel><fcel>z<nl>")
    assert table is not None
    assert table.cols == 3
    assert "1 &lt; 2 &amp; 3" in table.html()
    assert table.is_simple()
    assert table.markdown().splitlines()[:2] == ["| a | b | c |", "| --- | --- | --- |"]


def test_otsl_without_cells_is_none() -> None:
    assert parse_otsl("plain text, no table") is None


def test_chart_rows_become_a_table() -> None:
    table = parse_chart("Year | Revenue | Cost\n2023 | 10 | 7\n2024 | 12 | 8\n")
    assert table is not None
    assert (table.rows, table.cols) == (3, 3)
    assert table.markdown().splitlines()[2] == "| 2023 | 10 | 7 |"


def test_latex_delimiters() -> None:
    assert latex_body(r"\[ E = mc^2 \]") == "E = mc^2"
    assert latex_body(r"$$\frac{a}{b}$$") == r"\frac{a}{b}"
    assert latex_body(r"x^2") == "x^2"
    assert inline_math(r"where \(x_i\) is the input") == "where $x_i$ is the input"


def test_spotting_tokens_to_boxes() -> None:
    text = (
        "<|TEXT_START|>Hello<|TEXT_END|><|LOC_BEGIN|><|LOC_100|><|LOC_200|><|LOC_500|>"
        "<|LOC_200|><|LOC_500|><|LOC_300|><|LOC_100|><|LOC_300|><|LOC_END|>"
        "<|TEXT_START|>bad<|TEXT_END|><|LOC_BEGIN|><|LOC_1|><|LOC_END|>"
    )
    lines = parse_spotting(text, width=200, height=100)
    assert len(lines) == 1
    assert lines[0].text == "Hello"
    assert lines[0].polygon == [(20.0, 20.0), (100.0, 20.0), (100.0, 30.0), (20.0, 30.0)]


def test_runaway_repetition_is_cut() -> None:
    # PaddleX keeps the text before the repeated phrase, not one copy of it.
    assert truncate_repetitive_content("Итого: 5" + " 0" * 200, min_count=50) == "Итого: 5"
    assert truncate_repetitive_content("normal text", min_count=50) == "normal text"
