"""Running heads and footers of a page alone: place and gap alone make no head, the words
and the size must agree. A registration note or a town and year set apart at the top or
foot is the document's text (before: dropped as a head for its place alone); a journal
page cut out alone keeps none of its running title, folio, download stamp or URL
footer (before: left in when set no smaller than the body or stacked)."""

from __future__ import annotations

import time
from pathlib import Path

from docparse.document import BBox, Block, Label, Line, Page
from docparse.pipeline.converter import Converter
from docparse.structure.furniture import mark_furniture_pages
from tests.structure.born_digital import convert, labels_of
from tests.structure.drawn import CLAUSES, HEIGHT, LEFT, RIGHT, WIDTH, Sheet

ARTICLE = [
    "Girls with Turner syndrome need their care handed on from paediatric to adult "
    "services at an age and a pace that suit them, with the same team kept in view.",
    "Cardiac review is the part of the transition most often missed, although the risk "
    "of aortic dissection grows with age and with pregnancy after assisted conception.",
    "Hearing loss progresses through adult life and should be checked every few years, "
    "as should thyroid function, liver enzymes, blood pressure and fasting glucose.",
    "A named clinician who coordinates the others keeps patients in follow-up: those "
    "without one were lost from care within a few years of leaving the children's clinic.",
    "Fertility counselling belongs early in the transition, before expectations are set, "
    "and should cover oocyte donation, cryopreservation and the risks of pregnancy.",
    "Psychosocial support and vocational advice complete the plan; most women do well "
    "at school and at work, but social difficulties are common and often unspoken.",
]


def article(sheet: Sheet, y: float, size: float = 8.0, leading: float = 9.5) -> float:
    for paragraph in ARTICLE:
        y = sheet.paragraph(paragraph, y, size=size, leading=leading, indent=12)
    return y


async def test_a_registration_note_set_apart_at_the_top_stays(
    converter: Converter, tmp_path: Path
) -> None:
    """A Ministry order as ConsultantPlus sets it: the note of its registration alone at
    the top edge, in the body's size, a few lines above the title. Its place and gap
    are a head's, but it is neither small nor says anything a head says (the number
    after 'N' is the registration's, no folio)."""
    path = tmp_path / "order.pdf"
    sheet = Sheet(path)
    note = "Зарегистрировано в Минюсте России 10 марта 2021 г. N 62699"
    sheet.text(LEFT, 50, note)
    sheet.text(WIDTH / 2, 95, "МИНИСТЕРСТВО ЗДРАВООХРАНЕНИЯ", bold=True, align="centre")
    sheet.text(WIDTH / 2, 125, "ПРИКАЗ", bold=True, align="centre")
    sheet.text(WIDTH / 2, 139, "от 12 февраля 2021 г. N 75н", bold=True, align="centre")
    y = 170.0
    for k, clause in enumerate(CLAUSES, 1):
        y = sheet.paragraph(f"{k}. {clause} (раздела).", y)
    sheet.save()
    page, markdown = await convert(converter, path)
    assert labels_of(page, "Зарегистрировано") == {Label.text}
    assert markdown.startswith(note)


async def test_a_town_and_year_at_the_foot_stays(converter: Converter, tmp_path: Path) -> None:
    """The foot of a title page: the town and year alone at the bottom edge, far below
    the text, set like it. No head's words, not small: the document's text."""
    path = tmp_path / "policy.pdf"
    sheet = Sheet(path)
    y = 120.0
    for k, clause in enumerate(CLAUSES[:3], 1):
        y = sheet.paragraph(f"{k}. {clause} (раздела).", y)
    sheet.text(WIDTH / 2, HEIGHT - 40, "Новосибирск, 2025", align="centre")
    sheet.save()
    page, markdown = await convert(converter, path)
    assert labels_of(page, "Новосибирск") == {Label.text}
    assert markdown.rstrip().endswith("Новосибирск, 2025")


def journal_page(path: Path) -> None:
    """A journal page cut out alone: the site's download stamp over the running title and
    its folio (each a little larger than the 8 pt body, the stamp 2 pt above the title),
    the two columns' text, the journal's address at the foot."""
    sheet = Sheet(path)
    stamp = "Downloaded from http://journals.example.org/ on July 12, 2017"
    sheet.text(WIDTH / 2, 15, stamp, size=9.5, align="centre")
    sheet.text(LEFT, 26, "Industry Watch", size=8.5)
    sheet.text(RIGHT, 26, "449", size=8.5, align="right")
    article(sheet, 60)
    sheet.text(RIGHT, HEIGHT - 20, "www.journals.example.org", size=8.5, align="right")
    sheet.save()


async def test_a_download_stamp_over_a_running_title_and_folio_leave(
    converter: Converter, tmp_path: Path
) -> None:
    """Stacked at the top, each head's gap is the one to the body, not to the other
    head; the running title reads as one by the folio at the other end of its row."""
    path = tmp_path / "journal.pdf"
    journal_page(path)
    page, markdown = await convert(converter, path)
    assert labels_of(page, "Downloaded from") == {Label.header}
    assert labels_of(page, "Industry Watch") == {Label.header}
    assert "Downloaded" not in markdown and "Industry Watch" not in markdown
    assert "449" not in markdown
    assert markdown.startswith("Girls with Turner syndrome")


async def test_a_url_footer_a_little_larger_than_the_body_leaves(
    converter: Converter, tmp_path: Path
) -> None:
    """Set a little larger than the body, the address at the foot is still a footer: a
    line that reads like furniture may be anything short of a heading's size."""
    path = tmp_path / "journal.pdf"
    journal_page(path)
    page, markdown = await convert(converter, path)
    assert labels_of(page, "www.journals.example.org") == {Label.footer}
    assert "journals.example.org" not in markdown
    assert markdown.rstrip().endswith("often unspoken.")


async def test_a_two_line_copyright_head_leaves(converter: Converter, tmp_path: Path) -> None:
    """A supplement's head of two lines, in the body's size, with the publisher's
    copyright: two lines are a head when they read like one."""
    path = tmp_path / "esi.pdf"
    sheet = Sheet(path)
    sheet.text(LEFT - 30, 30, "Electronic Supplementary Material (ESI) for RSC Advances.")
    sheet.text(LEFT - 30, 43.5, "This journal is © The Royal Society of Chemistry 2015")
    y = 90.0
    for paragraph in ARTICLE:
        y = sheet.paragraph(paragraph, y, indent=0)
    sheet.save()
    page, markdown = await convert(converter, path)
    assert labels_of(page, "Supplementary Material") == {Label.header}
    assert "Royal Society" not in markdown
    assert markdown.startswith("Girls with Turner syndrome")


async def test_a_small_journal_head_over_a_page_of_short_lines_leaves(
    converter: Converter, tmp_path: Path
) -> None:
    """The body's size is the size most of its letters are set in: a list of many short
    lines in small type does not make the journal's small head the body's size."""
    path = tmp_path / "table_page.pdf"
    sheet = Sheet(path)
    # 10 pt under it: past the body's spacing, short of two of its heights.
    sheet.text(LEFT, 37, "Journal of Endocrine Transition, 2015, Vol. 113", size=8)
    y = 55.0
    for paragraph in ARTICLE[:4]:
        y = sheet.paragraph(paragraph, y, size=10, leading=12, indent=0)
    items = ["Liver", "Thyroid", "Hearing", "Glucose", "Lipids", "Bone", "Heart", "Kidneys"]
    for item in items + [f"{item} review" for item in items]:
        sheet.text(LEFT, y, f"– {item}", size=8)
        y += 10
    sheet.save()
    page, markdown = await convert(converter, path)
    assert labels_of(page, "Endocrine Transition") == {Label.header}
    assert markdown.startswith("Girls with Turner syndrome")


async def test_a_running_title_with_its_folio_in_the_body_size_leaves(
    converter: Converter, tmp_path: Path
) -> None:
    """Set no smaller than the body, a running title goes by its folio at the other end
    of the line; a registration number after 'N' or a named one ('Приложение 2') is
    no folio (the tests above)."""
    path = tmp_path / "paper.pdf"
    sheet = Sheet(path)
    sheet.text(LEFT, 40, "Transition in Turner syndrome, 2015, Vol. 113", size=8)
    sheet.text(RIGHT, 40, "55", size=8, align="right")
    article(sheet, 70)
    sheet.save()
    page, markdown = await convert(converter, path)
    assert labels_of(page, "Transition in Turner") == {Label.header}
    assert "Vol. 113" not in markdown and markdown.startswith("Girls with Turner syndrome")


def ocr_block(name: str, text: str, y0: float, size: float, label: Label = Label.text) -> Block:
    box = BBox(x0=120, y0=y0, x1=1500, y1=y0 + size)
    return Block(
        id=name, text=text, label=label, bbox=box, lines=[Line(text=text, bbox=box, size=size)]
    )


def scanned_page(head: Block) -> Page:
    """A page read by OCR (pixels at 200 dpi): the layout model's head, the body under."""
    body = [
        ocr_block(f"b{i}", f"{CLAUSES[i % len(CLAUSES)]} (раздела).", 300 + 40 * i, 28)
        for i in range(30)
    ]
    return Page(index=0, width=1654, height=2339, dpi=200, route="ocr", blocks=[head, *body])


def test_a_layout_models_head_in_the_body_size_saying_nothing_a_head_says_is_text() -> None:
    """The CPU layout model labels a line a head by its place alone; on a page with
    nothing to repeat it, one set like the body that reads like no head is text."""
    note = "Зарегистрировано в Минюсте России 10 марта 2021 г. N 62699"
    head = ocr_block("h", note, 164, 30, Label.header)
    mark_furniture_pages([scanned_page(head)])
    assert head.label == Label.text


def test_a_layout_models_small_head_stays_a_head() -> None:
    """A browser's print head, set smaller than the body: the model's label stands."""
    head = ocr_block("h", "10/1/24, 3:42 PM Edgar, King of England - Wikipedia", 60, 20)
    head.label = Label.header
    mark_furniture_pages([scanned_page(head)])
    assert head.label == Label.header


def test_a_letterheads_requisites_on_a_page_alone_are_its_text() -> None:
    """An order's letterhead scanned (forms set, `prikaz_a`): the line of the company's
    registration numbers and address, small at the top, which the layout model calls a
    head. On a page alone it is the document's data; on every page, a running head."""
    text = "ИНН 1052434634, КПП 596418239, 603005, г. Нижний Новгород, ул. Ильинская, д. 20"
    head = ocr_block("h", text, 90, 19, Label.header)
    mark_furniture_pages([scanned_page(head)])
    assert head.label == Label.text
    heads = [ocr_block(f"h{i}", text, 90, 19, Label.header) for i in range(3)]
    pages = [scanned_page(h) for h in heads]
    for i, page in enumerate(pages):
        page.index = i
    mark_furniture_pages(pages)
    assert [h.label for h in heads] == [Label.header] * 3


def test_a_letterheads_lines_stay_one_anothers_body() -> None:
    """Small lines stacked at the top (a letterhead): only a line reading like furniture
    is passed over when the line under it measures its gap; the address under the name
    keeps the web address under it close to the text."""
    lines = [
        ocr_block("name", "ООО «Ромашка»", 60, 20),
        ocr_block("street", "ул. Ленина, д. 5, г. Самара", 84, 20),
        ocr_block("web", "www.romashka.ru", 108, 20),
    ]
    page = scanned_page(lines[0])
    page.blocks[1:1] = lines[1:]
    mark_furniture_pages([page])
    assert [b.label for b in lines] == [Label.text, Label.text, Label.text]


def test_a_page_crowded_at_its_edges_is_judged_in_linear_time() -> None:
    """A hostile page: 3,000 one-word blocks packed into its bottom band, where
    each candidate head was held against every block and each of those against every
    block again (minutes; 20,000 of them never finished). Only the dozen nearest each
    edge are judged alone now, so the page takes well under a second, and the small head
    at its top edge still leaves."""
    head = ocr_block("h", "Journal of Tests, Vol. 3, No. 2", 20, 22)
    crowd = [ocr_block(f"c{i}", f"cell{i}", 2180 + (i % 40) * 3, 28) for i in range(3000)]
    page = scanned_page(head)
    page.blocks += crowd
    started = time.perf_counter()
    mark_furniture_pages([page])
    assert time.perf_counter() - started < 20  # the old code took minutes: no timing test
    assert head.label == Label.header


def test_a_bold_foot_beside_the_facing_pages_folio_is_a_footer() -> None:
    """A scanned spread's foot: '208  Global Study on Legal Aid' under the left page and
    'Annex  209' bold under the right, read by OCR as two lines in one row. The bold one
    beside a folio is the running foot, not a heading."""
    page = scanned_page(ocr_block("h", "Agreement on the transfer of records", 40, 28))
    left = ocr_block("left", "208", 2270, 24)
    left.bbox = left.lines[0].bbox = BBox(x0=120, y0=2270, x1=170, y1=2294)
    title = ocr_block("title", "Global Study on Legal Aid", 2270, 24)
    title.bbox = title.lines[0].bbox = BBox(x0=400, y0=2270, x1=760, y1=2294)
    annex = ocr_block("annex", "Annex 209", 2268, 26, Label.paragraph_title)
    annex.bbox = annex.lines[0].bbox = BBox(x0=900, y0=2268, x1=1540, y1=2294)
    annex.lines[0].bold = True
    page.blocks += [left, title, annex]
    mark_furniture_pages([page])
    assert (left.label, annex.label) == (Label.number, Label.footer)
