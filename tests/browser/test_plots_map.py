"""The land-pool map in headless Chromium: land-pool role only, every plot and layer drawn."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import httpx

from geo import sources
from geo.landpool.plots import Viewer
from geo.landpool.store import Store
from geo.screening.io import NATURE_RESERVES_FILE
from tests.browser.conftest import LiveServer
from tests.browser.pages import count_paths_after_toggle, visit
from tests.browser.seed import SeededStore


def shows(page: str, text: str) -> bool:
    """Whether ``text`` is in the page, as HTML or JSON-escaped in a script."""
    return text in page or json.dumps(text)[1:-1] in page


def _expected(seeded: SeededStore, region_model: gpd.GeoDataFrame) -> tuple[int, int]:
    """(plots the land-pool team sees, drawn paths: plots + municipalities near + reserves)."""
    with Store.open(seeded.settings) as store:
        plots = store.frame(Viewer("landpool", "t"))
    around = plots.union_all().envelope.buffer(2000)
    near = int(region_model.intersects(around).sum())
    reserves = len(sources.read_vector(seeded.settings.data_dir / NATURE_RESERVES_FILE, "nr"))
    return len(plots), len(plots) + near + reserves


def test_plots_map_for_the_landpool_team(
    browser: Any,
    live_server: LiveServer,
    seeded: SeededStore,
    region_model: gpd.GeoDataFrame,
    output_dir: Path,
) -> None:
    auth = {"Authorization": f"Bearer {seeded.tokens['landpool']}"}
    n_plots, expected = _expected(seeded, region_model)
    for by, lang in (("status", "de"), ("score", "en")):
        url = f"{live_server.base_url}/maps/plots.html?by={by}&profile=housing&lang={lang}"
        shot = output_dir / f"plots_{by}_{lang}.png"
        v = visit(browser, url, shot, headers=auth)
        assert v.errors == []
        foreign = [u for u in v.requests if not u.startswith(live_server.base_url)]
        assert foreign == [], foreign
        assert v.paths == expected
        assert v.scale
        title = "Status" if by == "status" else "Score (profile housing)"
        assert title in v.legend
        no_flood = "Kein HQ100-Layer geladen" if lang == "de" else "No HQ100 layer loaded"
        assert no_flood in v.legend
        for text in ("OpenStreetMap", "SRTM", "GeoBasis-DE", "Deutsche Bahn"):
            assert text in v.attribution, text
        # confidential plots are on the team's map, with per-criterion reasons in the popups
        for pid in seeded.secret_ids:
            assert pid in v.html
        if lang == "de":  # reasons, criteria and outcomes from the vocabulary, German numbers
            assert shows(v.html, "Fläche 35,97 ha ≥ min. 0,50 ha")
            assert shows(v.html, "Hangneigung (Mittel)") and shows(v.html, "ungeeignet")
            assert shows(v.html, "Brachfläche") and "brownfield" not in v.legend
        else:
            assert shows(v.html, "area 35.97 ha ≥ min 0.50 ha") and shows(v.html, "mean slope")
        assert "max_mean_slope_pct" not in v.legend
        assert shot.stat().st_size > 30_000
    # the slope layer is off at first; switched on it draws one path per plot
    url = f"{live_server.base_url}/maps/plots.html"
    slope = "Hangneigung (Mittel je Fläche)"
    assert count_paths_after_toggle(browser, url, slope, auth) == expected + n_plots


def test_plots_map_refuses_other_roles(live_server: LiveServer, seeded: SeededStore) -> None:
    url = f"{live_server.base_url}/maps/plots.html"
    public = httpx.get(url)
    planner = httpx.get(url, headers={"Authorization": f"Bearer {seeded.tokens['planner']}"})
    assert public.status_code == planner.status_code == 403
    for r in (public, planner):
        for pid in seeded.secret_ids:
            assert pid not in r.text
    bad = httpx.get(url, params={"by": "colour"})  # a page: an HTML 400 page naming it
    assert bad.status_code == 400 and "by" in bad.text
    assert bad.headers["content-type"].startswith("text/html")


_MAP = "Object.keys(window).map(k => window[k]).find(v => v instanceof L.Map)"


def test_plots_map_legend_follows_the_layer_shown(
    browser: Any, live_server: LiveServer, seeded: SeededStore, output_dir: Path
) -> None:
    auth = {"Authorization": f"Bearer {seeded.tokens['landpool']}"}
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, extra_http_headers=auth)
    page = context.new_page()
    page.goto(f"{live_server.base_url}/maps/plots.html", wait_until="load")
    page.wait_for_selector(".leaflet-container", timeout=20_000)
    main, slope = page.locator("#sr-legend"), page.locator("#sr-legend-slope")
    assert main.is_visible() and not slope.is_visible()
    assert "in Verhandlung" in main.inner_text()
    toggle = page.locator(".leaflet-control-layers-overlays label", has_text="Hangneigung")
    toggle.locator("input").check()
    page.wait_for_timeout(300)
    # the slope layer recolours the plots: its classes are the legend now, not the statuses
    assert slope.is_visible() and not main.is_visible()
    text = slope.inner_text()
    assert "Hangneigung (Mittel je Fläche)" in text and "0–5 %" in text and "> 20 %" in text
    assert "in Verhandlung" not in text
    page.screenshot(path=str(output_dir / "plots_slope_legend.png"))
    toggle.locator("input").uncheck()
    page.wait_for_timeout(300)
    assert main.is_visible() and not slope.is_visible()
    context.close()


def test_plots_popup_scrolls_inside_the_window(
    browser: Any, live_server: LiveServer, seeded: SeededStore, output_dir: Path
) -> None:
    auth = {"Authorization": f"Bearer {seeded.tokens['landpool']}"}
    context = browser.new_context(viewport={"width": 900, "height": 560}, extra_http_headers=auth)
    page = context.new_page()
    page.goto(f"{live_server.base_url}/maps/plots.html?by=score", wait_until="load")
    page.wait_for_selector(".leaflet-container", timeout=20_000)
    # click a plot as a person would: the centre of the first plot with a popup
    x, y = page.evaluate(
        "() => { const map = " + _MAP + "; let g = null;"
        " map.eachLayer(l => { if (!g && l.getLayers && l.getPopup && l.getPopup()) g = l; });"
        " const c = g.getLayers()[0].getBounds().getCenter(); map.setView(c, 15);"
        " const p = map.latLngToContainerPoint(c);"
        # container to window: the page header sits above the map
        " const r = map.getContainer().getBoundingClientRect();"
        " return [r.left + p.x, r.top + p.y]; }"
    )
    page.wait_for_timeout(400)
    page.mouse.click(x, y)
    page.wait_for_selector(".leaflet-popup-content", timeout=5_000)
    page.wait_for_timeout(600)  # the map pans the popup into view
    box = page.evaluate(
        "() => { const el = document.querySelector('.leaflet-popup-content');"
        " const r = el.getBoundingClientRect(); return {top: r.top, bottom: r.bottom,"
        " h: el.clientHeight, sh: el.scrollHeight, oy: getComputedStyle(el).overflowY,"
        " wh: window.innerHeight}; }"
    )
    page.screenshot(path=str(output_dir / "plots_popup_small_window.png"))
    context.close()
    assert box["oy"] == "auto"
    assert box["sh"] > box["h"]  # more rows than fit: they scroll inside the popup
    assert box["top"] >= 0 and box["bottom"] <= box["wh"]  # the popup fits the window
