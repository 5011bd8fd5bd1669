"""Deterministic Russian business documents (договор, счёт, письмо) with ground truth.

Text is laid out line by line by a tiny layout engine so that the recorded
sentences are exactly what is visible on the page (no surprise wrapping).
"""

from __future__ import annotations

import functools
import io
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
PAGE_W, PAGE_H = A4
MARGIN_X, TOP, BOTTOM = 56.0, PAGE_H - 64.0, 64.0
MIN_SENTENCE = 15  # shorter strings are too fragile to count as ground truth


@dataclass
class SynthDoc:
    """A generated document: born-digital PDF plus the text that must be recognised."""

    name: str
    pdf: bytes
    sentences: list[str]
    headers_footers: list[str]
    pages: int


@functools.cache
def _register_fonts() -> None:
    for family in ("DejaVuSans", "DejaVuSerif"):
        for suffix in ("", "-Bold"):
            pdfmetrics.registerFont(TTFont(family + suffix, str(FONT_DIR / f"{family}{suffix}.ttf")))


class _Layout:
    """Collects drawing ops per page; renders at the end so footers know the page count."""

    def __init__(self, family: str, size: float, header: str = "", footer: str = "") -> None:
        _register_fonts()
        self.family, self.size, self.header, self.footer = family, size, header, footer
        self.pages: list[list[tuple]] = [[]]
        self.y = TOP
        self.sentences: list[str] = []

    def font(self, bold: bool = False) -> str:
        return self.family + ("-Bold" if bold else "")

    def record(self, text: str) -> None:
        text = " ".join(text.split())
        if len(text) >= MIN_SENTENCE:
            self.sentences.append(text)

    def ensure(self, height: float) -> None:
        """Start a new page unless `height` points still fit (keeps paragraphs unsplit)."""
        if self.y - height < BOTTOM:
            self.pages.append([])
            self.y = TOP

    def wrap(self, text: str, font: str, size: float, width: float) -> list[str]:
        lines: list[str] = []
        for word in text.split(" "):  # not split(): NBSP must keep amounts on one line
            if lines and pdfmetrics.stringWidth(f"{lines[-1]} {word}", font, size) <= width:
                lines[-1] += " " + word
            else:
                lines.append(word)
        return lines

    def para(self, *sentences: str, size: float | None = None, bold: bool = False,
             indent: float = 0.0, align: str = "left", before: float = 0.0, after: float = 4.0) -> None:
        """Draw sentences as one wrapped paragraph and record each as ground truth."""
        size = size or self.size
        width = PAGE_W - 2 * MARGIN_X - indent
        lines = self.wrap(" ".join(sentences), self.font(bold), size, width)
        lead = size * 1.35
        self.y -= before
        self.ensure(lead * len(lines))
        for line in lines:
            x = {"left": MARGIN_X + indent, "right": PAGE_W - MARGIN_X,
                 "center": PAGE_W / 2}[align]
            self.pages[-1].append(("t", x, self.y - size, self.font(bold), size, line, align))
            self.y -= lead
        self.y -= after
        for sentence in sentences:
            self.record(sentence)

    def lines(self, *items: str, after: float = 4.0, **kw: Any) -> None:
        """Each item on its own line(s), e.g. an address block."""
        for item in items:
            self.para(item, after=0, **kw)
        self.y -= after

    def table(self, widths: list[float], rows: list[list[str]], aligns: list[str],
              size: float = 10.0) -> None:
        """A fully ruled table; the first row is a bold header."""
        h = size * 2.1
        self.ensure(h * len(rows))
        top, ops = self.y, self.pages[-1]
        for r, row in enumerate(rows):
            base = top - r * h - h / 2 - size * 0.35
            x = MARGIN_X
            for cell, w, al in zip(row, widths, aligns, strict=True):
                font = self.font(bold=r == 0)
                if pdfmetrics.stringWidth(cell, font, size) > w - 8:
                    raise ValueError(f"table cell too wide: {cell!r}")
                tx = {"left": x + 4, "right": x + w - 4, "center": x + w / 2}[al]
                ops.append(("t", tx, base, font, size, cell, al))
                self.record(cell)
                x += w
        bottom, right = top - h * len(rows), MARGIN_X + sum(widths)
        ops += [("l", MARGIN_X, top - r * h, right, top - r * h) for r in range(len(rows) + 1)]
        xs = [MARGIN_X + sum(widths[:i]) for i in range(len(widths) + 1)]
        ops += [("l", x, top, x, bottom) for x in xs]
        self.y = bottom - 10

    def render(self) -> tuple[bytes, list[str]]:
        buf = io.BytesIO()
        # invariant=1 drops timestamps/random IDs so the same seed gives the same bytes
        c = Canvas(buf, pagesize=A4, invariant=1)
        c.setCreator("docparse tests/synth")
        hf: list[str] = [self.header] if self.header else []
        for i, ops in enumerate(self.pages, 1):
            c.setFillGray(0.3)
            if self.header:
                c.setFont(self.family, 8.5)
                c.drawString(MARGIN_X, PAGE_H - 38, self.header)
                c.setLineWidth(0.5)
                c.line(MARGIN_X, PAGE_H - 44, PAGE_W - MARGIN_X, PAGE_H - 44)
            if self.footer:
                text = self.footer.format(page=i, pages=len(self.pages))
                c.setFont(self.family, 8.5)
                c.drawCentredString(PAGE_W / 2, 32, text)
                hf.append(text)
            c.setFillGray(0.0)
            c.setLineWidth(0.8)
            for op in ops:
                if op[0] == "l":
                    c.line(*op[1:])
                    continue
                _, x, y, font, size, text, align = op
                c.setFont(font, size)
                draw = {"left": c.drawString, "right": c.drawRightString,
                        "center": c.drawCentredString}[align]
                draw(x, y, text)
            c.showPage()
        c.save()
        return buf.getvalue(), list(dict.fromkeys(hf))

    def finish(self, name: str) -> SynthDoc:
        pdf, hf = self.render()
        return SynthDoc(name, pdf, self.sentences, hf, len(self.pages))


# --- word lists -------------------------------------------------------------
COMPANIES = [("Альфа-Снаб", "alfa-snab.ru"), ("СеверТорг", "severtorg.ru"),
             ("ТехноСервис", "technoservice.ru"), ("Вектор", "vector-group.ru"),
             ("Промресурс", "promresurs.ru"), ("Nord Trade", "nordtrade.ru"),
             ("Балтика Логистик", "baltlog.ru"), ("Delta Systems", "deltasys.ru"),
             ("Уралстрой", "uralstroy.ru"), ("ИнфоСистемы", "infosystems.ru")]
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
GOODS = [("Ноутбук Lenovo ThinkPad E14", 55000, 90000), ("Монитор Samsung S24R350", 11000, 16000),
         ("Принтер HP LaserJet Pro M404dn", 25000, 40000), ("Бумага офисная SvetoCopy, 500 л.", 300, 450),
         ("Картридж Canon 737, черный", 3000, 6000), ("Кресло офисное «Бюрократ» CH-868", 8000, 15000),
         ("Маршрутизатор TP-Link Archer C6", 2500, 4500), ("ИБП APC Back-UPS 650 ВА", 6000, 9000),
         ("Клавиатура Logitech K120, USB", 800, 1500), ("Папка-регистратор 75 мм, синяя", 150, 300),
         ("Шредер Office Kit S100", 5000, 9000), ("Флеш-накопитель Kingston 64 ГБ", 500, 1200)]
GOODS_KINDS = ["компьютерную и офисную технику", "офисную мебель и оборудование",
               "расходные материалы для оргтехники", "сетевое оборудование и комплектующие"]
MONTHS = "января февраля марта апреля мая июня июля августа сентября октября ноября декабря".split()

# --- numbers and requisites --------------------------------------------------
_ONES = ("ноль один два три четыре пять шесть семь восемь девять десять одиннадцать двенадцать "
         "тринадцать четырнадцать пятнадцать шестнадцать семнадцать восемнадцать девятнадцать").split()
_TENS = "_ _ двадцать тридцать сорок пятьдесят шестьдесят семьдесят восемьдесят девяносто".split()
_HUNDREDS = "_ сто двести триста четыреста пятьсот шестьсот семьсот восемьсот девятьсот".split()


def _plural(n: int, forms: tuple[str, str, str]) -> str:
    if 11 <= n % 100 <= 14:
        return forms[2]
    return forms[0] if n % 10 == 1 else forms[1] if 2 <= n % 10 <= 4 else forms[2]


def _triple(n: int, feminine: bool) -> list[str]:
    words = [_HUNDREDS[n // 100]] if n >= 100 else []
    n %= 100
    if n >= 20:
        words.append(_TENS[n // 10])
        n %= 10
    if n:
        words.append(("одна", "две")[n - 1] if feminine and n <= 2 else _ONES[n])
    return words


def rubles_in_words(kopecks: int) -> str:
    """1250000_00 -> 'Один миллион двести пятьдесят тысяч рублей 00 копеек'."""
    rub, kop = divmod(kopecks, 100)
    words: list[str] = []
    for scale, forms, fem in ((10**6, ("миллион", "миллиона", "миллионов"), False),
                              (1000, ("тысяча", "тысячи", "тысяч"), True)):
        part = rub // scale % 1000
        if part:
            words += _triple(part, fem) + [_plural(part, forms)]
    words += _triple(rub % 1000, False) or ([] if words else ["ноль"])
    text = " ".join(words + [_plural(rub, ("рубль", "рубля", "рублей")), f"{kop:02d}",
                             _plural(kop, ("копейка", "копейки", "копеек"))])
    return text[0].upper() + text[1:]


def money(kopecks: int) -> str:
    """Russian money format: 1 250 000,00."""
    rub, kop = divmod(kopecks, 100)
    return f"{rub:,}".replace(",", "\u00a0") + f",{kop:02d}"


def _inn(rng: random.Random) -> str:
    """A 10-digit legal-entity ИНН with a valid check digit."""
    digits = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(8)]
    check = sum(d * w for d, w in zip(digits, (2, 4, 10, 3, 5, 9, 4, 6, 8), strict=True)) % 11 % 10
    return "".join(map(str, digits + [check]))


def _digits(rng: random.Random, n: int) -> str:
    return "".join(str(rng.randint(0, 9)) for _ in range(n))


def _date(rng: random.Random, month: int | None = None) -> tuple[int, int, int]:
    return rng.randint(1, 28), month or rng.randint(1, 12), rng.choice((2023, 2024, 2025))


def _long_date(d: tuple[int, int, int]) -> str:
    return f"«{d[0]:02d}» {MONTHS[d[1] - 1]} {d[2]} г."


@dataclass
class _Party:
    """A company with its director and bank requisites, all drawn from one rng."""

    rng: random.Random
    name: str = field(init=False)

    def __post_init__(self) -> None:
        rng = self.rng
        title, self.domain = rng.choice(COMPANIES)
        self.name = f"ООО «{title}»"
        self.person = rng.choice(PERSONS)
        self.city, index, street = rng.choice(CITIES)
        self.address = f"{index}, г. {self.city}, {street}, д. {rng.randint(1, 120)}, офис {rng.randint(1, 40)}"
        self.inn = _inn(rng)
        self.kpp = self.inn[:4] + "01001"
        self.account = "40702810" + _digits(rng, 12)
        self.bik = "0445" + _digits(rng, 5)
        self.email = f"{rng.choice(('info', 'sales', 'office', 'buh'))}@{self.domain}"
        self.phone = f"+7 ({rng.randint(300, 499)}) {rng.randint(100, 999)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}"

    @property
    def initials(self) -> str:  # "П. С. Иванов"
        return f"{self.person[3][0]}. {self.person[5][0]}. {self.person[0]}"

    @property
    def director_gen(self) -> str:  # "Иванова Петра Сергеевича"
        return f"{self.person[2]} {self.person[4]} {self.person[6]}"


def _two_parties(rng: random.Random) -> tuple[_Party, _Party]:
    a = _Party(rng)
    b = _Party(rng)
    while b.name == a.name or b.person == a.person:
        b = _Party(rng)
    return a, b


# --- documents ---------------------------------------------------------------
def make_contract(seed: int = 0) -> SynthDoc:
    """A two-page «Договор поставки» with numbered sections, requisites and running header."""
    rng = random.Random(seed)
    sup, buy = _two_parties(rng)
    when = _date(rng)
    number = f"{rng.randint(1, 99)}/{when[2] % 100}-П"
    total = rng.randint(150, 4000) * 1000_00
    vat = round(total * 20 / 120)
    g1, g2 = (g[0] for g in rng.sample(GOODS, 2))
    pre, days, pay_days = rng.choice((30, 50, 100)), rng.randint(3, 10), rng.randint(5, 15)
    penalty, warranty = rng.choice(("0,1", "0,05", "0,3")), rng.choice((6, 12, 24, 36))
    doc = _Layout("DejaVuSerif", rng.choice((10.5, 11.0)),
                  header=f"Договор поставки № {number} от {when[0]:02d}.{when[1]:02d}.{when[2]}",
                  footer="Страница {page} из {pages}")
    doc.para(f"ДОГОВОР ПОСТАВКИ № {number}", size=14, bold=True, align="center")
    doc.para(f"г. {sup.city}, {_long_date(when)}", align="right", after=10)
    doc.para(f"{sup.name}, именуемое в дальнейшем «Поставщик», в лице генерального директора "
             f"{sup.director_gen}, действующего на основании Устава, с одной стороны, и {buy.name}, "
             f"именуемое в дальнейшем «Покупатель», в лице генерального директора {buy.director_gen}, "
             "действующего на основании Устава, с другой стороны, заключили настоящий договор о нижеследующем.")
    sections = {
        "Предмет договора": [
            f"Поставщик обязуется передать в собственность Покупателя {rng.choice(GOODS_KINDS)}, "
            "а Покупатель обязуется принять и оплатить товар на условиях настоящего договора.",
            "Наименование, количество, ассортимент и цена товара определяются в Спецификации, "
            "являющейся неотъемлемой частью договора.",
            f"В состав поставки входят, в частности, следующие позиции: {g1} и {g2}.",
            "Поставщик гарантирует, что товар свободен от прав третьих лиц и не находится под арестом."],
        "Цена и порядок расчетов": [
            f"Общая сумма договора составляет {money(total)} руб. ({rubles_in_words(total)}), "
            f"в том числе НДС 20% в размере {money(vat)} руб.",
            f"Покупатель производит предоплату в размере {pre}% от суммы договора в течение "
            f"{days} банковских дней с даты подписания договора.",
            f"Окончательный расчет производится в течение {pay_days} дней после подписания товарной накладной.",
            "Датой оплаты считается дата зачисления денежных средств на расчетный счет Поставщика."],
        "Сроки и порядок поставки": [
            f"Поставка товара осуществляется в течение {rng.randint(5, 30)} рабочих дней с момента получения предоплаты.",
            f"Доставка товара производится силами Поставщика по адресу: {buy.address}.",
            "Приемка товара по количеству и качеству осуществляется в момент передачи товара Покупателю."],
        "Качество товара и гарантии": [
            "Качество товара должно соответствовать требованиям ГОСТ и техническим условиям производителя.",
            f"Гарантийный срок на товар составляет {warranty} {_plural(warranty, ('месяц', 'месяца', 'месяцев'))} с даты поставки.",
            "Товар, не соответствующий требованиям, подлежит замене за счет Поставщика в течение 10 дней."],
        "Ответственность сторон": [
            f"За нарушение сроков поставки Поставщик уплачивает пеню в размере {penalty}% от стоимости "
            "непоставленного товара за каждый день просрочки.",
            f"За нарушение сроков оплаты Покупатель уплачивает пеню в размере {penalty}% от неоплаченной "
            "суммы за каждый день просрочки.",
            "Стороны освобождаются от ответственности при наступлении обстоятельств непреодолимой силы."],
        "Порядок разрешения споров": [
            "Споры разрешаются путем переговоров, а при недостижении согласия передаются "
            f"в Арбитражный суд г. {sup.city}.",
            f"Срок ответа на претензию составляет {rng.choice((10, 15, 30))} календарных дней с даты ее получения."],
        "Прочие условия": [
            f"Договор вступает в силу с момента подписания и действует до 31 декабря {when[2]} г.",
            "Стороны признают юридическую силу документов, переданных по электронной почте: "
            f"{sup.email} и {buy.email}.",
            "Договор составлен в двух экземплярах, имеющих одинаковую юридическую силу, по одному для каждой из сторон."],
    }
    for s, (title, clauses) in enumerate(sections.items(), 1):
        doc.para(f"{s}. {title}", bold=True, before=6)
        # optional clauses make layouts differ between seeds
        kept = [c for i, c in enumerate(clauses) if i < 2 or rng.random() < 0.7]
        for c, clause in enumerate(kept, 1):
            doc.para(f"{s}.{c}. {clause}")
    doc.para(f"{len(sections) + 1}. Адреса и реквизиты сторон", bold=True, before=6)
    for role, p in (("Поставщик", sup), ("Покупатель", buy)):
        doc.lines(f"{role}: {p.name}", f"ИНН {p.inn}, КПП {p.kpp}", f"Адрес: {p.address}",
                  f"Р/с {p.account}, БИК {p.bik}", f"E-mail: {p.email}, тел. {p.phone}", after=0)
        doc.para(f"Генеральный директор ____________ {p.initials}", before=10, after=12)
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
    doc.para(f"Счёт на оплату № {rng.randint(10, 999)} от {_long_date(when)}", size=14, bold=True, after=10)
    doc.para(f"Поставщик: {sup.name}, ИНН {sup.inn}, адрес: {sup.address}")
    doc.para(f"Покупатель: {buy.name}, ИНН {buy.inn}, адрес: {buy.address}")
    doc.para(f"Основание: договор поставки № {rng.randint(1, 99)}/{when[2] % 100}-П", after=10)
    rows = [["№", "Наименование товара", "Кол-во", "Цена, руб.", "Сумма, руб."]]
    total = 0
    for i, (name, lo, hi) in enumerate(rng.sample(GOODS, rng.randint(3, 7)), 1):
        qty, price = rng.randint(1, 20), rng.randint(lo // 10, hi // 10) * 10_00
        total += qty * price
        rows.append([str(i), name, f"{qty} шт.", money(price), money(qty * price)])
    doc.table([24, 228, 56, 86, 89], rows, ["center", "left", "right", "right", "right"])
    vat = round(total * 20 / 120)
    for label, value in (("Итого", total), ("В том числе НДС (20%)", vat), ("Всего к оплате", total)):
        doc.para(f"{label}: {money(value)} руб.", bold=True, align="right", after=2)
    doc.para(f"Всего наименований {len(rows) - 1}, на сумму {money(total)} руб.", before=8)
    doc.para(rubles_in_words(total), bold=True, after=10)
    doc.para("Оплата данного счета означает согласие с условиями поставки товара.",
             f"Счет действителен к оплате в течение {rng.choice((3, 5, 10))} банковских дней.",
             "Товар отпускается по факту прихода денег на расчетный счет Поставщика.", after=24)
    doc.para(f"Руководитель ____________ {sup.initials}", after=12)
    doc.para(f"Бухгалтер ____________ {rng.choice(ACCOUNTANTS)}")
    return doc.finish(f"invoice_{seed}")


def make_letter(seed: int = 0) -> SynthDoc:
    """A one-page business letter on letterhead (the letterhead is the running header)."""
    rng = random.Random(seed)
    sup, buy = _two_parties(rng)
    when, due = _date(rng), _date(rng)
    contract = f"{rng.randint(1, 99)}/{when[2] % 100}-П"
    amount = money(rng.randint(50, 900) * 1000_00)
    goods = [g[0] for g in rng.sample(GOODS, 3)]
    topics = [
        ("О переносе сроков поставки", [
            f"Настоящим сообщаем, что в связи с задержкой поступления товара от производителя поставка по "
            f"договору № {contract} будет осуществлена до {_long_date(due)}",
            f"Задержка вызвана увеличением сроков таможенного оформления позиции {goods[0]}.",
            "Все остальные условия договора, включая цену и гарантийные обязательства, остаются без изменений.",
            "Приносим извинения за причиненные неудобства и благодарим за понимание."]),
        ("О погашении задолженности", [
            f"Напоминаем, что по состоянию на {_long_date(due)} за {buy.name} числится задолженность "
            f"по договору № {contract} в размере {amount} руб.",
            f"Просим погасить задолженность в течение {rng.randint(3, 10)} банковских дней с даты получения письма.",
            f"Если оплата уже произведена, просим направить копию платежного поручения на адрес {sup.email}.",
            "В противном случае мы будем вынуждены начислить пеню в соответствии с условиями договора."]),
        ("О коммерческом предложении", [
            "Благодарим Вас за интерес к продукции нашей компании.",
            f"Направляем предложение на поставку товаров: {goods[0]}, {goods[1]} и {goods[2]}.",
            f"Общая стоимость предложения составляет {amount} руб., включая НДС 20%.",
            f"Предложение действительно в течение {rng.choice((10, 14, 30))} дней с даты настоящего письма.",
            f"Будем рады ответить на Ваши вопросы по телефону {sup.phone} или по адресу {sup.email}."]),
    ]
    subject, body = rng.choice(topics)
    doc = _Layout("DejaVuSans", rng.choice((11.0, 12.0)),
                  header=f"{sup.name} · {sup.address} · {sup.email}")
    doc.para(f"Исх. № {rng.randint(10, 999)} от {when[0]:02d}.{when[1]:02d}.{when[2]}", after=14)
    doc.lines("Генеральному директору", buy.name,
             f"{buy.person[3][0]}. {buy.person[5][0]}. {buy.person[1]}", align="right", after=18)
    doc.para(f"{subject}", bold=True, after=14)
    doc.para(f"Уважаемый {buy.person[3]} {buy.person[5]}!", align="center", after=10)
    # split the body into 2-3 paragraphs at seed-dependent points
    cut = sorted(rng.sample(range(1, len(body)), 2))
    for part in (body[: cut[0]], body[cut[0]: cut[1]], body[cut[1]:]):
        if part:
            doc.para(*part, after=8)
    doc.para("Надеемся на дальнейшее плодотворное сотрудничество.", after=24)
    doc.para("С уважением,", after=4)
    doc.para(f"Генеральный директор {sup.name} ____________ {sup.initials}", after=40)
    doc.para(f"Исполнитель: {rng.choice(ACCOUNTANTS)}, тел. {sup.phone}", size=9)
    return doc.finish(f"letter_{seed}")


GENERATORS: dict[str, Callable[[int], SynthDoc]] = {
    "contract": make_contract, "invoice": make_invoice, "letter": make_letter}
