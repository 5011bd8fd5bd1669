"""Issue 17's "Done when", in order, against one real `docparse serve` started as `make run`
starts it (`python -m docparse serve`, the default engines and layout model): in headless
Chromium with every host but 127.0.0.1 unresolvable, `/docs` lists the operations and `/`
converts a scanned Russian PDF with its boxes drawn; `docparse convert --server` converts a
folder against that instance; its searchable PDF reads back, by `pdftotext`, ≥ 95% of the
Markdown's words in the same order."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from PIL import Image
from selenium import webdriver
from selenium.webdriver.common.by import By

from tests.api.test_web_page import (
    WORDS,
    job_id,
    save_screenshot,
    script,
    text_of,
    upload_and_wait,
    wait,
)
from tests.conftest import free_port
from tests.fixtures.browser import OFFLINE, chromium, needs_chromium
from tests.fixtures.degrade import degrade, rasterize, scan_pdf
from tests.fixtures.russian import make_invoice, make_letter
from tests.fixtures.searchable import pdftotext, word_recall
from tests.fixtures.service import serve_process

MIN_RECALL = 0.95
# What `make run` serves with: the settings' defaults, not the test fixture's lighter ones.
DEFAULTS = {"DOCPARSE_PRELOAD_ENGINES": '["tesseract", "ppocr"]', "DOCPARSE_CPU_LAYOUT": "cdla"}
LETTER_WORDS = ("Генеральному директору", "плодотворное сотрудничество")


def offline_chromium() -> webdriver.Chrome:
    """Debian's headless Chromium with every host name but the loopback one unresolvable,
    as on a network with no internet."""
    return chromium(
        "--window-size=1500,1250",
        "--lang=ru-RU",
        OFFLINE,
        prefs={"intl.accept_languages": "ru-RU,ru"},
    )


def loaded_from_elsewhere(driver: webdriver.Chrome, base: str) -> list[str]:
    """Resources the page loaded (or tried to) from anywhere but the service."""
    loaded: list[str] = script(
        driver, "return performance.getEntriesByType('resource').map(e => e.name)"
    )
    return [url for url in loaded if not url.startswith((base, "blob:", "data:"))]


@pytest.mark.slow
@needs_chromium
def test_issue_17_done_when_on_one_instance(tmp_path: Path) -> None:
    started = time.monotonic()
    # The scanned Russian invoice (grey, turned, noisy, 150 dpi, image only) and a
    # born-digital Russian letter: the folder the client sends.
    folder = tmp_path / "in"
    folder.mkdir()
    pages = rasterize(make_invoice(3).pdf, dpi=150)
    scans = [degrade(p, seed=1, rotate_deg=0.4, noise=6, grayscale=True) for p in pages]
    invoice = folder / "счёт-скан.pdf"
    invoice.write_bytes(scan_pdf(scans, dpi=150))
    (folder / "письмо.pdf").write_bytes(make_letter(0).pdf)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with serve_process(tmp_path, port, env=DEFAULTS, wait_for="/health/ready"):
        ready = time.monotonic()
        browser = offline_chromium()
        try:
            # 1. /docs: Swagger UI from the service itself, the operations listed.
            browser.get(f"{base}/docs")
            wait(lambda: browser.find_elements(By.CSS_SELECTOR, ".opblock"), what="/docs")
            paths = {
                e.get_attribute("data-path")
                for e in browser.find_elements(By.CSS_SELECTOR, ".opblock-summary-path")
            }
            assert {"/v1/convert", "/v1/jobs"} <= paths, paths
            assert loaded_from_elsewhere(browser, base) == []

            # 2. /: the scan uploaded, converted through the jobs API, rendered, boxed.
            browser.get(f"{base}/")
            upload_and_wait(browser, invoice)
            job = job_id(browser)
            document = httpx.get(
                f"{base}/v1/jobs/{job}/result", params={"format": "json"}, timeout=30
            ).json()
            page = document["pages"][0]
            assert page["route"] == "ocr" and page["blocks"]
            rendered = text_of(browser, "#rendered")
            for word in WORDS:
                assert word in rendered, (word, rendered)
            boxes = browser.find_elements(By.CSS_SELECTOR, "#boxes .box")
            assert len(boxes) >= len(page["blocks"])
            wait(
                lambda: script(
                    browser,
                    "const i = document.getElementById('page-image');"
                    "return i.complete && i.naturalWidth > 0 && !i.classList.contains('missing');",
                ),
                timeout=15,
                what="the page picture under the boxes",
            )
            shot = save_screenshot(browser, tmp_path, "acceptance-web-page.png")
            with Image.open(shot) as image:
                assert image.width >= 1000
            assert loaded_from_elsewhere(browser, base) == []
        finally:
            browser.quit()
        browsed = time.monotonic()

        # 3. `docparse convert --server` on the folder: each document's .md and .json.
        out = tmp_path / "out"
        env = {k: v for k, v in os.environ.items() if k != "DOCPARSE_API_KEY"}
        command = ["convert", str(folder), "--server", base, "-o", str(out)]
        sent = subprocess.run(
            [sys.executable, "-m", "docparse", *command],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
            env=env,
        )
        assert sent.returncode == 0, sent.stderr
        written = sorted(p.name for p in out.iterdir() if p.is_file())
        assert written == ["письмо.json", "письмо.md", "счёт-скан.json", "счёт-скан.md"]
        invoice_md = (out / "счёт-скан.md").read_text(encoding="utf-8")
        letter_md = (out / "письмо.md").read_text(encoding="utf-8")
        for word in WORDS:
            assert word in invoice_md, (word, invoice_md)
        for word in LETTER_WORDS:
            assert word in letter_md, (word, letter_md)
        assert json.loads((out / "счёт-скан.json").read_text(encoding="utf-8"))["pages"]
        converted = time.monotonic()

        # 4. The browser's job's searchable PDF, read back by pdftotext.
        markdown = httpx.get(f"{base}/v1/jobs/{job}/result", params={"format": "md"}, timeout=30)
        searchable = httpx.get(
            f"{base}/v1/jobs/{job}/result", params={"format": "pdf"}, timeout=120
        )
        assert markdown.status_code == 200, markdown.text
        assert searchable.status_code == 200, searchable.text
        assert searchable.headers["content-type"] == "application/pdf"
        (tmp_path / "searchable.pdf").write_bytes(searchable.content)
        extracted = pdftotext(searchable.content)
        recall = word_recall(markdown.text, extracted)
        print(
            f"searchable PDF: pdftotext word recall {recall:.3f}"
            f" ({len(markdown.text.split())} Markdown tokens);"
            f" serve ready {ready - started:.1f}s, browser {browsed - ready:.1f}s,"
            f" convert --server {converted - browsed:.1f}s, pdf {time.monotonic() - converted:.1f}s"
        )
        assert recall >= MIN_RECALL
        assert "Покупатель" in extracted
