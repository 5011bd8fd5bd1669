"""Webhooks against a real HTTP receiver on loopback: signed, retried with backoff, and
held to the fetcher's SSRF rules."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

from docparse.io.fetch import FetchPolicy
from docparse.jobs.webhooks import SIGNATURE_HEADER, Webhooks, sign, verify
from tests.fixtures.jobs import receiver

SECRET = "s3cret-for-tests"
LOOPBACK = FetchPolicy.create(1024, timeout=5, allow=["127.0.0.1"])


def receiver_check(header: str, body: bytes, secret: str) -> bool:
    """What a receiver does, written out with the standard library only (as in README)."""
    fields = dict(part.split("=", 1) for part in header.split(","))
    if abs(time.time() - int(fields["t"])) > 300:
        return False
    expected = hmac.new(
        secret.encode(), fields["t"].encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(expected, fields["v1"])


def test_the_signature_is_hmac_sha256_of_timestamp_and_body() -> None:
    body = b'{"id": "abc", "state": "succeeded"}'
    header = sign(SECRET, 1_700_000_000, body)
    digest = hmac.new(SECRET.encode(), b"1700000000." + body, hashlib.sha256).hexdigest()
    assert header == f"t=1700000000,v1={digest}"
    assert verify(SECRET, header, body, now=1_700_000_010)
    assert not verify(SECRET, header, body + b" ", now=1_700_000_010)  # body changed
    assert not verify("other", header, body, now=1_700_000_010)  # wrong secret
    assert not verify(SECRET, header, body, now=1_700_000_000 + 3600)  # a replay
    assert not verify(SECRET, "garbage", body)


async def test_a_receiver_failing_twice_gets_it_the_third_time() -> None:
    body = json.dumps({"id": "j1", "state": "succeeded"}).encode()
    hooks = Webhooks(SECRET, LOOPBACK, retries=3, backoff=0.2)
    with receiver(failures=2) as hook:
        started = time.monotonic()
        outcome = await hooks.deliver(hook.url, body)
        took = time.monotonic() - started
    assert outcome["state"] == "delivered"
    assert outcome["attempts"] == 3 and outcome["status_code"] == 200
    assert [r.status for r in hook.received] == [500, 500, 200]
    assert took >= 0.2 + 0.4  # backoff, then twice that
    for request in hook.received:
        assert request.body == body
        assert request.headers["Content-Type"] == "application/json"
        assert receiver_check(request.headers[SIGNATURE_HEADER], request.body, SECRET)


async def test_a_receiver_that_never_answers_2xx_is_given_up_on() -> None:
    hooks = Webhooks(SECRET, LOOPBACK, retries=2, backoff=0.05)
    with receiver(failures=99) as hook:
        outcome = await hooks.deliver(hook.url, b"{}")
    assert outcome["state"] == "failed"
    assert outcome["attempts"] == 3 and len(hook.received) == 3
    assert outcome["error"] == "the receiver answered HTTP 500"


async def test_an_internal_address_is_refused_without_a_request() -> None:
    hooks = Webhooks(SECRET, FetchPolicy.create(1024, timeout=5), retries=3, backoff=0.05)
    with receiver() as hook:
        outcome = await hooks.deliver(hook.url, b"{}")
    assert outcome["state"] == "failed"
    assert outcome["attempts"] == 1  # a refusal is not retried
    assert outcome["error"] == "the callback URL may not be reached"
    assert hook.received == []
