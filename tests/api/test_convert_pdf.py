"""POST /v1/convert with formats=pdf: the searchable PDF alone as application/pdf, or
Base64 in the JSON beside the other formats; saved with the result either way."""

from __future__ import annotations

import base64

import httpx
import pytest

from docparse.settings import Settings
from tests.fixtures.degrade import rasterize, scan_pdf
from tests.fixtures.made_pdfs import words_pdf
from tests.fixtures.searchable import pdfium_text, pdftotext, word_recall


@pytest.fixture(scope="module")
def scan() -> bytes:
    """A small scanned page of English words: OCR reads it in about a second."""
    return scan_pdf(rasterize(words_pdf(1), dpi=200), 200)


async def test_pdf_alone_answers_with_the_searchable_pdf(
    client: httpx.AsyncClient, scan: bytes, settings: Settings
) -> None:
    response = await client.post(
        "/v1/convert", files={"file": ("scan.pdf", scan)}, data={"formats": "pdf"}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    document_id = response.headers["x-document-id"]
    assert f'filename="{document_id}.pdf"' in response.headers["content-disposition"]
    pdf = response.content
    assert pdf.startswith(b"%PDF-")
    for text in (pdftotext(pdf), pdfium_text(pdf)):
        assert "quick brown fox" in text and "Pack my box" in text
    folder = settings.output_dir / document_id  # written with the result's other files
    assert (folder / "document.pdf").read_bytes() == pdf
    assert (folder / "document.md").exists() and (folder / "document.json").exists()


async def test_pdf_beside_other_formats_is_base64_in_the_json(
    client: httpx.AsyncClient, scan: bytes
) -> None:
    response = await client.post(
        "/v1/convert", files={"file": ("scan.pdf", scan)}, data={"formats": "md,txt,pdf"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert {"markdown", "text", "pdf", "document"} <= set(body)
    pdf = base64.b64decode(body["pdf"], validate=True)
    assert word_recall(body["markdown"], pdftotext(pdf)) >= 0.95


async def test_without_pdf_there_is_none(client: httpx.AsyncClient, scan: bytes) -> None:
    response = await client.post("/v1/convert", files={"file": ("scan.pdf", scan)})
    assert response.status_code == 200
    assert "pdf" not in response.json()


async def test_unknown_format_names_pdf_among_the_choices(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/convert", files={"file": ("x.pdf", b"%PDF-1.4")}, data={"formats": "md,docx"}
    )
    assert response.status_code == 422
    assert "use md, json, txt, pdf" in response.text


async def test_openapi_describes_the_pdf_answer(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    operation = spec["paths"]["/v1/convert"]["post"]
    assert "application/pdf" in operation["responses"]["200"]["content"]
    form = operation["requestBody"]["content"]["multipart/form-data"]["schema"]
    form = (
        spec["components"]["schemas"][form["$ref"].rsplit("/", 1)[-1]] if "$ref" in form else form
    )
    assert "searchable PDF" in form["properties"]["formats"]["description"]
    assert "pdf" in spec["components"]["schemas"]["ConvertResponse"]["properties"]
