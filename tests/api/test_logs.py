"""Request ids and JSON log lines through the real app."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from docparse import cli
from docparse.api.app import create_app
from docparse.api.logs import JsonFormatter, RequestIdFilter
from docparse.settings import Settings
from tests.fixtures.russian import make_letter
from tests.fixtures.service import running

KEY = "log-test-key-0123456789"


@contextmanager
def json_logs() -> Iterator[io.StringIO]:
    """The service's JSON handler on the root logger, at INFO, writing to a buffer."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield buffer
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def lines(buffer: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in buffer.getvalue().splitlines()]  # each one parses


async def test_request_id_is_echoed_or_made_on_every_answer(settings: Settings) -> None:
    keyed = settings.model_copy(update={"api_keys": SecretStr(KEY), "max_upload_bytes": 1000})
    key = {"X-API-Key": KEY}
    async with running(keyed, wait_for_engines=False) as http:
        echoed = await http.get("/health/live", headers={"X-Request-ID": "trace.42_a-B"})
        made = await http.get("/health/live")
        unauthorized = await http.get("/version", headers={"X-Request-ID": "no-key-1"})
        not_found = await http.get("/nothing", headers={**key, "X-Request-ID": "nf-1"})
        too_big = await http.post(
            "/v1/convert", headers={**key, "X-Request-ID": "big-1"}, content=b"x" * 200_000
        )
        invalid = await http.post("/v1/convert", headers={**key, "X-Request-ID": "inv-1"})
        unsafe = [
            await http.get("/health/live", headers={"X-Request-ID": bad})
            for bad in ("two words", "x" * 129, "a/b", "<script>", "")
        ]
        longest = await http.get("/health/live", headers={"X-Request-ID": "y" * 128})
    assert echoed.headers["x-request-id"] == "trace.42_a-B"
    assert re.fullmatch(r"[0-9a-f]{32}", made.headers["x-request-id"])
    for response, sent, status in (
        (unauthorized, "no-key-1", 401),
        (not_found, "nf-1", 404),
        (too_big, "big-1", 413),
        (invalid, "inv-1", 422),
    ):
        assert response.status_code == status
        assert response.headers["x-request-id"] == sent
    for response in unsafe:  # replaced, never echoed
        assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])
    assert longest.headers["x-request-id"] == "y" * 128  # 129 is refused above


async def test_one_json_access_line_per_request_without_the_callers_data(
    client: httpx.AsyncClient,
) -> None:
    letter = make_letter(5)
    with json_logs() as buffer:
        response = await client.post(
            "/v1/convert?format=json",
            files={"file": ("confidential-merger-plan.pdf", letter.pdf, "application/pdf")},
            headers={"X-Request-ID": "convert-77"},
        )
        missing = await client.get("/private-path-8812", headers={"X-Request-ID": "nf-77"})
    assert response.status_code == 200 and missing.status_code == 404
    logged = lines(buffer)
    access = [e for e in logged if e["logger"] == "docparse.access"]
    assert [(e["request_id"], e["route"], e["status"]) for e in access] == [
        ("convert-77", "/v1/convert", 200),
        ("nf-77", "unmatched", 404),
    ]
    line = access[0]
    assert line["level"] == "INFO" and line["method"] == "POST"
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] > 0
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", line["time"])
    assert "/v1/convert" in line["message"] and "200" in line["message"]
    # The service's own lines (the test's httpx client logs its requests too).
    text = "\n".join(json.dumps(e) for e in logged if e["logger"].startswith("docparse"))
    for private in ("confidential-merger-plan", "private-path-8812", "format=json"):
        assert private not in text
    assert not any(sentence in text for sentence in letter.sentences)


async def test_an_unexpected_error_is_a_500_with_its_request_id(settings: Settings) -> None:
    app = create_app(settings)

    async def boom() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/boom", boom)  # a bug, in the real app
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://d") as http:
            with json_logs() as buffer:
                response = await http.get("/boom", headers={"X-Request-ID": "bug-1"})
    assert response.status_code == 500
    assert response.headers["x-request-id"] == "bug-1"
    assert response.json()["error"]["code"] == "internal_error"
    assert "a bug" not in response.text
    errors = [e for e in lines(buffer) if e["level"] == "ERROR"]
    assert len(errors) == 1
    assert errors[0]["request_id"] == "bug-1" and "RuntimeError: a bug" in errors[0]["exception"]


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_serve_logs_in_the_chosen_format(
    fmt: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import uvicorn

    ran: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: ran.update(app=app, **kwargs))
    monkeypatch.setenv("DOCPARSE_LOG_FORMAT", fmt)
    root, client = logging.getLogger(), logging.getLogger("httpx")
    handlers, level, client_level = root.handlers[:], root.level, client.level
    try:
        assert cli.main(["serve", "--host", "127.0.0.1", "--port", "8123"]) == 0
        logging.getLogger("docparse.test").warning("hello", extra={"pages": 3})
        # httpx would log each fetched URL (the caller's, maybe presigned) at INFO.
        assert not client.isEnabledFor(logging.INFO)
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        client.setLevel(client_level)
        logging.getLogger("httpcore").setLevel(logging.NOTSET)
    # uvicorn's loggers go through our handler, and our access line replaces uvicorn's.
    assert ran["log_config"] is None and ran["access_log"] is False
    assert ran["app"].state.service.settings.host == "127.0.0.1"  # the warning sees it
    out = capsys.readouterr().err.strip().splitlines()[-1]
    if fmt == "json":
        entry = json.loads(out)
        assert entry["message"] == "hello" and entry["pages"] == 3
        assert entry["level"] == "WARNING" and entry["request_id"] is None
    else:
        assert out.endswith("WARNING docparse.test [-] hello")
