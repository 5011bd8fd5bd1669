"""The webhook sent when a job finishes: its summary POSTed to the job's callback_url,
signed, retried with backoff, under the fetcher's SSRF rules (io/fetch.py: every address
of the host checked, the connection pinned to it, no redirect followed).

Signature: `X-Docparse-Signature: t=<unix seconds>,v1=<hex>`, where hex is
HMAC-SHA256(DOCPARSE_WEBHOOK_SECRET, f"{t}.{body}") over the exact bytes of the body. A
receiver recomputes it, compares in constant time, and refuses an old `t` (a replay).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import time
from datetime import UTC, datetime
from typing import Any

import httpx

from docparse.io.fetch import FetchPolicy, FetchRefused, post

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Docparse-Signature"
EVENT_HEADER = "X-Docparse-Event"
TOLERANCE = 300  # seconds a receiver should accept a signature's timestamp for


def sign(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def verify(
    secret: str, header: str, body: bytes, now: float | None = None, tolerance: int = TOLERANCE
) -> bool:
    """Whether `header` signs `body` with `secret`, made within `tolerance` seconds."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), f"t={timestamp},v1={parts['v1']}")


class Webhooks:
    def __init__(self, secret: str, policy: FetchPolicy, retries: int, backoff: float) -> None:
        self.secret = secret
        self.policy = policy
        self.retries = retries
        self.backoff = backoff

    async def deliver(self, url: str, body: bytes, event: str = "job.finished") -> dict[str, Any]:
        """POSTs `body` until a 2xx, at most 1 + retries times, waiting backoff, 2 ×
        backoff, 4 × backoff… between; the outcome (WebhookOutcome's fields)."""
        outcome: dict[str, Any] = {"state": "failed", "attempts": 0}
        for attempt in range(self.retries + 1):
            if attempt:
                await asyncio.sleep(self.backoff * 2 ** (attempt - 1))
            headers = {
                "Content-Type": "application/json",
                "User-Agent": "docparse-webhook",
                EVENT_HEADER: event,
                SIGNATURE_HEADER: sign(self.secret, int(time.time()), body),
            }
            outcome["attempts"] = attempt + 1
            try:
                response = await post(url, self.policy, body, headers)
            except FetchRefused as exc:  # the host now resolves somewhere it may not
                log.warning("webhook to %s refused: %s", url.split("?")[0], exc)
                outcome.update(status_code=None, error="the callback URL may not be reached")
                break
            except (httpx.HTTPError, TimeoutError) as exc:
                outcome.update(status_code=None, error=f"{type(exc).__name__}: {exc}"[:300])
                continue
            outcome["status_code"] = response.status_code
            if 200 <= response.status_code < 300:
                outcome.update(
                    state="delivered", error=None, delivered_at=datetime.now(UTC).isoformat()
                )
                return outcome
            outcome["error"] = f"the receiver answered HTTP {response.status_code}"
        log.warning(
            "webhook to %s failed after %d attempts: %s",
            url.split("?")[0],
            outcome["attempts"],
            outcome.get("error"),
        )
        return outcome
