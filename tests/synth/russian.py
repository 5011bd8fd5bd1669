"""Deterministic Russian business documents (договор, счёт, письмо) with ground truth.

A tiny layout engine draws every line itself, so the recorded sentences are
exactly what is visible on the page: no surprise wrapping, no split paragraphs.
"""

from __future__ import annotations

import functools
import io
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

FONT_DIR = "/usr/share/fonts/truetype/dejavu"
PAGE_W, PAGE_H = A4
MARGIN_X, TOP, BOTTOM = 56.0, PAGE_H - 64.0, 64.0
MIN_SENTENCE = 15  # shorter strings are too fragile to count as ground truth
SIGN = "____________"  # signature blank; such lines are not ground truth (OCR drops the rule)
ALIGN_X = {"left": MARGIN_X, "right": PAGE_W - MARGIN_X, "center": PAGE_W / 2}


@dataclass
class SynthDoc:
    """A born-digital PDF plus the body text an OCR result must contain."""

    name: str
    pdf: bytes
    sentences: list[str]
    headers_footers: list[str]
    pages: int


@functools.cache
def _register_fonts() -> None:
    for name in ("DejaVuSans", "DejaVuSans-Bold", "DejaVuSerif", "DejaVuSerif-Bold"):
        pdfmetrics.registerFont(TTFont(name, f"{FONT_DIR}/{name}.ttf"))


class _Layout:
    """Collects drawing ops per page and renders at the end, so footers know the page count."""

    def __init__(self, family: str, size: float, header: str = "", footer: str = "") -> None:
        _register_fonts()
        self.family, self.size, self.header, self.footer = family, size, header, footer
        self.pages: list[list[tuple[Any, ...]]] = [[]]
        self.y = TOP
        self.sentences: list[str] = []

    def font(self, bold: bool = False) -> str:
        return self.family + ("-Bold" if bold else "")

    def record(self, text: str) -> None:
        text = " ".join(text.split())
        if len(text) >= MIN_SENTENCE and SIGN not in text:
            self.sentences.append(text)

    def ensure(self, height: float) -> None:
        """Start a new page unless `height` still fits (a header/footer never splits a sentence)."""
        if self.y - height < BOTTOM:
            self.pages.append([])
            self.y = TOP

    def para(self, *sentences: str, size: float | None = None, bold: bool = False,
             align: str = "left", before: float = 0.0, after: float = 4.0) -> None:
        """Draw sentences as one greedily wrapped paragraph; record each sentence."""
        size, font = size or self.size, self.font(bold)
        width = PAGE_W - 2 * MARGIN_X
        lines: list[str] = []
        for word in " ".join(sentences).split(" "):  # not split(): NBSP keeps amounts whole
            if lines and pdfmetrics.stringWidth(f"{lines[-1]} {word}", font, size) <= width:
                lines[-1] += " " + word
            else:
                lines.append(word)
        lead = size * 1.35
        self.y -= before
        self.ensure(lead * len(lines))
        for line in lines:
            self.pages[-1].append(("t", ALIGN_X[align], self.y - size, font, size, line, align))
            self.y -= lead
        self.y -= after
        for sentence in sentences:
            self.record(sentence)

    def lines(self, *items: str, after: float = 4.0, **kw: Any) -> None:
        """Each item on its own line, e.g. an address block."""
        for item in items:
            self.para(item, after=0, **kw)
        self.y -= after

    def table(self, widths: list[float], rows: list[list[str]], aligns: list[str],
              size: float = 10.0) -> None:
        """A fully ruled table; the first row is a bold header.  Cells are recorded one by one."""
        h, pad = size * 2.1, 6.0  # generous padding keeps glyphs clear of the rules
        self.ensure(h * len(rows))
        top, ops = self.y, self.pages[-1]
        xs = [MARGIN_X + sum(widths[:i]) for i in range(len(widths) + 1)]
        for r, row in enumerate(rows):
            for cell, x, w, al in zip(row, xs[:-1], widths, aligns, strict=True):
                font = self.font(bold=r == 0)
                if al != "center" and pdfmetrics.stringWidth(cell, font, size) > w - 2 * pad:
                    raise ValueError(f"table cell too wide: {cell!r}")
                tx = {"left": x + pad, "right": x + w - pad, "center": x + w / 2}[al]
                ops.append(("t", tx, top - (r + 0.5) * h - size * 0.35, font, size, cell, al))
                self.record(cell)
        bottom = top - h * len(rows)
        ops += [("l", xs[0], top - r * h, xs[-1], top - r * h) for r in range(len(rows) + 1)]
        ops += [("l", x, top, x, bottom) for x in xs]
        self.y = bottom - 10

    def finish(self, name: str) -> SynthDoc:
        buf = io.BytesIO()
        c = Canvas(buf, pagesize=A4, invariant=1)  # invariant: no timestamps/random IDs
        c.setCreator("docparse tests/synth")
        hf = [self.header] if self.header else []
        for i, ops in enumerate(self.pages, 1):
            c.setFillGray(0.3)
            c.setFont(self.family, 8.5)
            c.setLineWidth(0.5)
            if self.header:
                c.drawString(MARGIN_X, PAGE_H - 38, self.header)
                c.line(MARGIN_X, PAGE_H - 44, PAGE_W - MARGIN_X, PAGE_H - 44)
            if self.footer:
                hf.append(self.footer.format(page=i, pages=len(self.pages)))
                c.drawCentredString(PAGE_W / 2, 32, hf[-1])
            c.setFillGray(0.0)
            c.setLineWidth(0.8)
            for kind, *args in ops:
                if kind == "l":
                    c.line(*args)
                    continue
                x, y, font, size, text, align = args
                c.setFont(font, size)
                draw = {"left": c.drawString, "right": c.drawRightString,
                        "center": c.drawCentredString}[align]
                draw(x, y, text)
            c.showPage()
        c.save()
        hf = list(dict.fromkeys(hf))  # the header repeats on every page; list it once
        return SynthDoc(name, buf.getvalue(), self.sentences, hf, len(self.pages))


# --- word lists -------------------------------------------------------------
COMPANIES = [("Альфа-Снаб", "alfa-snab.ru"), ("СеверТорг", "severtorg.ru"),
             ("ТехноСервис", "technoservice.ru"), ("Вектор", "vector-group.ru"),
             ("Промресурс", "promresurs.ru"), ("Nord Trade", "nordtrade.ru"),
             ("Балтика Логистик", "baltlog.ru"), ("Delta Systems", "deltasys.ru"),
             ("Уралстрой", "uralstroy.ru")]
# surname nom/dat/gen, first name nom/gen, patronymic nom/gen
PERSONS = [p.split() for p in (
    "Иванов Иванову Иванова Пётр Петра Сергеевич Сергеевича",
    "Смирнов Смирнову Смирнова Алексей Алексея Викторович Викторовича",
    "Кузнецов Кузнецову Кузнецова Дмитрий Дмитрия Андреевич Андреевича",
    "Попов Попову Попова Игорь Игоря Николаевич Николаевича",
    "Соколов Соколову Соколова Михаил Михаила Олегович Олеговича",
    "Лебедев Лебедеву Лебедева Андрей Андрея Юрьевич Юрьевича",
    "Новиков Новикову Новикова Сергей Сергея Павлович Павловича",
    "Морозов Морозову Морозова Владимир Владимира Ильич Ильича")]
ACCOUNTANTS = ["Сидорова А. В.", "Орлова Е. П.", "Зайцева О. И.", "Павлова М. С."]
CITIES = [("Москва", "125009", "ул. Тверская"), ("Санкт-Петербург", "191186", "Невский пр-т"),
          ("Екатеринбург", "620014", "ул. Малышева"), ("Новосибирск", "630099", "Красный пр-т"),
          ("Казань", "420111", "ул. Баумана"), ("Самара", "443099", "ул. Куйбышева")]
# name (must fit the invoice table column), price range in roubles
GOODS = [("Ноутбук Lenovo ThinkPad E14", 55000, 90000), ("Монитор Samsung S24R350", 11000, 16000),
         ("Принтер HP LaserJet Pro M404dn", 25000, 40000),
         ("Бумага офисная SvetoCopy, 500 л.", 300, 450), ("Картридж Canon 737, черный", 3000, 6000),
         ("Кресло офисное «Бюрократ» CH-868", 8000, 15000),
         ("Маршрутизатор TP-Link Archer C6", 2500, 4500), ("ИБП APC Back-UPS 650 ВА", 6000, 9000),
         ("Клавиатура Logitech K120, USB", 800, 1500), ("Папка-регистратор 75 мм, синяя", 150, 300),
         ("Шредер Office Kit S100", 5000, 9000), ("Флеш-накопитель Kingston 64 ГБ", 500, 1200)]
GOODS_KINDS = ["компьютерную и офисную технику", "офисную мебель и оборудование",
               "расходные материалы для оргтехники", "сетевое оборудование и комплектующие"]
MONTHS = "января февраля марта апреля мая июня июля августа сентября октября ноября декабря"

# Clause templates: "# " heading, "- " clause, "? " optional clause (varies layout by
# seed), two-space indent continues the previous clause.
CONTRACT = """\
# Предмет договора
- Поставщик обязуется передать в собственность Покупателя {kind}, а Покупатель обязуется
  принять и оплатить товар на условиях настоящего договора.
- Наименование, количество, ассортимент и цена товара определяются в Спецификации,
  являющейся неотъемлемой частью договора.
? В состав поставки входят, в частности, следующие позиции: {g1} и {g2}.
? Поставщик гарантирует, что товар свободен от прав третьих лиц и не находится под арестом.
# Цена и порядок расчетов
- Общая сумма договора составляет {total} руб. ({total_words}), в том числе НДС 20%
  в размере {vat} руб.
- Покупатель производит предоплату в размере {pre}% от суммы договора в течение {days}
  банковских дней с даты подписания договора.
? Окончательный расчет производится в течение {pay_days} дней после подписания товарной
  накладной.
? Датой оплаты считается дата зачисления денежных средств на расчетный счет Поставщика.
# Сроки и порядок поставки
- Поставка товара осуществляется в течение {lead} рабочих дней с момента получения предоплаты.
- Доставка товара производится силами Поставщика по адресу: {address}.
? Приемка товара по количеству и качеству осуществляется в момент передачи товара Покупателю.
# Качество товара и гарантии
- Качество товара должно соответствовать требованиям ГОСТ и техническим условиям
  производителя.
- Гарантийный срок на товар составляет {warranty} с даты поставки.
? Товар, не соответствующий требованиям, подлежит замене за счет Поставщика в течение 10 дней.
# Ответственность сторон
- За нарушение сроков поставки Поставщик уплачивает пеню в размере {penalty}% от стоимости
  непоставленного товара за каждый день просрочки.
- За нарушение сроков оплаты Покупатель уплачивает пеню в размере {penalty}% от неоплаченной
  суммы за каждый день просрочки.
? Стороны освобождаются от ответственности при наступлении обстоятельств непреодолимой силы.
# Порядок разрешения споров
- Споры разрешаются путем переговоров, а при недостижении согласия передаются в арбитражный
  суд по месту нахождения истца.
- Срок ответа на претензию составляет {claim_days} календарных дней с даты ее получения.
# Прочие условия
- Договор вступает в силу с момента подписания и действует до 31 декабря {year} г.
- Стороны признают юридическую силу документов, переданных по электронной почте:
  {email1} и {email2}.
? Договор составлен в двух экземплярах, имеющих одинаковую юридическую силу, по одному
  для каждой из сторон.
"""
LETTER = """\
# О переносе сроков поставки
- Настоящим сообщаем, что в связи с задержкой поступления товара от производителя поставка
  по договору № {contract} будет осуществлена до {due}
- Задержка вызвана увеличением сроков таможенного оформления позиции {g1}.
- Все остальные условия договора, включая цену и гарантийные обязательства, остаются
  без изменений.
- Приносим извинения за причиненные неудобства и благодарим за понимание.
# О погашении задолженности
- Напоминаем, что по состоянию на {due} за {buyer} числится задолженность по договору
  № {contract} в размере {amount} руб.
- Просим погасить задолженность в течение {days} банковских дней с даты получения письма.
- Если оплата уже произведена, просим направить копию платежного поручения на адрес {email}.
- В противном случае мы будем вынуждены начислить пеню в соответствии с условиями договора.
# О коммерческом предложении
- Благодарим Вас за интерес к продукции нашей компании.
- Направляем предложение на поставку товаров: {g1}, {g2} и {g3}.
- Общая стоимость предложения составляет {amount} руб., включая НДС 20%.
- Предложение действительно в течение {days} дней с даты настоящего письма.
- Будем рады ответить на Ваши вопросы по телефону {phone} или по адресу {email}.
"""


def _sections(template: str, rng: random.Random, **values: Any) -> list[tuple[str, list[str]]]:
    """Parse a clause template into (heading, clauses), dropping ~30% of optional clauses."""
    sections: list[tuple[str, list[str]]] = []
    skip = False
    for line in template.format(**values).splitlines():
        mark, text = line[:2], line[2:]
        if mark == "# ":
            sections.append((text, []))
        elif mark == "  ":
            if not skip:
                sections[-1][1][-1] += " " + text
        else:
            skip = mark == "? " and rng.random() < 0.3
            if not skip:
                sections[-1][1].append(text)
    return sections


# --- numbers and requisites --------------------------------------------------
_ONES = ("ноль один два три четыре пять шесть семь восемь девять десять одиннадцать двенадцать "
         "тринадцать четырнадцать пятнадцать шестнадцать семнадцать восемнадцать девятнадцать")
_TENS = "_ _ двадцать тридцать сорок пятьдесят шестьдесят семьдесят восемьдесят девяносто"
_HUNDREDS = "_ сто двести триста четыреста пятьсот шестьсот семьсот восемьсот девятьсот"


def _plural(n: int, forms: tuple[str, str, str]) -> str:
    if 11 <= n % 100 <= 14:
        return forms[2]
    return forms[0] if n % 10 == 1 else forms[1] if 2 <= n % 10 <= 4 else forms[2]


def _triple(n: int, feminine: bool) -> list[str]:
    words = [_HUNDREDS.split()[n // 100]] if n >= 100 else []
    n %= 100
    if n >= 20:
        words.append(_TENS.split()[n // 10])
        n %= 10
    if n:
        words.append(("одна", "две")[n - 1] if feminine and n <= 2 else _ONES.split()[n])
    return words


def rubles_in_words(kopecks: int) -> str:
    """1250000_00 -> 'Один миллион двести пятьдесят тысяч рублей 00 копеек'."""
    rub, kop = divmod(kopecks, 100)
    words: list[str] = []
    for scale, forms, fem in ((10**6, ("миллион", "миллиона", "миллионов"), False),
                              (1000, ("тысяча", "тысячи", "тысяч"), True)):
        if part := rub // scale % 1000:
            words += [*_triple(part, fem), _plural(part, forms)]
    words += _triple(rub % 1000, False) or ([] if words else ["ноль"])
    words += [_plural(rub, ("рубль", "рубля", "рублей")), f"{kop:02d}"]
    text = " ".join([*words, _plural(kop, ("копейка", "копейки", "копеек"))])
    return text[0].upper() + text[1:]


def money(kopecks: int) -> str:
    """Russian money format, 1 250 000,00, with no-break spaces so amounts never wrap."""
    rub, kop = divmod(kopecks, 100)
    return f"{rub:,}".replace(",", "\u00a0") + f",{kop:02d}"


def _inn(rng: random.Random) -> str:
    """A 10-digit legal-entity ИНН with a valid check digit."""
    digits = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(8)]
    check = sum(d * w for d, w in zip(digits, (2, 4, 10, 3, 5, 9, 4, 6, 8), strict=True))
    return "".join(map(str, [*digits, check % 11 % 10]))


def _digits(rng: random.Random, n: int) -> str:
    return "".join(str(rng.randint(0, 9)) for _ in range(n))


def _date(rng: random.Random) -> tuple[int, int, int]:
    return rng.randint(1, 28), rng.randint(1, 12), rng.choice((2023, 2024, 2025))


def _long_date(d: tuple[int, int, int]) -> str:
    return f"«{d[0]:02d}» {MONTHS.split()[d[1] - 1]} {d[2]} г."


def _short_date(d: tuple[int, int, int]) -> str:
    return f"{d[0]:02d}.{d[1]:02d}.{d[2]}"


class _Party:
    """A company with its director and requisites, all drawn from one rng."""

    def __init__(self, rng: random.Random) -> None:
        title, self.domain = rng.choice(COMPANIES)
        self.name = f"ООО «{title}»"
        self.person = p = rng.choice(PERSONS)
        self.city, index, street = rng.choice(CITIES)
        house, office = rng.randint(1, 120), rng.randint(1, 40)
        self.address = f"{index}, г. {self.city}, {street}, д. {house}, офис {office}"
        self.inn = _inn(rng)
        self.kpp = self.inn[:4] + "01001"
        self.account, self.bik = "40702810" + _digits(rng, 12), "0445" + _digits(rng, 5)
        self.email = f"{rng.choice(('info', 'sales', 'office', 'buh'))}@{self.domain}"
        self.phone = f"+7 ({rng.randint(300, 499)}) {rng.randint(100, 999)}-{_digits(rng, 2)}-"
        self.phone += _digits(rng, 2)
        self.initials = f"{p[3][0]}. {p[5][0]}. {p[0]}"  # П. С. Иванов
        self.initials_dat = f"{p[3][0]}. {p[5][0]}. {p[1]}"  # П. С. Иванову
        self.director_gen = f"{p[2]} {p[4]} {p[6]}"  # Иванова Петра Сергеевича


def _two_parties(rng: random.Random) -> tuple[_Party, _Party]:
    a, b = _Party(rng), _Party(rng)
    while b.name == a.name or b.person == a.person:
        b = _Party(rng)
    return a, b


def _lower_first(name: str) -> str:
    """'Монитор Samsung' -> 'монитор Samsung' mid-sentence, but keep 'ИБП APC'."""
    return name[0].lower() + name[1:] if name[1:2].islower() else name


# --- documents ---------------------------------------------------------------
def make_contract(seed: int = 0) -> SynthDoc:
    """A two-page «Договор поставки»: numbered sections, requisites, running header/footer."""
    rng = random.Random(seed)
    sup, buy = _two_parties(rng)
    when = _date(rng)
    number = f"{rng.randint(1, 99)}/{when[2] % 100}-П"
    total = rng.randint(150, 4000) * 1000_00
    warranty = rng.choice((6, 12, 24, 36))
    sections = _sections(
        CONTRACT, rng, kind=rng.choice(GOODS_KINDS), g1=_lower_first(rng.choice(GOODS[:6])[0]),
        g2=_lower_first(rng.choice(GOODS[6:])[0]), total=money(total),
        total_words=rubles_in_words(total), vat=money(round(total * 20 / 120)),
        pre=rng.choice((30, 50, 100)), days=rng.randint(3, 10), pay_days=rng.randint(5, 15),
        lead=rng.randint(5, 30), address=buy.address,
        warranty=f"{warranty} {_plural(warranty, ('месяц', 'месяца', 'месяцев'))}",
        penalty=rng.choice(("0,1", "0,05", "0,3")), claim_days=rng.choice((10, 15, 30)),
        year=when[2], email1=sup.email, email2=buy.email)
    doc = _Layout("DejaVuSerif", rng.choice((10.5, 11.0)),
                  header=f"Договор поставки № {number} от {_short_date(when)}",
                  footer="Страница {page} из {pages}")
    doc.para(f"ДОГОВОР ПОСТАВКИ № {number}", size=14, bold=True, align="center")
    doc.para(f"г. {sup.city}, {_long_date(when)}", align="right", after=10)
    doc.para(f"{sup.name}, именуемое в дальнейшем «Поставщик», в лице генерального директора "
             f"{sup.director_gen}, действующего на основании Устава, с одной стороны, и "
             f"{buy.name}, именуемое в дальнейшем «Покупатель», в лице генерального директора "
             f"{buy.director_gen}, действующего на основании Устава, с другой стороны, "
             "заключили настоящий договор о нижеследующем.")
    for s, (title, clauses) in enumerate(sections, 1):
        doc.para(f"{s}. {title}", bold=True, before=6)
        for c, clause in enumerate(clauses, 1):
            doc.para(f"{s}.{c}. {clause}")
    doc.para(f"{len(sections) + 1}. Адреса и реквизиты сторон", bold=True, before=6)
    for role, p in (("Поставщик", sup), ("Покупатель", buy)):
        doc.lines(f"{role}: {p.name}", f"ИНН {p.inn}, КПП {p.kpp}", f"Адрес: {p.address}",
                  f"Р/с {p.account}, БИК {p.bik}", f"E-mail: {p.email}, тел. {p.phone}", after=0)
        doc.para(f"Генеральный директор {SIGN} {p.initials}", before=10, after=12)
    return doc.finish(f"contract_{seed}")


def make_invoice(seed: int = 0) -> SynthDoc:
    """A one-page «Счёт на оплату» with a ruled goods table, totals and НДС."""
    rng = random.Random(seed)
    sup, buy = _two_parties(rng)
    when = _date(rng)
    doc = _Layout("DejaVuSans", 10.0, footer=f"{sup.name} · www.{sup.domain} · {sup.phone}")
    doc.lines(f"Получатель: {sup.name}", f"ИНН {sup.inn}, КПП {sup.kpp}",
              f"Банк получателя: ПАО Сбербанк, г. {sup.city}",
              f"БИК {sup.bik}, расчетный счет {sup.account}", after=12)
    title = f"Счёт на оплату № {rng.randint(10, 999)} от {_long_date(when)}"
    doc.para(title, size=14, bold=True, after=10)
    doc.para(f"Поставщик: {sup.name}, ИНН {sup.inn}, адрес: {sup.address}")
    doc.para(f"Покупатель: {buy.name}, ИНН {buy.inn}, адрес: {buy.address}")
    doc.para(f"Основание: договор поставки № {rng.randint(1, 99)}/{when[2] % 100}-П", after=10)
    rows = [["№", "Наименование товара", "Кол-во", "Цена, руб.", "Сумма, руб."]]
    total = 0
    for i, (name, lo, hi) in enumerate(rng.sample(GOODS, rng.randint(3, 7)), 1):
        qty, price = rng.randint(1, 20), rng.randint(lo // 10, hi // 10) * 10_00
        total += qty * price
        rows.append([str(i), name, f"{qty} шт.", money(price), money(qty * price)])
    doc.table([28, 226, 54, 86, 89], rows, ["center", "left", "right", "right", "right"])
    vat = round(total * 20 / 120)
    for label, value in (
        ("Итого", total),
        ("В том числе НДС (20%)", vat),
        ("Всего к оплате", total),
    ):
        doc.para(f"{label}: {money(value)} руб.", bold=True, align="right", after=2)
    doc.para(f"Всего наименований {len(rows) - 1}, на сумму {money(total)} руб.", before=8)
    doc.para(rubles_in_words(total), bold=True, after=10)
    doc.para("Оплата данного счета означает согласие с условиями поставки товара.",
             f"Счет действителен к оплате в течение {rng.choice((3, 5, 10))} банковских дней.",
             "Товар отпускается по факту прихода денег на расчетный счет Поставщика.", after=24)
    doc.para(f"Руководитель {SIGN} {sup.initials}", after=12)
    doc.para(f"Бухгалтер {SIGN} {rng.choice(ACCOUNTANTS)}")
    return doc.finish(f"invoice_{seed}")


def make_letter(seed: int = 0) -> SynthDoc:
    """A one-page business letter; the letterhead is its running header."""
    rng = random.Random(seed)
    sup, buy = _two_parties(rng)
    when, due = _date(rng), _date(rng)
    g1, g2, g3 = (_lower_first(g[0]) for g in rng.sample(GOODS, 3))
    topics = _sections(LETTER, rng, contract=f"{rng.randint(1, 99)}/{when[2] % 100}-П",
                       due=_long_date(due), buyer=buy.name, email=sup.email, phone=sup.phone,
                       amount=money(rng.randint(50, 900) * 1000_00), days=rng.choice((5, 10, 14)),
                       g1=g1, g2=g2, g3=g3)
    subject, body = rng.choice(topics)
    doc = _Layout("DejaVuSans", rng.choice((11.0, 12.0)),
                  header=f"{sup.name} · {sup.address} · {sup.email}")
    doc.para(f"Исх. № {rng.randint(10, 999)} от {_short_date(when)}", after=14)
    doc.lines("Генеральному директору", buy.name, buy.initials_dat, align="right", after=18)
    doc.para(subject, bold=True, after=14)
    doc.para(f"Уважаемый {buy.person[3]} {buy.person[5]}!", align="center", after=10)
    cut = sorted(rng.sample(range(1, len(body)), 2))  # 2-3 paragraphs, seed-dependent
    for part in (body[: cut[0]], body[cut[0] : cut[1]], body[cut[1] :]):
        if part:
            doc.para(*part, after=8)
    doc.para("Надеемся на дальнейшее плодотворное сотрудничество.", after=24)
    doc.para("С уважением,", after=4)
    doc.para(f"Генеральный директор {sup.name} {SIGN} {sup.initials}", after=40)
    doc.para(f"Исполнитель: {rng.choice(ACCOUNTANTS)}, тел. {sup.phone}", size=9)
    return doc.finish(f"letter_{seed}")


GENERATORS: dict[str, Callable[[int], SynthDoc]] = {
    "contract": make_contract, "invoice": make_invoice, "letter": make_letter}
