"""The API documentation pages in headless Chromium: rendered from our own assets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from tests.browser.conftest import LiveServer


def _open(
    browser: Any, url: str, ready: str, shot: Path
) -> tuple[list[str], list[str], int, dict[str, str]]:
    """Console errors, requested URLs, the count of ``ready`` elements on the page, and the
    requests that failed (URL: reason)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    failed: dict[str, str] = {}
    page.on("requestfailed", lambda r: failed.__setitem__(r.url, str(r.failure)))
    page.goto(url, wait_until="load")
    page.wait_for_selector(ready, timeout=30_000)
    page.wait_for_timeout(500)
    count = int(page.evaluate(f"document.querySelectorAll({ready!r}).length"))
    page.screenshot(path=str(shot))
    context.close()
    return errors, requests, count, failed


def test_swagger_ui_and_redoc_render_without_any_third_party(
    browser: Any, live_server: LiveServer, output_dir: Path
) -> None:
    spec = httpx.get(f"{live_server.base_url}/openapi.json").json()
    operations = sum(
        1
        for item in spec["paths"].values()
        for verb in item
        if verb in {"get", "put", "post", "delete", "patch"}
    )
    errors, requests, blocks, _ = _open(
        browser, f"{live_server.base_url}/docs", ".opblock", output_dir / "docs_swagger.png"
    )
    assert errors == []
    assert [u for u in requests if not u.startswith(live_server.base_url)] == []
    assert blocks == operations  # every operation of the spec is listed
    errors, requests, ops, failed = _open(
        browser,
        f"{live_server.base_url}/redoc",
        "[data-section-id^='operation/']",
        output_dir / "docs_redoc.png",
    )
    # ReDoc 2 always draws its vendor's logo from cdn.redoc.ly (no option turns it off);
    # our CSP blocks it in the browser, it never goes out, and ReDoc drops the image. Its
    # search index runs in a worker from a blob: URL of our own page. Anything else fails.
    blocked_logo = [e for e in errors if "cdn.redoc.ly" in e and "Content Security" in e]
    assert len(blocked_logo) <= 1 and [e for e in errors if e not in blocked_logo] == []
    own = (live_server.base_url, f"blob:{live_server.base_url}/")
    foreign = [u for u in requests if not u.startswith(own)]
    assert all(u.startswith("https://cdn.redoc.ly/") for u in foreign), foreign
    assert all(failed.get(u) == "csp" for u in foreign), failed  # blocked by our CSP
    assert ops == operations
