"""A poster's title set in its text layer over a photo, which OCR missed (olmOCR-bench's
test-graphical-text.pdf: cyan 'THE POWER OF STORYTELLING' on a portrait): the page goes
to OCR for its sparse layer, and the layer's visible lines whose words OCR did not read
are added in their place. Before: the title was lost."""

from __future__ import annotations

from docparse.document import BBox, Block, Label, Page, PageStatus
from docparse.io.pdf_content import TextLayer, TextLine
from docparse.pipeline.layer_lines import add_missed_lines
from docparse.pipeline.layer_quality import assess

DPI = 150.0
SCALE = DPI / 72


def box(x0: float, y0: float, x1: float, y1: float) -> BBox:
    return BBox(x0=x0, y0=y0, x1=x1, y1=y1)


def ocr_page() -> Page:
    """What OCR read: the brand at the top and the subtitle near the foot (pixels)."""
    blocks = [
        Block(id="b0", label=Label.text, bbox=box(430, 80, 820, 140), text="THE VISION"),
        Block(id="b1", label=Label.text, bbox=box(370, 1380, 870, 1500), text="FOR LEADERS"),
    ]
    page = Page(index=0, width=1240, height=1713, dpi=DPI, blocks=blocks, status=PageStatus.ok)
    page.normalise_boxes()
    return page


def layer(hidden: float = 0.0) -> TextLayer:
    lines = [  # a layer's order need not be the page's
        TextLine("Speaker and author", box(200, 740, 400, 752), 12.0),
        TextLine("THE POWER OF STORYTELLING", box(37, 629, 562, 655), 56.0),
        TextLine("FOR LEADERS", box(177, 681, 418, 707), 56.0),  # OCR read it
        TextLine("xqzt vbnm kkkk", box(37, 760, 300, 770), 10.0),  # no words: garbage
    ]
    return TextLayer(lines, 50, 1.0, 150.0, hidden)


def test_the_layers_lines_ocr_missed_are_added_in_reading_place() -> None:
    page = ocr_page()
    assert add_missed_lines(page, layer()) == 2
    texts = [b.text for b in sorted(page.blocks, key=lambda b: b.order)]
    assert texts == ["THE VISION", "THE POWER OF STORYTELLING", "FOR LEADERS", "Speaker and author"]
    title = next(b for b in page.blocks if b.text.startswith("THE POWER"))
    assert title.bbox.y0 == 629 * SCALE and title.source_engine == "textlayer"


def test_an_invisible_layer_adds_nothing() -> None:
    """An earlier OCR's invisible layer: what it has that this OCR has not is no proof."""
    page = ocr_page()
    assert add_missed_lines(page, layer(hidden=0.9)) == 0
    assert len(page.blocks) == 2


def test_a_sparse_layer_over_a_picture_is_partial() -> None:
    verdict = assess(layer(), 612, 792)
    assert not verdict.use_layer and verdict.partial


def test_a_page_ocr_found_empty_is_ok_once_lines_are_added() -> None:
    """OCR read nothing on the poster; the layer's line makes the page one with text,
    and its status says so (before: 'empty', with the line in its Markdown)."""
    page = Page(index=0, width=1240, height=1713, dpi=DPI, blocks=[], status=PageStatus.empty)
    assert add_missed_lines(page, layer()) == 3
    assert page.status == PageStatus.ok
    texts = [b.text for b in page.blocks]
    assert texts == ["THE POWER OF STORYTELLING", "FOR LEADERS", "Speaker and author"]
