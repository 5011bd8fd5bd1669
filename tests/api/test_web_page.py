"""The web page at `/` in a real headless Chromium against a real `docparse serve`: a scanned
Russian invoice uploaded through the file input, converted through the jobs API, its text
rendered and its blocks' boxes drawn over the page picture; the interface in Russian and
English; API keys; the page's own files and the page-picture route."""

from __future__ import annotations

import base64
import io
import re
import shutil
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from PIL import Image
from pydantic import SecretStr
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement

from docparse.api.routes.web import WEB
from docparse.settings import Settings
from tests.conftest import REPO, free_port
from tests.fixtures.browser import chromium, needs_chromium
from tests.fixtures.degrade import degrade, rasterize, scan_pdf
from tests.fixtures.figure_page import figure_page
from tests.fixtures.jobs import jobs_lock
from tests.fixtures.made_pdfs import words_pdf
from tests.fixtures.russian import make_invoice
from tests.fixtures.service import running, serve_process

ARTIFACTS = REPO / "tmp" / "artifacts"  # git-ignored: the screenshots a person looks at
KEY = "web-page-key-0123456789"
# Words of the invoice (tests/fixtures/russian.py) that OCR of its scan must give.
WORDS = ("Покупатель", "Поставщик", "Наименование товара", "Бухгалтер", "Руководитель")

T = TypeVar("T")


def wait(condition: Callable[[], T], timeout: float = 60.0, what: str = "") -> T:
    """condition()'s first truthy value; a browser call that fails meanwhile is retried."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = condition()
            if value:
                return value
        except WebDriverException:
            pass  # the page was changing under the call: ask again
        assert time.monotonic() < deadline, f"timed out waiting for {what or condition}"
        time.sleep(0.1)


@pytest.fixture(scope="module")
def downloads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def browser(downloads: Path) -> Iterator[webdriver.Chrome]:
    driver = chromium(
        "--window-size=1500,1250",
        "--lang=ru-RU",  # the interface's language follows the browser's
        prefs={
            "intl.accept_languages": "ru-RU,ru",
            "download.default_directory": str(downloads),
            "download.prompt_for_download": False,
        },
        console=True,
    )
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def two_pages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two small scanned pages, "Page 1" and "Page 2" on them."""
    path = tmp_path_factory.mktemp("documents") / "two-pages.pdf"
    path.write_bytes(scan_pdf(rasterize(words_pdf(2), dpi=150), dpi=150))
    return path


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scanned page with a chart: a figure the layout model crops."""
    path = tmp_path_factory.mktemp("documents") / "report.png"
    figure_page(path)
    return path


@pytest.fixture(scope="module")
def invoice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A one-page Russian invoice with a ruled table, scanned: grey, slightly turned,
    noisy, at 150 dpi, as an image-only PDF."""
    pages = rasterize(make_invoice(3).pdf, dpi=150)
    scans = [degrade(p, seed=1, rotate_deg=0.4, noise=6, grayscale=True) for p in pages]
    path = tmp_path_factory.mktemp("documents") / "счёт-скан.pdf"
    path.write_bytes(scan_pdf(scans, dpi=150))
    return path


def element(driver: webdriver.Chrome, css: str) -> WebElement:
    return driver.find_element(By.CSS_SELECTOR, css)


def text_of(driver: webdriver.Chrome, css: str) -> str:
    found: str = driver.execute_script(
        "const e = document.querySelector(arguments[0]); return e ? e.innerText : '';", css
    )
    return found


def script(driver: webdriver.Chrome, code: str, *args: Any) -> Any:
    return driver.execute_script(code, *args)


def upload_and_wait(driver: webdriver.Chrome, *documents: Path) -> None:
    """The documents through the file input and the Convert button; back once a result is
    shown with its page's boxes."""
    wait(lambda: element(driver, "#engine").is_enabled(), what="the engines to be listed")
    element(driver, "#files").send_keys("\n".join(str(d) for d in documents))
    listed = lambda: all(d.name in text_of(driver, "#picked") for d in documents)  # noqa: E731
    wait(listed, what="the files to be listed")
    element(driver, "#submit").click()
    wait(
        lambda: script(driver, "return document.querySelectorAll('#boxes .box').length") > 0,
        what="the result with its boxes",
    )


def job_id(driver: webdriver.Chrome) -> str:
    found: str = script(driver, "return document.querySelector('#jobs li .name').title")
    assert re.fullmatch(r"[0-9a-f]{32}", found), found
    return found


def save_screenshot(driver: webdriver.Chrome, tmp_path: Path, name: str) -> Path:
    shot = tmp_path / name
    assert driver.save_screenshot(str(shot))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shot, ARTIFACTS / name)
    return ARTIFACTS / name


def csp_violations(driver: webdriver.Chrome) -> list[str]:
    logs: list[dict[str, Any]] = driver.get_log("browser")  # type: ignore[no-untyped-call]
    return [e["message"] for e in logs if "Content Security Policy" in e["message"]]


@pytest.mark.slow  # moved out of the 10-minute default run
@needs_chromium
def test_a_scanned_russian_pdf_end_to_end_in_chromium(
    browser: webdriver.Chrome, invoice: Path, downloads: Path, tmp_path: Path
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with serve_process(tmp_path, port):
        browser.get(f"{base}/")
        # Russian from the browser's language; English and back by the switch.
        assert element(browser, "#submit").text == "Распознать"
        upload_and_wait(browser, invoice)
        job = job_id(browser)
        document = httpx.get(f"{base}/v1/jobs/{job}/result", params={"format": "json"}).json()
        page = document["pages"][0]
        blocks = page["blocks"]
        assert page["route"] == "ocr" and blocks

        # The text, rendered: paragraphs, the title as a heading, the table as a table.
        rendered = text_of(browser, "#rendered")
        for word in WORDS:
            assert word in rendered, (word, rendered)
        assert script(browser, "return document.querySelectorAll('#rendered h1').length") >= 1
        cells = script(browser, "return document.querySelectorAll('#rendered table td').length")
        assert cells >= 10

        # A box per block, labelled, over the page picture.
        boxes = browser.find_elements(By.CSS_SELECTOR, "#boxes .box")
        assert len(boxes) >= len(blocks)
        tags = [b.text for b in boxes]
        assert any("doc_title" in tag and "tesseract" in tag and "%" in tag for tag in tags), tags
        assert {b.get_attribute("data-label") for b in boxes} >= {"text", "table", "footer"}
        picture = wait(
            lambda: script(
                browser,
                "const i = document.getElementById('page-image');"
                "return i.complete && i.naturalWidth > 0 && !i.classList.contains('missing')"
                " ? [i.naturalWidth, i.naturalHeight] : null;",
            ),
            timeout=15,
            what="the page picture",
        )
        assert max(picture) <= 1600
        frame = element(browser, "#page-frame").rect
        for box in boxes:
            r = box.rect
            assert (
                frame["x"] - 1 <= r["x"] and r["x"] + r["width"] <= frame["x"] + frame["width"] + 1
            )
            assert (
                frame["y"] - 1 <= r["y"]
                and r["y"] + r["height"] <= frame["y"] + frame["height"] + 1
            )
        # The title's box sits where the JSON says, scaled to the picture.
        title = next(b for b in blocks if b["label"] == "doc_title")
        title_box = element(browser, f'#boxes .box[data-block="{title["id"]}"]').rect
        scale = frame["width"] / page["width"]
        assert abs(title_box["x"] - frame["x"] - title["bbox"]["x0"] * scale) <= 3
        assert abs(title_box["y"] - frame["y"] - title["bbox"]["y0"] * scale) <= 3

        # Blocks under the threshold are marked for review, on the page and in the text.
        assert not browser.find_elements(By.CSS_SELECTOR, "#boxes .box.review")
        threshold = element(browser, "#threshold")
        threshold.clear()
        threshold.send_keys("100\n")
        known = [b for b in blocks if b["confidence"] is not None]
        wait(
            lambda: len(browser.find_elements(By.CSS_SELECTOR, "#boxes .box.review")) == len(known)
        )
        assert browser.find_elements(By.CSS_SELECTOR, "#rendered .block.review")
        assert "на проверку" in text_of(browser, "#page-info")
        threshold.clear()
        threshold.send_keys("80\n")

        element(browser, '[data-lang="en"]').click()
        assert element(browser, "#submit").text == "Convert"
        assert script(browser, "return document.documentElement.lang") == "en"
        assert "Jobs" in text_of(browser, "#convert") and "done" in text_of(browser, "#jobs")
        element(browser, '[data-lang="ru"]').click()
        assert element(browser, "#submit").text == "Распознать"
        assert "готово" in text_of(browser, "#jobs")

        shot = save_screenshot(browser, tmp_path, "web-page.png")
        with Image.open(shot) as image:
            assert image.width >= 1000

        # The whole document's Markdown, as document.md has it.
        element(browser, "#whole").click()
        wait(lambda: "Бухгалтер" in text_of(browser, "#rendered"))
        element(browser, "#whole").click()

        # Downloads go through fetch (with the key, when there is one) and a blob link.
        element(browser, '[data-format="md"]').click()
        saved = wait(lambda: [p for p in downloads.glob("*.md")], timeout=15, what="the .md")
        assert "Покупатель" in saved[0].read_text(encoding="utf-8")
        # The searchable PDF: saved once the service makes it, else its refusal in words.
        element(browser, '[data-format="pdf"]').click()
        wait(
            lambda: list(downloads.glob("*.pdf")) or element(browser, "#notice").is_displayed(),
            timeout=30,
            what="the PDF or its refusal",
        )

        # The picture route itself: a JPEG, the job's pages only.
        png = httpx.get(f"{base}/v1/jobs/{job}/pages/1")
        assert png.status_code == 200 and png.headers["content-type"] == "image/jpeg"
        with Image.open(io.BytesIO(png.content)) as image:
            assert image.size == tuple(picture)
        past = httpx.get(f"{base}/v1/jobs/{job}/pages/2")
        assert past.status_code == 404
        assert past.json()["error"]["code"] == "result_missing"

        assert csp_violations(browser) == []


@pytest.mark.slow  # moved out of the 10-minute default run
@needs_chromium
def test_with_api_keys_the_page_asks_for_one_and_works_once_it_is_typed(
    browser: webdriver.Chrome, invoice: Path, two_pages: Path, report: Path, tmp_path: Path
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    # With the layout model: the chart on the report becomes a figure, cropped to a PNG.
    env = {"DOCPARSE_API_KEYS": KEY, "DOCPARSE_CPU_LAYOUT": "cdla"}
    with serve_process(tmp_path, port, env=env):
        assert httpx.get(f"{base}/version").status_code == 401
        browser.get(f"{base}/")
        wait(lambda: element(browser, "#notice").is_displayed(), what="the notice")
        assert "API-ключ" in element(browser, "#notice").text
        assert not element(browser, "#submit").is_enabled()
        element(browser, "#api-key").send_keys("wrong-key")
        element(browser, "#key-save").click()
        wait(lambda: "не принял" in element(browser, "#notice").text, what="the refusal")

        element(browser, "#api-key").send_keys(KEY)
        element(browser, "#key-save").click()
        assert script(browser, "return sessionStorage.getItem('docparse.apiKey')") == KEY
        assert element(browser, "#api-key").get_attribute("value") == ""  # not left in view
        upload_and_wait(browser, invoice, two_pages, report)  # three files, a job each
        done = "#jobs li[data-state=succeeded]"
        wait(lambda: len(browser.find_elements(By.CSS_SELECTOR, done)) == 3, what="the jobs")

        def show(document: Path) -> WebElement:
            row = next(
                li
                for li in browser.find_elements(By.CSS_SELECTOR, done)
                if li.find_element(By.CSS_SELECTOR, ".name").text == document.name
            )
            row.find_element(By.CSS_SELECTOR, "button.open").click()
            wait(lambda: element(browser, "#doc-name").text == document.name)
            return row

        # The figure, from the job's zip (fetched with the key), in the rendered text.
        show(report)
        figure = wait(
            lambda: script(
                browser,
                "const i = document.querySelector('#rendered img[data-figure]');"
                "return i && i.naturalWidth > 0 ? [i.dataset.figure, i.src] : null;",
            ),
            timeout=15,
            what="the figure",
        )
        assert figure[0].startswith("images/") and figure[1].startswith("blob:")
        assert "Рис. 1" in text_of(browser, "#rendered")

        # The two-page job: its second page, its boxes and its picture.
        row = show(two_pages)
        job = row.find_element(By.CSS_SELECTOR, ".name").get_attribute("title")
        document = httpx.get(
            f"{base}/v1/jobs/{job}/result", headers={"X-API-Key": KEY}, params={"format": "json"}
        ).json()
        assert len(document["pages"]) == 2
        assert len(browser.find_elements(By.CSS_SELECTOR, "#page-select option")) == 2
        element(browser, "#next").click()
        wait(lambda: "Page 2" in text_of(browser, "#rendered"), what="the second page's text")
        assert element(browser, "#page-select").get_attribute("value") == "1"
        boxes = browser.find_elements(By.CSS_SELECTOR, "#boxes .box")
        assert len(boxes) >= len(document["pages"][1]["blocks"]) > 0
        wait(
            lambda: script(browser, "return document.getElementById('page-image').naturalWidth"),
            timeout=15,
            what="the second page's picture, fetched with the key",
        )
        save_screenshot(browser, tmp_path, "web-page-api-key.png")

        # A reload keeps the key (this tab's session) and the jobs it was watching.
        browser.refresh()
        wait(lambda: len(browser.find_elements(By.CSS_SELECTOR, done)) == 3, what="reloaded")
        wait(lambda: script(browser, "return document.querySelectorAll('#boxes .box').length"))
        assert csp_violations(browser) == []


@needs_chromium
def test_markdown_and_result_html_are_rendered_safely(
    browser: webdriver.Chrome, live_server: str
) -> None:
    browser.get(f"{live_server}/")  # the page's functions alone: no engine is used
    wait(lambda: script(browser, "return !!window.docparse"))
    hostile = (
        '<table onclick="alert(1)"><tr><th style="color:red">Заголовок</th></tr>'
        '<tr><td colspan="2" rowspan="x">a<script>alert(2)</script><img src=x onerror='
        '"alert(3)"><b>b</b><a href="javascript:alert(4)">c</a></td></tr></table>'
        '<iframe src="http://example.com/"></iframe>'
    )
    cleaned = script(
        browser,
        "const d = document.createElement('div');"
        "d.append(window.docparse.sanitizeHtml(arguments[0])); return d.innerHTML;",
        hostile,
    )
    assert cleaned == (
        "<table><tbody><tr><th>Заголовок</th></tr>"
        '<tr><td colspan="2">a<b>b</b>c</td></tr></tbody></table>'
    )
    markdown = "\n".join(
        [
            "# Договор <b>поставки</b>",
            "",
            "Текст с **жирным**, *курсивом* и `кодом`; <img src=x onerror=alert(1)>",
            "вторая строка абзаца.",
            "",
            "- первый",
            "- второй",
            "",
            "1. раз",
            "2. два",
            "",
            "| № | Товар |",
            "|---|---:|",
            "| 1 | Клавиатура \\| USB |",
            "",
            hostile,
            "",
            "![рисунок](images/p1_fig1.png) ![чужой](http://example.com/x.png)",
            "[ссылка](javascript:alert(5))",
            "",
            "<!-- page 2 failed: engine down -->",
        ]
    )
    html = script(
        browser,
        "const d = document.createElement('div');"
        "d.append(window.docparse.renderMarkdown(arguments[0])); return d.innerHTML;",
        markdown,
    )
    assert html.startswith("<h1>Договор &lt;b&gt;поставки&lt;/b&gt;</h1>")
    assert (
        "<p>Текст с <strong>жирным</strong>, <em>курсивом</em> и <code>кодом</code>; "
        "&lt;img src=x onerror=alert(1)&gt; вторая строка абзаца.</p>"
    ) in html
    assert "<ul><li>первый</li><li>второй</li></ul><ol><li>раз</li><li>два</li></ol>" in html
    assert (
        '<th align="right">Товар</th>' in html and '<td align="right">Клавиатура | USB</td>' in html
    )
    assert (
        '<img alt="рисунок" title="рисунок" class="figure" data-figure="images/p1_fig1.png">'
        in html
    )
    assert "[чужой] ссылка</p>" in html
    assert '<p class="note">page 2 failed: engine down</p>' in html
    # Nothing that runs or loads: every tag is one the renderer made.
    for bad in ("<script", "<iframe", 'onerror="', "onclick", "javascript:", "http://", "style="):
        assert bad not in html, bad
    tags = set(re.findall(r"<([a-z0-9]+)", html))
    assert tags <= {
        "h1",
        "p",
        "strong",
        "em",
        "code",
        "ul",
        "ol",
        "li",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "b",
        "figure",
        "img",
    }, tags


@needs_chromium
def test_the_figures_are_read_from_the_result_zip_in_the_browser(
    browser: webdriver.Chrome, live_server: str
) -> None:
    browser.get(f"{live_server}/")
    wait(lambda: script(browser, "return !!window.docparse"))
    packed = io.BytesIO()
    picture = io.BytesIO()
    Image.new("RGB", (3, 2), "red").save(picture, "PNG")
    with zipfile.ZipFile(packed, "w") as archive:  # as jobs/results.py's archive writes it
        archive.writestr("document.md", "# Счёт\n" * 50, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("images/p1_fig1.png", picture.getvalue(), compress_type=zipfile.ZIP_STORED)
    found = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "const bytes = Uint8Array.from(atob(arguments[0]), (c) => c.charCodeAt(0));"
        "window.docparse.readZip(bytes.buffer).then((files) => done({"
        "  md: new TextDecoder().decode(files.get('document.md')),"
        "  png: Array.from(files.get('images/p1_fig1.png')),"
        "}), (error) => done({error: String(error)}));",
        base64.b64encode(packed.getvalue()).decode(),
    )
    assert found == {"md": "# Счёт\n" * 50, "png": list(picture.getvalue())}


async def test_the_page_and_its_files_are_open_with_keys_set_and_load_nothing_from_elsewhere(
    settings: Settings,
) -> None:
    keyed = settings.model_copy(update={"api_keys": SecretStr(KEY)})
    async with running(keyed, wait_for_engines=False) as http:
        page = await http.get("/")
        script_file = await http.get("/web/app.js")
        style = await http.get("/web/style.css")
        missing = await http.get("/web/nope.js")
        climbing = await http.get("/web/..%2Fweb.py")
        version = await http.get("/version")
        spec = (await http.get("/openapi.json")).json()
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "connect-src 'self'" in policy
    assert "default-src 'none'" in policy
    assert script_file.status_code == 200 and "javascript" in script_file.headers["content-type"]
    assert style.status_code == 200 and style.headers["content-type"].startswith("text/css")
    assert "renderMarkdown" in script_file.text
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "http_404"
    assert climbing.status_code == 404
    assert version.status_code == 401  # the API itself still wants the key
    assert "/" not in spec["paths"] and not any(p.startswith("/web") for p in spec["paths"])
    # Air-gapped: no file of the page names another host, not even in a comment.
    for path in WEB.iterdir():
        text = path.read_text(encoding="utf-8")
        assert "://" not in text, path.name
        assert not re.search(r"""(src|href)=["']?(/|//|[a-z]+:)""", text), path.name


async def test_a_page_picture_follows_the_result_rules(settings: Settings) -> None:
    pdf = scan_pdf(rasterize(make_invoice(1).pdf, dpi=50), dpi=50)
    with jobs_lock(settings.data_dir):  # accepted, never run: it stays queued
        async with running(settings.model_copy(update={"preload_engines": []})) as http:
            accepted = await http.post(
                "/v1/jobs", files={"file": ("scan.pdf", pdf, "application/pdf")}
            )
            assert accepted.status_code == 202, accepted.text
            job = accepted.json()["id"]
            queued = await http.get(f"/v1/jobs/{job}/pages/1")
            unknown = await http.get("/v1/jobs/nonesuch/pages/1")
            zero = await http.get(f"/v1/jobs/{job}/pages/0")
    assert queued.status_code == 409
    assert queued.json()["error"]["code"] == "job_not_finished"
    assert "queued" in queued.json()["error"]["message"]
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "job_not_found"
    assert zero.status_code == 422
