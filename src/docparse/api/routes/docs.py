"""Swagger UI (/docs) and ReDoc (/redoc) served from the service itself.

FastAPI's own pages load their JavaScript and CSS from a CDN, so on a machine without
internet /docs is blank. Here every script, stylesheet and icon comes from an installed
package, `fastapi-offline` (pinned): Swagger UI 5 and ReDoc 2, served under /docs/assets/,
which the key check leaves open with the pages. (`swagger-ui-bundle` ships Swagger UI
4.15, which cannot render the OpenAPI 3.1 document FastAPI writes.)

Plain Starlette routes, not API routes: they are not part of the API's contract."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import FileResponse, HTMLResponse

DOCS_PATH = "/docs"
REDOC_PATH = "/redoc"
OAUTH2_REDIRECT_PATH = "/docs/oauth2-redirect"
ASSETS_PREFIX = "/docs/assets/"

_STATIC = Path(str(files("fastapi_offline") / "static"))

# Only these files, by name: nothing else on disk is reachable through the route.
ASSETS: dict[str, Path] = {
    name: _STATIC / name
    for name in ("swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js", "favicon.png")
}
MEDIA_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".png": "image/png",
}
# The files change only with a package upgrade; a day's cache spares reloading 2.8 MB.
CACHE_CONTROL = "public, max-age=86400"

SWAGGER_PARAMETERS = {
    # Swagger UI otherwise shows a badge fetched from validator.swagger.io.
    "validatorUrl": None,
    "persistAuthorization": True,
}

router = APIRouter()


def _asset_url(request: Request, name: str) -> str:
    # root_path: behind a proxy that serves the app under a prefix the links keep it.
    return f"{request.scope.get('root_path', '')}{ASSETS_PREFIX}{name}"


def _openapi_url(request: Request) -> str:
    return f"{request.scope.get('root_path', '')}{request.app.openapi_url}"


async def swagger_ui(request: Request) -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url=_openapi_url(request),
        title=f"{request.app.title} - Swagger UI",
        swagger_js_url=_asset_url(request, "swagger-ui-bundle.js"),
        swagger_css_url=_asset_url(request, "swagger-ui.css"),
        swagger_favicon_url=_asset_url(request, "favicon.png"),
        oauth2_redirect_url=f"{request.scope.get('root_path', '')}{OAUTH2_REDIRECT_PATH}",
        swagger_ui_parameters=SWAGGER_PARAMETERS,
    )


async def oauth2_redirect(request: Request) -> HTMLResponse:
    return get_swagger_ui_oauth2_redirect_html()


async def redoc(request: Request) -> HTMLResponse:
    return get_redoc_html(
        openapi_url=_openapi_url(request),
        title=f"{request.app.title} - ReDoc",
        redoc_js_url=_asset_url(request, "redoc.standalone.js"),
        redoc_favicon_url=_asset_url(request, "favicon.png"),
        with_google_fonts=False,  # fonts.googleapis.com: not reachable offline
    )


async def asset(request: Request) -> FileResponse:
    name = request.path_params["name"]
    path = ASSETS.get(name)
    if path is None:
        raise HTTPException(404, f"no documentation asset {name!r}")
    return FileResponse(
        path,
        media_type=MEDIA_TYPES[path.suffix],
        headers={"Cache-Control": CACHE_CONTROL},
    )


router.add_route(DOCS_PATH, swagger_ui, methods=["GET"], include_in_schema=False)
router.add_route(OAUTH2_REDIRECT_PATH, oauth2_redirect, methods=["GET"], include_in_schema=False)
router.add_route(REDOC_PATH, redoc, methods=["GET"], include_in_schema=False)
router.add_route(ASSETS_PREFIX + "{name}", asset, methods=["GET"], include_in_schema=False)
