"""/docs and /redoc render in a real browser with the internet out of reach: Debian's
headless Chromium, every host name but the loopback one made unresolvable, against a real
`docparse serve`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.conftest import free_port
from tests.fixtures.browser import OFFLINE, chromium, needs_chromium
from tests.fixtures.service import serve_process

pytestmark = needs_chromium


@pytest.fixture
def service(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    with serve_process(tmp_path, port):
        yield f"http://127.0.0.1:{port}"


@pytest.fixture
def browser() -> Iterator[webdriver.Chrome]:
    driver = chromium(OFFLINE)
    try:
        yield driver
    finally:
        driver.quit()


def test_swagger_ui_lists_the_operations(service: str, browser: webdriver.Chrome) -> None:
    browser.get(f"{service}/docs")
    WebDriverWait(browser, 60).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".opblock"))
    paths = {
        e.get_attribute("data-path")
        for e in browser.find_elements(By.CSS_SELECTOR, ".opblock-summary-path")
    }
    assert "/v1/convert" in paths
    assert "/v1/jobs" in paths
    # Every resource the page loaded came from the service itself.
    loaded = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
    )
    assert loaded and all(url.startswith(service) for url in loaded), loaded


def test_redoc_renders_the_api(service: str, browser: webdriver.Chrome) -> None:
    browser.get(f"{service}/redoc")
    WebDriverWait(browser, 60).until(
        lambda d: "/v1/convert" in d.find_element(By.TAG_NAME, "body").get_attribute("innerText")
    )
    assert "docparse" in browser.find_element(By.TAG_NAME, "h1").text
