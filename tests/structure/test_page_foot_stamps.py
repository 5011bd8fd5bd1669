"""A Federal Register page (pdfplumber's test files) read its three columns in the wrong
order: its last word broke to the next page ("Soekarno-"), PDFium joined the stamp at
the page's foot ("VerDate Sep<11>2014 ...") to it as one hyphenated line, and a stamp
running up the left margin held the columns and the foot together for the reading
order. The stamp at the foot is a line of its own; the margin stamp is read last."""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen import canvas

from docparse.document import BBox, Block
from docparse.export.markdown import to_markdown
from docparse.io.pdf import PdfFile
from docparse.pipeline.converter import Converter
from docparse.pipeline.options import ConvertOptions
from docparse.structure.arrange import arrange

COLUMNS = [
    "The agency proposes to supersede the directive which applies to certain airplanes "
    "and requires revising the flight manual to provide the flightcrew with runaway "
    "stabilizer operation procedures. ",
    "You may examine the docket on the internet by searching for and locating the "
    "docket number. The docket contains this notice, any comments received, and other "
    "information about the proposal. ",
    "On a late October morning an airplane was involved in an accident after takeoff "
    "from the airport of the capital, resulting in many fatalities. Investigators found "
    "that the airplane took off from Soekarno-",
]
STAMP = "VerDate Sep<11>2014 16:21 Aug 05, 2020 Jkt 250001 PO 00000 Frm 00001"
XS = (45.0, 222.0, 399.0)


def register_page(path: Path) -> None:
    pdf = canvas.Canvas(str(path), pagesize=(612, 792))
    pdf.setFont("Times-Roman", 9)
    for x, text in zip(XS, COLUMNS, strict=True):
        y = 700.0
        for line in simpleSplit(text * 30, "Times-Roman", 9, 165)[:62]:  # to the foot
            pdf.drawString(x, y, line)
            y -= 10
        pdf.drawString(x, y, text.split()[-1] if x == XS[-1] else "the end of a column.")
    pdf.setFont("Helvetica", 6)
    pdf.drawString(25, 20, STAMP)  # written right after the hyphenated word
    pdf.saveState()
    pdf.translate(22, 12)  # up the margin beside the columns' last lines
    pdf.rotate(90)
    pdf.drawString(0, 0, "jbell on DSKJLSW7X2PROD with PROPOSALS")
    pdf.restoreState()
    pdf.save()


def test_a_stamp_after_a_word_broken_to_the_next_page_is_its_own_line(tmp_path: Path) -> None:
    path = tmp_path / "register.pdf"
    register_page(path)
    texts = [ln.text for ln in PdfFile(path).text_layer(0).lines]
    assert STAMP in texts
    assert any(t.endswith("Soekarno-") or t.endswith("Soekarno") for t in texts)


async def test_the_columns_read_in_order_beside_a_margin_stamp(
    converter: Converter, tmp_path: Path
) -> None:
    path = tmp_path / "register.pdf"
    register_page(path)
    result = await converter.convert(path, ConvertOptions())
    markdown = " ".join(to_markdown(result.document).split())
    starts = [markdown.index(text[:40]) for text in COLUMNS]
    assert starts == sorted(starts)


def test_a_stamp_up_the_margin_does_not_hold_the_columns_together() -> None:
    # The page as its blocks stood: three columns of paragraphs, the foot's stamp line
    # under them across two gutters, and a stamp up the left margin beside both.
    def block(name: str, x0: float, y0: float, x1: float, y1: float) -> Block:
        return Block(id=name, bbox=BBox(x0=x0, y0=y0, x1=x1, y1=y1), text=f"{name} text")

    columns = [
        block(f"c{c}p{p}", x, 122 + 160 * p, x + 165, 270 + 160 * p + (1 if p == 3 else 0))
        for c, x in enumerate(XS)
        for p in range(4)
    ]
    foot = block("foot", 25, 767, 449, 773)
    margin = block("margin", 18, 668, 23, 774)
    margin.text = "jbell on DSKJLSW7X2PROD with PROPOSALS"
    order = [b.id for b in arrange([margin, foot, *reversed(columns)], 612, 792, 72, 0)]
    assert order[:12] == [b.id for b in columns]
    assert order[-1] == "margin"
