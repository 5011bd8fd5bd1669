"""POST /layout-parsing as an existing PaddleX / PaddleOCR-VL client calls it."""

from __future__ import annotations

import base64
import functools
import http.server
import io
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image
from reportlab.lib.pagesizes import A6
from reportlab.pdfgen.canvas import Canvas

from docparse.testing.fake_vlm import FakeVLM


def b64(path: Path) -> str:
    return base64.b64encode(path.read_bytes()).decode()


@pytest.fixture
def file_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A plain HTTP server on loopback for `file` given as a URL."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", tmp_path
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


async def test_paddlex_request_and_response_shape(
    vlm_client: httpx.AsyncClient, docs: Path
) -> None:
    response = await vlm_client.post(
        "/layout-parsing",
        json={
            "file": b64(docs / "edgar_image.pdf"),
            "fileType": 0,
            "logId": "abc-1",
            "useDocOrientationClassify": False,
            "useDocUnwarping": False,
            "layoutThreshold": 0.5,
            "layoutNms": True,
            "prettifyMarkdown": True,
            "someFutureFlag": 123,
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["logId"], body["errorCode"], body["errorMsg"]) == ("abc-1", 0, "Success")
    result = body["result"]
    assert result["dataInfo"]["type"] == "pdf"
    assert result["dataInfo"]["numPages"] == 1
    page = result["layoutParsingResults"][0]
    pruned = page["prunedResult"]
    assert {"width", "height", "model_settings", "parsing_res_list", "layout_det_res"} <= set(
        pruned
    )
    assert result["dataInfo"]["pages"][0] == {"width": pruned["width"], "height": pruned["height"]}
    first = pruned["parsing_res_list"][0]
    assert set(first) >= {"block_label", "block_content", "block_bbox", "block_id", "block_order"}
    assert len(first["block_bbox"]) == 4
    box = pruned["layout_det_res"]["boxes"][0]
    assert set(box) >= {"cls_id", "label", "score", "coordinate", "order"}
    assert "Text block" in page["markdown"]["text"]
    assert "outputImages" not in page


async def test_file_type_required_for_base64(vlm_client: httpx.AsyncClient, docs: Path) -> None:
    response = await vlm_client.post(
        "/layout-parsing", json={"file": b64(docs / "edgar_image.pdf")}
    )
    assert response.status_code == 422
    body = response.json()
    assert body["errorCode"] == 422
    assert "fileType" in body["errorMsg"]
    assert body["logId"]


async def test_invalid_field_is_paddlex_422(vlm_client: httpx.AsyncClient) -> None:
    response = await vlm_client.post(
        "/layout-parsing", json={"file": "x", "fileType": 1, "maxPixels": -5}
    )
    assert response.status_code == 422
    assert "body.maxPixels" in response.json()["errorMsg"]


async def test_url_file_whole_page_table_prompt_and_sampling(
    vlm_client: httpx.AsyncClient, vlm: FakeVLM, docs: Path, file_server: tuple[str, Path]
) -> None:
    base, folder = file_server
    image = Image.new("RGB", (800, 400), "white")
    image.save(folder / "table.png")
    response = await vlm_client.post(
        "/layout-parsing",
        json={
            "file": f"{base}/table.png",
            "useLayoutDetection": False,
            "promptLabel": "table",
            "temperature": 0.1,
            "topP": 0.9,
            "maxNewTokens": 512,
            "repetitionPenalty": 1.05,
            "visualize": True,
        },
    )
    assert response.status_code == 200, response.text
    result = response.json()["result"]
    assert result["dataInfo"] == {"width": 800, "height": 400, "type": "image"}
    page = result["layoutParsingResults"][0]
    blocks = page["prunedResult"]["parsing_res_list"]
    assert [b["block_label"] for b in blocks] == ["table"]
    assert blocks[0]["block_content"].startswith("<table>")
    assert 'colspan="2"' in blocks[0]["block_content"]
    assert "layout_det_res" not in page["prunedResult"]
    sent = vlm.last_request
    assert sent is not None
    assert sent["messages"][0]["content"][1]["text"] == "Table Recognition:"
    assert (
        sent["temperature"],
        sent["top_p"],
        sent["max_completion_tokens"],
        sent["repetition_penalty"],
    ) == (0.1, 0.9, 512, 1.05)
    shown = Image.open(io.BytesIO(base64.b64decode(page["inputImage"])))
    assert shown.size == (800, 400)
    assert "layout_det_res" in page["outputImages"]


async def test_pdf_is_not_cut_to_ten_pages(vlm_client: httpx.AsyncClient, tmp_path: Path) -> None:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A6)
    for number in range(12):
        canvas.drawString(40, 300, f"Page {number + 1}")
        canvas.showPage()
    canvas.save()
    response = await vlm_client.post(
        "/layout-parsing",
        json={
            "file": base64.b64encode(buffer.getvalue()).decode(),
            "fileType": 0,
            "useLayoutDetection": False,
        },
    )
    assert response.status_code == 200
    result = response.json()["result"]
    assert result["dataInfo"]["numPages"] == 12
    assert len(result["layoutParsingResults"]) == 12


@pytest.mark.slow
async def test_orientation_classify_is_honoured(
    vlm_client: httpx.AsyncClient, docs: Path, tmp_path: Path
) -> None:
    from docparse.io.pdf import PdfFile

    pdf = PdfFile(docs / "edgar.pdf")
    try:
        sideways = pdf.render(0, 100).rotate(90, expand=True)
    finally:
        pdf.close()
    buffer = io.BytesIO()
    sideways.save(buffer, format="PNG")
    data = base64.b64encode(buffer.getvalue()).decode()
    asked: list[dict[str, bool]] = [
        {"useDocOrientationClassify": True},
        {"useDocOrientationClassify": False},
        {},  # PaddleOCR-VL 1.5/1.6: use_doc_preprocessor False
        {"useDocUnwarping": True},  # the preprocessor's default classifies orientation
    ]
    results = [
        (
            await vlm_client.post(
                "/layout-parsing",
                json={"file": data, "fileType": 1, "useLayoutDetection": False, **flags},
            )
        ).json()["result"]
        for flags in asked
    ]
    sizes = [(r["dataInfo"]["width"], r["dataInfo"]["height"]) for r in results]
    upright = (sideways.height, sideways.width)
    assert sizes == [upright, sideways.size, sideways.size, upright]
    settings = [r["layoutParsingResults"][0]["prunedResult"]["model_settings"] for r in results]
    assert [s["use_doc_preprocessor"] for s in settings] == [True, False, False, True]


@pytest.mark.parametrize(
    ("options", "field", "message"),
    [
        ({"temperature": -0.1}, "temperature", "`temperature` must be ≥ 0; got: -0.1"),
        ({"topP": 0}, "topP", "`topP` must be > 0 and ≤ 1; got: 0"),
        ({"topP": 1.5}, "topP", "`topP` must be > 0 and ≤ 1; got: 1.5"),
        ({"repetitionPenalty": 0}, "repetitionPenalty", "`repetitionPenalty` must be > 0"),
        ({"minPixels": 0}, "minPixels", "greater than 0"),
        ({"maxPixels": -1}, "maxPixels", "greater than 0"),
        (
            {"minPixels": 2000000, "maxPixels": 1000000},
            "body",
            "`minPixels` (2000000) cannot be greater than `maxPixels` (1000000)",
        ),
        ({"maxNewTokens": 0}, "maxNewTokens", "greater than 0"),
        ({"promptLabel": "summary"}, "promptLabel", "`promptLabel` must be one of: ocr,"),
        ({"layoutThreshold": 1.5}, "layoutThreshold", "between 0 and 1 inclusive"),
        ({"layoutThreshold": {"3": -1}}, "layoutThreshold", "value for key '3'"),
        ({"layoutUnclipRatio": 0}, "layoutUnclipRatio", "must be numbers > 0"),
        ({"layoutMergeBboxesMode": "widest"}, "layoutMergeBboxesMode", "large, small, union"),
    ],
)
async def test_out_of_range_options_are_a_paddlex_422(
    vlm_client: httpx.AsyncClient,
    vlm: FakeVLM,
    docs: Path,
    options: dict[str, object],
    field: str,
    message: str,
) -> None:
    # PaddleX's InferRequest validators: refused before any page is read, not sent to
    # vLLM to come back as a 400 for every block.
    request = {"file": b64(docs / "edgar_image.pdf"), "fileType": 0, **options}
    response = await vlm_client.post("/layout-parsing", json=request)
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["errorCode"] == 422 and body["logId"]
    assert set(body) == {"logId", "errorCode", "errorMsg"}
    problems = json.loads(body["errorMsg"])
    assert problems[0]["loc"].endswith(field)
    assert message in problems[0]["msg"]
    assert vlm.request_count == 0


async def test_options_at_their_limits_are_accepted(
    vlm_client: httpx.AsyncClient, vlm: FakeVLM, tmp_path: Path
) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (600, 400), "white").save(buffer, format="PNG")
    request = {
        "file": base64.b64encode(buffer.getvalue()).decode(),
        "fileType": 1,
        "useLayoutDetection": False,
        "temperature": 0,
        "topP": 1,
        "minPixels": 1000000,
        "maxPixels": 1000000,
        "layoutUnclipRatio": [1.0, 1.5],
        "vlmExtraArgs": {"ocr_min_pixels": 1000},
    }
    response = await vlm_client.post("/layout-parsing", json=request)
    assert response.status_code == 200, response.text
    assert vlm.success_count == 1


@pytest.mark.slow  # moved out of the 10-minute default run
async def test_each_page_says_whether_it_was_read(
    vlm_client: httpx.AsyncClient, vlm: FakeVLM, docs: Path
) -> None:
    request = {"file": b64(docs / "edgar_image.pdf"), "fileType": 0}
    page = (await vlm_client.post("/layout-parsing", json=request)).json()["result"]
    first = page["layoutParsingResults"][0]
    assert (first["pageStatus"], first["errorMsg"]) == ("ok", None)

    vlm.fail_next(1, status=400)  # one block refused
    body = (await vlm_client.post("/layout-parsing", json=request)).json()
    assert (body["errorCode"], body["errorMsg"]) == (0, "Success")  # the request succeeded
    first = body["result"]["layoutParsingResults"][0]
    assert first["pageStatus"] == "partial"
    assert first["errorMsg"].startswith("1 block(s) got no content: VLM server answered HTTP 400")
    refused = [b for b in first["prunedResult"]["parsing_res_list"] if "block_error" in b]
    assert len(refused) == 1 and refused[0]["block_content"] == ""

    vlm.down()  # the CPU engine reads the page instead
    first = (await vlm_client.post("/layout-parsing", json=request)).json()["result"][
        "layoutParsingResults"
    ][0]
    assert first["pageStatus"] == "fallback"
    assert "paddleocr-vl unavailable" in first["errorMsg"]
    assert first["prunedResult"]["engine"] == "tesseract"
    vlm.up()


def test_a_failed_page_says_why() -> None:
    from docparse.document import BBox, Block, Document, Page, PageStatus
    from docparse.export.paddlex import page_status

    failed = Page(index=0, width=1, height=1, status=PageStatus.failed, error="damaged page")
    assert page_status(failed) == ("failed", "damaged page")
    empty = Page(index=0, width=100, height=100, status=PageStatus.empty)
    assert page_status(empty) == ("empty", None)
    block = Block(id="b", bbox=BBox(x0=0, y0=0, x1=1, y1=1))
    assert page_status(Page(index=0, width=100, height=100, blocks=[block])) == ("ok", None)
    assert Document(pages=[failed]).failed_pages == [0]
