"""An OpenAI-compatible chat-completions client for the PaddleOCR-VL server (vLLM), with a
concurrency bound (vLLM batches what is in flight), retries with backoff on 5xx and
connection failures, and a circuit breaker that marks the server down and probes it again.

Timeouts: connecting (DOCPARSE_VLM_CONNECT_TIMEOUT) and waiting for the answer
(DOCPARSE_VLM_TIMEOUT, PaddleX's 600 s: its AsyncOpenAI client's default) are separate. A
server that cannot be reached is an outage: retried, counted by the breaker. An answer
that takes longer than the read timeout is a slow generation on a busy GPU, not an
outage: that block fails alone, unretried, and the breaker is left as it was."""

from __future__ import annotations

import asyncio
import base64
import io
import logging
import random
import time
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import httpx
from PIL import Image

from docparse.engines.base import VLMOptions
from docparse.errors import EngineUnavailable, RecognitionFailed
from docparse.settings import VLMSettings

log = logging.getLogger(__name__)


class CircuitState(StrEnum):
    closed = "closed"  # requests flow
    open = "open"  # the server is considered down; requests fail fast
    half_open = "half_open"  # one probe request decides


@dataclass
class CircuitBreaker:
    threshold: int
    reset_after: float
    state: CircuitState = CircuitState.closed
    failures: int = 0
    opened_at: float = 0.0
    last_error: str | None = None

    def allow(self) -> bool:
        if (
            self.state == CircuitState.open
            and time.monotonic() - self.opened_at >= self.reset_after
        ):
            self.state = CircuitState.half_open  # let one request through as a probe
            return True
        return self.state != CircuitState.open

    def success(self) -> None:
        self.state, self.failures, self.last_error = CircuitState.closed, 0, None

    def failure(self, reason: str) -> None:
        self.failures += 1
        self.last_error = reason
        if self.state == CircuitState.half_open or self.failures >= self.threshold:
            if self.state != CircuitState.open:
                log.warning("VLM server marked down: %s", reason)
            self.state, self.opened_at = CircuitState.open, time.monotonic()


@dataclass
class ServerInfo:
    reachable: bool
    models: list[str] = field(default_factory=list)
    error: str | None = None


class _Retryable(Exception):
    pass


def image_data_url(image: Image.Image) -> str:
    buffer = io.BytesIO()
    (image if image.mode == "RGB" else image.convert("RGB")).save(buffer, format="JPEG", quality=95)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode()


class VLMClient:
    def __init__(self, config: VLMSettings) -> None:
        if not config.url:
            raise EngineUnavailable("the VLM client needs DOCPARSE_VLM_URL")
        self.config = config
        self.base_url: str = config.url
        headers = {"Authorization": f"Bearer {config.api_key}"} if config.api_key else {}
        self._http = httpx.AsyncClient(
            base_url=self.base_url.rstrip("/"),
            headers=headers,
            timeout=httpx.Timeout(config.timeout, connect=config.connect_timeout),
            limits=httpx.Limits(
                max_connections=config.max_concurrency,
                max_keepalive_connections=config.max_concurrency,
            ),
        )
        self._slots = asyncio.Semaphore(config.max_concurrency)
        self.breaker = CircuitBreaker(config.failure_threshold, config.circuit_reset)
        self.in_flight = 0
        self.requests = 0  # answered completions, for health and benchmarks

    async def close(self) -> None:
        await self._http.aclose()

    async def server_info(self) -> ServerInfo:
        """GET {base}/models: is the server up, and which model names does it serve?"""
        try:
            response = await self._http.get("/models", timeout=5.0)
            response.raise_for_status()
            models = [m["id"] for m in response.json().get("data", [])]
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            return ServerInfo(False, error=f"{type(exc).__name__}: {exc}")
        return ServerInfo(True, models)

    async def complete(
        self,
        image: Image.Image,
        prompt: str,
        *,
        spotting: bool = False,
        overrides: VLMOptions | None = None,
    ) -> str:
        """One block: the crop as a data URL, then the task prompt; the model's text."""
        if not self.breaker.allow():
            raise EngineUnavailable(
                f"VLM server {self.base_url} is down "
                f"({self.breaker.last_error}); retrying after {self.config.circuit_reset:g}s"
            )
        # JPEG + Base64 of a page-sized crop takes tens of ms: not on the event loop.
        url = await asyncio.to_thread(image_data_url, image)
        body = self._body(url, prompt, spotting, overrides or VLMOptions())
        async with self._slots:
            self.in_flight += 1
            try:
                return await self._with_retries(body)
            finally:
                self.in_flight -= 1

    def _body(
        self, image_url: str, prompt: str, spotting: bool, asked: VLMOptions
    ) -> dict[str, Any]:
        cfg = self.config
        max_pixels = asked.max_pixels or (1605632 if spotting else cfg.max_pixels)
        temperature = cfg.temperature if asked.temperature is None else asked.temperature
        body: dict[str, Any] = {
            "model": cfg.model,
            "messages": [
                {
                    "role": "user",
                    "content": [
                        {"type": "image_url", "image_url": {"url": image_url}},
                        {"type": "text", "text": prompt},
                    ],
                }
            ],
            "temperature": temperature,
            "max_completion_tokens": asked.max_new_tokens or cfg.max_new_tokens,
            # vLLM's extra parameters travel as top-level keys of the JSON body.
            "skip_special_tokens": not spotting,  # spotting answers in special LOC tokens
            "mm_processor_kwargs": {
                "min_pixels": asked.min_pixels or cfg.min_pixels,
                "max_pixels": max_pixels,
            },
        }
        top_p = cfg.top_p if asked.top_p is None else asked.top_p
        if top_p is not None:
            body["top_p"] = top_p
        penalty = (
            cfg.repetition_penalty if asked.repetition_penalty is None else asked.repetition_penalty
        )
        if penalty is not None:
            body["repetition_penalty"] = penalty
        return body

    async def _with_retries(self, body: dict[str, Any]) -> str:
        delay = self.config.backoff
        for attempt in range(self.config.retries + 1):
            try:
                text = await self._post(body)
            except _Retryable as exc:
                self.breaker.failure(str(exc))
                if attempt == self.config.retries or not self.breaker.allow():
                    raise EngineUnavailable(f"VLM server failed: {exc}") from exc
                await asyncio.sleep(delay * (1 + random.random() / 2))
                delay *= 2
                continue
            self.breaker.success()
            self.requests += 1
            return text
        raise AssertionError("unreachable")

    async def _post(self, body: dict[str, Any]) -> str:
        try:
            response = await self._http.post("/chat/completions", json=body)
        except httpx.ConnectTimeout as exc:
            raise _Retryable(f"no connection within {self.config.connect_timeout:g}s") from exc
        except httpx.ReadTimeout as exc:
            # A long generation on a busy GPU: the server is up. Not retried (it would be
            # as slow again) and not an outage for the breaker; this block fails alone.
            raise RecognitionFailed(
                f"no answer within {self.config.timeout:g}s (DOCPARSE_VLM_TIMEOUT)"
            ) from exc
        except httpx.TransportError as exc:
            raise _Retryable(f"{type(exc).__name__}: {exc}") from exc
        if response.status_code >= 500 or response.status_code == 429:
            raise _Retryable(f"HTTP {response.status_code}: {response.text[:200]}")
        if response.status_code == 404 and "does not exist" in response.text:
            info = await self.server_info()
            raise EngineUnavailable(
                f"the VLM server does not serve model {body['model']!r}; it serves "
                f"{', '.join(info.models) or 'no models'} (set DOCPARSE_VLM_MODEL)",
                served=info.models,
            )
        if response.status_code in (401, 403):
            raise EngineUnavailable(
                f"the VLM server refused the API key (HTTP "
                f"{response.status_code}; set DOCPARSE_VLM_API_KEY)"
            )
        if response.status_code >= 400:
            raise RecognitionFailed(
                f"VLM server answered HTTP {response.status_code}: {response.text[:300]}"
            )
        try:
            return str(response.json()["choices"][0]["message"]["content"] or "")
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise RecognitionFailed(
                f"VLM server answered an unreadable body: {response.text[:200]}"
            ) from exc
