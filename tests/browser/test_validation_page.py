"""The validation report in headless Chromium, and the region map's link to it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.browser.conftest import LiveServer
from tests.browser.pages import shoot, visit


def test_validation_page_in_browser(
    browser: Any, live_server: LiveServer, output_dir: Path
) -> None:
    import httpx

    data = httpx.get(f"{live_server.base_url}/validation", timeout=120).json()
    for lang, title in (("de", "Abgleich"), ("en", "Validation")):
        context = browser.new_context(viewport={"width": 1500, "height": 1100})
        page = context.new_page()
        errors: list[str] = []
        requests: list[str] = []
        page.on("console", lambda m, e=errors: e.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda x, e=errors: e.append(str(x)))
        page.on("request", lambda r, q=requests: q.append(r.url))
        page.goto(f"{live_server.base_url}/validation?f=html&lang={lang}", wait_until="load")
        shot = output_dir / f"validation_{lang}.png"
        shoot(page, shot)
        assert title in page.locator("h1").inner_text()
        rows = page.locator("tbody tr")
        assert rows.count() == data["numberReturned"] > 0
        # every row shows its reason in the language of the page, coloured by class
        reasons = page.locator("tbody tr").evaluate_all(
            "rs => rs.map(r => r.getAttribute('data-reason'))"
        )
        assert reasons == [r["reason"] for r in data["rows"]]
        assert page.locator("tr.hl").count() == data["counts"]["highlighted"]
        assert errors == []
        assert all(u.startswith(live_server.base_url) for u in requests), requests
        assert shot.stat().st_size > 30_000
        context.close()


def test_region_map_links_to_the_report(
    browser: Any, live_server: LiveServer, output_dir: Path
) -> None:
    shot = output_dir / "region_with_link.png"
    url = f"{live_server.base_url}/maps/region.html"
    v = visit(browser, url, shot)
    assert "Abgleich mit veröffentlichten Zahlen" in v.legend
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(url, wait_until="load")
    page.wait_for_selector("#sr-report-link", timeout=20_000)
    # open Apolda's popup: ISEK minutes beside the computed ones, INKAR where no car time
    page.evaluate(
        """() => { for (const k of Object.keys(window)) { const o = window[k];
        if (o instanceof L.GeoJSON) { o.eachLayer(l => {
          const p = l.feature && l.feature.properties;
          if (p && p.name === 'Apolda' && p.isek_minutes !== undefined) {
            l.fire('click', {latlng: l.getBounds().getCenter()}, true); } }); } } }"""
    )
    page.wait_for_timeout(300)
    popup = page.locator(".leaflet-popup-content")
    page.screenshot(path=str(output_dir / "region_popup_apolda.png"))
    text = popup.inner_text()
    assert "ISEK: Bahn / Auto nach Jena (min)" in text and "60 / 26" in text
    assert "INKAR" in text and "Oberzentrum 19" in text
    page.click("#sr-report-link")
    page.wait_for_selector("h1", timeout=60_000)
    assert page.url.endswith("/validation?f=html&lang=de")
    assert "Abgleich" in page.locator("h1").inner_text()
    context.close()
