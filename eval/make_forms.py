"""Write the forms set: Russian documents in layouts our other generators do not draw
(ТОРГ-12 and УПД with two-level table heads, orders with a stamp and a signature over the
text, leaflets in display type, long registers, two-column articles, price lists, payment
orders), written as HTML and printed by Chromium, as scans and as born-digital PDFs.

    .venv/bin/python eval/make_forms.py /tmp/forms_eval      # needs Debian's chromium
    .venv/bin/docparse eval /tmp/forms_eval                  # reads checks.jsonl

Each document is written twice with the same checks: as a scan (an image PDF, JPEG, PNG or
TIFF at 150-300 dpi, or a phone photo) and as Chromium's own PDF (NAME_digital.pdf). The
truth is the generator's data, verified before it is written: every text is found in
PDFium's text of the born-digital PDF, every table check passes on the document's own
HTML tables, and reading order across columns comes from where PDFium puts the letters.
Seeds fix the output (same seeds, same bytes).
"""

from __future__ import annotations

import argparse
import base64
import html
import io
import json
import math
import random
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
from PIL import Image, ImageDraw, ImageFont

sys.path.insert(0, str(Path(__file__).resolve().parent))  # make_russian, beside this file

import make_russian  # noqa: F401  first: it puts the repository on the path
from make_fonts import Scan, write_scan
from tests.fixtures.degrade import degrade, phone_photo, rasterize

from docparse.ops.checks import Check, distance, normalize, parse_tables

E = html.escape


def lines(text: str, sep: str = "") -> list[Any]:
    """One item a line (split at `sep` into fields when given)."""
    rows = [ln.strip() for ln in text.strip().splitlines()]
    return [ln.split(sep) for ln in rows] if sep else rows


MONTHS = lines("января\nфевраля\nмарта\nапреля\nмая\nиюня\nиюля\nавгуста\nсентября\nоктября")
COUNTS = lines("пять\nшесть\nсемь\nвосемь\nдевять\nдесять\nодиннадцать\nдвенадцать")
NAMES = lines("""Волжская мануфактура\nТехнопарк-Сервис\nУралхимснаб\nБалтийский терминал
    Сибирская лесная компания\nАгрокомплекс Заречье\nМедтехника Плюс\nПолимерстрой
    Оптима Логистик\nСеверный ветер\nСтройресурс\nПриокский хлебозавод""")
PLACES = lines(
    """Казань|420021|ул. Заводская\nЕкатеринбург|620014|ул. Малышева
    Нижний Новгород|603005|ул. Ильинская\nСамара|443010|ул. Садовая\nТверь|170100|ул. Советская
    Ярославль|150000|пр-т Октября\nПермь|614000|ул. Пушкина\nКалуга|248000|ул. Кирова""",
    "|",
)
BANKS = lines("ПАО Сбербанк\nБанк ВТБ (ПАО)\nАО «Альфа-Банк»\nАО «Россельхозбанк»")
PEOPLE = lines("""Соколова Н. В.\nКузнецов А. П.\nБелова Е. Ю.\nГромов Д. С.\nОрлова Т. М.
    Захаров И. Л.\nМихайлова О. Г.\nЛебедев К. А.\nЕгорова С. Р.\nТихонов В. Б.""")
GOODS = lines(
    """Бумага офисная А4, 80 г/м2, 500 листов|пач|728
    Картридж лазерный для принтера, чёрный|шт|796
    Папка-регистратор с арочным механизмом, 75 мм|шт|796
    Лента упаковочная прозрачная 48 мм|рул|736
    Мешок полипропиленовый для мусора 120 л|упак|778
    Средство моющее для пола, концентрат|л|112
    Чай чёрный байховый листовой, 100 г|упак|778
    Кофе натуральный в зёрнах, 1 кг|упак|778
    Вода питьевая негазированная, 19 л|шт|796
    Перчатки нитриловые смотровые, размер M|упак|778
    Кабель силовой медный ВВГнг 3х2,5|м|006
    Краска фасадная акриловая белая|кг|166
    Смазка литиевая универсальная|кг|166
    Масло моторное полусинтетическое 5W-40|л|112
    Плитка керамическая настенная 20х30|м2|055
    Саморез по дереву оцинкованный 4,2х76|упак|778
    Светильник светодиодный потолочный 36 Вт|шт|796
    Огнетушитель порошковый ОП-4|шт|796
    Труба полипропиленовая армированная 25 мм|м|006
    Цемент портландский ЦЕМ I 42,5Н, мешок 50 кг|шт|796
    Песок строительный карьерный|т|168
    Костюм рабочий летний, размер 52-54|компл|839
    Сапоги резиновые утеплённые, размер 43|пар|715
    Стеллаж металлический архивный 2000х1000|шт|796""",
    "|",
)
SUBJECTS = lines("""Поставка канцелярских товаров\nАренда складского помещения
    Техническое обслуживание лифтов\nВывоз твёрдых коммунальных отходов
    Охрана административного здания\nУслуги связи и доступа к интернету
    Поставка спецодежды и средств защиты\nРемонт кровли производственного цеха
    Обслуживание пожарной сигнализации\nЮридическое сопровождение сделок""")
ASSETS = lines("""Ноутбук для бухгалтерии\nПринтер лазерный цветной\nКондиционер настенный
    Стеллаж складской паллетный\nПогрузчик электрический\nСервер стоечный
    Станок сверлильный настольный\nФургон грузовой цельнометаллический
    Шкаф металлический для документов\nКомпрессор поршневой\nГенератор дизельный резервный""")
UNITS = lines("Бухгалтерия\nСклад № 2\nЦех сборки\nОтдел продаж\nАдминистрация\nГараж")
# An article's sentences: subject, verb, object, circumstance (no digits: folios stay unique).
VERBS = lines("""показывает\nподтверждает\nпозволяет оценить\nвыявляет\nнаглядно демонстрирует
    заставляет учитывать""")
THEMES = {
    "logistics": (
        "Грузовая логистика малых городов: узкие места и резервы",
        "ЭКОНОМИКА РЕГИОНОВ",
        lines("""Анализ грузопотоков\nОпрос перевозчиков\nСравнение тарифов
            Моделирование маршрутов\nОбследование складов\nРасчёт издержек\nДинамика перевозок
            Структура спроса\nОпыт соседних регионов\nРазвитие сетевой торговли"""),
        lines("""высокую долю порожних пробегов\nзависимость стоимости доставки от расстояния
            нехватку складских площадей\nрост числа мелких отправок\nсезонные колебания спроса
            слабую связь между соседними районами\nпотребность в перевалочных пунктах
            низкую загрузку железнодорожных станций\nпреимущества совместных закупок
            роль местных перевозчиков"""),
        lines("""в районных центрах\nна всём периоде наблюдений\nв осенне-зимний сезон
            при доставке продовольственных товаров\nдля предприятий с небольшим оборотом
            вне крупных агломераций\nв сравнении с областным центром\nна удалённых маршрутах
            даже при стабильных ценах на топливо\nв большинстве обследованных поселений"""),
    ),
    "heating": (
        "Энергосбережение в многоквартирных домах после капитального ремонта",
        "ГОРОДСКОЕ ХОЗЯЙСТВО",
        lines("""Тепловизионное обследование\nУстановка погодозависимой автоматики\nЗамена окон
            Утепление фасадов\nПоквартирный учёт тепла\nОпрос управляющих компаний
            Анализ счетов за отопление\nМодернизация тепловых пунктов
            Сравнение отопительных сезонов\nБалансировка стояков"""),
        lines("""заметное снижение теплопотерь\nперерасход тепла в угловых квартирах
            неравномерный прогрев верхних этажей\nбыструю окупаемость вложений
            потребность в регулярной наладке оборудования\nнизкую осведомлённость жильцов
            избыточную температуру обратной воды\nэкономию средств собственников
            значение общедомовых приборов учёта\nограничения действующих тарифов"""),
        lines("""в панельных домах старой постройки\nв период сильных морозов
            для кирпичных зданий\nпри открытой системе водоразбора\nв переходные месяцы
            в домах с единым тепловым вводом\nпосле замены внутридомовых сетей
            без участия подрядчика\nпо итогам первого отопительного сезона
            в большинстве обследованных домов"""),
    ),
}
SECTIONS = lines("Введение\nМатериалы и методы\nРезультаты исследования\nОбсуждение\nЗаключение")
ORDERS = [
    (
        "О проведении годовой инвентаризации имущества и обязательств",
        "В целях обеспечения достоверности данных бухгалтерского учёта и отчётности, в "
        "соответствии со статьёй 11 Федерального закона «О бухгалтерском учёте»",
        lines("""Провести инвентаризацию основных средств, товарно-материальных ценностей, \
            денежных средств и расчётов по состоянию на {d1}.
            Утвердить состав инвентаризационной комиссии: председатель комиссии — заместитель \
            директора по финансам Белова Е. Ю., члены комиссии — кладовщик Громов Д. С. и \
            бухгалтер Орлова Т. М.
            Инвентаризационной комиссии приступить к работе {d2} и завершить её не позднее {d3}.
            Материально ответственным лицам до начала инвентаризации сдать в бухгалтерию все \
            приходные и расходные документы.
            Результаты инвентаризации оформить описями и сличительными ведомостями и \
            представить на утверждение до {d4}.
            Контроль за исполнением приказа возложить на главного бухгалтера Михайлову О. Г."""),
    ),
    (
        "Об организации пропускного и внутриобъектового режима",
        "В целях обеспечения сохранности имущества, защиты работников и посетителей, а также "
        "упорядочения допуска на территорию и в здания общества",
        lines("""Утвердить Положение о пропускном и внутриобъектовом режиме и ввести его в \
            действие с {d1}.
            Назначить ответственным за организацию пропускного режима начальника службы \
            безопасности Лебедева К. А.
            Руководителям подразделений в срок до {d2} представить списки работников, которым \
            нужен круглосуточный доступ в здание.
            Начальнику хозяйственного отдела Тихонову В. Б. обеспечить установку турникетов на \
            центральном входе до {d3}.
            Ознакомить работников с настоящим приказом под подпись в течение пяти рабочих дней.
            Контроль за исполнением настоящего приказа оставляю за собой."""),
    ),
]
LEAFLETS = {
    "clinic": (
        "Забота о здоровье всей семьи",
        "Медицинский центр «Здоровье семьи»",
        "Запишитесь на бесплатную консультацию терапевта до конца месяца.",
        {
            "Наши врачи": """В центре работают терапевты, педиатры, кардиологи и неврологи.
                Ультразвуковая диагностика проводится на аппаратах экспертного класса.
                Вызов врача на дом возможен в пределах города в день обращения.
                Мы принимаем взрослых и детей без выходных с восьми утра до девяти вечера.""",
            "Запись и оплата": """Записаться на приём можно по телефону или на сайте.
                Перед первым визитом возьмите паспорт, полис и выписки из прошлых обследований.
                Оплатить услуги можно наличными, банковской картой или через приложение.
                Для пенсионеров по будним дням действует скидка на первичную консультацию.""",
            "Для компаний": """Корпоративные клиенты получают персонального менеджера.
                Предварительные и периодические осмотры проводятся по договору с работодателем.
                Выездная бригада проводит вакцинацию сотрудников прямо в офисе.""",
            "Для всей семьи": """Семейный абонемент включает приёмы педиатра и вакцинацию.
                Детская игровая зона и пеленальная комната находятся рядом с регистратурой.
                Результаты анализов приходят на электронную почту на следующий день.""",
        },
    ),
    "courses": (
        "Учитесь у практиков",
        "Учебный центр «Перспектива»",
        "Скидка десять процентов при записи двух и более сотрудников.",
        {
            "Наши программы": """Мы учим бухгалтеров, кадровиков и специалистов по закупкам.
                Курс по охране труда включает практические занятия по оказанию первой помощи.
                Преподаватели совмещают обучение с практической работой в крупных компаниях.""",
            "Как проходит обучение": """Занятия идут в небольших группах по вечерам и в субботу.
                Каждый слушатель получает печатные материалы и доступ к записям лекций.
                Слушатели из других городов могут заниматься дистанционно в режиме вебинара.
                Итоговая аттестация проходит в форме тестирования и защиты практической работы.""",
            "Документы": """По окончании курса выдаётся удостоверение о повышении квалификации.
                Сведения о выданных удостоверениях вносятся в федеральный реестр.
                Консультации преподавателей доступны в течение трёх месяцев после курса.""",
            "Для организаций": """Возможно обучение сотрудников на территории заказчика.
                Стоимость обучения можно включить в расходы на подготовку кадров.
                Мы заключаем договор и готовим закрывающие документы в электронном виде.""",
        },
    ),
}
AMOUNTS = [
    (240000.0, "Двести сорок тысяч рублей 00 копеек"),
    (87450.5, "Восемьдесят семь тысяч четыреста пятьдесят рублей 50 копеек"),
    (1365000.0, "Один миллион триста шестьдесят пять тысяч рублей 00 копеек"),
    (52918.75, "Пятьдесят две тысячи девятьсот восемнадцать рублей 75 копеек"),
]


@dataclass
class Doc:
    name: str
    font: str
    size: float  # pt, the body's
    landscape: bool = False
    margins: tuple[int, int, int, int] = (15, 15, 15, 15)  # mm: top, right, bottom, left
    body: str = ""
    css: str = ""
    head: str = ""  # a running head in the top margin box of every page
    folio: str = ""  # "number" (a journal's, from first_page) or "sheet" ("Лист N из M")
    first_page: int = 1
    present: list[str] = field(default_factory=list)
    headings: list[str] = field(default_factory=list)
    plain: list[str] = field(default_factory=list)  # not_heading
    order: list[tuple[str, str]] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)  # the <table>s as placed
    cells: list[dict[str, str]] = field(default_factory=list)  # table checks
    paged: list[dict[str, str]] = field(default_factory=list)  # table checks on one page
    page_tops: list[tuple[str, str, str]] = field(default_factory=list)  # cell, up, right
    flow: list[str] = field(default_factory=list)  # sentences set in columns, in order
    columns: int = 0


def rub(x: float) -> str:
    return f"{x:,.2f}".replace(",", " ").replace(".", ",")


def digits(rng: random.Random, n: int) -> str:
    return str(rng.randint(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(n - 1))


def day(rng: random.Random, words: bool = False) -> str:
    d, m = rng.randint(1, 28), rng.randint(1, 10)
    return f"«{d:02d}» {MONTHS[m - 1]} 2024 г." if words else f"{d:02d}.{m:02d}.2024"


def company(rng: random.Random, name: str) -> dict[str, str]:
    city, index, street = rng.choice(PLACES)
    return {
        "name": f"{rng.choice(['ООО', 'АО'])} «{name}»",
        "short": name,
        "city": city,
        "addr": f"{index}, г. {city}, {street}, д. {rng.randint(2, 120)}",
        **{k: digits(rng, n) for k, n in (("inn", 10), ("kpp", 9), ("okpo", 8))},
        "bank": rng.choice(BANKS),
        "bik": "04" + digits(rng, 7),
        "acc": "40702810" + digits(rng, 12),
        "ks": "30101810" + digits(rng, 12),
    }


def table(rows: list[list[Any]], head: int = 0, cls: str = "") -> str:
    """A <table>: a cell is its text or (text, rowspan, colspan); the first `head` rows
    make the <thead>, which Chromium repeats on every page."""
    out = [f'<table class="{cls}">']
    for r, row in enumerate(rows):
        out.append("<thead>" if r == 0 and head else "<tbody>" if r == head else "")
        tag, cells = "th" if r < head else "td", []
        for cell in row:
            text, rs, cs = (cell, 1, 1) if isinstance(cell, str) else cell
            span = (f' rowspan="{rs}"' if rs > 1 else "") + (f' colspan="{cs}"' if cs > 1 else "")
            cells.append(f"<{tag}{span}>{E(text)}</{tag}>")
        out.append(f"<tr>{''.join(cells)}</tr>" + ("</thead>" if r == head - 1 else ""))
    return "".join(out) + "</tbody></table>"


def sign(label: str, person: str, position: str = "") -> str:
    return (
        f'<div class="sg"><span>{E(label)}</span><u>{E(position)}</u><u class="bl"></u>'
        f"<u>{E(person)}</u></div>"
    )


def torg12(rng: random.Random, doc: Doc) -> None:
    sup, buy = (company(rng, n) for n in rng.sample(NAMES, 2))
    goods, codes = rng.sample(GOODS, rng.randint(6, 12)), rng.sample(range(10000, 99999), 12)
    number, date, basis_day = rng.randint(100, 999), day(rng), day(rng)
    basis = f"Договор поставки № {rng.randint(10, 99)}/П"
    sums = "Сумма с учетом НДС, руб. коп."
    head = [
        [("Номер по порядку", 2, 1), ("Товар", 1, 2), ("Единица измерения", 1, 2),
         ("Вид упаковки", 2, 1), ("Количество", 1, 2), ("Масса брутто", 2, 1),
         ("Количество (масса нетто)", 2, 1), ("Цена, руб. коп.", 2, 1),
         ("Сумма без учета НДС, руб. коп.", 2, 1), ("НДС", 1, 2), (sums, 2, 1)],
        ["наименование, характеристика, сорт, артикул товара", "код", "наименование",
         "код по ОКЕИ", "в одном месте", "мест, штук", "ставка, %", "сумма, руб. коп."],
        [str(i) for i in range(1, 16)],
    ]  # fmt: skip
    rows, tot = [], [0.0] * 6
    for i, (name, unit, okei) in enumerate(goods, 1):
        places, per, price = rng.randint(1, 12), rng.choice([1, 5, 10, 20]), rng.uniform(40, 4e3)
        qty, price = places * per, round(price, 2)
        brutto, total = round(qty * rng.uniform(0.2, 3), 1), round(qty * price * 1.2, 2)
        vat = round(total - qty * price, 2)
        pack = rng.choice(["коробка", "пакет", "—"])
        rows.append([str(i), name, str(codes[i - 1]), unit, okei, pack, str(per), str(places)])
        rows[-1] += [f"{brutto:.1f}".replace(".", ","), str(qty), rub(price)]
        rows[-1] += [rub(qty * price), "20%", rub(vat), rub(total)]
        now = (places, brutto, qty, qty * price, vat, total)
        tot = [a + b for a, b in zip(tot, now, strict=True)]
    totals = [f"{tot[0]:.0f}", f"{tot[1]:.1f}".replace(".", ","), f"{tot[2]:.0f}", "X"]
    totals += [rub(tot[3]), "X", rub(tot[4]), rub(tot[5])]
    foot = [[("Итого", 1, 7), *totals], [("Всего по накладной", 1, 7), *totals]]
    goods_t = table([*head, *rows, *foot], head=3, cls="grid goods")
    codes_t = table(
        [["", "Коды"], ["Форма по ОКУД", "0330212"], ["по ОКПО", sup["okpo"]],
         ["Вид деятельности по ОКДП", ""], ["по ОКПО", buy["okpo"]], ["по ОКПО", sup["okpo"]],
         ["по ОКПО", buy["okpo"]], ["номер", basis.split("№ ")[1]], ["дата", basis_day],
         ["Транспортная накладная номер", ""], ["дата", ""], ["Вид операции", ""]],
        cls="grid codes",
    )  # fmt: skip
    num_t = table([["Номер документа", "Дата составления"], [str(number), date]], cls="grid num")
    parties = "".join(
        f'<div class="pl"><span>{label}</span><u>{E(p["name"])}, ИНН {p["inn"]}, '
        f'{E(p["addr"])}, р/с {p["acc"]} в {E(p["bank"])}</u></div><div class="cap">'
        "организация, адрес, телефон, факс, банковские реквизиты</div>"
        for label, p in zip(
            ("Грузоотправитель", "Грузополучатель", "Поставщик", "Плательщик"),
            (sup, buy, sup, buy),
            strict=True,
        )
    )
    count = COUNTS[len(goods) - 5]
    sent = f"Всего отпущено {count} наименований на сумму {rub(tot[5])} руб."
    doc.body = f"""<div class="form">Унифицированная форма № ТОРГ-12<br>Утверждена
постановлением Госкомстата России от 25.12.98 № 132</div><div class="hdr"><div class="parties">
{parties}<div class="pl"><span>Основание</span><u>{basis} от {basis_day}</u></div>
<div class="cap">договор, заказ-наряд</div></div>{codes_t}</div>
<div class="ttl"><h1>ТОВАРНАЯ НАКЛАДНАЯ</h1>{num_t}</div>{goods_t}
<p>Товарная накладная имеет приложение на ___ листах и содержит {count} порядковых номеров
записей.</p><div class="two"><div><p>{sent}</p>
{sign("Отпуск груза разрешил", rng.choice(PEOPLE), "директор")}
{sign("Главный (старший) бухгалтер", rng.choice(PEOPLE))}
{sign("Отпуск груза произвел", rng.choice(PEOPLE), "кладовщик")}<p>М.П. {day(rng, True)}</p>
</div><div><p>По доверенности № {rng.randint(10, 99)} от {day(rng)}, выданной {E(buy["name"])}</p>
{sign("Груз принял", rng.choice(PEOPLE), "экспедитор")}
{sign("Груз получил грузополучатель", rng.choice(PEOPLE), "завскладом")}<p>М.П.</p></div></div>"""
    doc.tables = [codes_t, num_t, goods_t]
    g0, gk, gl = rows[0], rows[len(rows) // 2], rows[-1]
    doc.present = [sup["addr"], buy["addr"], g0[1], gk[1], gl[1], sent]
    doc.headings, doc.plain = ["ТОВАРНАЯ НАКЛАДНАЯ"], ["Унифицированная форма № ТОРГ-12"]
    doc.order = [(basis, sent), (g0[1], gl[1])]
    doc.cells = [
        {"cell": head[1][0], "up": "Товар", "right": "код"},
        {"cell": "код по ОКЕИ", "up": "Единица измерения", "left": "наименование"},
        {"cell": "ставка, %", "top_heading": "НДС", "right": "сумма, руб. коп."},
        {"cell": g0[1], "left": "1", "up": "2", "right": g0[2]},
        {"cell": gk[1], "top_heading": "Товар", "right": gk[2]},
        {"cell": gl[14], "top_heading": sums, "left": gl[13]},
        {"cell": "Всего по накладной", "up": "Итого", "right": totals[0]},
        {"cell": "Форма по ОКУД", "right": "0330212"},
        {"cell": "Номер документа", "down": str(number)},
    ]


def upd(rng: random.Random, doc: Doc) -> None:
    sup, buy = (company(rng, n) for n in rng.sample(NAMES, 2))
    goods, number, date = (
        rng.sample(GOODS, rng.randint(5, 9)),
        rng.randint(1000, 9999),
        day(rng, True),
    )
    title = f"Счёт-фактура № {number} от {date[1:3]} {date[5:]}"
    basis = f"Договор поставки № {rng.randint(100, 999)}-ДП от {day(rng)}"
    worth = "Стоимость товаров (работ, услуг), имущественных прав {} налог{} — всего"
    head = [
        [("№ п/п", 2, 1), ("Наименование товара (описание выполненных работ, оказанных услуг), "
         "имущественного права", 2, 1), ("Код товара/ работ, услуг", 2, 1),
         ("Код вида товара", 2, 1), ("Единица измерения", 1, 2), ("Количество (объем)", 2, 1),
         ("Цена (тариф) за единицу измерения", 2, 1), (worth.format("без", "а"), 2, 1),
         ("В том числе сумма акциза", 2, 1), ("Налоговая ставка", 2, 1),
         ("Сумма налога, предъявляемая покупателю", 2, 1), (worth.format("с", "ом"), 2, 1),
         ("Страна происхождения товара", 1, 2),
         ("Регистрационный номер декларации на товары или партии товара", 2, 1)],
        ["код", "условное обозначение (национальное)", "цифровой код", "краткое наименование"],
        lines("А\n1\n1а\n1б\n2\n2а\n3\n4\n5\n6\n7\n8\n9\n10\n10а\n11"),
    ]  # fmt: skip
    rows, net_t = [], 0.0
    for i, (name, unit, okei) in enumerate(goods, 1):
        qty, price = rng.randint(2, 200), round(rng.uniform(30, 9000), 2)
        code = f"{rng.randint(10, 99)}-{rng.randint(1000, 9999)}"
        country = rng.choice([("643", "Россия"), ("112", "Беларусь"), ("156", "Китай")])
        decl = "—" if country[0] == "643" else f"10130010/{day(rng)[:5].replace('.', '')}24/30"
        decl += "" if country[0] == "643" else digits(rng, 5)
        rows.append([str(i), name, code, "—", okei, unit, str(qty), rub(price), rub(qty * price)])
        rows[-1] += ["без акциза", "20%", rub(qty * price * 0.2), rub(qty * price * 1.2)]
        rows[-1] += [*country, decl]
        net_t += qty * price
    total = [("Всего к оплате (9)", 1, 8), rub(net_t), ("X", 1, 2), rub(net_t * 0.2)]
    goods_t = table([*head, *rows, [*total, rub(net_t * 1.2), ("", 1, 3)]], 3, "grid goods")
    fields = [
        ("Исправление № — от —", "1а"),
        (f"Продавец: {sup['name']}", "2"),
        (f"Адрес: {sup['addr']}", "2а"),
        (f"ИНН/КПП продавца: {sup['inn']}/{sup['kpp']}", "2б"),
        ("Грузоотправитель и его адрес: он же", "3"),
        (f"Грузополучатель и его адрес: {buy['name']}, {buy['addr']}", "4"),
        (f"К платежно-расчетному документу № {rng.randint(100, 999)} от {day(rng)}", "5"),
        (f"Покупатель: {buy['name']}", "6"),
        (f"Адрес: {buy['addr']}", "6а"),
        (f"ИНН/КПП покупателя: {buy['inn']}/{buy['kpp']}", "6б"),
        ("Валюта: наименование, код Российский рубль, 643", "7"),
    ]
    rows_html = "".join(f'<div class="fl"><span>{E(t)}</span><i>({n})</i></div>' for t, n in fields)
    gave, took = (
        sign(f"Товар (груз) {a} / услуги, результаты работ, права {b}", p, w)
        for a, b, p, w in (
            ("передал", "сдал", rng.choice(PEOPLE), "кладовщик"),
            ("получил", "принял", rng.choice(PEOPLE), "менеджер"),
        )
    )
    people = rng.sample(PEOPLE, 2)
    doc.body = f"""<div class="hdr"><div class="status">Универсальный передаточный документ<br>
Статус: <b>1</b><br><small>1 — счет-фактура и передаточный документ (акт)<br>2 — передаточный
документ (акт)</small></div><div class="fields"><h1>{E(title)}</h1>{rows_html}</div></div>{goods_t}
<div class="two"><div>{sign("Руководитель организации или иное уполномоченное лицо", people[0])}
</div><div>{sign("Главный бухгалтер или иное уполномоченное лицо", people[1])}</div></div>
<p class="tr">Основание передачи (сдачи) / получения (приемки): <u>{basis}</u> [8]</p>
<div class="two"><div>{gave}<p>Дата отгрузки, передачи (сдачи) {date} [11]</p></div><div>{took}
<p>Дата получения (приемки) «__» ________ 20__ г. [16]</p></div></div>"""
    doc.tables = [goods_t]
    g0, g1, gl = rows[0], rows[1], rows[-1]
    doc.present = [sup["addr"], fields[9][0], basis, g1[1], gl[1]]
    doc.headings, doc.plain = [title], ["Универсальный передаточный документ"]
    doc.order = [(fields[7][0], basis), (g0[1], gl[1])]
    doc.cells = [
        {"cell": head[1][1], "up": "Единица измерения", "left": "код"},
        {"cell": "краткое наименование", "top_heading": head[0][12][0], "left": "цифровой код"},
        {"cell": g0[1], "up": "1", "right": g0[2], "left": "1"},
        {"cell": g1[1], "up": g0[1], "left": "2"},
        {"cell": gl[12], "top_heading": head[0][11][0], "left": gl[11]},
        {"cell": gl[7], "top_heading": head[0][6][0], "left": gl[6]},
        {"cell": "Всего к оплате (9)", "right": rub(net_t)},
    ]


def stamp(rng: random.Random, org: dict[str, str], long: str, font: str) -> str:
    """A round blue stamp (a picture, its text round the rim, as pasted into an office
    document) and a pen signature (an SVG stroke) over the signature line."""
    bold = subprocess.run(["fc-match", "-f", "%{file}", f"{font}:bold"], capture_output=True)
    rim, words = f"{long} * г. {org['city'].upper()} * ", org["short"].upper().split()
    img, blue = Image.new("RGBA", (600, 600)), (36, 67, 184, 255)
    draw = ImageDraw.Draw(img)
    draw.ellipse((6, 6, 594, 594), outline=blue, width=9)
    draw.ellipse((108, 108, 492, 492), outline=blue, width=8)
    face = ImageFont.truetype(bold.stdout.decode(), 40)
    radius, angle = 240.0, math.pi
    scale = min(1.0, 0.97 * 2 * math.pi * radius / face.getlength(rim))
    face = ImageFont.truetype(bold.stdout.decode(), int(40 * scale))
    for ch in rim:  # letter by letter round the rim, upright towards the rim
        step = face.getlength(ch) / radius
        glyph = Image.new("RGBA", (70, 70))
        ImageDraw.Draw(glyph).text((35, 35), ch, font=face, fill=blue, anchor="mm")
        glyph = glyph.rotate(-math.degrees(angle + step / 2) - 90, Image.Resampling.BICUBIC)
        x, y = (300 + radius * f(angle + step / 2) - 35 for f in (math.cos, math.sin))
        img.alpha_composite(glyph, (round(x), round(y)))
        angle += step
    middle = [f"«{words[0]}", " ".join(words[1:]) + "»"] if len(words) > 1 else [f"«{words[0]}»"]
    face = ImageFont.truetype(bold.stdout.decode(), 36)
    for i, text in enumerate(middle):
        draw.text((300, 300 + 46 * (i - (len(middle) - 1) / 2)), text, blue, face, "mm")
    buf = io.BytesIO()
    img.rotate(rng.randint(-25, 25), Image.Resampling.BICUBIC).save(buf, "PNG")
    pts = [(10 + 14 * i + rng.uniform(-6, 6), 45 + rng.uniform(-30, 30)) for i in range(10)]
    pen = "M5 50 " + " ".join(f"Q{x - 9:.0f} {y - 25:.0f} {x:.0f} {y:.0f}" for x, y in pts)
    png = base64.b64encode(buf.getvalue()).decode()
    return f"""<img class="stamp" src="data:image/png;base64,{png}">
<svg class="pen" viewBox="0 0 180 90" style="left:{rng.randint(30, 42)}mm"><path d="{pen}"
fill="none" stroke="#14206e" stroke-width="2.2" stroke-linecap="round"/></svg>"""


def prikaz(rng: random.Random, doc: Doc, topic: int) -> None:
    org = company(rng, rng.choice(NAMES))
    title, preamble, items = ORDERS[topic]
    dates = sorted((day(rng) for _ in range(4)), key=lambda d: d[3:5] + d[:2])  # in turn
    items = [t.format(**{f"d{i}": d for i, d in enumerate(dates, 1)}) for t in items]
    boss = f"{rng.choice('АВДЕИКМНС')}. {rng.choice('АВГДЕИЛНПС')}. " + rng.choice(
        ["Воронцов", "Ермаков", "Полякова", "Шестаков", "Романова"]
    )
    long = "ОБЩЕСТВО С ОГРАНИЧЕННОЙ ОТВЕТСТВЕННОСТЬЮ"
    long = long if org["name"].startswith("ООО") else "АКЦИОНЕРНОЕ ОБЩЕСТВО"
    acks = "".join(
        f'<div class="ackl"><span>{E(p)}</span><span class="line"></span>'
        "<span>«__» ________ 2024 г.</span></div>"
        for p in rng.sample(PEOPLE, 3)
    )
    doc.body = f"""<div class="org">{long}<br>«{E(org["short"].upper())}»</div>
<div class="req">ИНН {org["inn"]}, КПП {org["kpp"]}, {E(org["addr"])}</div><h1>ПРИКАЗ</h1>
<div class="row"><span>{day(rng, True)}</span><span>г. {E(org["city"])}</span>
<span>№ {rng.randint(12, 180)}-{rng.choice(["п", "од", "ОД"])}</span></div>
<h2>{E(title)}</h2><p>{E(preamble)},</p><p class="b">ПРИКАЗЫВАЮ:</p>
<ol>{"".join(f"<li>{E(t)}</li>" for t in items)}</ol><div class="sig">
<span>Генеральный директор</span><span class="line"></span><span>{boss}</span>
{stamp(rng, org, long, doc.font)}</div><p class="ack">С приказом ознакомлены:</p>{acks}"""
    doc.present = [items[0], items[2], items[4], f"{preamble},", "Генеральный директор"]
    doc.headings, doc.plain = ["ПРИКАЗ", title], ["ПРИКАЗЫВАЮ:", org["addr"]]
    doc.order = [(preamble, items[1]), (items[3], items[5]), (items[5], "С приказом ознакомлены:")]


def article(rng: random.Random, doc: Doc, theme: str) -> None:
    title, rubric, subjects, objects, tails = THEMES[theme]
    combos = [(s, v, o, t) for s in subjects for v in VERBS for o in objects for t in tails]
    said = []
    for s, v, o, t in rng.sample(combos, rng.randint(70, 86)):
        lead = rng.choice(["Кроме того, ", "При этом ", "Как правило, ", "В то же время "])
        lead = lead if rng.random() < 0.3 else ""
        said.append(f"{lead}{s[0].lower() + s[1:] if lead else s} {v} {o} {t}.")
    abstract, flow = said[:3], said[3:]
    names = rng.sample(["Сорокина", "Меньшиков", "Дроздов", "Алексеева", "Кравец"], 2)
    authors = ", ".join(f"{rng.choice('АВЕИМНОС')}. {rng.choice('АВГДИЛПС')}. {n}" for n in names)
    doc.head = rng.choice(["Вестник прикладной экономики", "Региональные исследования"])
    doc.head += ". 2024. Т. 18, № 3"
    doc.folio, doc.first_page = "number", rng.randint(101, 180)  # refs cite pages below 100
    parts, start = [], 0
    cuts = [round(len(flow) * f) + rng.randint(-3, 3) for f in (0.15, 0.4, 0.6, 0.82)]
    for i, (name, end) in enumerate(zip(SECTIONS, [*cuts, len(flow)], strict=True)):
        chunk, paras = flow[start:end], []
        while chunk:
            n = rng.randint(3, 6)
            mark = f"<sup>{1 if i == 1 else 2}</sup>" if len(paras) == 1 and i in (1, 3) else ""
            paras.append(f"<p>{' '.join(E(s) for s in chunk[:n])}{mark}</p>")
            chunk = chunk[n:]
        parts.append(f"<h2>{name}</h2>{''.join(paras)}")
        start = end
    notes = [
        "Здесь и далее использованы данные муниципальной статистики и опросов.",
        "Расчёты выполнены авторами по методике, описанной в первом разделе.",
    ]
    refs = [
        f"{rng.choice(['Петров П. С.', 'Ильина М. А.', 'Гусев Р. О.'])} Оценка эффективности "
        f"региональных программ // Проблемы прогнозирования. {y}. № {rng.randint(1, 6)}. "
        f"С. {rng.randint(20, 70)}–{rng.randint(71, 99)}."
        for y in (2016, 2019, 2021)
    ]
    doc.body = f"""<div class="rubric">{rubric}</div><div class="udc">УДК
{rng.choice(["656.1", "697.1", "332.1"])}</div><h1>{E(title)}</h1><p class="auth">{E(authors)}</p>
<p class="aff">Институт экономики и управления, г. {rng.choice(PLACES)[0]}</p>
<div class="abs"><b>Аннотация.</b> {" ".join(E(s) for s in abstract)}</div>
<div class="cols">{"".join(parts)}<h3>Примечания</h3>
{"".join(f'<p class="note">{i} {E(n)}</p>' for i, n in enumerate(notes, 1))}
<h3>Список литературы</h3>
{"".join(f'<p class="note">{i}. {E(r)}</p>' for i, r in enumerate(refs, 1))}</div>"""
    doc.flow, doc.columns = flow, 2
    doc.headings, doc.plain = [title, *SECTIONS[1:4]], [authors]


def leaflet(rng: random.Random, doc: Doc, kind: str) -> None:
    big, org, offer, sections = LEAFLETS[kind]
    hue = rng.choice([("#0b6e4f", "#d8f3e6"), ("#8a1c3c", "#fbe2ea"), ("#1d4e89", "#dce9f8")])
    doc.columns, parts = rng.choice([2, 3]), []
    for i, (head, text) in enumerate(sections.items()):
        said = rng.sample(lines(text), len(lines(text)))
        doc.flow += said
        box = f'<div class="box">{E(offer)}</div>' if i == 1 else ""
        parts.append(f"<h2>{E(head)}</h2><p>{' '.join(E(s) for s in said)}</p>{box}")
    city, index, _ = rng.choice(PLACES)
    phone = f"8 (800) {rng.randint(200, 999)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}"
    addr = f"{index}, г. {city}, ул. Советская, д. {rng.randint(3, 40)}, тел. {phone}"
    lead = f"{org} — рядом с домом и работой."
    doc.css = f"""h1 {{ background: {hue[0]}; color: #fff; padding: 6mm; margin: 0 0 5mm;
 font-size: {rng.choice([32, 36, 40])}pt; }} h2 {{ background: {hue[1]}; color: {hue[0]};
 padding: 2mm 3mm; margin: 0 0 3mm; font-size: {28 if doc.columns == 2 else 24}pt; }}
.org {{ color: {hue[0]}; font-size: 16pt; font-weight: bold; }} .cols p {{ margin-bottom: 5mm; }}
.lead {{ font-size: 15pt; margin-bottom: 6mm; }} .cols {{ column-count: {doc.columns}; }}
.box {{ background: {hue[0]}; color: #fff; font-weight: bold; font-size: 14pt; padding: 4mm;
 margin-bottom: 5mm; break-inside: avoid; }} .adr {{ border-top: 2pt solid {hue[0]}; }}"""
    doc.body = f"""<div class="org">{E(org)}</div><h1>{E(big)}</h1><p class="lead">{E(lead)}</p>
<div class="cols">{"".join(parts)}</div><p class="adr b">{E(addr)}</p>"""
    doc.present, doc.headings, doc.plain = [offer, lead], [big, *sections], [addr]


def register(rng: random.Random, doc: Doc, assets: bool) -> None:
    org, rows = company(rng, rng.choice(NAMES)), []
    n = rng.randint(60, 90) if assets else rng.randint(45, 85)
    keys = rng.sample(range(10, 9999), n)
    if assets:
        head = ["№", "Инвентарный номер", "Наименование объекта", "Дата ввода"]
        head += ["Первоначальная стоимость, руб.", "Начисленная амортизация, руб."]
        head += ["Остаточная стоимость, руб.", "Подразделение"]
        for i in range(n):
            cost = round(rng.uniform(15000, 2500000), 2)
            wear = round(cost * rng.uniform(0.05, 0.9), 2)
            since = day(rng)[:6] + str(rng.randint(2012, 2023))
            rows.append([str(i + 1), f"ОС-{keys[i]:06d}", rng.choice(ASSETS), since, rub(cost)])
            rows[-1] += [rub(wear), rub(cost - wear), rng.choice(UNITS)]
        title, col, what = f"Ведомость основных средств {org['name']} на 01.01.2025", 6, 2
        total_label, below = "Итого по ведомости", "Ведомость составлена в одном экземпляре."
    else:
        head = ["№ п/п", "Номер договора", "Дата заключения", "Контрагент", "Предмет договора"]
        head += ["Сумма, руб.", "Срок действия", "Ответственный"]
        for i in range(n):
            kind, other = rng.choice(["ДП", "ДУ", "ДА"]), company(rng, rng.choice(NAMES))
            rows.append([str(i + 1), f"{keys[i]:04d}-{kind}/24", day(rng), other["name"]])
            rows[-1] += [rng.choice(SUBJECTS), rub(round(rng.uniform(2e4, 4e6), -2))]
            rows[-1] += [f"31.12.{rng.choice([2024, 2025, 2026])}", rng.choice(PEOPLE)]
        title, col, what = f"Реестр договоров {org['name']} за 2024 год", 5, 4
        total_label, below = "Итого по реестру", "Реестр составлен в одном экземпляре."
    total = rub(sum(float(r[col].replace(" ", "").replace(",", ".")) for r in rows))
    foot = [(total_label, 1, col), total, ("", 1, 7 - col)]
    body_t = table([head, *rows, foot], head=1, cls="reg" if assets else "reg grid")
    above = f"Сведения подготовлены по данным учёта по состоянию на {day(rng)}."
    phone = f"{rng.randint(200, 999)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}"
    who = f"Ответственный за ведение реестра: {rng.choice(PEOPLE)}, тел. {phone}"
    doc.body = f"""<h1>{E(title)}</h1><p>{E(above)}</p>{body_t}<p>{E(below)}</p>
<p class="b">{E(who)}</p>{sign("Главный бухгалтер", rng.choice(PEOPLE))}"""
    doc.head, doc.folio, doc.tables = (
        "Конфиденциально. Для служебного пользования",
        "sheet",
        [body_t],
    )
    doc.present = [above, below, *(r[what] for r in _pick(rows, 3))]
    doc.headings, doc.plain = [title], [who]
    doc.order = [(above, rows[n // 2][1]), (rows[-1][1], who)]
    doc.css = ".reg tr:nth-child(even) td { background: #e9e9e9; }" if assets else ""
    first, mid, last = rows[0], rows[n // 2], rows[-1]
    doc.cells = [
        {"cell": first[1], "left": "1", "right": first[2], "top_heading": head[1]},
        {"cell": total_label, "right": total},
    ]
    doc.paged = [
        {"cell": mid[1], "right": mid[2], "top_heading": head[1]},
        {"cell": mid[col], "top_heading": head[col], "left": mid[col - 1]},
        {"cell": last[1], "up": rows[-2][1], "right": last[2]},
    ]
    doc.page_tops = [(r[1], head[1], r[2]) for r in rows]


def prices(rng: random.Random, doc: Doc) -> None:
    org, parts = company(rng, rng.choice(NAMES)), []
    groups = {"Канцелярия и хозтовары": GOODS[:10], "Строительные и электротовары": GOODS[10:]}
    for name, items in groups.items():
        rows = [["Наименование", "Ед. изм.", "Цена, руб.", "Опт от 10 ед., руб."]]
        for item, unit, _ in rng.sample(items, rng.randint(5, 8)):
            p = round(rng.uniform(50, 5000), 2)
            rows.append([item, unit, rub(p), rub(p * rng.choice([0.9, 0.92, 0.95]))])
        lead = r'<tr><td class="ld"><span>\1</span></td>'  # dot leaders drawn, not typed
        t = re.sub(r"<tr><td>(.*?)</td>", lead, table(rows, head=1, cls="price"))
        parts.append(f"<h2>{E(name)}</h2>{t}")
        doc.tables.append(t)
        doc.present.append(rows[2][0])
        doc.cells += [
            {"cell": rows[1][0], "up": "Наименование", "right": rows[1][1]},
            {"cell": rows[-1][2], "top_heading": "Цена, руб.", "right": rows[-1][3]},
        ]
    phone = f"(495) {rng.randint(200, 999)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}"
    addr, title = f"{org['addr']}, тел. {phone}", f"Прайс-лист на товары {org['name']}"
    month = MONTHS[rng.randint(0, 9)]
    note = f"Цены указаны в рублях с учётом НДС и действительны до 30 {month} 2025 г."
    end = "Доставка по городу бесплатно при заказе от пятнадцати тысяч рублей."
    doc.body = f"""<div class="logo">{E(org["short"])}</div><p class="b">{E(addr)}</p>
<h1>{E(title)}</h1><p>{E(note)}</p>{"".join(parts)}<p>{E(end)}</p>"""
    doc.present += [note, end]
    doc.headings, doc.plain, doc.order = [title, *groups], [addr], [(note, end)]


def payment(rng: random.Random, doc: Doc) -> None:
    a, b = (company(rng, n) for n in rng.sample(NAMES, 2))
    amount, words = rng.choice(AMOUNTS)
    date, amt = day(rng), rub(amount).replace(" ", "").replace(",", "-")
    title = f"ПЛАТЕЖНОЕ ПОРУЧЕНИЕ № {rng.randint(100, 999)}"
    purpose = (
        f"Оплата по счету № {rng.randint(10, 999)} от {day(rng)} за "
        f"{rng.choice(SUBJECTS).lower()}. Сумма {amt} В т.ч. НДС (20%) "
        + rub(amount / 6).replace(" ", "").replace(",", "-")
    )
    rows = [
        [f"ИНН {a['inn']}", f"КПП {a['kpp']}", "Сумма", (amt, 1, 3)],
        [(f"{a['name']}\nПлательщик", 2, 2), "Сч. №", (a["acc"], 2, 3)],
        [""],
        [(f"{a['bank']}, г. {a['city']}\nБанк плательщика", 2, 2), "БИК", (a["bik"], 1, 3)],
        ["Сч. №", (a["ks"], 1, 3)],
        [(f"{b['bank']}, г. {b['city']}\nБанк получателя", 2, 2), "БИК", (b["bik"], 1, 3)],
        ["Сч. №", (b["ks"], 1, 3)],
        [f"ИНН {b['inn']}", f"КПП {b['kpp']}", "Сч. №", (b["acc"], 1, 3)],
        [(f"{b['name']}\nПолучатель", 3, 2), "Вид оп.", "01", "Срок плат.", ""],
        ["Наз. пл.", "", "Очер. плат.", "5"],
        ["Код", "", "Рез. поле", ""],
    ]
    form = table(rows, cls="grid pp").replace("\n", "<br>")
    doc.body = f"""<div class="top"><span class="bx">{date}</span><span class="bx"></span>
<span class="f">0401060</span></div><div class="cap2"><span>Поступ. в банк плат.</span>
<span>Списано со сч. плат.</span></div><div class="ttl"><h1>{title}</h1><span class="bx">{date}
</span><span class="bx">электронно</span><span class="st">01</span></div><div class="cap2 sh">
<span>Дата</span><span>Вид платежа</span></div><div class="sum"><span>Сумма прописью</span>
<span>{words}</span></div>{form}<p class="purp">{E(purpose)}</p><p class="lbl">Назначение
платежа</p><div class="two"><div><p>Подписи</p><p>М.П.</p></div><div><p>Отметки банка</p></div>
</div>"""
    doc.tables = [form]
    doc.present = [words, purpose, *(f"{c['bank']}, г. {c['city']}" for c in (a, b))]
    doc.headings, doc.plain, doc.order = [title], ["Назначение платежа"], [(words, purpose)]
    doc.cells = [
        {"cell": a["bik"], "left": "БИК", "down": a["ks"]},
        {"cell": b["acc"], "left": "Сч. №", "up": b["ks"]},
        {"cell": a["acc"], "left": "Сч. №", "up": amt},
        {"cell": "Очер. плат.", "right": "5", "up": "Срок плат."},
    ]


BASE_CSS = """* { box-sizing: border-box; } p { margin: 0 0 2mm; } h1, h2, h3 { margin: 3mm 0 2mm; }
table { border-collapse: collapse; } .b { font-weight: bold; }
.grid td, .grid th { border: 0.6pt solid #000; padding: 0.6mm 1mm; vertical-align: top;
 font-weight: normal; } .cap { font-size: 6pt; text-align: center; margin-bottom: 1mm; }
.sg { display: flex; gap: 2mm; margin: 3mm 0 1mm; align-items: flex-end; }
.sg u { text-decoration: none; border-bottom: 0.6pt solid #000; min-width: 18mm; padding: 0 1mm; }
.sg u.bl { min-width: 22mm; } .two { display: flex; gap: 10mm; } .two > div { flex: 1; }
.goods { width: 100%; margin: 2mm 0; } .goods th { text-align: center; vertical-align: middle; }
.goods td:nth-child(n+6), .goods tr:nth-last-child(-n+2) td { white-space: nowrap;
 text-align: right; } .goods td:nth-child(3) { white-space: nowrap; }"""
CSS = {
    "torg12": """.form { text-align: right; font-size: 6.5pt; } .hdr { display: flex; gap: 6mm; }
.parties { flex: 1; } .pl { display: flex; gap: 2mm; } .pl span { width: 28mm; }
.pl u { flex: 1; text-decoration: none; border-bottom: 0.6pt solid #000; }
.codes { align-self: flex-start; } .codes td:nth-child(2) { min-width: 24mm; text-align: center; }
.ttl { display: flex; gap: 8mm; justify-content: center; align-items: center; }
h1 { font-size: 11pt; } .num td { text-align: center; }""",
    "upd": """.hdr { display: flex; gap: 4mm; } .fields { flex: 1; } .fl i { font-style: normal; }
.status { width: 42mm; border: 0.8pt solid #000; padding: 2mm; }
h1 { font-size: 11pt; margin: 0; }
.fl { display: flex; border-bottom: 0.4pt solid #000; } .fl span { flex: 1; }""",
    "prikaz": """.org { text-align: center; font-weight: bold; font-size: 13pt; }
.req { font-size: 8pt; text-align: center; border-bottom: 1pt solid #000; padding-bottom: 1mm;
 margin-bottom: 8mm; }
h1 { text-align: center; font-size: 15pt; } h2 { font-size: 12pt; width: 60%; }
p, li { text-align: justify; } ol li { margin-bottom: 2mm; }
.row { display: flex; justify-content: space-between; margin: 4mm 0 6mm; }
.sig { position: relative; display: flex; align-items: flex-end; margin-top: 14mm; gap: 4mm; }
.line { width: 45mm; border-bottom: 0.6pt solid #000; }
.stamp { position: absolute; left: 22mm; top: -14mm; width: 40mm; height: 40mm; opacity: 0.72; }
.pen { position: absolute; top: -8mm; width: 46mm; height: 23mm; } .ack { margin-top: 24mm; }
.ackl { display: flex; gap: 4mm; margin: 3mm 0; } .ackl span:first-child { width: 45mm; }""",
    "article": """.rubric { font-size: 8pt; letter-spacing: 0.5pt; } .udc { font-size: 9pt; }
h1 { font-size: 16pt; text-align: center; } .auth { font-weight: bold; text-align: center; }
.aff { font-style: italic; text-align: center; font-size: 9pt; }
.abs { font-size: 9pt; margin: 3mm 8mm 5mm; } h2 { font-size: 1.1em; } h3 { font-size: 1em; }
.cols { column-count: 2; column-gap: 7mm; text-align: justify; } p { text-indent: 6mm; }
.note { font-size: 8.5pt; text-indent: 0; }""",
    "register": """h1 { font-size: 13pt; text-align: center; } .reg { width: 100%; }
.reg th { border-top: 1pt solid #000; border-bottom: 1pt solid #000; padding: 1mm; }
.reg td { padding: 0.8mm 1mm; vertical-align: top; }
.reg td:nth-child(n+5) { white-space: nowrap; }""",
    "prices": """.logo { font-size: 20pt; font-weight: bold; color: #7a3b00; }
h1 { font-size: 15pt; }
h2 { font-size: 12pt; border-bottom: 1pt solid #7a3b00; } .price { width: 100%; }
.price th { text-align: left; font-size: 0.9em; color: #555; } .price td { padding: 0.8mm 1mm; }
.price td:first-child { width: 62%; } .price td:nth-child(n+3) { text-align: right; }
.ld { background: radial-gradient(circle, #222 0.7px, transparent 1px) 0 85% / 5px 5px repeat-x; }
.ld span { background: #fff; padding-right: 1mm; }""",
    "payment": """.top, .ttl, .cap2, .sum { display: flex; gap: 6mm; align-items: center; }
.bx { border-bottom: 0.6pt solid #000; min-width: 30mm; display: inline-block; text-align: center; }
.f { margin-left: auto; border: 0.6pt solid #000; padding: 1mm 3mm; } .cap2 { font-size: 7pt; }
.st { border: 0.6pt solid #000; padding: 0 2mm; } .cap2 span { min-width: 30mm; }
.sh { padding-left: 64mm; } h1 { font-size: 11pt; } .sum span:first-child { width: 25mm; }
.pp { width: 100%; margin: 2mm 0; } .pp td:nth-child(1) { width: 34%; } .purp { margin-top: 3mm; }
.lbl { border-top: 0.6pt solid #000; font-size: 7pt; }""",
}
# name, maker, font, size (pt), landscape, scan (container, dpi; "phone": a phone photo)
SET = [
    ("torg12_a", torg12, "PT Sans Narrow", 7.5, True, ("pdf", 300)),
    ("torg12_b", torg12, "Liberation Sans", 7, True, ("png", 200)),
    ("upd_a", upd, "Liberation Serif", 8, True, ("jpeg", 200)),
    ("upd_b", upd, "Carlito", 8, True, ("pdf", 300)),
    ("prikaz_a", lambda r, d: prikaz(r, d, 0), "Liberation Serif", 12, False, ("phone", 200)),
    ("prikaz_b", lambda r, d: prikaz(r, d, 1), "PT Serif", 12, False, ("pdf", 150)),
    ("leaflet_a", lambda r, d: leaflet(r, d, "clinic"), "Noto Sans", 12, False, ("jpeg", 200)),
    ("leaflet_b", lambda r, d: leaflet(r, d, "courses"), "PT Sans", 12, False, ("png", 150)),
    ("register_a", lambda r, d: register(r, d, False), "FreeSans", 8, True, ("tiff", 200)),
    ("register_b", lambda r, d: register(r, d, True), "Noto Serif", 9, False, ("pdf", 150)),
    ("article_a", lambda r, d: article(r, d, "logistics"), "PT Serif", 10, False, ("tiff", 300)),
    ("article_b", lambda r, d: article(r, d, "heating"), "FreeSerif", 11, False, ("pdf", 200)),
    ("prices_a", prices, "Carlito", 10, False, ("pdf", 200)),
    ("prices_b", prices, "Liberation Sans", 10, False, ("phone", 200)),
    ("payment_a", payment, "Liberation Sans", 8, False, ("jpeg", 300)),
    ("payment_b", payment, "Noto Sans", 9, False, ("png", 200)),
]


def render(doc: Doc, tmp: Path) -> bytes:
    """The document printed by Chromium: untagged (tags carry random ids), dates fixed, so
    the same document gives the same bytes."""
    top, right, bottom, left = doc.margins
    boxes = f'@top-right {{ content: "{doc.head}"; font: italic 8pt "{doc.font}"; }}'
    boxes = boxes if doc.head else ""
    if doc.folio:
        number = '"Лист " counter(page) " из " counter(pages)' if doc.folio == "sheet" else ""
        boxes += f"@bottom-center {{ content: {number or 'counter(page)'}; font-size: 9pt; }}"
    text = f"""<!doctype html><html lang="ru"><head><meta charset="utf-8"><style>
@page {{ size: A4{" landscape" * doc.landscape}; margin: {top}mm {right}mm {bottom}mm {left}mm;
 {boxes} }} html {{ counter-reset: page {doc.first_page - 1}; }}
body {{ margin: 0; font-family: "{doc.font}"; font-size: {doc.size}pt; line-height: 1.25; }}
{BASE_CSS}{CSS.get(doc.name.rsplit("_", 1)[0], "")}{doc.css}</style></head>
<body>{doc.body}</body></html>"""
    (tmp / "doc.html").write_text(text, encoding="utf-8")
    command = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-pdf-tagging"]
    command += ["--no-pdf-header-footer", f"--user-data-dir={tmp / 'profile'}"]
    command += [f"--print-to-pdf={tmp / 'doc.pdf'}", (tmp / "doc.html").as_uri()]
    subprocess.run(command, check=True, capture_output=True, timeout=180)
    pdf = re.sub(rb"\(D:\d{14}", b"(D:20250101000000", (tmp / "doc.pdf").read_bytes())
    if doc.font.replace(" ", "").encode() not in pdf.replace(b"-", b""):
        raise RuntimeError(f"{doc.name}: {doc.font} not embedded (fc-list :lang=ru family)")
    return pdf


class Layer:
    """PDFium's text of each page: normalised, and without spaces (PDFium joins some
    wrapped lines with none) with each letter's left edge."""

    def __init__(self, pdf: bytes) -> None:
        self.pages: list[tuple[str, list[float]]] = []
        self.text: list[str] = []
        document = pdfium.PdfDocument(pdf)
        self.width = document[0].get_width()
        for page in document:
            tp = page.get_textpage()
            raw = tp.get_text_range().replace("\ufffe", "-")  # a hyphen ending a line
            assert len(raw) == tp.count_chars()
            keep = [i for i, ch in enumerate(raw) if not ch.isspace()]
            self.pages.append(("".join(raw[i] for i in keep), [tp.get_charbox(i)[0] for i in keep]))
            self.text.append(normalize(raw))
        self.flat = [t.replace(" ", "") for t in self.text]

    def where(self, text: str) -> tuple[int, float, float] | None:
        """(page, left edge of the first and of the last letter) where `text` stands whole."""
        want = "".join(text.split())
        for p, (t, xs) in enumerate(self.pages, 1):
            if (i := t.find(want)) >= 0:
                return p, xs[i], xs[i + len(want) - 1]
        return None

    def has(self, text: str, page: int | None = None) -> bool:
        flat = "".join(self.flat) if page is None else self.flat[page - 1]
        return normalize(text).replace(" ", "") in flat


def _pick(items: list[Any], n: int) -> list[Any]:
    """n items spread evenly over the list, first and last included."""
    if len(items) <= n:
        return items
    return [items[round(i * (len(items) - 1) / (n - 1))] for i in range(n)]


def column_order(doc: Doc, layer: Layer) -> list[dict[str, Any]]:
    """Order checks across columns: the last sentence standing whole in a column before the
    first in the next (on the page), or on the next page; sentences for present checks."""
    left = doc.margins[3] * 72 / 25.4
    width = (layer.width - left - doc.margins[1] * 72 / 25.4) / doc.columns
    placed = []
    for s in doc.flow:
        if (at := layer.where(s)) and int((at[1] - left) / width) == int((at[2] - left) / width):
            placed.append((at[0], min(int((at[1] - left) / width), doc.columns - 1), s))
    pairs = []
    for p in sorted({x[0] for x in placed}):
        cols = [[s for q, k, s in placed if (q, k) == (p, c)] for c in range(doc.columns)]
        pairs += [(p, a[-1], b[0]) for a, b in pairwise(cols) if a and b]
        following = [s for q, k, s in placed if (q, k) == (p + 1, 0)]
        if cols[-1] and following:
            pairs.append((None, cols[-1][-1], following[0]))
    if not pairs:
        raise RuntimeError(f"{doc.name}: no sentences on both sides of a column break")
    doc.present = doc.present + [s for _, _, s in _pick(placed, 6)]
    return [
        {"type": "order", **({"page": p} if p else {}), "before": a, "after": b}
        for p, a, b in _pick(pairs, 3)
    ]


def make_checks(doc: Doc, layer: Layer) -> list[dict[str, Any]]:
    """The document's checks, each verified against the born-digital PDF's text."""

    def need(ok: bool, what: str) -> None:
        if not ok:
            raise RuntimeError(f"{doc.name}: {what}")

    out = column_order(doc, layer) if doc.flow else []
    kinds = {"present": doc.present, "heading": doc.headings, "not_heading": doc.plain}
    for kind, texts in kinds.items():
        for text in texts:
            need(layer.has(text), f"text not in the PDF: {text!r}")
            out.append({"type": kind, "text": text})
    whole = "".join(layer.flat)
    for before, after in doc.order:
        at = [whole.find(normalize(t).replace(" ", "")) for t in (before, after)]
        need(0 <= at[0] < at[1], f"order {before!r} {after!r}")
        out.append({"type": "order", "before": before, "after": after})
    for p, body in enumerate(
        layer.text, 1
    ):  # running heads and folios: on the page, not in its body
        furniture = [doc.head] if doc.head else []
        if doc.folio:
            sheet = f"Лист {p} из {len(layer.text)}"
            furniture.append(sheet if doc.folio == "sheet" else str(p + doc.first_page - 1))
        for text in furniture:
            need(normalize(text) in body, f"{text!r} not on page {p}")
            body = body.replace(normalize(text), " ", 1)
        for text in furniture:
            exact = text.isdigit()
            limit = 0 if exact else len(normalize(text)) // 10
            need(distance(normalize(text), body, limit) is None, f"{text!r} in the body, p. {p}")
            if text != doc.head or p == 1:
                page = {"page": p} if text != doc.head else {}
                out.append(
                    {"type": "absent", "text": text, **page, **({"max_diffs": 0} if exact else {})}
                )
    grids = parse_tables("".join(doc.tables))
    for c in doc.cells + [  # on one page: kept when its neighbours are on that page too
        {**c, "page": at[0]}
        for c in doc.paged
        if (at := layer.where(c["cell"])) and all(layer.has(t, at[0]) for t in c.values())
    ]:
        ok, why = Check.from_json({"pdf": "-", "id": "-", "type": "table", **c}).run(
            "".join(doc.tables)
        )
        need(ok, f"table check fails on its own HTML ({why}): {c}")
        need(sum(t.texts.count(normalize(c["cell"])) for t in grids) == 1, f"not unique: {c}")
        need(all(layer.has(t, c.get("page")) for k, t in c.items() if k != "page"), f"{c}")
        out.append({"type": "table", **c})
    tops: set[int] = set()  # each later page's first row, under the <thead> Chromium repeats
    for cell, up, right in doc.page_tops:
        if (at := layer.where(cell)) and at[0] > 1 and at[0] not in tops:
            tops.add(at[0])
            need(layer.has(up, at[0]) and layer.has(right, at[0]), f"no head on p. {at[0]}")
            out.append({"type": "table", "page": at[0], "cell": cell, "up": up, "right": right})
    return out


def scan(pdf: bytes, doc: Doc, spec: tuple[str, int], rng: random.Random, out: Path) -> str:
    """The born-digital PDF as a scan, or a phone photo, in the spec's container."""
    container, dpi = spec
    pages = rasterize(pdf, dpi=dpi)
    if len(pages) > 1 and container in ("png", "jpeg", "phone"):
        container = "tiff"  # those hold one page
    if container == "phone":
        buf = io.BytesIO()
        photo = phone_photo(pages[0], seed=rng.randint(0, 10**6), strength=rng.uniform(0.6, 1.2))
        photo.save(buf, "JPEG", quality=85)  # no resolution stated
        (out / f"{doc.name}.jpg").write_bytes(buf.getvalue())
        return f"{doc.name}.jpg"
    skew, blur = round(rng.uniform(-1.3, 1.3), 2), round(rng.uniform(0.3, 0.8), 2)
    jpeg = rng.choice((65, 75, 85)) if container in ("pdf", "jpeg") else None
    how = Scan(dpi, container, skew, blur, rng.choice((4, 6, 8)), jpeg)
    images = [
        degrade(
            page, rng.randint(0, 10**6), skew, blur, how.noise, jpeg, 0.85, grayscale=i % 2 == 1
        )
        for i, page in enumerate(pages)
    ]
    return write_scan(images, how, out / doc.name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder for the documents and checks.jsonl")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    checks: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="make_forms_") as tmp:
        for name, make, font, size, landscape, spec in SET:
            rng = random.Random(f"forms-{name}")
            doc = Doc(name, font, size, landscape)
            if landscape or name.startswith("article"):
                doc.margins = (10, 10, 10, 12) if landscape else (20, 18, 20, 18)
            make(rng, doc)
            pdf = render(doc, Path(tmp))
            found = make_checks(doc, Layer(pdf))
            digital = f"{name}_digital.pdf"
            (args.out / digital).write_bytes(pdf)
            scanned = scan(pdf, doc, spec, rng, args.out)
            for file in (scanned, digital):
                counts: dict[str, int] = {}
                for c in found:
                    counts[c["type"]] = n = counts.get(c["type"], 0) + 1
                    stem = file.rsplit(".", 1)[0]
                    checks.append({"pdf": file, "id": f"{stem}-{c['type']}-{n:02d}", **c})
            pages = len(pdfium.PdfDocument(pdf))
            print(f"{scanned}, {digital}: {pages} p., {font} {size} pt, {len(found)} checks each")
    with (args.out / "checks.jsonl").open("w", encoding="utf-8") as out:
        out.writelines(json.dumps(c, ensure_ascii=False) + "\n" for c in checks)
    kinds = {
        k: sum(c["type"] == k for c in checks) for k in dict.fromkeys(c["type"] for c in checks)
    }
    print(f"{len(checks)} checks ({', '.join(f'{k} {n}' for k, n in kinds.items())})")


if __name__ == "__main__":
    main()
