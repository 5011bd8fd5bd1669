"""POST /v1/convert in-process through httpx.ASGITransport."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from docparse.settings import Settings


async def test_convert_returns_markdown_document_and_writes_files(
    client: httpx.AsyncClient, docs: Path, settings: Settings
) -> None:
    with (docs / "edgar.pdf").open("rb") as handle:
        response = await client.post(
            "/v1/convert", files={"file": ("edgar.pdf", handle)}, data={"formats": "md,json,txt"}
        )
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= {"document_id", "markdown", "document", "pages", "timings", "text"}
    assert "King of the English" in body["markdown"]
    assert body["pages"][0]["route"] == "text_layer"
    block = body["document"]["pages"][0]["blocks"][0]
    assert set(block) >= {
        "id",
        "label",
        "bbox",
        "bbox_norm",
        "order",
        "text",
        "confidence",
        "source_engine",
    }
    folder = settings.output_dir / body["document_id"]
    assert (folder / "document.md").read_text() == body["markdown"]
    saved = json.loads((folder / "document.json").read_text())
    assert saved["pages"][0]["blocks"][0]["text"] == block["text"]
    assert (folder / "document.txt").exists()


@pytest.mark.slow  # moved out of the 10-minute default run
async def test_format_md_returns_markdown_alone(client: httpx.AsyncClient, docs: Path) -> None:
    with (docs / "edgar_image.pdf").open("rb") as handle:
        response = await client.post("/v1/convert?format=md", files={"file": handle})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/markdown")
    assert "King of" in response.text
    assert response.headers["x-document-id"]


async def test_options_engine_pages_and_languages(client: httpx.AsyncClient, docs: Path) -> None:
    with (docs / "bws_book_ch2.pdf").open("rb") as handle:
        response = await client.post(
            "/v1/convert",
            files={"file": handle},
            data={"pages": "2", "engine": "tesseract", "languages": "eng", "dpi": "150"},
        )
    assert response.status_code == 200
    pages = response.json()["pages"]
    assert [(p["index"], p["route"], p["engine"]) for p in pages] == [(1, "ocr", "tesseract")]
    assert response.json()["document"]["pages"][0]["dpi"] == 150


async def test_temp_files_are_removed(
    client: httpx.AsyncClient, docs: Path, settings: Settings
) -> None:
    for name in ("edgar.pdf", "blanktext.pdf"):
        with (docs / name).open("rb") as handle:
            await client.post("/v1/convert", files={"file": handle})
    await client.post("/v1/convert", files={"file": ("bad.pdf", b"%PDF-1.4 broken")})
    assert list(settings.temp_dir.iterdir()) == []


async def test_version_and_openapi(client: httpx.AsyncClient) -> None:
    version = (await client.get("/version")).json()
    assert version["name"] == "docparse"
    assert "tesseract" in version["engines"]
    spec = (await client.get("/openapi.json")).json()
    assert "/v1/convert" in spec["paths"]
    assert (await client.get("/docs")).status_code == 200


async def test_figures_are_cropped_saved_and_referenced(
    client: httpx.AsyncClient, docs: Path, settings: Settings
) -> None:
    from PIL import Image

    with (docs / "edgar.pdf").open("rb") as handle:
        response = await client.post("/v1/convert", files={"file": handle})
    body = response.json()
    figures = [b for b in body["document"]["pages"][0]["blocks"] if b["label"] == "image"]
    assert len(figures) == 1  # the portrait; the tiny logo is not a figure
    path = figures[0]["image"]
    assert f"![image]({path})" in body["markdown"]
    with Image.open(settings.output_dir / body["document_id"] / path) as saved:
        width = saved.width
    box = figures[0]["bbox"]
    assert width == pytest.approx((box["x1"] - box["x0"]) * 150 / 72, abs=3)
    assert "Predecessor" in body["markdown"]  # the infobox text around it is kept
