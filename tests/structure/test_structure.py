"""Reading order and page furniture."""

from __future__ import annotations

from pathlib import Path

from docparse.document import BBox, Block, Document, Label, Page
from docparse.export.markdown import to_markdown
from docparse.pipeline.converter import Converter
from docparse.pipeline.options import ConvertOptions
from docparse.structure.captions import place_captions
from docparse.structure.furniture import mark_furniture_pages, mark_margin_text
from docparse.structure.reading_order import footnotes_last, xy_cut


def block(name: str, x0: float, y0: float, x1: float, y1: float) -> Block:
    return Block(id=name, text=name, bbox=BBox(x0=x0, y0=y0, x1=x1, y1=y1))


def test_columns_are_read_one_after_the_other() -> None:
    # Paragraph gaps line up across the columns at y=300..320: still column by column.
    blocks = [
        block("R2", 320, 320, 580, 700),
        block("L1", 20, 100, 280, 300),
        block("title", 20, 20, 580, 60),
        block("R1", 320, 100, 580, 300),
        block("L2", 20, 320, 280, 700),
        block("note", 20, 740, 580, 770),
    ]
    assert [b.id for b in xy_cut(blocks)] == ["title", "L1", "L2", "R1", "R2", "note"]


def test_single_column_reads_top_to_bottom() -> None:
    blocks = [block(str(i), 50 + (i % 2) * 10, i * 40, 500, i * 40 + 30) for i in range(6)]
    assert [b.id for b in xy_cut(list(reversed(blocks)))] == [str(i) for i in range(6)]


def page_of(index: int, *blocks: Block) -> Page:
    return Page(index=index, width=600, height=800, blocks=list(blocks))


def test_running_heads_and_page_numbers() -> None:
    pages = [
        page_of(
            i,
            block(f"ДОГОВОР № 15/{i} — ООО «Ромашка»", 50, 20, 550, 35),
            block("Body text of the page that differs. " * (i + 1), 50, 60, 550, 700),
            block(f"Страница {i + 1} из 3", 250, 760, 350, 775),
        )
        for i in range(3)
    ]
    for page in pages:
        page.blocks[0].text = "ДОГОВОР № 15 — ООО «Ромашка»"
    mark_furniture_pages(pages)
    assert [[b.label for b in p.blocks] for p in pages] == [
        [Label.header, Label.text, Label.number]
    ] * 3


def test_a_running_head_taken_for_a_tables_caption_is_a_head() -> None:
    """A register's pages each open with the same line over the page's part of the table
    (the forms set's scanned register): the caption pass took it for the table's title,
    and the repetition went unseen. A caption over one page's table only stays."""
    head = "Конфиденциально. Для служебного пользования"
    pages = [
        page_of(
            i,
            block(head if i else "Таблица 1. Реестр договоров", 380, 20, 550, 32),
            block(f"| {i} | row |", 50, 45, 550, 700),
            block(f"Лист {i + 1} из 3", 250, 760, 350, 775),
        )
        for i in range(3)
    ]
    for page in pages:
        page.blocks[0].label, page.blocks[1].label = Label.figure_title, Label.table
    mark_furniture_pages(pages)
    assert [p.blocks[0].label for p in pages] == [Label.figure_title, Label.header, Label.header]


def test_single_page_keeps_its_top_line_unless_a_folio() -> None:
    page = page_of(
        0,
        block("Invoice 2024", 50, 20, 550, 35),
        block("body", 50, 60, 550, 700),
        block("- 7 -", 250, 760, 350, 775),
    )
    mark_furniture_pages([page])
    assert [b.label for b in page.blocks] == [Label.text, Label.text, Label.number]


async def test_book_running_heads_leave_markdown(converter: Converter, docs: Path) -> None:
    result = await converter.convert(docs / "bws_book_ch2.pdf", ConvertOptions(pages="1-6"))
    markdown = to_markdown(result.document)
    assert "CHAPTER 2. MATHEMATICAL INDUCTION" not in markdown
    assert "INTRODUCTION 103" not in markdown
    labels = [b.label for p in result.document.pages for b in p.blocks]
    assert labels.count(Label.header) >= 4  # kept in JSON
    assert "2.1 Introduction" in markdown


async def test_two_column_paper_reads_columns_in_order(converter: Converter, docs: Path) -> None:
    result = await converter.convert(
        docs / "pdftotext_two_column_issue.pdf", ConvertOptions(pages="2")
    )
    page = result.document.pages[0]
    body = [b for b in page.blocks if b.label not in (Label.header, Label.footer, Label.number)]
    middle = page.width / 2
    sides = [
        "L" if b.bbox.x1 <= middle + 5 else "R" if b.bbox.x0 >= middle - 5 else "W" for b in body
    ]
    # All left-column blocks come before all right-column blocks.
    assert "".join(sides).replace("W", "").lstrip("L").find("L") == -1


def test_ocr_variants_of_a_running_head_still_repeat() -> None:
    heads = [
        "Вестник документоведения · 2024 · Том 13, № 5",
        "Вестник документоведеиия · 2024 · Том 13, № 5",
    ]  # OCR misread one letter
    pages = [
        page_of(
            i, block(heads[i], 50, 20, 550, 35), block("Body text " * (i + 5), 50, 80, 550, 700)
        )
        for i in range(2)
    ]
    mark_furniture_pages(pages)
    assert [p.blocks[0].label for p in pages] == [Label.header, Label.header]


def test_one_page_footer_line_set_apart() -> None:
    body = [block(f"line {i}", 50, 100 + i * 14, 550, 112 + i * 14) for i in range(20)]
    footer = block("ООО «Nord Trade» · www.nordtrade.ru · +7 (356) 147-82-46", 50, 760, 550, 772)
    page = page_of(0, *body, footer)
    mark_furniture_pages([page])
    assert footer.label == Label.footer
    assert {b.label for b in body} == {Label.text}


def sized(
    name: str,
    text: str,
    y0: float,
    size: float,
    label: Label = Label.text,
    x0: float = 50,
    x1: float = 550,
) -> Block:
    from docparse.document import Line

    bbox = BBox(x0=x0, y0=y0, x1=x1, y1=y0 + size)
    return Block(
        id=name, text=text, label=label, bbox=bbox, lines=[Line(text=text, bbox=bbox, size=size)]
    )


def test_captions_sit_beside_their_figure_or_table() -> None:
    # A caption below or beside its figure is read after it; a title above a table is
    # read before it, where it stands (a price list's "Розничные цены с 1 января" was
    # read after the whole table).
    figure = Block(id="fig", label=Label.image, bbox=BBox(x0=100, y0=100, x1=500, y1=400))
    table = Block(id="tab", label=Label.table, bbox=BBox(x0=50, y0=560, x1=550, y1=760))
    blocks = [
        sized("above", "Table 2: Results per site", 520, 12),  # a caption above
        figure,
        sized("body", "Some text between them.", 430, 12, x0=50),
        sized("cap", "Figure 1. The warehouse", 405, 12, x0=120, x1=480),
        table,
        sized("far", "Figure 9 is discussed later.", 900, 12),
    ]
    ordered = place_captions(blocks)
    assert [b.id for b in ordered] == ["fig", "cap", "body", "above", "tab", "far"]
    assert ordered[1].label == ordered[3].label == Label.figure_title
    assert ordered[5].label == Label.text  # too far from any figure: just text
    assert place_captions([sized("x", "Figure 1. Alone", 10, 12)])[0].label == Label.text


def test_small_marked_notes_at_the_foot_go_last() -> None:
    body = [sized(f"b{i}", "Основной текст абзаца.", 100 + 40 * i, 20) for i in range(5)]
    note = sized("note", "1 См. приложение к договору поставки.", 900, 14)
    formula_bit = sized("bit", "2 =", 930, 14)
    later = sized("after", "Последний абзац страницы.", 860, 20)
    ordered = footnotes_last([*body[:3], note, formula_bit, later, *body[3:]], height=1000)
    assert [b.id for b in ordered][-1] == "note"
    assert note.label == Label.footnote
    assert formula_bit.label == Label.text and later.label == Label.text


def test_ragged_columns_that_touch_are_still_columns() -> None:
    # OCR'd newspaper columns: the left column's longest lines reach past the right
    # column's edge by a few pixels, so no clean gutter runs down the page.
    blocks = [
        block("L1", 20, 100, 306, 600),
        block("R1", 300, 100, 580, 400),
        block("L2", 20, 620, 298, 1100),
        block("R2", 302, 420, 580, 1100),
    ]
    assert [b.id for b in xy_cut(blocks, min_gap=11)] == ["L1", "L2", "R1", "R2"]
    # Form fields side by side on one row are no columns: read row by row.
    fields = [
        block("name", 20, 100, 306, 130),
        block("date", 300, 100, 580, 130),
        block("body", 20, 150, 580, 900),
    ]
    assert [b.id for b in xy_cut(fields, min_gap=11)] == ["name", "date", "body"]


def test_text_stamped_up_the_margin_is_aside_and_left_out() -> None:
    stamp = block(
        "Downloaded from https://academic.oup.com/bmb on 24 October 2020", 512, 119, 519, 579
    )
    body = block("Turner syndrome is a condition in phenotypic girls", 55, 73, 261, 344)
    short = block("II", 512, 119, 519, 200)  # a few letters: no stamp to speak of
    mark_margin_text([stamp, body, short], width=536)
    assert stamp.label == Label.aside_text
    assert body.label == short.label == Label.text
    page = page_of(0, stamp, body)
    assert stamp.text not in to_markdown(Document(pages=[page]))


async def test_margin_stamp_of_a_journal_pdf_is_left_out(converter: Converter, docs: Path) -> None:
    result = await converter.convert(
        docs / "pdftotext_two_column_issue.pdf", ConvertOptions(pages="2")
    )
    labels = {
        b.label for b in result.document.pages[0].blocks if b.text.startswith("Downloaded from")
    }
    assert labels == {Label.aside_text}
    assert "Downloaded from" not in to_markdown(result.document)


async def test_lone_browser_lines_of_a_printed_web_page_are_furniture(
    converter: Converter, docs: Path
) -> None:
    result = await converter.convert(docs / "edgar.pdf", ConvertOptions())
    labels = {b.text: b.label for b in result.document.pages[0].blocks}
    url = "https://en.wikipedia.org/wiki/Edgar,_King_of_England 1/34"
    assert labels[url] == Label.footer
    assert labels["10/1/24, 3:42 PM Edgar, King of England - Wikipedia"] == Label.header
    markdown = to_markdown(result.document)
    assert "wiki/Edgar" not in markdown and "3:42 PM" not in markdown
