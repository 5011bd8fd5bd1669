"""/openapi.json is a contract: every route documents its success body with a model, the
errors it answers with theirs, and what the routes really answer fits those models."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path
from typing import Any, TypeVar

import httpx
from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from PIL import Image
from pydantic import BaseModel

from docparse.api.app import create_app
from docparse.api.schemas.convert import ConvertResponse
from docparse.api.schemas.errors import ErrorResponse
from docparse.api.schemas.health import HealthResponse, LiveResponse, ReadyResponse
from docparse.api.schemas.meta import VersionResponse
from docparse.api.schemas.paddlex import (
    LayoutParsingPageResult,
    LayoutParsingRequest,
    LayoutParsingResponse,
    PaddlexErrorResponse,
)
from docparse.document import BBox, Block, Document, Label, Page
from docparse.export.paddlex import page_result
from docparse.settings import Settings


def is_described(schema: dict[str, Any]) -> bool:
    """A schema that says something about the body: a model's $ref, properties, or a
    union of those."""
    if "$ref" in schema or schema.get("properties"):
        return True
    options = schema.get("anyOf") or schema.get("oneOf") or []
    return bool(options) and all(is_described(option) for option in options)


def api_routes(app: FastAPI) -> list[RouteContext]:
    """Every APIRoute of the app, routers included (FastAPI includes them lazily: they are
    not in app.routes as APIRoutes)."""
    return [c for c in iter_route_contexts(app.routes) if isinstance(c.original_route, APIRoute)]


def undescribed_routes(app: FastAPI) -> list[str]:
    """Every route whose success answer /openapi.json leaves without a JSON body schema."""
    spec = app.openapi()
    missing = []
    for route in api_routes(app):
        if not route.include_in_schema:
            continue
        status = str(route.status_code or 200)
        for method in sorted(route.methods or ()):
            operation = spec["paths"][route.path_format][method.lower()]
            content = operation["responses"].get(status, {}).get("content", {})
            schema = content.get("application/json", {}).get("schema", {})
            # A picture or file answer is described by a binary schema under its type.
            binary = any(
                c.get("schema", {}).get("format") == "binary"
                for kind, c in content.items()
                if kind != "application/json"
            )
            if not (is_described(schema) or binary):
                missing.append(f"{method} {route.path_format} {status}")
    return missing


M = TypeVar("M", bound=BaseModel)


def conforms(model: type[M], response: httpx.Response) -> M:
    """The body validates against `model` strictly (JSON types as they are), and the model
    holds all of it: nothing undeclared was dropped, nothing was coerced."""
    parsed = model.model_validate_json(response.content, strict=True)
    assert parsed.model_dump(mode="json", exclude_unset=True) == response.json()
    return parsed


def test_every_route_documents_its_success_body(settings: Settings) -> None:
    app = create_app(settings)
    assert {r.path_format for r in api_routes(app)} == {
        "/v1/convert",
        "/v1/jobs",
        "/v1/jobs/{job_id}",
        "/v1/jobs/{job_id}/result",
        "/v1/jobs/{job_id}/pages/{number}",
        "/layout-parsing",
        "/health",
        "/health/live",
        "/health/ready",
        "/version",
    }
    assert undescribed_routes(app) == []


def test_the_check_flags_a_route_without_a_model() -> None:
    app = FastAPI()

    @app.get("/loose")
    async def loose() -> dict[str, Any]:
        return {}

    @app.get("/raw", response_model=None)
    async def raw() -> httpx.Response:  # pragma: no cover - never called
        raise NotImplementedError

    @app.post("/made", status_code=201)
    async def made() -> ReadyResponse:  # pragma: no cover - never called
        raise NotImplementedError

    @app.post(
        "/made-but-documented-200", status_code=201, responses={200: {"model": ReadyResponse}}
    )
    async def other() -> dict[str, Any]:  # pragma: no cover - never called
        raise NotImplementedError

    router = APIRouter()  # as the service's routes are: in routers, included

    @router.get("/included")
    async def included() -> LiveResponse:  # pragma: no cover - never called
        raise NotImplementedError

    @router.get("/included-loose")
    async def included_loose() -> Any:  # pragma: no cover - never called
        raise NotImplementedError

    app.include_router(router)
    assert undescribed_routes(app) == [
        "GET /loose 200",
        "GET /raw 200",
        "POST /made-but-documented-200 201",
        "GET /included-loose 200",
    ]


def test_errors_are_documented_in_the_shapes_the_service_answers(settings: Settings) -> None:
    spec = create_app(settings).openapi()
    schemas = spec["components"]["schemas"]
    assert "HTTPValidationError" not in schemas  # FastAPI's 422 shape, which we never answer
    error = {"$ref": "#/components/schemas/ErrorResponse"}
    paddlex_error = {"$ref": "#/components/schemas/PaddlexErrorResponse"}

    def responses(path: str, method: str) -> dict[str, Any]:
        result: dict[str, Any] = spec["paths"][path][method]["responses"]
        return result

    def schema(path: str, method: str, status: str) -> Any:
        return responses(path, method)[status]["content"]["application/json"]["schema"]

    convert = responses("/v1/convert", "post")
    assert set(convert) == {"200", "408", "413", "415", "422", "429", "500", "502", "503", "504"}
    assert all(schema("/v1/convert", "post", s) == error for s in convert if s != "200")
    assert convert["200"]["content"]["text/markdown"]["schema"] == {"type": "string"}
    # The document in the answer is the Document model itself, not a copy of its shape.
    assert schemas["ConvertResponse"]["properties"]["document"] == {
        "$ref": "#/components/schemas/Document"
    }
    assert set(schemas["Document"]["properties"]) == {"pages", "metadata", "failed_pages"}

    parsing = responses("/layout-parsing", "post")
    assert set(parsing) == {"200", "408", "413", "415", "422", "429", "500", "503", "504"}
    assert all(
        schema("/layout-parsing", "post", s) == paddlex_error
        for s in ("415", "422", "429", "500", "503", "504")
    )
    assert schema("/layout-parsing", "post", "413")["anyOf"] == [paddlex_error, error]
    assert schema("/layout-parsing", "post", "408") == error  # the body guard's answer

    assert set(responses("/health/ready", "get")) == {"200", "503"}
    for path in ("/health", "/health/live", "/version"):
        assert set(responses(path, "get")) == {"200"}


async def test_answers_fit_their_models(client: httpx.AsyncClient, docs: Path) -> None:
    assert conforms(LiveResponse, await client.get("/health/live")).status == "alive"
    ready = await client.get("/health/ready")
    assert ready.status_code == 200
    assert conforms(ReadyResponse, ready).status == "ready"
    health = conforms(HealthResponse, await client.get("/health"))
    assert health.engines["tesseract"].detail
    conforms(VersionResponse, await client.get("/version"))

    with (docs / "edgar.pdf").open("rb") as handle:
        response = await client.post(
            "/v1/convert", files={"file": ("edgar.pdf", handle)}, data={"formats": "md,json,txt"}
        )
    assert response.status_code == 200, response.text
    converted = conforms(ConvertResponse, response)
    assert converted.text and converted.document.pages[0].blocks

    with (docs / "edgar_image.pdf").open("rb") as handle:  # OCR: lines with confidences
        response = await client.post(
            "/v1/convert", files={"file": handle}, data={"engine": "tesseract"}
        )
    assert response.status_code == 200, response.text
    converted = conforms(ConvertResponse, response)
    assert converted.text is None
    assert converted.document.pages[0].route == "ocr"

    refused = await client.post("/v1/convert", files={"file": ("a.txt", b"plain text")})
    assert refused.status_code == 415
    assert conforms(ErrorResponse, refused).error.code == "unsupported_format"
    invalid = await client.post("/v1/convert", data={"engine": "auto"})
    assert invalid.status_code == 422
    details = conforms(ErrorResponse, invalid).error.details
    assert isinstance(details, list) and details[0].field == "body.file"


async def test_ready_while_starting_fits_its_model(settings: Settings) -> None:
    from tests.fixtures.service import running

    async with running(settings, wait_for_engines=False) as http:
        response = await http.get("/health/ready")
        assert response.status_code in (200, 503)
        body = conforms(ReadyResponse, response)
        assert (body.status == "ready") == (response.status_code == 200)
        conforms(HealthResponse, await http.get("/health"))


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


async def test_layout_parsing_answers_fit_their_models(
    vlm_client: httpx.AsyncClient, docs: Path
) -> None:
    pdf = await vlm_client.post(
        "/layout-parsing",
        json={"file": b64((docs / "edgar_image.pdf").read_bytes()), "fileType": 0},
    )
    assert pdf.status_code == 200, pdf.text
    parsed = conforms(LayoutParsingResponse, pdf)
    assert parsed.result.dataInfo.type == "pdf"
    assert parsed.result.layoutParsingResults[0].prunedResult.layout_det_res is not None

    buffer = io.BytesIO()
    Image.new("RGB", (800, 400), "white").save(buffer, format="PNG")
    image = await vlm_client.post(
        "/layout-parsing",
        json={
            "file": b64(buffer.getvalue()),
            "fileType": 1,
            "useLayoutDetection": False,
            "promptLabel": "table",
            "visualize": True,
        },
    )
    assert image.status_code == 200, image.text
    page = conforms(LayoutParsingResponse, image).result.layoutParsingResults[0]
    assert page.inputImage and page.outputImages
    assert "layout_det_res" not in image.json()["result"]["layoutParsingResults"][0]["prunedResult"]

    invalid = await vlm_client.post("/layout-parsing", json={"file": "x", "fileType": 7})
    assert invalid.status_code == 422
    assert conforms(PaddlexErrorResponse, invalid).errorCode == 422
    no_type = await vlm_client.post("/layout-parsing", json={"file": "eA=="})
    assert no_type.status_code == 422
    conforms(PaddlexErrorResponse, no_type)


def test_page_result_keys_are_all_in_the_model() -> None:
    """The route encodes through LayoutParsingResponse, which would drop a key the model
    lacks without a word: every key export/paddlex.py writes must be in the model."""
    figure = io.BytesIO()
    Image.new("RGB", (40, 30), "grey").save(figure, format="PNG")
    page = Page(
        index=0,
        width=600,
        height=800,
        blocks=[
            Block(
                id="t",
                label=Label.doc_title,
                bbox=BBox(x0=10, y0=10, x1=300, y1=40),
                text="Title",
                polygon=[(10, 10), (300, 10), (300, 40), (10, 40)],
                confidence=0.9,
            ),
            Block(
                id="f",
                label=Label.image,
                bbox=BBox(x0=10, y0=100, x1=50, y1=130),
                image="imgs/f.png",
                order=1,
            ),
            Block(id="n", label=Label.number, bbox=BBox(x0=290, y0=780, x1=310, y1=795), order=2),
        ],
    )
    document = Document(pages=[page], metadata={"source_type": "png"})
    request = LayoutParsingRequest(file="x", fileType=1, visualize=True)
    result = page_result(
        document,
        0,
        request,
        Image.new("RGB", (600, 800), "white"),
        {"imgs/f.png": figure.getvalue()},
    )
    as_json = json.loads(json.dumps(result))
    parsed = LayoutParsingPageResult.model_validate_json(json.dumps(result), strict=True)
    assert parsed.model_dump(mode="json", exclude_unset=True) == as_json
    assert parsed.prunedResult.parsing_res_list[0].block_polygon_points
    assert parsed.markdown.images and parsed.outputImages and parsed.inputImage
