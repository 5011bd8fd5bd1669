"""The CPU route's layout stage: CDLA boxes applied to OCR blocks. Rules on made-up boxes,
then a real scan through Tesseract and the shipped CDLA model."""

from __future__ import annotations

from pathlib import Path

import pytest

from docparse.document import BBox, Block, Label, Line
from docparse.export.markdown import to_markdown
from docparse.layout.apply import apply_layout
from docparse.layout.boxes import LABELS_V2V3, LayoutBox
from docparse.pipeline.converter import Converter
from docparse.pipeline.options import ConvertOptions
from docparse.pipeline.runtime import Engines
from docparse.settings import Settings
from tests.fixtures.figure_page import CAPTION, TITLE, figure_page

W, H = 1000.0, 1400.0


def box(label: Label, x0: float, y0: float, x1: float, y1: float, score: float = 0.9) -> LayoutBox:
    return LayoutBox(label, score, BBox(x0=x0, y0=y0, x1=x1, y1=y1))


def block(
    id: str,
    text: str,
    x0: float,
    y0: float,
    x1: float,
    y1: float,
    confidence: float = 0.95,
    size: float = 20.0,
    bold: bool = False,
) -> Block:
    bbox = BBox(x0=x0, y0=y0, x1=x1, y1=y1)
    return Block(
        id=id,
        bbox=bbox,
        text=text,
        confidence=confidence,
        lines=[Line(text=text, bbox=bbox, size=size, bold=bold)],
    )


def test_a_figure_that_is_mostly_a_found_table_is_that_table() -> None:
    """CDLA calls a scanned balance sheet (labels and figure columns, no rules) a picture:
    where a table found in the OCR words covers most of the box, no picture is added and
    the table's rows stay. A table beside a picture leaves the picture alone."""
    table = Block(id="t", label=Label.table, bbox=BBox(x0=120, y0=300, x1=900, y1=1250))
    blocks = [table, block("body", "The accompanying notes", 100, 1300, 900, 1320)]
    out = apply_layout(blocks, [box(Label.image, 100, 280, 920, 1280)], W, H, 0)
    assert [b.id for b in out] == ["t", "body"]
    beside = apply_layout(blocks, [box(Label.image, 100, 40, 920, 290)], W, H, 0)
    assert [b.label for b in beside] == [Label.table, Label.text, Label.image]


def test_picture_takes_speckle_keeps_confident_text_and_skips_text_pages() -> None:
    blocks = [
        block("speck", "~%;", 300, 300, 340, 320, confidence=0.2),
        block("label", "Продажи за май", 300, 500, 500, 520, confidence=0.93),
        block("body", "Основной текст страницы", 100, 900, 900, 920),
    ]
    out = apply_layout(blocks, [box(Label.image, 250, 250, 750, 700)], W, H, 0)
    assert [b.id for b in out] == ["label", "body", "p0-img0"]
    assert out[-1].label == Label.image and out[-1].bbox.x0 == 250
    # A "figure" full of text (a newspaper page, a boxed article) stays text.
    dense = [
        block(f"l{i}", "строка текста " * 5, 60, 60 + 30 * i, 940, 80 + 30 * i) for i in range(40)
    ]
    assert apply_layout(dense, [box(Label.image, 50, 50, 950, 1300)], W, H, 0) == dense
    # Below the score, or a speck of a box: no picture.
    assert (
        apply_layout(blocks[:1], [box(Label.image, 250, 250, 750, 700, score=0.3)], W, H, 0)[0].id
        == "speck"
    )
    assert all(
        b.label != Label.image
        for b in apply_layout(blocks[:1], [box(Label.image, 300, 300, 310, 310)], W, H, 0)
    )


def test_heads_captions_and_formulas_are_relabelled_where_they_can_be() -> None:
    head = block("head", "Вестник · 2023", 100, 30, 400, 50, size=16)
    title = block("title", "Отчёт о работе", 100, 80, 600, 130, size=40, bold=True)
    body = [block(f"b{i}", "текст", 100, 300 + 40 * i, 900, 320 + 40 * i) for i in range(3)]
    middle = block("mid", "не колонтитул", 100, 700, 900, 720)
    caption = block("cap", "Рис. 2. Схема", 100, 800, 400, 820)
    formula = block("eq", "E = mc2", 400, 900, 600, 930)
    boxes = [
        box(Label.header, 90, 20, 610, 140),  # over the head and the title
        box(Label.header, 90, 690, 910, 730),  # mid-page: no head can be there
        box(Label.figure_title, 90, 790, 410, 830),
        box(Label.display_formula, 390, 890, 610, 940),
    ]
    out = apply_layout([head, title, *body, middle, caption, formula], boxes, W, H, 0)
    labels = {b.id: b.label for b in out}
    assert labels["head"] == Label.header
    assert labels["title"] == Label.text  # large and bold: a title, not a running head
    assert labels["mid"] == Label.text
    assert labels["cap"] == Label.figure_title
    assert labels["eq"] == Label.display_formula


def test_a_documents_title_over_its_table_is_no_caption() -> None:
    """CDLA calls a register's title, set large over its table, the table's caption
    (forms set, `register_b` as a scan): it is the page's title. A caption set at the
    body's size, or one that names its table however large, is the caption."""
    title = block("title", "Ведомость основных средств", 200, 100, 800, 140, size=36)
    note = block("note", "Сведения по данным учёта", 100, 160, 600, 180)
    body = [block(f"b{i}", "текст", 100, 1000 + 40 * i, 900, 1020 + 40 * i) for i in range(3)]
    named = block("named", "Таблица 2. Остатки", 200, 600, 800, 640, size=36)
    table = Block(id="t", label=Label.table, bbox=BBox(x0=100, y0=200, x1=900, y1=580))
    boxes = [
        box(Label.figure_title, 190, 90, 810, 150),
        box(Label.figure_title, 90, 155, 610, 185),
        box(Label.figure_title, 190, 590, 810, 650),
    ]
    out = apply_layout([title, note, table, named, *body], boxes, W, H, 0)
    labels = {b.id: b.label for b in out}
    assert labels["title"] == Label.text
    assert labels["note"] == Label.figure_title
    assert labels["named"] == Label.figure_title


@pytest.mark.slow
async def test_scanned_chart_becomes_a_cropped_figure_with_its_caption(
    converter: Converter, tmp_path: Path
) -> None:
    path = tmp_path / "report.png"
    x0, y0, x1, y1 = figure_page(path)
    result = await converter.convert(path, ConvertOptions(engine="tesseract", figures="images"))
    page = result.document.pages[0]
    labels = [b.label for b in page.blocks]
    assert labels.count(Label.image) == 1
    figure = next(b for b in page.blocks if b.label == Label.image)
    # The model's box holds the chart (it is drawn at 608x800, so allow some slack).
    assert abs(figure.bbox.x0 - x0) < 60 and abs(figure.bbox.x1 - x1) < 60
    assert abs(figure.bbox.y0 - y0) < 60 and abs(figure.bbox.y1 - y1) < 60
    caption = page.blocks[figure.order + 1]  # read right after the picture
    assert caption.label == Label.figure_title and caption.text == CAPTION
    assert page.blocks[0].label == Label.doc_title and page.blocks[0].text == TITLE
    assert figure.image in result.figures
    assert result.figures[figure.image].startswith(b"\x89PNG")
    markdown = to_markdown(result.document)
    assert f"![image]({figure.image})\n\n{CAPTION}" in markdown
    assert not any(
        b.text and y0 < b.bbox.y0 < y1 and b.label == Label.text for b in page.blocks
    )  # no speckle read as words inside the chart


async def test_born_digital_pages_take_the_layout_stage_on_request(
    converter: Converter, docs: Path
) -> None:
    # Page 4 of the book draws its cubes as vector paths: no image object in the PDF.
    plain = await converter.convert(
        docs / "bws_book_ch2.pdf", ConvertOptions(pages="4", figures="images")
    )
    laid = await converter.convert(
        docs / "bws_book_ch2.pdf", ConvertOptions(pages="4", figures="images", layout=True)
    )
    before, after = plain.document.pages[0], laid.document.pages[0]
    assert before.route == after.route == "text_layer"  # text still from the PDF
    assert not any(b.label == Label.image for b in before.blocks)
    figures = [b for b in after.blocks if b.label == Label.image]
    assert figures and all(b.image in laid.figures for b in figures)
    text = to_markdown(laid.document)
    assert "Let’s examine cubic numbers" in text and "![image](" in text
    # Every word the plain route read is still there, but for text inside the pictures.
    kept = {w for b in after.blocks for w in b.text.split()}
    words = [w for b in before.blocks for w in b.text.split()]
    assert sum(w in kept for w in words) >= 0.95 * len(words)


@pytest.mark.slow
async def test_a_pp_doclayout_export_serves_the_cpu_route_when_configured(
    settings: Settings, tmp_path: Path
) -> None:
    from tests.fixtures.onnx_models import layout_model

    path = tmp_path / "report.png"
    x0, y0, x1, y1 = figure_page(path)
    sx, sy = 800 / 1654, 800 / 2339  # the page as the model sees it, 800x800
    image_class = LABELS_V2V3.index("image")
    model = layout_model(
        tmp_path / "pp-doclayoutv2.onnx",
        [[image_class, 0.9, x0 * sx, y0 * sy, x1 * sx, y1 * sy, 1, 0]],
    )
    configured = settings.model_copy(update={"cpu_layout": "model", "layout_model_path": model})
    engines = Engines(configured)
    try:
        result = await Converter(configured, engines).convert(
            path, ConvertOptions(engine="tesseract")
        )
        assert engines.layout_status()["model"].startswith("pp-doclayout")
    finally:
        await engines.aclose()
    figures = [b for b in result.document.pages[0].blocks if b.label == Label.image]
    assert len(figures) == 1
    assert figures[0].bbox.x0 == pytest.approx(x0, abs=4)
    assert figures[0].bbox.y1 == pytest.approx(y1, abs=4)
