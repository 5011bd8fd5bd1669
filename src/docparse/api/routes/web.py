"""The web page at `/`: drop documents, watch them convert through the jobs API, read the
result beside the page with its blocks' boxes. Static files from api/web/ (no build step,
nothing loaded from another host: the service may run air-gapped).

Plain Starlette routes, not API routes: the page is no part of the API's contract, so it
stays out of /openapi.json. The page asks for an API key itself and sends it with every
call, so api/auth.py leaves these paths open."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response

from docparse.api.errors import error_body

WEB = Path(__file__).resolve().parent.parent / "web"
# The only files served: a name not in here is a 404, whatever the path holds.
ASSETS = {
    "app.js": "text/javascript; charset=utf-8",
    "style.css": "text/css; charset=utf-8",
}
# The page's own scripts and styles only; pictures from blob: URLs (fetched with the key).
POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    # Revalidated by ETag: a new version of the service shows at once.
    "Cache-Control": "no-cache",
}

router = APIRouter()


async def index(request: Request) -> Response:
    return FileResponse(
        WEB / "index.html",
        media_type="text/html; charset=utf-8",
        headers={**HEADERS, "Content-Security-Policy": POLICY},
    )


async def asset(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in ASSETS:
        return JSONResponse(error_body("http_404", "Not Found"), status_code=404)
    return FileResponse(WEB / name, media_type=ASSETS[name], headers=HEADERS)


router.add_route("/", index, methods=["GET", "HEAD"], include_in_schema=False)
router.add_route("/web/{name}", asset, methods=["GET", "HEAD"], include_in_schema=False)
