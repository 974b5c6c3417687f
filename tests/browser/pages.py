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
    paths: int = 0
    legend: str = ""
    attribution: str = ""
    html: str = ""


def visit(browser: Any, url: str, screenshot: Path | None = None) -> PageVisit:
    """Open ``url`` in a fresh context, wait for Leaflet, and record the visit."""
    out = PageVisit()
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.on("console", lambda m: out.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: out.errors.append(str(e)))
    page.on("request", lambda r: out.requests.append(r.url))
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
    out.html = page.content()
    if screenshot is not None:
        page.screenshot(path=str(screenshot))
    context.close()
    return out
