"""API keys (DOCPARSE_API_KEYS): with keys set, every route wants one, as
`Authorization: Bearer <key>` or `X-API-Key: <key>`, except the probes and the API's own
documentation. /health answers everyone, but a caller without a key gets only its status.

A middleware rather than a dependency: it answers before the body is read (a dependency
runs after FastAPI has parsed a 100 MB upload), covers every route alike (the PaddleX one,
/metrics, paths that match nothing) and can document the 401 on each in one place."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import uuid
from collections.abc import Iterable, Iterator
from typing import Any

from fastapi import FastAPI, Request
from pydantic import SecretStr
from starlette.types import ASGIApp, Receive, Scope, Send

from docparse.api.errors import PADDLEX_PATHS, error_body
from docparse.api.metrics import REJECTION_KEY
from docparse.settings import Settings

log = logging.getLogger(__name__)

# Always reachable: orchestrators probe without credentials, and the documentation says
# how to get in.
OPEN_PATHS = frozenset(
    {"/health/live", "/health/ready", "/docs", "/docs/oauth2-redirect", "/openapi.json", "/redoc"}
)
OPEN_PREFIXES = ("/docs/assets/",)  # the documentation pages' scripts, styles and icon
# The web page (api/routes/web.py) and its scripts and styles: the page asks for the key
# itself and sends it with each call it makes.
WEB_PATHS = frozenset({"/"})
WEB_PREFIX = "/web/"
SUMMARY_PATH = "/health"  # open, in a redacted form without a key
ACCESS_KEY = "docparse.access"  # in scope["state"]: did the caller show a valid key?
MISSING = "an API key is required: send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'"
INVALID = "the API key is not valid"

SCHEMES = {
    "bearerAuth": {"type": "http", "scheme": "bearer"},
    "apiKeyHeader": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
}
REQUIREMENT: list[dict[str, list[str]]] = [{"bearerAuth": []}, {"apiKeyHeader": []}]


def _digest(key: bytes) -> bytes:
    return hashlib.sha256(key).digest()


class KeyRing:
    """The accepted keys, kept only as SHA-256 digests: every comparison is between two
    32-byte values, so its time says nothing about a key's length, and the keys themselves
    are not held by the middleware."""

    def __init__(self, keys: Iterable[str]) -> None:
        self._digests = tuple(_digest(k.encode()) for k in keys)

    @classmethod
    def from_settings(cls, settings: Settings) -> KeyRing:
        value: Any = settings.api_keys
        # A copy made with model_copy(update=...) skips validation: a plain str then.
        raw = value.get_secret_value() if isinstance(value, SecretStr) else str(value)
        return cls(k.strip() for k in raw.split(",") if k.strip())

    def __bool__(self) -> bool:
        return bool(self._digests)

    def accepts(self, presented: bytes) -> bool:
        candidate = _digest(presented)
        found = False
        for known in self._digests:  # every key, no early exit: the time is the same
            found |= hmac.compare_digest(known, candidate)
        return found


def presented_keys(scope: Scope) -> Iterator[bytes]:
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, token = value.strip().partition(b" ")
            if scheme.lower() == b"bearer" and token.strip():
                yield token.strip()
        elif name == b"x-api-key" and value.strip():
            yield value.strip()


def has_access(request: Request) -> bool:
    """Whether the caller may see everything: keys are off, or it showed a valid one."""
    return bool(request.scope.get("state", {}).get(ACCESS_KEY, False))


class ApiKeys:
    def __init__(self, app: ASGIApp, keys: KeyRing, metrics_public: bool) -> None:
        self.app = app
        self.keys = keys
        self.open = (
            OPEN_PATHS | WEB_PATHS | {SUMMARY_PATH} | ({"/metrics"} if metrics_public else set())
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        presented = list(presented_keys(scope))
        allowed = not self.keys or any([self.keys.accepts(k) for k in presented])
        state[ACCESS_KEY] = allowed
        path = scope["path"]
        if allowed or path in self.open or path.startswith((*OPEN_PREFIXES, WEB_PREFIX)):
            await self.app(scope, receive, send)
            return
        state[REJECTION_KEY] = "invalid_api_key" if presented else "missing_api_key"
        await refuse(scope, send, INVALID if presented else MISSING)


async def refuse(scope: Scope, send: Send, message: str) -> None:
    # The route's own error shape: PaddleX's envelope on its route, ours elsewhere.
    if scope["path"] in PADDLEX_PATHS:
        body: dict[str, Any] = {"logId": str(uuid.uuid4()), "errorCode": 401, "errorMsg": message}
    else:
        body = error_body("unauthorized", message)
    encoded = json.dumps(body).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(encoded)).encode()),
        (b"www-authenticate", b"Bearer"),
    ]
    await send({"type": "http.response.start", "status": 401, "headers": headers})
    await send({"type": "http.response.body", "body": encoded})


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:  # a name other than localhost: it may resolve to anything
        return False


def warn_if_open(settings: Settings) -> None:
    if not KeyRing.from_settings(settings) and not is_loopback(settings.host):
        log.warning(
            "listening on %s without API keys: anyone who reaches port %d can convert "
            "documents; set DOCPARSE_API_KEYS",
            settings.host,
            settings.port,
        )


def document_keys(app: FastAPI) -> None:
    """Declare the keys in /openapi.json, and the 401 on every route that answers it."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        spec = generate()
        spec.setdefault("components", {}).setdefault("securitySchemes", {}).update(SCHEMES)
        for path, operations in spec.get("paths", {}).items():
            if path in OPEN_PATHS:
                continue
            for operation in operations.values():
                if path == SUMMARY_PATH:  # a key is optional: it shows more
                    operation["security"] = [{}, *REQUIREMENT]
                    continue
                operation["security"] = REQUIREMENT
                model = "PaddlexErrorResponse" if path in PADDLEX_PATHS else "ErrorResponse"
                operation["responses"]["401"] = {
                    "description": "no API key, or not a valid one",
                    "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}},
                    "content": {
                        "application/json": {"schema": {"$ref": f"#/components/schemas/{model}"}}
                    },
                }
        return spec

    app.openapi = openapi  # type: ignore[method-assign]


def install(app: FastAPI, settings: Settings) -> None:
    keys = KeyRing.from_settings(settings)
    app.add_middleware(ApiKeys, keys=keys, metrics_public=settings.metrics_public)
    if keys:  # without keys no route answers 401: the document stays as it is
        document_keys(app)
