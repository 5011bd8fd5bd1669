"""Documents fetched from URLs, safely: a caller's URL must not reach the service's own
network (server-side request forgery).

- http and https only;
- the host is resolved here and every address it resolves to is checked: loopback,
  private, link-local, multicast, reserved, unspecified, shared (CGNAT) and cloud-metadata
  addresses are refused, IPv4 inside IPv6 (mapped, 6to4, NAT64) is judged as IPv4, and
  the odd spellings of an address (http://2130706433/, http://0x7f.1/) resolve to what
  they mean before the check;
- the connection goes to the address that was checked (no second lookup, so no DNS
  rebinding), with the original Host header and the host name for TLS SNI and the
  certificate check;
- redirects are followed here, at most 5, each hop checked like the first;
- the body is cut at the upload limit (413) and the whole fetch at a time limit;
- every failure to reach a host answers the same words, so the errors reveal nothing
  about which internal hosts or ports exist (the details go to the service log);
- an allow-list (host names or CIDRs) lets trusted internal sources through; metadata
  addresses stay refused even then.
"""

from __future__ import annotations

import asyncio
import dataclasses
import ipaddress
import logging
import socket
import zlib
from collections.abc import Iterable
from typing import Any

import httpx

from docparse.errors import InvalidOptions, LimitExceeded
from docparse.settings import Settings

log = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

UNREACHABLE = "the URL could not be fetched"
MAX_REDIRECTS = 5
CONNECT_TIMEOUT = 10.0
REDIRECTS = frozenset({301, 302, 303, 307, 308})

# Cloud instance-metadata endpoints: refused even when an allow-list entry covers them.
METADATA: frozenset[IPAddress] = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean…
        "169.254.169.253",  # AWS DNS
        "169.254.170.2",  # AWS ECS task metadata
        "169.254.169.123",  # AWS time sync
        "100.100.100.200",  # Alibaba Cloud
        "168.63.129.16",  # Azure wire server (a public address)
        "fd00:ec2::254",  # AWS over IPv6
        "fd00:ec2::23",
    )
)
NAT64 = (
    ipaddress.IPv6Network("64:ff9b::/96"),
    ipaddress.IPv6Network("64:ff9b:1::/48"),
)
SHARED = ipaddress.IPv4Network("100.64.0.0/10")  # carrier-grade NAT, not global


class FetchRefused(Exception):
    """Internal: why a URL was not fetched (logged; the caller sees UNREACHABLE)."""


@dataclasses.dataclass(frozen=True)
class FetchPolicy:
    max_bytes: int
    timeout: float = 30.0
    connect_timeout: float = CONNECT_TIMEOUT
    allow_hosts: frozenset[str] = frozenset()
    allow_networks: tuple[IPNetwork, ...] = ()
    max_redirects: int = MAX_REDIRECTS

    @classmethod
    def from_settings(cls, settings: Settings) -> FetchPolicy:
        return cls.create(
            settings.max_upload_bytes,
            timeout=settings.fetch_timeout,
            allow=settings.fetch_allow.split(","),
        )

    @classmethod
    def create(
        cls, max_bytes: int, *, timeout: float = 30.0, allow: Iterable[str] = ()
    ) -> FetchPolicy:
        hosts, networks = parse_allow(allow)
        return cls(
            max_bytes=max_bytes,
            timeout=timeout,
            connect_timeout=min(CONNECT_TIMEOUT, timeout),
            allow_hosts=hosts,
            allow_networks=networks,
        )


def parse_allow(entries: Iterable[str]) -> tuple[frozenset[str], tuple[IPNetwork, ...]]:
    """Host names (exact, case-insensitive; '.example.com' for any name under it) and
    CIDRs or single addresses."""
    hosts: set[str] = set()
    networks: list[IPNetwork] = []
    for raw in entries:
        entry = raw.strip().lower()
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
        except ValueError:
            hosts.add(entry.rstrip("."))
    return frozenset(hosts), tuple(networks)


@dataclasses.dataclass
class _Hop:
    url: httpx.URL
    host: str
    addresses: list[IPAddress] = dataclasses.field(default_factory=list)


async def fetch(url: str, policy: FetchPolicy) -> bytes:
    """The body at `url`, or InvalidOptions (422) / LimitExceeded (413)."""
    try:
        first = _http_url(httpx.URL(url))
    except (httpx.InvalidURL, TypeError, ValueError) as exc:  # IDNA errors among them
        raise InvalidOptions("the URL is not a valid http(s) URL") from exc
    except FetchRefused as exc:
        raise InvalidOptions("only http and https URLs can be fetched") from exc
    try:
        async with asyncio.timeout(policy.timeout):
            return await _fetch(first, policy)
    except TimeoutError as exc:
        raise InvalidOptions(f"the URL could not be fetched within {policy.timeout:g} s") from exc
    except FetchRefused as exc:
        log.info("fetch of %s refused: %s", _redacted(first), exc)
        raise InvalidOptions(UNREACHABLE) from None
    except httpx.HTTPError as exc:
        log.info("fetch of %s failed: %s: %s", _redacted(first), type(exc).__name__, exc)
        raise InvalidOptions(UNREACHABLE) from None


async def _fetch(url: httpx.URL, policy: FetchPolicy) -> bytes:
    timeout = httpx.Timeout(policy.timeout, connect=policy.connect_timeout)
    # trust_env=False: no proxy from the environment, which would undo the pinning.
    async with httpx.AsyncClient(
        follow_redirects=False, timeout=timeout, trust_env=False
    ) as client:
        for _ in range(policy.max_redirects + 1):
            hop = await _resolve(url, policy)
            response = await _open(client, hop)
            try:
                if response.status_code in REDIRECTS and "location" in response.headers:
                    try:
                        url = _http_url(url.join(response.headers["location"]))
                    except (httpx.InvalidURL, ValueError) as exc:
                        raise FetchRefused("a bad redirect location") from exc
                    continue
                if response.status_code >= 400:
                    raise InvalidOptions(
                        f"the URL could not be fetched: HTTP {response.status_code}"
                    )
                return await _body(response, policy.max_bytes)
            finally:
                await response.aclose()
        raise InvalidOptions(f"the URL redirected more than {policy.max_redirects} times")


async def check_url(url: str, policy: FetchPolicy) -> None:
    """InvalidOptions unless `url` is an http(s) URL whose host the fetch rules let us
    reach now (a callback URL, checked when it is given and again when it is used)."""
    try:
        await _resolve(_http_url(httpx.URL(url)), policy)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise InvalidOptions("the URL is not a valid http(s) URL") from exc
    except FetchRefused as exc:
        log.info("URL %s refused: %s", url.split("?")[0], exc)
        raise InvalidOptions("the URL could not be reached") from None


async def post(
    url: str, policy: FetchPolicy, content: bytes, headers: dict[str, str]
) -> httpx.Response:
    """POST `content` to `url` under the fetch rules: every address of the host checked,
    the connection pinned to them, no redirect followed, within the policy's time limit.
    The response (body not read); FetchRefused or an httpx error when it cannot be sent."""
    hop = await _resolve(_http_url(httpx.URL(url)), policy)
    timeout = httpx.Timeout(policy.timeout, connect=policy.connect_timeout)
    async with (
        asyncio.timeout(policy.timeout),
        httpx.AsyncClient(follow_redirects=False, timeout=timeout, trust_env=False) as client,
    ):
        response = await _open(client, hop, "POST", content, headers)
        await response.aclose()
        return response


def _http_url(url: httpx.URL) -> httpx.URL:
    """The URL when it is http(s) with a host; its host is decoded here, so a malformed
    international name fails as a ValueError (IDNAError) before anything else reads it."""
    if url.scheme not in ("http", "https") or not url.host:
        raise FetchRefused(f"a URL with scheme {url.scheme!r} and no usable host")
    return url


async def _resolve(url: httpx.URL, policy: FetchPolicy) -> _Hop:
    host = url.host.rstrip(".").lower()
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        literal: IPAddress | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [literal]  # a literal is checked before anything touches the network
    else:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(
                host, port, type=socket.SOCK_STREAM
            )
        except (OSError, UnicodeError) as exc:
            raise FetchRefused(f"{host} does not resolve: {exc}") from exc
        addresses = list(
            dict.fromkeys(ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos)
        )
    if not addresses:
        raise FetchRefused(f"{host} resolves to nothing")
    named = _host_allowed(host, policy.allow_hosts)
    for address in addresses:
        refusal = refused(address, policy.allow_networks, named)
        if refusal:  # one bad address refuses the host: no picking the good one
            raise FetchRefused(f"{host} resolves to {address}: {refusal}")
    return _Hop(url, host, addresses)


def _host_allowed(host: str, allowed: frozenset[str]) -> bool:
    return host in allowed or any(
        entry.startswith(".") and (host.endswith(entry) or host == entry[1:]) for entry in allowed
    )


def refused(
    address: IPAddress, allow: tuple[IPNetwork, ...] = (), host_allowed: bool = False
) -> str | None:
    """Why a connection to `address` is not allowed, or None when it is."""
    inner = embedded_ipv4(address)
    for candidate in (address, inner) if inner is not None else (address,):
        if candidate in METADATA:
            return "a cloud metadata address"
    if host_allowed or any(_within(address, net) for net in allow):
        return None
    if inner is not None:
        if any(_within(inner, net) for net in allow):
            return None
        return _internal(inner)
    return _internal(address)


def _within(address: IPAddress, network: IPNetwork) -> bool:
    return address.version == network.version and address in network


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address inside an IPv6 one: mapped (::ffff:a.b.c.d), 6to4 (2002::/16),
    NAT64 (64:ff9b::/96, 64:ff9b:1::/48) or the old compatible form (::a.b.c.d)."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if any(address in net for net in NAT64):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if int(address) >> 32 == 0 and int(address) > 1:  # ::a.b.c.d
        return ipaddress.IPv4Address(int(address))
    return None


def _internal(address: IPAddress) -> str | None:
    checks = (
        ("loopback", address.is_loopback),
        ("unspecified", address.is_unspecified),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("private", address.is_private),
        ("reserved", address.is_reserved),
        ("shared (CGNAT)", isinstance(address, ipaddress.IPv4Address) and address in SHARED),
        ("site-local", isinstance(address, ipaddress.IPv6Address) and address.is_site_local),
        ("not global", not address.is_global),
    )
    return next((f"a {name} address" for name, bad in checks if bad), None)


async def _open(
    client: httpx.AsyncClient,
    hop: _Hop,
    method: str = "GET",
    content: bytes | None = None,
    extra_headers: dict[str, str] | None = None,
) -> httpx.Response:
    """GET (or `method`) on the checked addresses in turn: the URL carries the IP, the Host
    header and TLS the name."""
    headers = {"Host": hop.url.netloc.decode("ascii"), "Accept-Encoding": "identity"}
    headers.update(extra_headers or {})
    extensions = {"sni_hostname": hop.host} if hop.url.scheme == "https" else {}
    last: Exception | None = None
    for address in hop.addresses:
        pinned = hop.url.copy_with(host=str(address))
        request = client.build_request(
            method, pinned, headers=headers, extensions=extensions, content=content
        )
        try:
            return await client.send(request, stream=True)
        except httpx.ConnectError as exc:
            last = exc
    assert last is not None
    raise last


async def _body(response: httpx.Response, max_bytes: int) -> bytes:
    """The body as raw bytes, counted against the limit as it arrives; one layer of gzip or
    deflate (which the server should not send: the fetcher asks for none) is unpacked here,
    bounded, so a compression bomb is cut at the limit instead of unpacked in full."""
    too_big = LimitExceeded(
        f"the document at the URL is over the upload limit of {max_bytes:,} bytes",
        limit="max_upload_bytes",
    )
    declared = response.headers.get("content-length", "")
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding in ("", "identity") and declared.isdigit() and int(declared) > max_bytes:
        raise too_big
    unpack = _decompressor(encoding)
    data = bytearray()
    async for chunk in response.aiter_raw():
        if unpack is None:
            data += chunk
        else:  # at most one byte past the limit is unpacked from each chunk
            try:
                data += unpack.decompress(chunk, max_bytes + 1 - len(data))
            except zlib.error as exc:
                raise InvalidOptions("the server sent a damaged compressed body") from exc
            if unpack.unconsumed_tail:
                raise too_big
        if len(data) > max_bytes:
            raise too_big
    return bytes(data)


def _decompressor(encoding: str) -> Any:
    """zlib's decompressor for one gzip or deflate layer, None for an identity body."""
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip", "deflate"):
        return zlib.decompressobj(zlib.MAX_WBITS | 32)  # gzip or zlib header, detected
    raise InvalidOptions(
        f"the server sent the document encoded as {encoding!r}, which is not read; "
        "serve it uncompressed"
    )


def _redacted(url: httpx.URL) -> str:
    return f"{url.scheme}://{url.netloc.decode('ascii')}"
