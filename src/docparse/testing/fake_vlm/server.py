"""A fake PaddleOCR-VL server: a real HTTP server speaking vLLM's OpenAI chat-completions
protocol, for tests of the VLM client and engine.

It runs uvicorn on 127.0.0.1 in a background thread with its own event loop. That loop lives
as long as the FakeVLM, so `down()` / `up()` can stop and restart the listener on the same port
while counters and knobs stay in place.

    with FakeVLM(latency=0.05, capacity=4) as vlm:
        client = VLMClient(VLMConfig(base_url=vlm.base_url, model=vlm.served_models[0]))
        ...
        assert vlm.prompt_counts["Table Recognition:"] == 1

What it mimics (vLLM >= 0.11.1 serving PaddleOCR-VL; the PaddleX request shape is in
/tmp/research/paddleocr_vl.md §3.3):
- `GET /health` answers 200 with an empty body, and `GET /v1/models` lists the served names.
- `POST /v1/chat/completions` takes one user message: an `image_url` part (a base64 data URL)
  and a `text` part (the task prompt). vLLM's extra parameters (`skip_special_tokens`,
  `mm_processor_kwargs`, `repetition_penalty`) arrive as top-level keys.
- With an API key set, `/v1/*` needs `Authorization: Bearer <key>`. Otherwise the answer is
  401 `{"error": "Unauthorized"}`, as vLLM's middleware sends; `/health` stays open.
- Errors use vLLM's body. From vLLM 0.10.1 on (PR #22099), and so for every vLLM that runs
  PaddleOCR-VL, the body is nested: `{"error": {"message", "type", "param", "code"}}`.
  `error_style="flat"` gives the older body instead:
  `{"object": "error", "message", "type", "param": null, "code"}`.
- `skip_special_tokens` defaults to true, as in vLLM. Then `<|...|>` tokens are removed from
  the answer, so spotting needs `skip_special_tokens: false` to keep its LOC tokens. OTSL
  table tags are ordinary tokens and are never removed. (This is inferred from PaddleX, which
  turns the flag off only for spotting.)
- `max_completion_tokens` (or `max_tokens`) cuts the answer at that many fake tokens and
  sets `finish_reason: "length"`.

While down, the server refuses connections: the listening socket is closed, as when the
container has stopped. This is more realistic than a 503. `down()` is graceful: requests
already in flight finish first, and idle keep-alive connections are closed.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import copy
import io
import re
import socket
import threading
import time
import uuid
from collections import Counter
from collections.abc import Coroutine, Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field
from http import HTTPStatus
from types import TracebackType
from typing import Any, Literal, Self, TypeVar

import uvicorn
from PIL import Image
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from docparse.testing.fake_vlm.responder import (
    DEFAULT_MODELS,
    PROMPTS,
    Responder,
    default_responder,
)

T = TypeVar("T")
ErrorStyle = Literal["nested", "flat"]

_DATA_URL = re.compile(r"data:image/[\w.+-]+;base64,(?P<b64>.*)", re.S)
_SPECIAL_TOKEN = re.compile(r"<\|[A-Za-z0-9_]+\|>")
# A stand-in tokenizer: special tokens, OTSL tags, words, and single other characters.
_FAKE_TOKEN = re.compile(r"<\|[A-Za-z0-9_]+\|>|<[a-z]+>|\w+|\S")
_ERROR_TYPES = {
    400: "BadRequestError",
    404: "NotFoundError",
    429: "TooManyRequestsError",
    500: "InternalServerError",
    501: "NotImplementedError",
    503: "ServiceUnavailableError",
}
# PaddleX's defaults (§3.2). They are only used to make a plausible prompt_tokens count.
_MIN_PIXELS, _MAX_PIXELS = 112896, 1003520
_PIXELS_PER_TOKEN = 28 * 28  # 14 px patches, merged 2x2
_TEMPLATE_TOKENS = 12


@dataclass(frozen=True)
class Call:
    """One chat completion the server answered."""

    prompt: str
    image_size: tuple[int, int]
    model: str
    params: dict[str, Any] = field(default_factory=dict)  # every key but messages


class _ApiError(Exception):
    def __init__(self, status: int, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.param = status, message, param


class _Gate:
    """Admits at most `capacity` requests at once, like a GPU's batch limit. The others
    wait. It checks the limit again when a request leaves or the capacity changes. It is
    only touched from the server's loop, so it needs no lock."""

    def __init__(self, owner: FakeVLM) -> None:
        self._owner = owner
        self._waiters: list[asyncio.Future[None]] = []
        self.active = 0

    async def __aenter__(self) -> None:
        while not self._has_room():
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                await waiter
            finally:
                if waiter in self._waiters:
                    self._waiters.remove(waiter)
        self.active += 1
        self._owner._entered(self.active)

    async def __aexit__(self, *_: object) -> None:
        self.active -= 1
        self._owner._left(self.active)
        self.wake()

    def _has_room(self) -> bool:
        capacity = self._owner.capacity
        return capacity is None or self.active < capacity

    def wake(self) -> None:
        """Let every waiter check for room again."""
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)
        self._waiters.clear()


class FakeVLM:
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
        self._restore_knobs()
        self._port = port  # 0 means pick a free port on the first start
        self._reset_counters()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._gate: _Gate | None = None
        self._server: uvicorn.Server | None = None
        self._serving: asyncio.Task[None] | None = None
        self.app = Starlette(
            routes=[
                Route("/health", self._health, methods=["GET"]),
                Route("/v1/models", self._models, methods=["GET"]),
                Route("/v1/chat/completions", self._chat, methods=["POST"]),
            ]
        )

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> Self:
        """Start the event-loop thread and the server. Returns once it accepts connections."""
        if self._loop is not None:
            raise RuntimeError("FakeVLM already started")
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run_loop, name="fake-vlm", daemon=True)
        self._thread.start()
        self._gate = _Gate(self)  # used only on the loop; it creates its futures there
        try:
            self.up()
        except BaseException:
            self.stop()  # no thread left behind when the port is taken, for example
            raise
        return self

    def stop(self) -> None:
        """Stop the server and the loop thread. Calling it twice is harmless."""
        if self._loop is None:
            return
        self.down()
        self._loop.call_soon_threadsafe(self._loop.stop)
        assert self._thread is not None
        self._thread.join(timeout=10)
        self._loop = self._thread = self._gate = None

    def down(self) -> None:
        """Close the listener so that new connections are refused. Requests in flight finish."""
        if self._server is not None:
            self._call(self._serve_down())

    def up(self) -> None:
        """Listen again on the same port."""
        if self._loop is None:
            raise RuntimeError("FakeVLM not started")
        if self._server is None:
            self._call(self._serve_up())

    @property
    def is_up(self) -> bool:
        return self._server is not None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if not self._port:
            raise RuntimeError("FakeVLM not started")
        return self._port

    @property
    def url(self) -> str:
        """The server root, where /health is."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """The OpenAI base URL, ending in /v1."""
        return f"{self.url}/v1"

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

    def _reset_counters(self) -> None:
        self._request_count = self._success_count = 0
        self._max_concurrent = self._active = 0
        self._prompt_counts: Counter[str] = Counter()
        self._last_request: dict[str, Any] | None = None
        self._calls: list[Call] = []

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

    # -- the loop thread --------------------------------------------------------------------

    def _run_loop(self) -> None:
        loop = self._loop
        assert loop is not None
        asyncio.set_event_loop(loop)
        try:
            loop.run_forever()
        finally:
            # Finish whatever is left so that nothing warns when it is garbage-collected.
            pending = asyncio.all_tasks(loop)
            for task in pending:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.run_until_complete(loop.shutdown_default_executor())
            loop.close()

    def _call(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine on the server's loop and wait for its result."""
        assert self._loop is not None
        future: Future[T] = asyncio.run_coroutine_threadsafe(coro, self._loop)
        return future.result(timeout=30)

    async def _serve_up(self) -> None:
        # We bind the socket ourselves: uvicorn calls sys.exit() when it cannot bind, and
        # we want an OSError here instead. SO_REUSEADDR lets up() take the port back at
        # once after down(), without waiting out TIME_WAIT.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", self._port))
        except OSError:
            sock.close()
            raise
        self._port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.app, log_level="warning", access_log=False, http="h11", ws="none", lifespan="off"
        )
        server = uvicorn.Server(config)
        serving = asyncio.get_running_loop().create_task(server.serve(sockets=[sock]))
        while not server.started:
            if serving.done():
                sock.close()
                await serving  # raises the reason it stopped
                raise RuntimeError("fake VLM server stopped during startup")
            await asyncio.sleep(0.005)
        self._server, self._serving = server, serving

    async def _serve_down(self) -> None:
        assert self._server is not None and self._serving is not None
        self._server.should_exit = True
        await self._serving
        self._server = self._serving = None

    # -- the HTTP app -----------------------------------------------------------------------

    def _error(self, status: int, message: str, param: str | None = None) -> JSONResponse:
        err_type = (
            _ERROR_TYPES.get(status)
            or HTTPStatus(status).phrase.replace(" ", "").replace("-", "") + "Error"
        )
        if self.error_style == "flat":
            # vLLM before 0.10.1 never filled in param.
            body: dict[str, Any] = {
                "object": "error",
                "message": message,
                "type": err_type,
                "param": None,
                "code": status,
            }
        else:
            body = {"error": {"message": message, "type": err_type, "param": param, "code": status}}
        return JSONResponse(body, status_code=status)

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
        created = int(time.time())
        cards = [
            {
                "id": name,
                "object": "model",
                "created": created,
                "owned_by": "vllm",
                "root": name,
                "parent": None,
                "max_model_len": 16384,
                "permission": [
                    {
                        "id": f"modelperm-{uuid.uuid4().hex}",
                        "object": "model_permission",
                        "created": created,
                        "allow_create_engine": False,
                        "allow_sampling": True,
                        "allow_logprobs": True,
                        "allow_search_indices": False,
                        "allow_view": True,
                        "allow_fine_tuning": False,
                        "organization": "*",
                        "group": None,
                        "is_blocking": False,
                    }
                ],
            }
            for name in self.served_models
        ]
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
            model, prompt, image, max_tokens = self._validate(body)
        except _ApiError as exc:
            return self._error(exc.status, exc.message, exc.param)
        assert self._gate is not None
        async with self._gate:
            await asyncio.sleep(self.latency)
            try:
                text = self.responder(prompt, image)
            except Exception as exc:  # a broken responder is a test bug: say so in the body
                return self._error(500, f"FakeVLM responder failed: {exc!r}")
        return self._answer(body, model, prompt, image, text, max_tokens)

    async def _read_body(self, request: Request) -> dict[str, Any]:
        try:
            body = await request.json()
        except ValueError as exc:
            raise _ApiError(400, f"Request body is not valid JSON: {exc}") from exc
        if not isinstance(body, dict):
            raise _ApiError(400, "Request body must be a JSON object.")
        with self._lock:
            self._last_request = body
        return body

    def _validate(self, body: dict[str, Any]) -> tuple[str, str, Image.Image, int | None]:
        """Check the request the way vLLM would, plus PaddleOCR-VL's shape: one image and
        one known prompt. Returns (model, prompt, image, max tokens)."""
        served = self.served_models
        # vLLM uses its first served name when the request leaves the model out.
        model = body.get("model") or (served[0] if served else "")
        if model not in served:
            raise _ApiError(404, f"The model `{model}` does not exist.", "model")
        if body.get("stream"):
            raise _ApiError(400, "FakeVLM does not implement streaming.", "stream")
        max_tokens = body.get("max_completion_tokens", body.get("max_tokens"))
        if max_tokens is not None and (not isinstance(max_tokens, int) or max_tokens < 1):
            raise _ApiError(400, f"max_tokens must be at least 1, got {max_tokens}.", "max_tokens")
        temperature = body.get("temperature")
        if temperature is not None and (
            not isinstance(temperature, int | float) or temperature < 0
        ):
            raise _ApiError(
                400, f"temperature must be non-negative, got {temperature}.", "temperature"
            )
        top_p = body.get("top_p")
        if top_p is not None and (not isinstance(top_p, int | float) or not 0 < top_p <= 1):
            raise _ApiError(400, f"top_p must be in (0, 1], got {top_p}.", "top_p")
        penalty = body.get("repetition_penalty")
        if penalty is not None and (not isinstance(penalty, int | float) or penalty <= 0):
            raise _ApiError(
                400,
                f"repetition_penalty must be greater than zero, got {penalty}.",
                "repetition_penalty",
            )
        parts = self._user_parts(body.get("messages"))
        images = [p for p in parts if p.get("type") == "image_url"]
        texts = [p for p in parts if p.get("type") == "text"]
        if len(images) != 1 or len(texts) != 1 or len(parts) != 2:
            raise _ApiError(
                400,
                "PaddleOCR-VL expects one image_url part and one text part, "
                f"got {[p.get('type') for p in parts]}.",
                "messages",
            )
        prompt = texts[0].get("text")
        if prompt not in PROMPTS:
            raise _ApiError(
                400, f"Unknown prompt {prompt!r}; PaddleOCR-VL knows {PROMPTS}.", "messages"
            )
        return model, prompt, self._decode_image(images[0].get("image_url")), max_tokens

    @staticmethod
    def _user_parts(messages: Any) -> list[dict[str, Any]]:
        if not isinstance(messages, list) or not messages:
            raise _ApiError(400, "messages must be a non-empty list.", "messages")
        message = messages[-1]
        if not isinstance(message, dict) or message.get("role") != "user":
            raise _ApiError(400, "The last message must come from the user.", "messages")
        content = message.get("content")
        if not isinstance(content, list) or not all(isinstance(p, dict) for p in content):
            raise _ApiError(400, "The user message content must be a list of parts.", "messages")
        return content

    @staticmethod
    def _decode_image(image_url: Any) -> Image.Image:
        url = image_url.get("url") if isinstance(image_url, dict) else None
        match = _DATA_URL.fullmatch(url) if isinstance(url, str) else None
        if match is None:
            raise _ApiError(400, "image_url.url must be a data:image/...;base64 URL.", "messages")
        try:
            data = base64.b64decode(match["b64"], validate=True)
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                return image.convert("RGB")
        except (binascii.Error, OSError, ValueError, Image.DecompressionBombError) as exc:
            raise _ApiError(400, f"Failed to load the image: {exc}", "messages") from exc

    def _answer(
        self,
        body: dict[str, Any],
        model: str,
        prompt: str,
        image: Image.Image,
        text: str,
        max_tokens: int | None,
    ) -> JSONResponse:
        if body.get("skip_special_tokens", True):
            text = _SPECIAL_TOKEN.sub("", text)
        tokens = list(_FAKE_TOKEN.finditer(text))
        finish = "stop"
        if max_tokens is not None and len(tokens) > max_tokens:
            text, tokens, finish = (
                text[: tokens[max_tokens - 1].end()],
                tokens[:max_tokens],
                "length",
            )
        prompt_tokens = self._prompt_tokens(body, prompt, image)
        with self._lock:
            self._success_count += 1
            self._prompt_counts[prompt] += 1
            self._calls.append(
                Call(prompt, image.size, model, {k: v for k, v in body.items() if k != "messages"})
            )
        return JSONResponse(
            {
                "id": f"chatcmpl-{uuid.uuid4().hex}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": model,
                "choices": [
                    {
                        "index": 0,
                        "message": {
                            "role": "assistant",
                            "content": text,
                            "reasoning_content": None,
                            "tool_calls": [],
                        },
                        "logprobs": None,
                        "finish_reason": finish,
                        "stop_reason": None,
                    }
                ],
                "usage": {
                    "prompt_tokens": prompt_tokens,
                    "completion_tokens": len(tokens),
                    "total_tokens": prompt_tokens + len(tokens),
                    "prompt_tokens_details": None,
                },
                "prompt_logprobs": None,
            }
        )

    @staticmethod
    def _prompt_tokens(body: dict[str, Any], prompt: str, image: Image.Image) -> int:
        """Image tokens after the processor's resize to [min_pixels, max_pixels] (roughly),
        plus the prompt and the chat template."""
        kwargs = body.get("mm_processor_kwargs")
        kwargs = kwargs if isinstance(kwargs, dict) else {}
        low, high = kwargs.get("min_pixels"), kwargs.get("max_pixels")
        low = low if isinstance(low, int) else _MIN_PIXELS
        high = high if isinstance(high, int) else _MAX_PIXELS
        pixels = min(max(image.width * image.height, low), high)
        return (
            max(1, round(pixels / _PIXELS_PER_TOKEN))
            + len(_FAKE_TOKEN.findall(prompt))
            + _TEMPLATE_TOKENS
        )
