"""A fake PaddleOCR-VL server: a real HTTP server speaking vLLM's OpenAI chat-completions
protocol, for tests of the VLM client and engine.

It runs uvicorn on 127.0.0.1 in a background thread with its own event loop. That loop lives
as long as the FakeVLM, so `down()` / `up()` can stop and restart the listener on the same port
while counters and knobs stay in place.

    with FakeVLM(latency=0.05, capacity=4) as vlm:
        client = VLMClient(VLMSettings(url=vlm.base_url, model=vlm.served_models[0]))
        ...
        assert vlm.prompt_counts["Table Recognition:"] == 1

What it answers, and how, is in `protocol` (vLLM's behaviour) and `responder` (the
model's formats).

While down, the server refuses connections: the listening socket is closed, as when the
container has stopped. This is more realistic than a 503. `down()` is graceful: requests
already in flight finish first, and idle keep-alive connections are closed.
"""

from __future__ import annotations

import asyncio
import copy
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from docparse.testing.fake_vlm.gate import Gate, GateOwner
from docparse.testing.fake_vlm.lifecycle import ServerThread
from docparse.testing.fake_vlm.protocol import (
    MAX_MODEL_LEN,
    ApiError,
    ErrorStyle,
    check_limits,
    completion,
    error_body,
    generated,
    model_cards,
    validate,
)
from docparse.testing.fake_vlm.responder import DEFAULT_MODELS, Responder, default_responder

T = TypeVar("T")


@dataclass(frozen=True)
class Call:
    """One chat completion the server answered."""

    prompt: str
    image_size: tuple[int, int]
    model: str
    params: dict[str, Any] = field(default_factory=dict)  # every key but messages


class FakeVLM(ServerThread):
    """A vLLM-like PaddleOCR-VL server on 127.0.0.1. Use it as a context manager, or call
    start() and stop(). The knobs and counters may be used from any thread."""

    def __init__(
        self,
        *,
        served_models: Iterable[str] = DEFAULT_MODELS,
        api_key: str | None = None,
        responder: Responder = default_responder,
        latency: float = 0.0,
        capacity: int | None = None,
        error_style: ErrorStyle = "nested",
        max_model_len: int = MAX_MODEL_LEN,
        token_latency: float = 0.0,
        port: int = 0,
    ) -> None:
        self._lock = threading.Lock()
        self._initial = (
            list(served_models),
            api_key,
            responder,
            self._check_latency(latency),
            self._check_capacity(capacity),
            error_style,
        )
        self._initial_limits = (max_model_len, self._check_latency(token_latency))
        # Plain knobs (one value each, read once per request):
        self.max_model_len: int  # context length: prompt + max_tokens beyond it is a 400
        self.token_latency: float  # seconds per generated token, after `latency`
        self._restore_knobs()
        self._port = port  # 0 means pick a free port on the first start
        self._reset_counters()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._gate: Gate | None = None
        self._server: uvicorn.Server | None = None
        self._serving: asyncio.Task[None] | None = None
        self.app = Starlette(
            routes=[
                Route("/health", self._health, methods=["GET"]),
                Route("/v1/models", self._models, methods=["GET"]),
                Route("/v1/chat/completions", self._chat, methods=["POST"]),
            ]
        )

    # -- knobs ------------------------------------------------------------------------------

    @property
    def latency(self) -> float:
        """Seconds each chat completion takes while it holds a capacity slot."""
        with self._lock:
            return self._latency

    @latency.setter
    def latency(self, value: float) -> None:
        with self._lock:
            self._latency = self._check_latency(value)

    @property
    def capacity(self) -> int | None:
        """How many requests are processed at once. None means no limit."""
        with self._lock:
            return self._capacity

    @capacity.setter
    def capacity(self, value: int | None) -> None:
        with self._lock:
            self._capacity = self._check_capacity(value)
        self._wake_gate()

    @property
    def served_models(self) -> list[str]:
        with self._lock:
            return list(self._served_models)

    @served_models.setter
    def served_models(self, names: Iterable[str]) -> None:
        with self._lock:
            self._served_models = list(names)

    @property
    def api_key(self) -> str | None:
        with self._lock:
            return self._api_key

    @api_key.setter
    def api_key(self, key: str | None) -> None:
        with self._lock:
            self._api_key = key

    @property
    def responder(self) -> Responder:
        with self._lock:
            return self._responder

    @responder.setter
    def responder(self, responder: Responder) -> None:
        with self._lock:
            self._responder = responder

    def fail_next(self, n: int = 1, status: int = 500) -> None:
        """The next `n` chat completions answer `status` with a vLLM error body. This
        happens after the API-key check and before any other work or latency."""
        if n < 0 or not 400 <= status <= 599:
            raise ValueError("fail_next needs n >= 0 and an error status (4xx/5xx)")
        with self._lock:
            self._fail_queue.extend([status] * n)

    # -- counters ---------------------------------------------------------------------------

    @property
    def request_count(self) -> int:
        """Every POST /v1/chat/completions that reached the server, whatever its answer."""
        with self._lock:
            return self._request_count

    @property
    def success_count(self) -> int:
        """The chat completions that were answered 200."""
        with self._lock:
            return self._success_count

    @property
    def max_concurrent(self) -> int:
        """The most requests that were being processed at the same time."""
        with self._lock:
            return self._max_concurrent

    @property
    def active(self) -> int:
        """The requests being processed now, not counting those waiting for capacity."""
        with self._lock:
            return self._active

    @property
    def prompt_counts(self) -> Counter[str]:
        """The answered requests, counted by prompt."""
        with self._lock:
            return Counter(self._prompt_counts)

    @property
    def last_request(self) -> dict[str, Any] | None:
        """The JSON body of the last chat completion whose body parsed, as sent."""
        with self._lock:
            return copy.deepcopy(self._last_request)

    @property
    def calls(self) -> list[Call]:
        """The answered requests in order: prompt, image size, model, parameters."""
        with self._lock:
            return list(self._calls)

    def reset_counters(self) -> None:
        with self._lock:
            self._reset_counters()

    def reset(self) -> None:
        """Back to the state after start(): the constructor's knobs, no pending failures,
        zero counters, and up. This lets one server be shared by many tests."""
        with self._lock:
            self._restore_knobs()
            self._reset_counters()
        self._wake_gate()
        self.up()

    def _restore_knobs(self) -> None:
        models, self._api_key, self._responder, self._latency, self._capacity, self.error_style = (
            self._initial
        )
        self._served_models = list(models)
        self._fail_queue: list[int] = []
        self.max_model_len, self.token_latency = self._initial_limits

    def _reset_counters(self) -> None:
        self._request_count = self._success_count = 0
        self._max_concurrent = self._active = 0
        self._prompt_counts: Counter[str] = Counter()
        self._last_request: dict[str, Any] | None = None
        self._calls: list[Call] = []

    def _gate_owner(self) -> GateOwner:
        return self

    def _entered(self, active: int) -> None:
        with self._lock:
            self._active = active
            self._max_concurrent = max(self._max_concurrent, active)

    def _left(self, active: int) -> None:
        with self._lock:
            self._active = active

    def _wake_gate(self) -> None:
        """A larger capacity should admit waiting requests now, not when one finishes."""
        loop, gate = self._loop, self._gate
        if loop is not None and gate is not None:
            loop.call_soon_threadsafe(gate.wake)

    @staticmethod
    def _check_latency(value: float) -> float:
        if value < 0:
            raise ValueError("latency must be >= 0")
        return float(value)

    @staticmethod
    def _check_capacity(value: int | None) -> int | None:
        if value is not None and value < 1:
            raise ValueError("capacity must be >= 1 or None")
        return value

    # -- the HTTP app -----------------------------------------------------------------------

    def _error(self, status: int, message: str, param: str | None = None) -> JSONResponse:
        return JSONResponse(
            error_body(status, message, param, self.error_style), status_code=status
        )

    def _unauthorized(self, request: Request) -> JSONResponse | None:
        key = self.api_key
        if key is None or request.headers.get("authorization") == f"Bearer {key}":
            return None
        return JSONResponse({"error": "Unauthorized"}, status_code=401)

    async def _health(self, request: Request) -> Response:
        return Response(status_code=200)

    async def _models(self, request: Request) -> Response:
        if refused := self._unauthorized(request):
            return refused
        cards = model_cards(self.served_models, self.max_model_len)
        return JSONResponse({"object": "list", "data": cards})

    async def _chat(self, request: Request) -> Response:
        with self._lock:
            self._request_count += 1
        if refused := self._unauthorized(request):
            return refused
        with self._lock:
            injected = self._fail_queue.pop(0) if self._fail_queue else None
        if injected is not None:
            return self._error(injected, f"Injected failure (HTTP {injected}) by FakeVLM.")
        try:
            body = await self._read_body(request)
            chat = validate(body, self.served_models)
            prompt_count = check_limits(chat, body, self.max_model_len)
        except ApiError as exc:
            return self._error(exc.status, exc.message, exc.param)
        assert self._gate is not None
        async with self._gate:
            await asyncio.sleep(self.latency)
            try:
                raw = self.responder(chat.prompt, chat.image)
            except Exception as exc:  # a broken responder is a test bug: say so in the body
                return self._error(500, f"FakeVLM responder failed: {exc!r}")
            text, count, finish = generated(raw, body, chat.max_tokens)
            await asyncio.sleep(self.token_latency * count)  # a slow, long generation
        with self._lock:
            self._success_count += 1
            self._prompt_counts[chat.prompt] += 1
            params = {k: v for k, v in body.items() if k != "messages"}
            self._calls.append(Call(chat.prompt, chat.image.size, chat.model, params))
        return JSONResponse(completion(chat.model, text, finish, prompt_count, count))

    async def _read_body(self, request: Request) -> dict[str, Any]:
        try:
            body = await request.json()
        except ValueError as exc:
            raise ApiError(400, f"Request body is not valid JSON: {exc}") from exc
        if not isinstance(body, dict):
            raise ApiError(400, "Request body must be a JSON object.")
        with self._lock:
            self._last_request = body
        return body
