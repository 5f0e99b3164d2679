"""The page in a real browser: `speechsearch serve` in its own process, the system's Chromium
driven by Playwright. Type a query, see hits as you type, open one, land on its line.

Screenshots go to the test's temp folder; with SPEECHSEARCH_SCREENSHOTS=DIR they are also written
to DIR (the README's pictures in docs/ are made this way).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SEED_DOC, interruptible
from tests.web_corpus import make_web_corpus

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("served")
    make_web_corpus(folder)
    index = subprocess.run([sys.executable, "-m", "speechsearch", "index", "-q", "--jobs", "1"], cwd=folder,
                           capture_output=True, text=True, timeout=600)
    assert index.returncode == 0, index.stderr
    process = subprocess.Popen([sys.executable, "-m", "speechsearch", "serve", "--port", "0"], cwd=folder,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, preexec_fn=interruptible)
    line = process.stderr.readline()
    url = re.search(r"on (http://\S+/)", line)
    assert url, line
    yield url.group(1)
    process.send_signal(signal.SIGINT)  # Ctrl-C
    assert process.wait(timeout=10) == 0
    assert process.stderr.read().strip() == "speechsearch: stopped"  # one line, no traceback
    process.stderr.close()


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing in CI: .ci/run installs the chromium package")
        pytest.skip("Chromium is not installed here (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


def shoot(page, tmp_path: Path, name: str) -> None:
    page.screenshot(path=str(tmp_path / name))
    keep = os.environ.get("SPEECHSEARCH_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(tmp_path / name, Path(keep) / name)


def test_type_a_query_open_a_hit_and_land_on_its_line(server, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(server)
    page.fill("#q", "抓落实")  # no Enter: results as you type
    page.wait_for_selector(".hit")
    page.wait_for_function("location.search.includes('q=')")
    assert "q=%E6%8A%93%E8%90%BD%E5%AE%9E" in page.url
    first = page.locator(".hit").first
    assert "二、怎么抓落实" in first.locator(".crumb").inner_text()
    assert first.locator("mark").first.inner_text() == "抓落实"
    assert page.locator(".facet[data-facet=doc] li").count() >= 2
    shoot(page, tmp_path, "search.png")

    location = first.locator(".loc").inner_text()
    assert location == f"{SEED_DOC}:10"
    first.locator(".loc").click()
    page.wait_for_url(re.compile(r"/doc/.*#L10$"))
    target = page.locator("#L10")
    assert "here" in target.get_attribute("class")
    assert target.is_visible() and _in_viewport(page, "#L10")
    assert page.locator("#L10 mark").first.inner_text() == "抓落实"
    shoot(page, tmp_path, "document.png")

    page.locator(".outline a", has_text="四、谁来抓落实").click()
    page.wait_for_function("location.hash === '#L22'")
    assert _in_viewport(page, "#L22")
    assert not errors, errors  # no script error, no CSP refusal


def test_facets_and_paging_keep_the_state_in_the_url(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(server + "?q=就业")
    total = int(page.locator("#total").inner_text())
    page.locator(".facet[data-facet=speaker] a").first.click()
    page.wait_for_url(re.compile(r"speaker="))
    assert int(page.locator("#total").inner_text()) < total
    assert page.locator(".facet.active .chip").count() == 1
    page.goto(server + "?q=发展")
    page.locator("a[rel=next]").click()
    page.wait_for_url(re.compile(r"page=2"))
    assert page.locator(".hitlist").get_attribute("start") == "21"


def test_reads_on_a_phone(server, browser, tmp_path):
    page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    page.goto(server + "?q=就业")
    page.wait_for_selector(".hit")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390  # nothing runs off the side
    font = page.evaluate("getComputedStyle(document.querySelector('.hit .text')).fontFamily")
    assert "Noto Sans CJK SC" in font
    assert page.locator(".hit").first.is_visible() and not page.locator(".facet[data-facet=doc]").is_visible()
    shoot(page, tmp_path, "phone.png")
    page.locator(".facetbox > summary").click()  # the filters, folded above the hits
    assert page.locator(".facet[data-facet=doc]").is_visible()


def _in_viewport(page, selector: str) -> bool:
    return page.evaluate("""(selector) => {
        const box = document.querySelector(selector).getBoundingClientRect();
        return box.top >= 0 && box.bottom <= window.innerHeight + 1;
    }""", selector)
