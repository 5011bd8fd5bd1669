"""PDF -> PP-DocLayoutV3 (an ONNX export with the real inputs and outputs) -> one VLM call
per block with its task prompt -> tables, formulas, charts and seals in the Document."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from docparse.settings import Settings
from docparse.testing.fake_vlm import FakeVLM
from tests.fixtures.onnx_models import box_mask, layout_model
from tests.fixtures.service import running
from tests.fixtures.vlm import with_vlm

# [cls, score, x1, y1, x2, y2, order, votes] in the model's 800x800 input pixels.
BOXES = [
    [6, 0.95, 100, 40, 700, 90, 1, 0],  # doc_title
    [22, 0.9, 100, 110, 700, 250, 2, 0],  # text
    [21, 0.9, 100, 270, 700, 450, 3, 0],  # table
    [5, 0.9, 200, 470, 600, 530, 4, 0],  # display_formula
    [3, 0.9, 100, 550, 380, 750, 5, 0],  # chart
    [20, 0.9, 420, 550, 560, 690, 6, 0],  # seal
    [14, 0.9, 600, 550, 700, 650, 7, 0],  # image
]


@pytest.fixture
def model_settings(vlm_settings: Settings, tmp_path: Path) -> Settings:
    masks = [box_mask(*(int(v) for v in row[2:6])) for row in BOXES]
    path = layout_model(tmp_path / "pp-doclayoutv3.onnx", BOXES, masks=masks)
    return with_vlm(vlm_settings, layout="model").model_copy(update={"layout_model_path": path})


def page_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (1000, 1400), "white").save(buffer, format="PNG", dpi=(150, 150))
    return buffer.getvalue()


async def test_every_block_gets_its_prompt_and_format(
    model_settings: Settings, vlm: FakeVLM
) -> None:
    async with running(model_settings) as http:
        health = (await http.get("/health")).json()
        response = await http.post("/v1/convert", files={"file": ("page.png", page_png())})
    assert health["engines"]["paddleocr-vl"]["state"] == "ready"
    assert response.status_code == 200, response.text
    body = response.json()
    blocks = body["document"]["pages"][0]["blocks"]
    labels = [b["label"] for b in blocks]
    assert labels == ["doc_title", "text", "table", "display_formula", "chart", "seal", "image"]
    by_label = {b["label"]: b for b in blocks}
    # Boxes are in page pixels: the model saw 800x800, the page is 1000x1400.
    assert by_label["table"]["bbox"]["x0"] == pytest.approx(125, abs=1)
    assert by_label["table"]["bbox"]["y0"] == pytest.approx(270 * 1400 / 800, abs=1)
    assert by_label["display_formula"]["polygon"]  # V3 gives block shapes
    table = by_label["table"]
    assert 'colspan="2"' in table["html"] and 'rowspan="2"' in table["html"]
    assert {(c["row"], c["col"], c["row_span"]) for c in table["cells"]} >= {(1, 0, 2)}
    assert r"E=mc^{2}" in by_label["display_formula"]["latex"]
    # Charts and seals stay pictures unless asked for (PaddleOCR-VL-1.5/1.6 configs:
    # use_chart_recognition and use_seal_recognition False).
    assert by_label["chart"]["text"] == by_label["seal"]["text"] == ""
    assert by_label["image"]["text"] == ""
    assert vlm.prompt_counts == {"OCR:": 2, "Table Recognition:": 1, "Formula Recognition:": 1}
    markdown = body["markdown"]
    assert markdown.index("# Text block") < markdown.index("<table>") < markdown.index("$$")


async def test_charts_and_seals_when_asked(model_settings: Settings, vlm: FakeVLM) -> None:
    import base64

    request = {
        "file": base64.b64encode(page_png()).decode(),
        "fileType": 1,
        "useChartRecognition": True,
        "useSealRecognition": True,
    }
    async with running(model_settings) as http:
        response = await http.post("/layout-parsing", json=request)
    assert response.status_code == 200, response.text
    page = response.json()["result"]["layoutParsingResults"][0]
    blocks = {b["block_label"]: b for b in page["prunedResult"]["parsing_res_list"]}
    assert "APPROVED" in blocks["seal"]["block_content"]
    # The chart's rows stay rows, and its Markdown is a table, not one run-on line.
    assert blocks["chart"]["block_content"].count("\n") >= 3
    markdown = page["markdown"]["text"]
    # PaddleX format_chart2table_func: the first row a header, cells centred.
    assert (
        "<tr><td style='text-align: center;'>Jan</td><td style='text-align: center;'>120</td>"
        in markdown
    )
    assert "<th style='text-align: center;'>Sales</th>" in markdown
    assert "| Month | Sales | | --- |" not in markdown
    assert vlm.prompt_counts["Chart Recognition:"] == vlm.prompt_counts["Seal Recognition:"] == 1


async def test_missing_layout_model_is_reported(vlm_settings: Settings, tmp_path: Path) -> None:
    settings = with_vlm(vlm_settings, layout="model").model_copy(
        update={"layout_model_path": tmp_path / "nope.onnx"}
    )
    async with running(settings) as http:
        health = (await http.get("/health")).json()
    engine = health["engines"]["paddleocr-vl"]
    assert engine["state"] == "failed"
    assert "nope.onnx" in engine["reason"]


async def test_layout_parsing_returns_figure_images(model_settings: Settings, vlm: FakeVLM) -> None:
    import base64

    async with running(model_settings) as http:
        response = await http.post(
            "/layout-parsing", json={"file": base64.b64encode(page_png()).decode(), "fileType": 1}
        )
    page = response.json()["result"]["layoutParsingResults"][0]
    images = page["markdown"]["images"]
    # Charts are read only when asked (useChartRecognition; off in PaddleOCR-VL 1.5/1.6):
    # the picture and the chart are both crops, each shown in the Markdown.
    assert len(images) == 2
    assert all(f'<img src="{p}"' in page["markdown"]["text"] for p in images)
    blocks = page["prunedResult"]["parsing_res_list"]
    picture = next(b for b in blocks if b["block_label"] == "image")
    assert picture["block_content"] == ""
    sizes = sorted(Image.open(io.BytesIO(base64.b64decode(d))).size for d in images.values())
    assert sizes[0] == pytest.approx((125, 175), abs=2)  # 100x100 model px on 1000x1400


def born_digital_pdf() -> bytes:
    """An A4 page with a text layer: prose at the top, a formula where the model's
    display_formula box falls, nothing drawn where its image box falls."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=1)
    height = A4[1]
    canvas.setFont("Helvetica", 11)
    for i, line in enumerate(
        [
            "The report describes the warehouse and its stock.",
            "Every month the stock is counted by a committee.",
        ]
    ):
        canvas.drawString(90, height - 140 - 16 * i, line)
    canvas.drawString(280, height - 530, "E = mc2 holds for the whole system")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


async def test_born_digital_page_shares_the_layout_stage(
    model_settings: Settings, vlm: FakeVLM
) -> None:
    async with running(model_settings) as http:
        response = await http.post(
            "/v1/convert", data={"layout": "true"}, files={"file": ("page.pdf", born_digital_pdf())}
        )
    assert response.status_code == 200, response.text
    page = response.json()["document"]["pages"][0]
    assert page["route"] == "text_layer"
    blocks = {b["label"]: b for b in page["blocks"]}
    assert blocks["display_formula"]["text"] == "E = mc2 holds for the whole system"
    # The model's image box (600..700 x 550..650 of its 800x800 view) on an A4 page.
    image = blocks["image"]["bbox"]
    assert image["x0"] == pytest.approx(600 / 800 * 595.3, abs=2)
    assert image["y1"] == pytest.approx(650 / 800 * 841.9, abs=2)
    assert "warehouse" in response.json()["markdown"]
    assert vlm.prompt_counts == {}  # the text came from the PDF: no VLM call
