"""When the client tries again: 429 and 503 after the service's Retry-After (or a backoff
with jitter when it gives none), a failed connection only where a repeat is harmless.
The sync and async clients share these decisions; only their sleeping differs."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import httpx

RETRY_STATUSES = frozenset({429, 503})  # queue full, overloaded, shutting down


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5  # tries in all, the first included
    backoff: float = 0.5  # the first delay without Retry-After; doubled each time
    max_delay: float = 60.0  # a longer Retry-After is not waited for: the error is raised

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """Seconds before try `attempt` + 1. Jitter spreads clients that were all told the
        same Retry-After, or that failed at once, so they do not come back together."""
        if retry_after is not None:
            return retry_after + random.uniform(0, min(self.backoff, 1.0))
        ceiling = min(self.max_delay, self.backoff * 2 ** (attempt - 1))
        return random.uniform(ceiling / 2, ceiling)


def retry_after(response: httpx.Response) -> float | None:
    """Retry-After as seconds: a number, or an HTTP date."""
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


# Raised before a byte of the request left: a repeat cannot do anything twice.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# Not going to get better by trying again.
PERMANENT = (httpx.UnsupportedProtocol, httpx.ProxyError, httpx.LocalProtocolError)


def transport_delay(
    policy: RetryPolicy, attempt: int, error: httpx.TransportError, idempotent: bool
) -> float | None:
    """The wait before trying again after a connection failure, or None to give up. A
    submit or cancel whose request may have arrived is not repeated: a second job, or the
    cancelled job deleted by the second DELETE."""
    if attempt >= policy.attempts or isinstance(error, PERMANENT):
        return None
    if not idempotent and not isinstance(error, NOT_SENT):
        return None
    return policy.delay(attempt, None)


def status_delay(policy: RetryPolicy, attempt: int, response: httpx.Response) -> float | None:
    """The wait before trying again after an error answer, or None to give up. Every call
    may repeat a 429 or 503: the queue bound is checked before the body is read, and an
    engine that is down or a shutdown refuses the work (a submit cut by a shutdown after
    its job was committed is the one case that could leave a second job)."""
    if response.status_code not in RETRY_STATUSES or attempt >= policy.attempts:
        return None
    after = retry_after(response)
    if after is not None and after > policy.max_delay:
        return None
    return policy.delay(attempt, after)
