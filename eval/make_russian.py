"""Write the Russian evaluation set: scanned contracts, invoices (a ruled and a borderless
goods table) and two-column articles, as image-only PDFs, with their checks.

    .venv/bin/python eval/make_russian.py /tmp/ru_eval
    .venv/bin/docparse eval /tmp/ru_eval          # reads /tmp/ru_eval/checks.jsonl

Everything is drawn by tests/fixtures (the article layout lives here), so the checks are
exact: present sentences, absent running heads, footers and page numbers, reading order
across columns and invoice cells with their neighbours. Seeds fix the output.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository, for tests.fixtures

from tests.fixtures import russian
from tests.fixtures.degrade import degrade, rasterize

from docparse.ops.checks import budget, distance, normalize

PAGE_W, PAGE_H = A4
MARGIN, GUTTER, TOP, BOTTOM = 56.0, 22.0, PAGE_H - 70.0, 64.0
PRESENT_PER_DOC = 10

# The article: (heading, paragraphs); every sentence is ground truth. No digits in the
# body, so a page number found in the Markdown can only be the folio.
ARTICLE = [
    (
        "Введение",
        [
            "Оцифровка архивов стала одной из главных задач региональных библиотек и музеев. "
            "За последние годы объем отсканированных документов вырос в несколько раз. "
            "Однако скан сам по себе не позволяет искать информацию по тексту. "
            "Поэтому вслед за сканированием обычно выполняется распознавание текста.",
            "Старые документы печатались на разных машинках и нередко хранились в сырых "
            "помещениях. Бумага желтеет, чернила выцветают, а строки перекашиваются при "
            "копировании. Всё это заметно снижает качество распознавания. Особенно страдают "
            "таблицы и документы со сложной версткой.",
            "В нашей работе рассматривается набор из трех тысяч страниц из фондов областного "
            "архива. Среди них есть приказы, договоры, счета и газетные вырезки. Для каждой "
            "страницы вручную подготовлен эталонный текст. Это позволило измерить качество "
            "распознавания без участия экспертов.",
        ],
    ),
    (
        "Методика",
        [
            "Каждая страница сначала приводится к правильной ориентации. Затем устраняется "
            "наклон строк и выравнивается яркость фона. После этого страница делится на блоки: "
            "заголовки, абзацы, таблицы и колонтитулы. Колонтитулы и номера страниц не "
            "включаются в итоговый текст.",
            "Порядок чтения восстанавливается по расположению блоков на странице. Если между "
            "блоками проходит вертикальный просвет, они относятся к разным колонкам. Колонки "
            "читаются слева направо, а внутри колонки блоки читаются сверху вниз. Такой подход "
            "хорошо работает для журналов и газет.",
            "Качество оценивается по доле предложений, найденных в результате распознавания. "
            "Предложение считается найденным, если число ошибок в нем не превышает десятой "
            "части его длины. Отдельно проверяется порядок фрагментов текста и содержимое "
            "ячеек таблиц. Для таблиц важно не только прочитать текст, но и сохранить "
            "соседство ячеек.",
        ],
    ),
    (
        "Результаты",
        [
            "На чистых сканах доля найденных предложений близка к полной. На пожелтевших "
            "страницах с пятнами этот показатель заметно снижается. Чаще всего ошибки "
            "возникают в числах, сокращениях и фамилиях. Кавычки и тире распознаются "
            "правильно почти всегда.",
            "Наибольшие трудности вызывают таблицы без линий. В таких таблицах границы "
            "столбцов приходится угадывать по пробелам между словами. Если столбцы расположены "
            "близко, соседние ячейки сливаются в одну. Таблицы с полной разлиновкой "
            "распознаются значительно лучше.",
            "Двухколоночные статьи обрабатываются уверенно, если промежуток между колонками "
            "достаточно широк. Ошибки порядка чтения встречаются в основном на страницах с "
            "врезками и подписями к рисункам. В этих случаях подпись иногда попадает в "
            "середину абзаца. Исправить такие ошибки помогает анализ размеров шрифта.",
        ],
    ),
    (
        "Выводы",
        [
            "Автоматическое распознавание позволяет сделать архив доступным для "
            "полнотекстового поиска. При этом важно контролировать качество на каждом этапе "
            "обработки. Небольшой набор проверок с эталонными ответами помогает быстро "
            "обнаружить ухудшения. Мы планируем расширить набор за счет рукописных документов.",
            "Работа выполнена при поддержке областного фонда развития науки. Авторы благодарят "
            "сотрудников архива за помощь в подготовке эталонных текстов. Все материалы "
            "исследования доступны по запросу. Вопросы можно направлять в редакцию журнала.",
        ],
    ),
]
TITLES = [
    "Распознавание архивных документов: качество и порядок чтения",
    "Проверка качества распознавания сканов в областном архиве",
]
AUTHORS = ["А. В. Смирнова, И. П. Орлов", "Е. С. Павлова, Д. А. Кузнецов"]
ABSTRACT = (
    "В статье описан опыт распознавания отсканированных архивных документов. "
    "Мы сравниваем качество текста, порядок чтения и сохранность таблиц."
)


@dataclass
class Generated:
    """A born-digital document plus what the checks need beyond its sentences."""

    doc: russian.SynthDoc
    absent: list[tuple[int | None, str]] = field(default_factory=list)  # (page, text)
    order: list[tuple[int | None, str, str]] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)  # an invoice's goods table
    headings: list[str] = field(default_factory=list)  # set as titles
    plain: list[str] = field(default_factory=list)  # bold or short, yet no titles


def _sentences(paragraph: str) -> list[str]:
    return [s if s.endswith(".") else s + "." for s in paragraph.split(". ") if s]


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and pdfmetrics.stringWidth(f"{lines[-1]} {word}", font, size) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def make_article(seed: int) -> Generated:
    """A two-page, two-column article: full-width title and abstract, then sections in
    two columns; a paragraph never splits across columns, so the last sentence of a
    column and the first of the next are known. Running head and folio on every page."""
    rng = random.Random(seed)
    russian._register_fonts()
    family, size = ("DejaVuSerif", 10.5) if seed % 2 == 0 else ("DejaVuSans", 10.0)
    lead, col_w = size * 1.4, (PAGE_W - 2 * MARGIN - GUTTER) / 2
    first_page = rng.randint(40, 90) * 2 + 1
    year, issue = rng.choice((2022, 2023, 2024)), rng.randint(1, 6)
    header = f"Вестник документоведения · {year} · Том {year - 2011}, № {issue}"
    items: list[tuple[str, str]] = []
    for heading, paragraphs in ARTICLE:
        items.append(("h", heading))
        order = paragraphs[:1] + rng.sample(paragraphs[1:], len(paragraphs) - 1)
        items += [("p", p) for p in order]
    pages: list[list[tuple[Any, ...]]] = [[]]
    columns: list[list[str]] = []  # sentences per column, in reading order
    sentences: list[str] = []
    y = TOP
    title_font = family + "-Bold"
    for line in _wrap(TITLES[seed % 2], title_font, 15, PAGE_W - 2 * MARGIN):
        pages[0].append((PAGE_W / 2, y - 15, title_font, 15, line, True))
        y -= 20
    pages[0].append((PAGE_W / 2, y - 16, family, size, AUTHORS[seed % 2], True))
    y -= 34
    for line in _wrap(ABSTRACT, family, size - 0.5, PAGE_W - 2 * MARGIN):
        pages[0].append((MARGIN, y - size, family, size - 0.5, line, False))
        y -= lead
    sentences += [TITLES[seed % 2], *_sentences(ABSTRACT)]

    def height(kind: str, text: str) -> float:
        font = family + ("-Bold" if kind == "h" else "")
        return len(_wrap(text, font, size, col_w)) * lead + (4 if kind == "p" else 10)

    top, col, y, floor = y - 14, 0, y - 14, BOTTOM
    columns.append([])
    for i, (kind, text) in enumerate(items):
        font = family + ("-Bold" if kind == "h" else "")
        lines = _wrap(text, font, size, col_w)
        need = height(kind, text)
        if kind == "h":  # keep a heading with the paragraph under it
            need += height(*items[i + 1])
        if y - need < (floor if col == 0 else BOTTOM):
            col, y = (1, top) if col == 0 else (0, TOP)
            if col == 0:  # a new page: balance what is left over its two columns
                pages.append([])
                top = TOP
                rest = sum(height(*item) for item in items[i:])
                floor = max(BOTTOM, TOP - rest / 2 - lead)
            columns.append([])
        x = MARGIN + col * (col_w + GUTTER)
        y -= 6 if kind == "h" else 0
        for line in lines:
            pages[-1].append((x, y - size, font, size, line, False))
            y -= lead
        y -= 4
        if kind == "p":
            sentences += _sentences(text)
            columns[-1] += _sentences(text)
    if len(pages) != 2 or not all(columns):  # a wide face can leave a column empty
        raise RuntimeError(f"article {seed}: {len(pages)} pages, expected 2 with 4 columns")
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=A4, invariant=1)
    for number, ops in enumerate(pages, first_page):
        canvas.setFillGray(0.3)
        canvas.setFont(family, 8.5)
        canvas.drawString(MARGIN, PAGE_H - 40, header)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN, PAGE_H - 46, PAGE_W - MARGIN, PAGE_H - 46)
        canvas.setFont(family, 9)
        canvas.drawCentredString(PAGE_W / 2, 34, str(number))
        canvas.setFillGray(0.0)
        for x, y_, font, size_, text, centred in ops:
            canvas.setFont(font, size_)
            (canvas.drawCentredString if centred else canvas.drawString)(x, y_, text)
        canvas.showPage()
    canvas.save()
    doc = russian.SynthDoc(f"article_{seed}", buf.getvalue(), sentences, [header], len(pages))
    absent: list[tuple[int | None, str]] = [(None, header)]
    absent += [(p, str(first_page + p - 1)) for p in (1, 2)]
    # Column ends: page 1 left -> right, page 1 right -> page 2 left, page 2 left -> right.
    order = [
        (1 if k == 0 else None if k == 1 else 2, columns[k][-1], columns[k + 1][0])
        for k in range(len(columns) - 1)
    ]
    return Generated(
        doc,
        absent,
        order,
        headings=[TITLES[seed % 2]] + [heading for heading, _ in ARTICLE],
        plain=[AUTHORS[seed % 2], *_sentences(ABSTRACT)],
    )


def make_invoice(seed: int, ruled: bool = True) -> Generated:
    """tests/fixtures's invoice; its goods table is kept for the table checks and, when not
    `ruled`, drawn without any rules (a borderless table aligned by whitespace only)."""
    captured: list[list[str]] = []

    class Layout(russian._Layout):
        def table(
            self, widths: list[float], rows: list[list[str]], aligns: list[str], size: float = 10.0
        ) -> None:
            captured.extend(rows)
            ops = self.pages[-1]
            start = len(ops)
            super().table(widths, rows, aligns, size)
            if not ruled and ops is self.pages[-1]:
                ops[start:] = [op for op in ops[start:] if op[0] != "l"]

    with mock.patch.object(russian, "_Layout", Layout):
        doc = russian.make_invoice(seed)
    doc.name = f"invoice_{seed}" if ruled else f"invoice_borderless_{seed}"
    said = doc.sentences
    return Generated(
        doc,
        [(None, text) for text in doc.headers_footers],
        rows=captured,
        headings=[t for t in said if t.startswith("Счёт на оплату")],
        plain=[said[0], *(t for t in said if t.startswith(("Итого", "Основание")))],
    )


def make_contract(seed: int) -> Generated:
    """tests/fixtures's two-page contract: a running header, 'Страница N из M' footers."""
    doc = russian.make_contract(seed)
    absent: list[tuple[int | None, str]] = [(None, doc.headers_footers[0])]
    absent += [(p, f"Страница {p} из {doc.pages}") for p in range(1, doc.pages + 1)]
    numbered = [t for t in doc.sentences if re.match(r"\d+\. \S", t)]  # "2. Цена …"
    clauses = [t for t in doc.sentences if re.match(r"\d+\.\d+\. \S", t)]
    return Generated(
        doc, absent, headings=doc.sentences[:1] + numbered, plain=[doc.sentences[1], *clauses[:3]]
    )


# (generator, seed, scan: skew degrees, blur, noise sigma, JPEG quality)
SET = [
    (make_contract, 1, (0.8, 0.6, 6, 70)),
    (make_contract, 4, (-0.5, 0.8, 8, 70)),
    (make_invoice, 0, (-1.2, 0.8, 8, 75)),
    (make_invoice, 3, (1.5, 0.6, 10, 75)),
    (lambda seed: make_invoice(seed, ruled=False), 5, (0.6, 0.6, 6, 70)),
    (lambda seed: make_invoice(seed, ruled=False), 7, (-0.9, 0.7, 8, 75)),
    (make_article, 0, (0.5, 0.6, 6, 70)),
    (make_article, 3, (-0.7, 0.7, 8, 65)),
]


def image_pdf(pages: list[Image.Image], dpi: int) -> bytes:
    """An image-only PDF, one page per image, like tests/fixtures's scan_pdf but with no
    creation date, so the same seeds give the same bytes."""
    buf = io.BytesIO()
    pages[0].save(
        buf,
        "PDF",
        save_all=True,
        append_images=pages[1:],
        resolution=float(dpi),
        creationDate=None,
        modDate=None,
    )
    return buf.getvalue()


def _pick(items: list[str], n: int) -> list[str]:
    """n items spread evenly over the list (first and last included)."""
    if len(items) <= n:
        return items
    return list(dict.fromkeys(items[round(i * (len(items) - 1) / (n - 1))] for i in range(n)))


def checks_for(pdf: str, gen: Generated) -> list[dict[str, Any]]:
    """present, absent, order and table checks of one document, verified against its
    ground truth: an absent text must not be found in the body sentences."""
    body = normalize(" ".join(gen.doc.sentences))
    checks: list[dict[str, Any]] = []

    def add(kind: str, page: int | None = None, **texts: Any) -> None:
        n = sum(c["type"] == kind for c in checks) + 1
        checks.append(
            {
                "pdf": pdf,
                "id": f"{pdf.removesuffix('.pdf')}-{kind}-{n:02d}",
                "type": kind,
                **({"page": page} if page else {}),
                **texts,
            }
        )

    for sentence in _pick(gen.doc.sentences, PRESENT_PER_DOC):
        add("present", text=sentence)
    for page, text in gen.absent:
        exact = text.isdigit()  # a folio: any other number would be an error
        want = normalize(text)
        if distance(want, body, 0 if exact else budget(want)) is not None:
            raise RuntimeError(f"{pdf}: absent text {text!r} occurs in the body")
        add("absent", page, text=text, **({"max_diffs": 0} if exact else {}))
    for page, before, after in gen.order:
        add("order", page, before=before, after=after)
    for text in gen.headings:
        add("heading", text=text)
    for text in gen.plain:
        add("not_heading", text=text[:80])
    if gen.rows:
        head, first, second, last = gen.rows[0], gen.rows[1], gen.rows[2], gen.rows[-1]
        add("table", cell=head[1], left=head[0], right=head[2])
        add("table", cell=first[1], left=first[0], right=first[2])
        add("table", cell=first[2], up=head[2])
        add("table", cell=first[3], up=head[3], right=first[4])
        add("table", cell=second[1], up=first[1], right=second[2])
        add("table", cell=last[4], left=last[3], top_heading=head[4])
    return checks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder for the PDFs and checks.jsonl")
    parser.add_argument("--dpi", type=int, default=200, help="scan resolution")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    checks: list[dict[str, Any]] = []
    for make, seed, (skew, blur, noise, jpeg) in SET:
        gen = make(seed)
        pages = [
            degrade(
                page,
                seed=seed * 100 + i,
                rotate_deg=skew,
                blur=blur,
                noise=noise,
                jpeg_quality=jpeg,
                contrast=0.85,
                grayscale=i % 2 == 1,
            )
            for i, page in enumerate(rasterize(gen.doc.pdf, dpi=args.dpi))
        ]
        pdf = f"{gen.doc.name}.pdf"
        (args.out / pdf).write_bytes(image_pdf(pages, args.dpi))
        checks += checks_for(pdf, gen)
        print(f"{pdf}: {gen.doc.pages} pages, {len(gen.doc.sentences)} sentences")
    with (args.out / "checks.jsonl").open("w", encoding="utf-8") as out:
        out.writelines(json.dumps(c, ensure_ascii=False) + "\n" for c in checks)
    kinds = {
        k: sum(c["type"] == k for c in checks) for k in dict.fromkeys(c["type"] for c in checks)
    }
    print(
        f"{len(checks)} checks ({', '.join(f'{k} {n}' for k, n in kinds.items())}) "
        f"in {args.out / 'checks.jsonl'}"
    )


if __name__ == "__main__":
    main()
