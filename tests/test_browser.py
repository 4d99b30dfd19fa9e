"""The example site in a real browser: Debian's Chromium, driven by Playwright.

What a visitor on a small phone, or with JavaScript off, or with a screen
reader gets: no console errors, no sideways scrolling at 360 px, and no serious
accessibility problems as axe-core sees them. ``make test`` installs Chromium and
axe-core (``.ci/install-chromium``); outside CI the tests skip when they are missing.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import threading
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_site_support import build, copy_content

CHROMIUM = Path("/usr/bin/chromium")
AXE = (
    Path(os.environ.get("GOODWILL_AXE_DIR", Path.home() / ".cache/goodwill/axe"))
    / "node_modules/axe-core/axe.min.js"
)
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
OLDER = "the wall page behind the front page's Older link"
PAGES = [
    "testimonials/",
    OLDER,
    "testimonials/2026-03-04-the-export-that-ate-my-invoices/",
    "pledges/",
]

if not os.environ.get("CI") and not (CHROMIUM.exists() and AXE.exists()):
    pytest.skip(
        "Chromium or axe-core is missing: run .ci/install-chromium (make test does)",
        allow_module_level=True,
    )
# In CI nothing is skipped: a missing browser is a failure there.
sync_api = pytest.importorskip("playwright.sync_api") if not os.environ.get("CI") else None
if sync_api is None:
    from playwright import sync_api


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The example site, built for publishing, served on the loopback address."""
    root = tmp_path_factory.mktemp("browser")
    output = root / "output"
    # Three stories a page, so that the wall has archive pages, with their pager.
    build(
        copy_content(root / "content"), output, SITEURL="", RELATIVE_URLS=True, GOODWILL_PER_PAGE=3
    )
    handler = functools.partial(_Quiet, directory=str(output))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


def _open(browser: object, url: str, javascript: bool = True) -> tuple[object, list[str]]:
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, java_script_enabled=javascript
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    response = page.goto(url)
    assert response is not None and response.ok, url
    return page, errors


def _url(base_url: str, path: str) -> str:
    """The page's address; an archive page's is named by a day, so it is followed to."""
    if path != OLDER:
        return base_url + path
    front = urllib.request.urlopen(base_url + "testimonials/").read().decode()
    older = re.search(r'rel="next" href="([^"]+)"', front)
    assert older is not None, "the front page links to no older page"
    return urllib.parse.urljoin(base_url + "testimonials/", older.group(1))


@pytest.mark.parametrize("path", PAGES)
def test_page_renders_without_console_errors_or_sideways_scroll(
    browser: object, base_url: str, path: str
) -> None:
    page, errors = _open(browser, _url(base_url, path))
    page.wait_for_load_state("load")
    assert errors == []
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 360px wide"
    page.context.close()


@pytest.mark.parametrize("path", PAGES)
def test_page_works_with_javascript_off(browser: object, base_url: str, path: str) -> None:
    page, errors = _open(browser, _url(base_url, path), javascript=False)
    assert errors == []
    assert page.locator("main h1").count() == 1
    assert page.locator("nav[aria-label=Main] a").count() == 3
    if path == "testimonials/":
        # Filtering is a plain link to a static page.
        page.locator("nav.filters a", has_text="Tidy Notes").click()
        assert page.url.endswith("testimonials/product/tidy-notes/")
        assert page.locator("article.card").count() >= 1
    page.context.close()


@pytest.mark.parametrize("path", PAGES)
def test_page_has_no_serious_accessibility_violations(
    browser: object, base_url: str, path: str
) -> None:
    page, _ = _open(browser, _url(base_url, path))
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document)")
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]
    assert serious == []
    page.context.close()
