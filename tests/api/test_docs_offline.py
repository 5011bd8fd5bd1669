"""/docs and /redoc work on a machine without internet: the pages name no external URL,
and every script, stylesheet and icon they load is served by the service itself, with
API keys on and no key shown."""

from __future__ import annotations

from html.parser import HTMLParser

import httpx
import pytest
from pydantic import SecretStr

from docparse.settings import Settings
from tests.fixtures.service import running

PAGES = ("/docs", "/redoc")


class References(HTMLParser):
    """Every src and href of a page, by tag: what a browser would fetch."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str, str]] = []  # (tag, rel, url)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("src", "href"):
            url = values.get(name)
            if url is not None:
                self.found.append((tag, values.get("rel") or "", url))


def references(html: str) -> list[tuple[str, str, str]]:
    parser = References()
    parser.feed(html)
    return parser.found


def keyed(settings: Settings) -> Settings:
    return settings.model_copy(update={"api_keys": SecretStr("a-key-0123456789")})


@pytest.mark.parametrize("page", PAGES)
async def test_the_page_names_no_external_url(settings: Settings, page: str) -> None:
    async with running(keyed(settings), wait_for_engines=False) as http:
        answer = await http.get(page)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    found = references(answer.text)
    assert {tag for tag, _, _ in found} >= {"script", "link"}
    for _, _, url in found:
        assert url.startswith("/") and not url.startswith("//"), url
    # Nothing else in the page reaches out either (inline config, fonts, badges).
    assert "http://" not in answer.text and "https://" not in answer.text


@pytest.mark.parametrize("page", PAGES)
async def test_every_asset_is_served_without_a_key(settings: Settings, page: str) -> None:
    async with running(keyed(settings), wait_for_engines=False) as http:
        found = references((await http.get(page)).text)
        fetched = {url: await http.get(url) for _, _, url in found}
        spec = await http.get("/openapi.json")
    kinds = {"script": "text/javascript", "link": "text/css"}
    for tag, rel, url in found:
        answer = fetched[url]
        assert answer.status_code == 200, url
        expected = "image/png" if "icon" in rel else kinds[tag]
        assert answer.headers["content-type"].startswith(expected), url
        assert "max-age" in answer.headers["cache-control"]
    scripts = [fetched[url] for tag, _, url in found if tag == "script"]
    # The real bundles, not an error page: Swagger UI's is ~1 MB, ReDoc's the same.
    assert scripts and all(len(s.content) > 500_000 for s in scripts)
    assert spec.status_code == 200 and "/v1/convert" in spec.json()["paths"]


async def test_swagger_ui_is_told_not_to_call_the_online_validator(settings: Settings) -> None:
    async with running(settings, wait_for_engines=False) as http:
        page = (await http.get("/docs")).text
    assert '"validatorUrl": null' in page
    assert "oauth2RedirectUrl: window.location.origin + '/docs/oauth2-redirect'" in page


async def test_only_the_named_assets_are_served(settings: Settings) -> None:
    async with running(keyed(settings), wait_for_engines=False) as http:
        unknown = await http.get("/docs/assets/index.html")  # Swagger UI's demo page
        keyed_route = await http.get("/version")
        redirect = await http.get("/docs/oauth2-redirect")
    assert unknown.status_code == 404
    assert keyed_route.status_code == 401  # the open prefix opened nothing else
    assert redirect.status_code == 200 and "oauth2" in redirect.text


async def test_the_pages_follow_a_root_path(settings: Settings) -> None:
    """Behind a proxy that serves the app under a prefix, the links keep the prefix."""
    async with running(settings, wait_for_engines=False) as http:
        transport = http._transport
        assert isinstance(transport, httpx.ASGITransport)
        transport.root_path = "/ocr"
        page = (await http.get("/docs")).text
    urls = [url for _, _, url in references(page)]
    assert urls and all(url.startswith("/ocr/docs/assets/") for url in urls)
    assert "url: '/ocr/openapi.json'" in page
