"""API keys through the real app: which routes want one, how it may be sent, what /health
tells a caller without one, and how keys are compared."""

from __future__ import annotations

import hmac
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from pydantic import SecretStr

from docparse import __version__
from docparse.api import auth
from docparse.api.schemas.errors import ErrorResponse
from docparse.api.schemas.health import HealthResponse, HealthSummary
from docparse.api.schemas.paddlex import PaddlexErrorResponse
from docparse.settings import Settings
from tests.fixtures.service import running

KEYS = "first-key-0123456789,second-key-0123456789"
FIRST, SECOND = KEYS.split(",")


def keyed(settings: Settings, **changes: object) -> Settings:
    return settings.model_copy(update={"api_keys": SecretStr(KEYS), **changes})


@asynccontextmanager
async def service(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    # Engines are not needed to answer 401s: do not wait for them to load.
    async with running(settings, wait_for_engines=False) as http:
        yield http


async def test_a_key_is_required_and_accepted_in_either_header(settings: Settings) -> None:
    async with service(keyed(settings)) as http:
        missing = await http.get("/version")
        wrong = await http.get("/version", headers={"X-API-Key": "not-a-key"})
        wrong_bearer = await http.get("/version", headers={"Authorization": f"Bearer {FIRST}x"})
        basic = await http.get("/version", headers={"Authorization": f"Basic {FIRST}"})
        by_header = await http.get("/version", headers={"X-API-Key": FIRST})
        by_bearer = await http.get("/version", headers={"Authorization": f"bearer {SECOND}"})
        unknown_path = await http.get("/no/such/route")
        unknown_with_key = await http.get("/no/such/route", headers={"X-API-Key": FIRST})
    for refused in (missing, wrong, wrong_bearer, basic, unknown_path):
        assert refused.status_code == 401, refused.text
        assert refused.headers["www-authenticate"] == "Bearer"
        assert ErrorResponse.model_validate_json(refused.content).error.code == "unauthorized"
    assert "required" in missing.json()["error"]["message"]
    assert "not valid" in wrong.json()["error"]["message"]
    assert by_header.status_code == 200 and by_header.json()["name"] == "docparse"
    assert by_bearer.status_code == 200
    assert unknown_with_key.status_code == 404  # paths are not enumerable without a key


async def test_probes_and_api_docs_stay_open(settings: Settings) -> None:
    async with service(keyed(settings)) as http:
        assert (await http.get("/health/live")).status_code == 200
        assert (await http.get("/health/ready")).status_code in (200, 503)
        for path in ("/openapi.json", "/docs", "/redoc", "/docs/oauth2-redirect"):
            assert (await http.get(path)).status_code == 200, path
        assert (await http.get("/health/live/extra")).status_code == 401  # exact paths only


async def test_uploads_are_refused_before_their_body_is_read(settings: Settings) -> None:
    small_limit = keyed(settings, max_upload_bytes=1000)
    async with service(small_limit) as http:
        # Over the size limit and not a document: the key check answers first.
        upload = await http.post("/v1/convert", files={"file": ("a.txt", b"x" * 200_000)})
        paddlex = await http.post("/layout-parsing", json={"file": "eA==", "fileType": 0})
    assert upload.status_code == 401
    assert list(settings.temp_dir.iterdir()) == []  # nothing of the upload was saved
    assert paddlex.status_code == 401
    assert paddlex.headers["www-authenticate"] == "Bearer"
    # The PaddleX route's clients read its own envelope.
    assert PaddlexErrorResponse.model_validate_json(paddlex.content).errorCode == 401


async def test_health_is_redacted_without_a_key(settings: Settings) -> None:
    async with running(keyed(settings)) as http:
        anonymous = await http.get("/health")
        keyed_report = await http.get("/health", headers={"X-API-Key": SECOND})
    assert anonymous.status_code == 200
    assert set(anonymous.json()) == {"status", "ready"}
    summary = HealthSummary.model_validate_json(anonymous.content, strict=True)
    assert summary.status == "healthy" and summary.ready
    for secret in (str(settings.temp_dir.resolve()), __version__, "tesseract", "rus+eng"):
        assert secret not in anonymous.text
    full = HealthResponse.model_validate_json(keyed_report.content)
    assert full.version == __version__ and full.engines["tesseract"].detail
    assert full.temp_dir == str(settings.temp_dir.resolve())


async def test_health_is_whole_when_no_keys_are_set(settings: Settings) -> None:
    async with service(settings) as http:
        report = (await http.get("/health")).json()
    assert {"version", "engines", "storage", "temp_dir"} <= set(report)


async def test_metrics_want_a_key_unless_made_public(settings: Settings) -> None:
    async with service(keyed(settings)) as http:
        assert (await http.get("/metrics")).status_code == 401
        assert (await http.get("/metrics", headers={"X-API-Key": FIRST})).status_code == 200
    async with service(keyed(settings, metrics_public=True)) as http:
        assert (await http.get("/metrics")).status_code == 200
        assert (await http.get("/version")).status_code == 401  # only /metrics opened


async def test_every_key_is_compared_in_constant_time(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(auth.hmac, "compare_digest", spy)
    three = settings.model_copy(update={"api_keys": SecretStr(f"{KEYS},third-key-0123456789")})
    async with service(three) as http:
        assert (await http.get("/version", headers={"X-API-Key": FIRST})).status_code == 200
        # A match on the first key still compares against all three: no early exit.
        assert len(calls) == 3
        # Digests of equal length are compared, never the keys themselves.
        assert all(len(a) == len(b) == 32 for a, b in calls)
        assert all(FIRST.encode() not in (a, b) for a, b in calls)
        calls.clear()
        assert (await http.get("/version", headers={"X-API-Key": "x"})).status_code == 401
        assert len(calls) == 3
    ring = auth.KeyRing.from_settings(three)
    assert FIRST not in repr(vars(ring))  # only digests are kept


def test_keys_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCPARSE_API_KEYS", f" {FIRST} ,, {SECOND} ")
    monkeypatch.setenv("DOCPARSE_METRICS_PUBLIC", "true")
    loaded = Settings(_env_file=None)  # type: ignore[call-arg]
    assert FIRST not in repr(loaded)  # a secret: not in a printed settings object
    ring = auth.KeyRing.from_settings(loaded)
    assert ring.accepts(FIRST.encode()) and ring.accepts(SECOND.encode())
    assert not ring.accepts(b"") and not ring.accepts(f" {FIRST}".encode())
    assert loaded.metrics_public is True


def test_openapi_documents_the_keys_and_the_401(settings: Settings) -> None:
    from docparse.api.app import create_app

    spec = create_app(keyed(settings)).openapi()
    assert set(spec["components"]["securitySchemes"]) == {"bearerAuth", "apiKeyHeader"}
    paths = spec["paths"]

    def unauthorized(path: str, method: str) -> object:
        answer = paths[path][method]["responses"].get("401")
        return answer and answer["content"]["application/json"]["schema"]["$ref"]

    assert unauthorized("/v1/convert", "post") == "#/components/schemas/ErrorResponse"
    assert unauthorized("/version", "get") == "#/components/schemas/ErrorResponse"
    assert unauthorized("/layout-parsing", "post") == "#/components/schemas/PaddlexErrorResponse"
    for path in ("/health", "/health/live", "/health/ready"):
        assert unauthorized(path, "get") is None, path
    assert {} in paths["/health"]["get"]["security"]  # a key is optional there
    # Without keys no route answers 401, and the document says none.
    plain = create_app(settings).openapi()
    assert "401" not in plain["paths"]["/v1/convert"]["post"]["responses"]


@pytest.mark.parametrize(
    ("host", "keys", "warned"),
    [
        ("0.0.0.0", "", True),
        ("10.1.2.3", "", True),
        ("127.0.0.1", "", False),
        ("::1", "", False),
        ("localhost", "", False),
        ("0.0.0.0", KEYS, False),
    ],
)
async def test_a_warning_when_listening_beyond_loopback_without_keys(
    settings: Settings, caplog: pytest.LogCaptureFixture, host: str, keys: str, warned: bool
) -> None:
    chosen = settings.model_copy(update={"host": host, "api_keys": SecretStr(keys)})
    with caplog.at_level(logging.WARNING, logger="docparse.api.auth"):
        async with service(chosen) as http:
            await http.get("/health/live")
    warnings = [
        r for r in caplog.records if r.name == "docparse.api.auth" and r.levelno == logging.WARNING
    ]
    assert bool(warnings) == warned
    if warned:
        assert "DOCPARSE_API_KEYS" in warnings[0].getMessage()
