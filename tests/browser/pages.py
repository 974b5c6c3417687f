"""Loading a map page in the browser and recording what it did."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class PageVisit:
    """What a page load showed: console errors, requests, drawn features, texts."""

    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    #: Every response the browser received: (url, status, body).
    responses: list[tuple[str, int, bytes]] = field(default_factory=list)
    paths: int = 0
    legend: str = ""
    attribution: str = ""
    layers: list[str] = field(default_factory=list)
    html: str = ""
    scale: bool = False


def shoot(page: Any, path: Path | str, *, full_page: bool = True) -> None:
    """A screenshot for a person to look at, taken again once when a loaded headless
    Chromium answers "Unable to capture screenshot" (a known flake of
    ``Page.captureScreenshot`` under load; the page itself is unchanged)."""
    from playwright.sync_api import Error

    try:
        page.screenshot(path=str(path), full_page=full_page)
    except Error as exc:
        if "Unable to capture screenshot" not in str(exc):
            raise
        page.wait_for_timeout(500)
        page.screenshot(path=str(path), full_page=full_page)


def visit(
    browser: Any,
    url: str,
    screenshot: Path | None = None,
    headers: dict[str, str] | None = None,
) -> PageVisit:
    """Open ``url`` in a fresh context (sending ``headers``), wait for Leaflet, record it."""
    out = PageVisit()
    context = browser.new_context(
        viewport={"width": 1400, "height": 1000}, extra_http_headers=headers or {}
    )
    page = context.new_page()
    received: list[Any] = []
    page.on("console", lambda m: out.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: out.errors.append(str(e)))
    page.on("request", lambda r: out.requests.append(r.url))
    page.on("response", lambda r: received.append(r))
    page.goto(url, wait_until="load")
    page.wait_for_selector(".leaflet-container", timeout=20_000)
    page.wait_for_function(
        "document.querySelectorAll('.leaflet-overlay-pane path').length > 0", timeout=20_000
    )
    page.wait_for_timeout(500)
    out.paths = page.evaluate("document.querySelectorAll('.leaflet-overlay-pane path').length")
    legend = page.locator("#sr-legend")
    out.legend = legend.inner_text() if legend.is_visible() else ""
    attribution = page.locator(".leaflet-control-attribution")
    out.attribution = attribution.inner_text() if attribution.is_visible() else ""
    out.layers = page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
    out.scale = page.locator(".leaflet-control-scale").is_visible()
    out.html = page.content()
    if screenshot is not None:
        page.screenshot(path=str(screenshot))
    for r in received:
        try:
            body = r.body()
        except Exception:  # redirects and aborted requests have no body
            body = b""
        out.responses.append((r.url, r.status, body))
    context.close()
    return out


def count_paths_after_toggle(
    browser: Any, url: str, layer: str, headers: dict[str, str] | None = None
) -> int:
    """Drawn paths after switching on the overlay named ``layer`` in the layer control."""
    context = browser.new_context(
        viewport={"width": 1400, "height": 1000}, extra_http_headers=headers or {}
    )
    page = context.new_page()
    page.goto(url, wait_until="load")
    page.wait_for_selector(".leaflet-container", timeout=20_000)
    page.locator(".leaflet-control-layers-overlays label", has_text=layer).locator("input").check()
    page.wait_for_timeout(300)
    n = int(page.evaluate("document.querySelectorAll('.leaflet-overlay-pane path').length"))
    context.close()
    return n
