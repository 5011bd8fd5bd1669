"""The URL fetcher refuses the service's own network, follows redirects itself, and cuts
big or slow answers; its errors say nothing about internal hosts."""

from __future__ import annotations

import gzip
import ipaddress
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from docparse.errors import InvalidOptions, LimitExceeded
from docparse.io.fetch import UNREACHABLE, FetchPolicy, embedded_ipv4, fetch, refused
from docparse.settings import Settings
from tests.conftest import free_port

BODY = b"%PDF-1.4 pretend document\n" * 40
LIMIT = 1_000_000
GZIPPED = gzip.compress(BODY)
BOMB = gzip.compress(b"\0" * (50 * LIMIT))  # ~50 kB on the wire, 50 MB unpacked
DOUBLE_BOMB = gzip.compress(BOMB)  # a few hundred bytes: gzip of gzip


ENCODED = {
    "/gzip": ("gzip", GZIPPED),
    "/bomb": ("gzip", BOMB),
    "/double-bomb": ("gzip, gzip", DOUBLE_BOMB),
    "/brotli": ("br", b"\x8b\x00\x80not really brotli"),
}


class Handler(BaseHTTPRequestHandler):
    hits: list[str]

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.server.hits.append(self.path)  # type: ignore[attr-defined]
        self.server.hosts.append(self.headers.get("Host"))  # type: ignore[attr-defined]
        url = urlparse(self.path)
        query = parse_qs(url.query)
        if url.path == "/doc":
            self._send(200, BODY)
        elif url.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", query["to"][0])
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif url.path == "/loop":
            self.send_response(302)
            self.send_header("Location", "/loop")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif url.path == "/big":  # no Content-Length: the body is counted
            self.send_response(200)
            self.end_headers()
            for _ in range(200):
                self.wfile.write(b"x" * 65536)
        elif url.path == "/big-declared":
            self.send_response(200)
            self.send_header("Content-Length", str(50 * LIMIT))
            self.end_headers()
            self.wfile.write(b"x" * 65536)
        elif url.path == "/slow":  # a byte at a time, each read well inside any read timeout
            self.send_response(200)
            self.end_headers()
            try:
                for _ in range(100):
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.2)
            except OSError:
                pass
        elif url.path in ENCODED:  # sent compressed although the fetcher asks for none
            encoding, body = ENCODED[url.path]
            self.send_response(200)
            self.send_header("Content-Encoding", encoding)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif url.path == "/missing":
            self._send(404, b"no")
        else:
            self._send(500, b"?")

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.hits: list[str] = []
        self.hosts: list[str | None] = []

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # the fetcher hangs up mid-body on purpose (limits): not worth a traceback

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture
def server() -> Iterator[Server]:
    httpd = Server()
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()


def policy(allow: str = "", timeout: float = 30.0) -> FetchPolicy:
    return FetchPolicy.create(LIMIT, timeout=timeout, allow=allow.split(","))


def assert_reveals_nothing(message: str, *secrets: str) -> None:
    for secret in ("127.0.0.1", "::1", "localhost", "169.254", *secrets):
        assert secret not in message, message


@pytest.fixture
def no_connections(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every attempt to send a request is recorded and fails the fetch."""
    attempts: list[str] = []

    async def send(self: httpx.AsyncClient, request: httpx.Request, **kwargs: Any) -> Any:
        attempts.append(str(request.url))
        raise AssertionError(f"a connection was attempted to {request.url}")

    monkeypatch.setattr(httpx.AsyncClient, "send", send)
    return attempts


async def test_loopback_is_refused_by_default(server: Server) -> None:
    with pytest.raises(InvalidOptions) as caught:
        await fetch(f"{server.base}/doc", policy())
    assert caught.value.message == UNREACHABLE
    assert_reveals_nothing(caught.value.message, str(server.port))
    assert server.hits == []


@pytest.mark.parametrize(
    "host",
    [
        "localhost",
        "0.0.0.0",
        "2130706433",
        "0x7f.1",
        "017700000001",
        "127.1",
        "[::1]",
        "[::ffff:127.0.0.1]",
        "[::ffff:7f00:1]",
        "[2002:7f00:1::]",  # 6to4 of 127.0.0.1
        "[64:ff9b::7f00:1]",  # NAT64 of 127.0.0.1
        "[64:ff9b::a9fe:a9fe]",  # NAT64 of 169.254.169.254
        "[::]",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "100.64.0.1",
        "224.0.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "[fe80::1]",
        "[fd00::1]",
        "[ff02::1]",
        "169.254.169.254",
        "[fd00:ec2::254]",
        "[::ffff:169.254.169.254]",
        "metadata.google.internal.invalid",  # does not resolve: the same answer
    ],
)
async def test_internal_addresses_are_refused_without_connecting(
    host: str, no_connections: list[str]
) -> None:
    port = free_port()
    with pytest.raises(InvalidOptions) as caught:
        await fetch(f"http://{host}:{port}/latest/meta-data/", policy())
    assert caught.value.message == UNREACHABLE
    assert_reveals_nothing(caught.value.message, str(port), host.strip("[]"))
    assert no_connections == []


async def test_metadata_is_refused_even_when_its_network_is_allowed(
    no_connections: list[str],
) -> None:
    for allow in ("169.254.0.0/16", "169.254.169.254", "0.0.0.0/0,::/0"):
        with pytest.raises(InvalidOptions) as caught:
            await fetch("http://169.254.169.254/latest/meta-data/", policy(allow))
        assert caught.value.message == UNREACHABLE
    assert no_connections == []


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/x", "gopher://x/"])
async def test_other_schemes_are_refused(url: str, no_connections: list[str]) -> None:
    with pytest.raises(InvalidOptions, match="http and https"):
        await fetch(url, policy())
    assert no_connections == []


@pytest.mark.parametrize("allow", ["127.0.0.1", "127.0.0.0/8", " 10.0.0.0/8 , 127.0.0.1/32"])
async def test_an_allow_listed_source_is_fetched(server: Server, allow: str) -> None:
    assert await fetch(f"{server.base}/doc", policy(allow)) == BODY
    assert server.hits == ["/doc"]
    assert server.hosts == [f"127.0.0.1:{server.port}"]


async def test_an_allow_listed_name_is_fetched_with_its_host_header(server: Server) -> None:
    # localhost may resolve to ::1 first, where nothing listens: the next address is tried
    url = f"http://localhost:{server.port}/doc"
    assert await fetch(url, policy("localhost")) == BODY
    assert server.hosts == [f"localhost:{server.port}"]


async def test_settings_carry_the_allow_list(server: Server) -> None:
    settings = Settings(fetch_allow="10.0.0.0/8, 127.0.0.1", fetch_timeout=5, _env_file=None)  # type: ignore[call-arg]
    assert settings.fetch_allow == "10.0.0.0/8,127.0.0.1"
    made = FetchPolicy.from_settings(settings)
    assert made.timeout == 5
    assert await fetch(f"{server.base}/doc", made) == BODY
    with pytest.raises(ValueError, match="fetch_allow"):
        Settings(fetch_allow="http://x/", _env_file=None)  # type: ignore[call-arg]


async def test_a_closed_port_answers_like_a_refused_one() -> None:
    port = free_port()  # nothing listens there now
    with pytest.raises(InvalidOptions) as caught:
        await fetch(f"http://127.0.0.1:{port}/doc", policy("127.0.0.1"))
    assert caught.value.message == UNREACHABLE
    assert_reveals_nothing(caught.value.message, str(port))


@pytest.mark.parametrize(
    "target",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://127.0.0.2:{port}/doc",
        "http://[::1]:{port}/doc",
        "http://2130706434:{port}/doc",  # 127.0.0.2
        "http://10.0.0.1/",
        "file:///etc/passwd",
    ],
)
async def test_a_redirect_to_a_refused_address_is_refused(server: Server, target: str) -> None:
    to = target.format(port=server.port)
    with pytest.raises(InvalidOptions) as caught:
        await fetch(f"{server.base}/redirect?to={to}", policy("127.0.0.1"))
    assert caught.value.message == UNREACHABLE
    assert_reveals_nothing(caught.value.message, str(server.port))
    assert server.hits == [f"/redirect?to={to}"]  # the target was never asked


async def test_redirects_are_followed_a_few_times(server: Server) -> None:
    hop = f"{server.base}/redirect?to=/doc"
    assert await fetch(hop, policy("127.0.0.1")) == BODY
    with pytest.raises(InvalidOptions, match="redirected more than 5"):
        await fetch(f"{server.base}/loop", policy("127.0.0.1"))
    assert server.hits.count("/loop") == 6


async def test_an_http_error_is_422(server: Server) -> None:
    with pytest.raises(InvalidOptions, match="HTTP 404") as caught:
        await fetch(f"{server.base}/missing", policy("127.0.0.1"))
    assert_reveals_nothing(caught.value.message, str(server.port))


async def test_a_slow_server_is_cut_at_the_time_limit(server: Server) -> None:
    started = time.monotonic()
    with pytest.raises(InvalidOptions, match="within 1 s") as caught:
        await fetch(f"{server.base}/slow", policy("127.0.0.1", timeout=1))
    assert time.monotonic() - started < 3
    assert_reveals_nothing(caught.value.message, str(server.port))


@pytest.mark.parametrize("path", ["/big", "/big-declared"])
async def test_an_oversize_body_is_cut_at_the_limit(server: Server, path: str) -> None:
    with pytest.raises(LimitExceeded, match="upload limit") as caught:
        await fetch(f"{server.base}{path}", policy("127.0.0.1"))
    assert caught.value.details["limit"] == "max_upload_bytes"
    assert_reveals_nothing(caught.value.message, str(server.port))


@pytest.mark.parametrize(
    ("address", "verdict"),
    [
        ("8.8.8.8", None),
        ("2606:4700::1111", None),
        ("::ffff:8.8.8.8", None),
        ("2002:808:808::", None),
        ("64:ff9b::808:808", None),
        ("127.0.0.1", "loopback"),
        ("::ffff:10.0.0.1", "private"),
        ("2002:a00:1::", "private"),
        ("169.254.169.254", "metadata"),
        ("168.63.129.16", "metadata"),
        ("100.100.100.200", "metadata"),
        ("198.18.0.1", "private"),
        ("::7f00:1", "loopback"),
        ("2001:db8::1", "private"),
    ],
)
def test_address_verdicts(address: str, verdict: str | None) -> None:
    found = refused(ipaddress.ip_address(address))
    assert (found is None) if verdict is None else (found is not None and verdict in found)


def test_embedded_ipv4() -> None:
    loop = ipaddress.IPv4Address("127.0.0.1")
    for form in ("::ffff:127.0.0.1", "2002:7f00:1::", "64:ff9b::127.0.0.1", "::127.0.0.1"):
        assert embedded_ipv4(ipaddress.ip_address(form)) == loop
    assert embedded_ipv4(ipaddress.ip_address("2606:4700::1111")) is None


async def test_a_compressed_body_is_unpacked_within_the_limit(server: Server) -> None:
    assert await fetch(f"{server.base}/gzip", policy("127.0.0.1")) == BODY
    # A gzip bomb is cut at the limit while it unpacks, not after.
    with pytest.raises(LimitExceeded):
        await fetch(f"{server.base}/bomb", policy("127.0.0.1"))


@pytest.mark.parametrize("path", ["/double-bomb", "/brotli"])
async def test_layered_or_unknown_encodings_are_refused(server: Server, path: str) -> None:
    with pytest.raises(InvalidOptions, match="encod"):
        await fetch(f"{server.base}{path}", policy("127.0.0.1"))


async def test_a_malformed_international_host_name_is_a_422() -> None:
    with pytest.raises(InvalidOptions):
        await fetch("http://xn--127-0.0.1:18199/", policy())
