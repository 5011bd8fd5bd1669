"""An OCR'd book's text layer sets every word as a text object of its own, sized to the
word, in a scaled coordinate system; PDFium then runs the page's lines into one, the
running head (`400 BRITISH HUSBANDRY. [Ch. XIX.`) with them (small_page_size.pdf). The
lines are split where the text goes on below and back to the left, and the head, its
own line again, leaves the Markdown though a speck of OCR noise sits above it."""

from __future__ import annotations

import itertools
from pathlib import Path

from reportlab.pdfgen import canvas

from docparse.document import Label
from docparse.export.markdown import to_markdown
from docparse.io.pdf import PdfFile
from docparse.pipeline.converter import Converter
from docparse.pipeline.options import ConvertOptions

HEAD = "400 BRITISH HUSBANDRY. [Ch. XIX."
BODY = [
    "any was very trifling. Since the use of bones has",
    "general, the turnip crop has been, in many instances",
    "less than four or five fold its former bulk. All the",
    "grain and seeds have been amazingly increased, and",
    "shift system, there is no doubt the land will go on",
    "improving, requiring a less quantity of bones annually",
    "from its increased fertility and power. On light loams",
]


def ocr_layer_page(path: Path, speck: bool = True) -> None:
    """A 180x300 pt page in the OCR layer's manner: invisible words in a 0.12 scale, each
    in its own text object at its own size; a stray dash above the page when `speck`."""
    pdf = canvas.Canvas(str(path), pagesize=(180, 300))
    pdf.setFont("Helvetica", 10)  # registers /F1
    code = ["q", "3 Tr", "0.11952 0 0 0.11952 0 0 cm"]

    def line(y: float, text: str, sizes: tuple[float, ...]) -> None:
        x = 244.0
        for k, word in enumerate(text.split()):
            size = sizes[k % len(sizes)]
            code.extend(
                [f"/F1 {size} Tf", "BT", f"1 0 0 1 {x:.0f} {y:.0f} Tm", f"({word})Tj", "ET"]
            )
            x += (len(word) + 1) * 0.6 * size + 20

    if speck:
        code.extend(["/F1 6 Tf", "BT", "1 0 0 1 400 2500 Tm", "(-)Tj", "ET"])
    line(2264, HEAD, (23.3, 31.2, 34.0, 22.9, 27.5))
    y = 2208.0
    for text in BODY:
        line(y, text, (28.3, 25.0, 18.7, 23.9))
        y -= 35
    code.append("Q")
    pdf._code.extend(code)  # reportlab draws no text object per word at a set size
    pdf.showPage()
    pdf.save()


def test_lines_pdfium_ran_together_are_split_where_the_text_goes_back_down(
    tmp_path: Path,
) -> None:
    path = tmp_path / "layer.pdf"
    ocr_layer_page(path)
    lines = PdfFile(path).text_layer(0).lines
    texts = [ln.text for ln in lines if ln.text != "-"]
    assert texts == [HEAD, *BODY]
    boxes = [ln.bbox for ln in lines if ln.text != "-"]
    assert all(a.y1 <= b.y0 for a, b in itertools.pairwise(boxes))


async def test_the_running_head_of_an_ocr_layer_page_leaves_the_markdown(
    converter: Converter, tmp_path: Path
) -> None:
    path = tmp_path / "book.pdf"
    ocr_layer_page(path)
    result = await converter.convert(path, ConvertOptions())
    (page,) = result.document.pages
    assert page.route == "text_layer"
    (head,) = [b for b in page.blocks if HEAD in b.text]
    assert head.text == HEAD and head.label == Label.header
    markdown = to_markdown(result.document)
    assert "BRITISH HUSBANDRY" not in markdown
    assert markdown.lstrip().startswith("any was very trifling.")
    assert "from its increased fertility and power." in markdown
