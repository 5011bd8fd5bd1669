from docparse.document import BBox, Block, Label, Line
from docparse.structure.headings import join_wrapped_titles, label_headings
from docparse.structure.paragraphs import group_lines, join_lines, split_blocks


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
    lines = [
        line("a", 0),
        line("b", 12),
        line("c", 24),  # one paragraph
        line("d", 60),  # after a gap
        line("e", 72, x0=400, x1=600),
    ]  # another column
    groups = group_lines(lines)
    assert [[ln.text for ln in g] for g in groups] == [["a", "b", "c"], ["d"], ["e"]]


def test_taller_short_block_becomes_heading() -> None:
    blocks = [
        Block(
            id="t",
            bbox=BBox(x0=0, y0=0, x1=1, y1=1),
            text="Title",
            lines=[line("Title", 0, height=30)],
        ),
        Block(
            id="h",
            bbox=BBox(x0=0, y0=0, x1=1, y1=1),
            text="Section",
            lines=[line("Section", 40, height=15)],
        ),
        *[
            Block(
                id=f"b{i}",
                bbox=BBox(x0=0, y0=0, x1=1, y1=1),
                text="body",
                lines=[line("body", 60 + i * 12) for _ in range(4)],
            )
            for i in range(3)
        ],
    ]
    label_headings(blocks, first_page=True)
    assert [b.label for b in blocks[:3]] == [Label.doc_title, Label.paragraph_title, Label.text]


def styled(text: str, y: float, size: float, bold: bool = False) -> Line:
    return Line(text=text, bbox=BBox(x0=10, y0=y, x1=300, y1=y + size), size=size, bold=bold)


def block_of(*lines: Line, id: str = "b") -> Block:
    return Block(
        id=id,
        bbox=BBox.around([ln.bbox for ln in lines]),
        text="\n".join(ln.text for ln in lines),
        lines=list(lines),
    )


def test_ocr_paragraph_parts_at_a_bold_heading_not_at_size_wobble() -> None:
    run_in = block_of(
        styled("2.3. Датой оплаты считается дата", 0, 30),
        styled("зачисления средств.", 32, 27),  # OCR sizes wobble
        styled("3. Сроки поставки", 64, 28, bold=True),
        styled("Большой заголовок", 96, 48),
    )
    parts = split_blocks([run_in])
    assert [[ln.text for ln in p.lines] for p in parts] == [
        ["2.3. Датой оплаты считается дата", "зачисления средств."],
        ["3. Сроки поставки"],
        ["Большой заголовок"],
    ]
    assert len({p.id for p in parts}) == 3
    assert parts[1].text == "3. Сроки поставки"


def test_bold_lines_are_titles_when_short_or_numbered_not_when_sums() -> None:
    body = [block_of(styled("обычный текст", 200 + 40 * i, 30), id=f"body{i}") for i in range(4)]
    titles = [
        block_of(styled("Введение", 0, 28, bold=True), id="intro"),
        block_of(styled("3. Сроки и порядок поставки", 40, 27, bold=True), id="num"),
        block_of(styled("Итого: 246 400,00 руб.", 80, 30, bold=True), id="sum"),
        block_of(
            styled("Двести сорок шесть тысяч четыреста рублей 00 копеек", 120, 30, bold=True),
            id="words",
        ),
        block_of(styled("Счёт на оплату № 103", 160, 38, bold=True), id="title"),
    ]
    blocks = titles + body
    label_headings(blocks, first_page=True)
    assert {b.id: b.label for b in titles} == {
        "intro": Label.paragraph_title,
        "num": Label.paragraph_title,
        "sum": Label.text,
        "words": Label.text,
        "title": Label.doc_title,
    }


def test_parts_of_a_split_paragraph_keep_their_own_confidence() -> None:
    logo = styled("WixireniA", 0, 30, bold=True).model_copy(update={"confidence": 0.1})
    title = styled("Edgar, King of England", 40, 30).model_copy(update={"confidence": 0.96})
    parts = split_blocks([block_of(logo, title).model_copy(update={"confidence": 0.53})])
    assert [p.confidence for p in parts] == [0.1, 0.96]


def test_sections_numbered_in_roman_capitals_are_titles_in_any_weight() -> None:
    # An IEEE paper sets 'I. INTRODUCTION' in small capitals, not bold, at 0.8 of the
    # body's size (creativity_ml in the extra set); a Roman-numbered sentence is text.
    body = [
        block_of(styled("ordinary text of the paper", 200 + 40 * i, 10), id=f"b{i}")
        for i in range(4)
    ]
    blocks = [
        block_of(styled("I. INTRODUCTION", 0, 8), id="caps"),
        block_of(styled("II. ОБЩИЕ ПОЛОЖЕНИЯ", 40, 10), id="russian"),
        block_of(styled("I. The first clause applies to all parties.", 80, 10), id="clause"),
        block_of(styled("IV. 2020", 120, 10), id="number"),
        *body,
    ]
    label_headings(blocks, first_page=False)
    assert {b.id: b.label for b in blocks[:4]} == {
        "caps": Label.paragraph_title,
        "russian": Label.paragraph_title,
        "clause": Label.text,
        "number": Label.text,
    }


def test_a_papers_authors_under_its_title_are_no_heading() -> None:
    """'Н. А. Алексеева, С. Г. Дроздов', bold and a little larger than the body under an
    article's title (the forms set's article), is its authors line; 'B. Methods', one
    letter and a word, is a lettered section's heading."""
    body = [block_of(styled("Текст статьи " * 6, 200 + 40 * i, 10), id=f"t{i}") for i in range(4)]
    authors = block_of(styled("Н. А. Алексеева, С. Г. Дроздов", 100, 11, bold=True), id="a")
    section = block_of(styled("B. Methods", 150, 10, bold=True), id="s")
    body_named = block_of(styled("U.S. Navy", 170, 14, bold=True), id="n")  # no person
    spaced = block_of(styled("U. K. Sharma, R. Gupta", 180, 11, bold=True), id="p")  # people
    blocks = [authors, section, body_named, spaced, *body]
    label_headings(blocks, first_page=False)
    assert (authors.label, section.label) == (Label.text, Label.paragraph_title)
    assert (body_named.label, spaced.label) == (Label.paragraph_title, Label.text)


def test_a_long_list_that_is_almost_authors_is_judged_at_once() -> None:
    """'Li J. ,Li J. ,… Li J. !' (found by a hostile probe): one pattern over the whole
    list could read each space two ways, and a 196-character block took two minutes,
    the service's health unanswered meanwhile. Each person is matched alone now."""
    import signal

    block = block_of(styled("Li J. ," * 27 + "Li J. !", 100, 11, bold=True), id="x")
    body = [block_of(styled("Текст статьи " * 6, 200 + 40 * i, 10), id=f"t{i}") for i in range(4)]

    def hung(*_: object) -> None:
        raise TimeoutError("the authors check backtracks")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(5)
    try:
        label_headings([block, *body], first_page=False)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert block.label == Label.text


def test_a_page_that_is_mostly_a_table_still_has_its_title() -> None:
    """A register's page (forms set): a running head, the title, a caption, the table
    and nothing else. The text blocks alone were too few to tell the body's size, so no
    title was found; the page's other lines tell it."""
    head = block_of(styled("Конфиденциально", 50, 16), id="head")
    caption = block_of(styled("Сведения подготовлены", 170, 16), id="cap")
    head.label, caption.label = Label.header, Label.figure_title
    title = block_of(styled("Ведомость основных средств", 130, 28), id="title")
    table = Block(id="t", label=Label.table, bbox=BBox(x0=10, y0=200, x1=1180, y1=1600))
    blocks = [head, title, caption, table]
    label_headings(blocks, first_page=True)
    assert blocks[1].label in (Label.doc_title, Label.paragraph_title)
    assert [b.label for b in (blocks[0], blocks[2], blocks[3])] == [
        Label.header,
        Label.figure_title,
        Label.table,
    ]


def test_a_title_ocr_gave_as_two_blocks_is_one_title() -> None:
    """Display type on a leaflet's panel (forms set, `leaflet_a`): Tesseract gave the
    title's two lines as blocks of their own, so neither half matched the title. Two
    titles alike in size, one right under the other, are one; a heading set apart
    further, or a body line under a title, stays apart."""
    blocks = [
        block_of(styled("Забота о здоровье", 250, 124), id="a"),
        block_of(styled("всей семьи", 386, 124), id="b"),
        block_of(styled("Наши врачи", 700, 124), id="c"),
        block_of(styled("Вызов врача на дом", 830, 40), id="d"),
    ]
    for b in blocks[:3]:
        b.label = Label.doc_title
    chapter = block_of(styled("Глава 2. Методы", 1000, 16), id="e")
    section = block_of(styled("2.1. Выборка", 1022, 14), id="f")  # another heading
    chapter.label = section.label = Label.doc_title
    joined = join_wrapped_titles([*blocks, chapter, section])
    assert [b.id for b in joined] == ["a", "c", "d", "e", "f"]
    assert joined[0].text == "Забота о здоровье\nвсей семьи"
    assert joined[0].bbox.y1 == 386 + 124


def test_a_title_ocr_read_unsure_is_still_a_title_when_it_reads_as_words() -> None:
    """'Запись и оплата' in display type on a tinted panel read at 0.48 confidence: words
    all the same, and a title. A rule read as marks stays no title."""
    body = [block_of(styled("Перед первым визитом возьмите", 900 + 40 * i, 36)) for i in range(6)]
    title = block_of(styled("Запись и", 700, 84), styled("плата", 790, 84), id="t")
    rule = block_of(styled("| —— ee", 600, 84), id="r")
    border = block_of(styled("IIIIII llll", 650, 84), id="b")  # a ruled border's strokes
    title.confidence = rule.confidence = border.confidence = 0.48
    blocks = [rule, border, title, *body]
    label_headings(blocks, first_page=False)
    assert title.label == Label.paragraph_title
    assert (rule.label, border.label) == (Label.text, Label.text)


def test_an_orders_subject_set_bold_is_its_title() -> None:
    """An order's subject (forms set, `prikaz_a`): bold at the body's size, seven words,
    more than a bold short title may have. It starts as a subject does ('О …', 'Об …'),
    over the text on the first page; a bold sentence in the text does not (found by a
    hostile probe: 'Об этом мы писали в прошлом номере!', 'О сроках подачи заявок см.
    приложение 2' after the text began), nor does a sum in words."""
    text = "В целях обеспечения достоверности данных бухгалтерского учёта и отчётности общества"
    body = [
        block_of(styled(text, 400 + 40 * i, 28), styled(text, 420 + 40 * i, 28)) for i in range(3)
    ]
    subject = block_of(
        styled("О проведении годовой инвентаризации имущества и обязательств", 300, 28, bold=True),
        id="s",
    )
    later = [
        block_of(styled(t, 600 + 40 * i, 28, bold=True), id=f"l{i}")
        for i, t in enumerate(
            [
                "Общая сумма составляет сто двадцать тысяч рублей ноль копеек",
                "Об этом мы писали в прошлом номере!",
                "О сроках подачи заявок см. приложение 2",
            ]
        )
    ]
    blocks = [subject, *body, *later]
    label_headings(blocks, first_page=True)
    assert subject.label == Label.paragraph_title
    assert [b.label for b in later] == [Label.text] * 3
