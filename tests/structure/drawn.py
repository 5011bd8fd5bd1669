"""Born-digital test pages drawn with reportlab the way typesetters write them: each word
placed on its own, justified lines spread to the right edge, the content stream in the
order the caller draws (scrambled on purpose where a test wants it)."""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

FONTS = Path("/usr/share/fonts/truetype/liberation2")  # Times New Roman's metrics
SERIF, BOLD = "LiberationSerif", "LiberationSerif-Bold"
WIDTH, HEIGHT = A4
LEFT, RIGHT = 57.0, A4[0] - 57.0  # 2 cm margins

CLAUSES = [
    "Требования настоящего стандарта распространяются на организационно-"
    "распорядительные документы, которые оформляются по правилам настоящего",
    "Реквизиты документа располагаются в пределах рабочей площади листа с учётом "
    "полей, размеры которых указаны в приложении А",
    "Наименование организации, являющейся автором документа, должно соответствовать "
    "наименованию, закреплённому в её учредительных документах",
    "Справочные данные об организации включают почтовый адрес, номер телефона и "
    "адрес электронной почты по усмотрению организации",
    "Дата документа оформляется арабскими цифрами в последовательности: день месяца, "
    "месяц, год, как это предусмотрено пунктом 5.1 настоящего",
    "Регистрационный номер документа состоит из его порядкового номера, который "
    "можно дополнять по усмотрению организации индексом дела",
]


def register() -> None:
    for name, file in ((SERIF, "LiberationSerif-Regular.ttf"), (BOLD, "LiberationSerif-Bold.ttf")):
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(FONTS / file)))


class Sheet:
    """One A4 page; y runs top down, in points, at the text's baseline."""

    def __init__(self, path: Path) -> None:
        register()
        self.canvas = Canvas(str(path), pagesize=A4)

    def text(
        self,
        x: float,
        y: float,
        text: str,
        size: float = 11,
        bold: bool = False,
        align: str = "left",
    ) -> None:
        font = BOLD if bold else SERIF
        self.canvas.setFont(font, size)
        width = stringWidth(text, font, size)
        at = {"left": x, "right": x - width, "centre": x - width / 2}[align]
        self.canvas.drawString(at, HEIGHT - y, text)

    def words(
        self, x0: float, x1: float, y: float, words: list[str], size: float, spread: bool
    ) -> None:
        """One line, word by word: spread to fill x0..x1 (justified) or at word spaces."""
        widths = [stringWidth(w, SERIF, size) for w in words]
        space = stringWidth(" ", SERIF, size)
        if spread and len(words) > 1:
            space = (x1 - x0 - sum(widths)) / (len(words) - 1)
        x = x0
        for word, width in zip(words, widths, strict=True):
            self.text(x, y, word, size)
            x += width + space

    def paragraph(
        self,
        text: str,
        y: float,
        size: float = 11,
        leading: float = 13.5,
        indent: float = 48,
        left: float = LEFT,
        right: float = RIGHT,
    ) -> float:
        """A justified paragraph with its first line set in by `indent`; its last line is
        left as it falls. Returns the baseline of the line after it."""
        lines = wrap(text, size, right - left - indent, right - left)
        for i, line in enumerate(lines):
            x0 = left + (indent if i == 0 else 0)
            self.words(x0, right, y, line, size, spread=i < len(lines) - 1)
            y += leading
        return y

    def next_page(self) -> None:
        self.canvas.showPage()

    def save(self) -> None:
        self.canvas.showPage()
        self.canvas.save()


def wrap(text: str, size: float, first: float, rest: float) -> list[list[str]]:
    """Words filled into lines `first` then `rest` points wide."""
    lines: list[list[str]] = [[]]
    space = stringWidth(" ", SERIF, size)
    used, room = 0.0, first
    for word in text.split():
        width = stringWidth(word, SERIF, size)
        if lines[-1] and used + space + width > room:
            lines.append([])
            used, room = 0.0, rest
        used += (space if lines[-1] else 0) + width
        lines[-1].append(word)
    return lines
