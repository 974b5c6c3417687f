"""The region map in headless Chromium: draws every feature, only talks to our server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import geopandas as gpd

from geo import sources
from geo.settings import Settings
from maps.registry import render_map
from tests.browser.conftest import LiveServer
from tests.browser.pages import visit


def expected_features(region_model: gpd.GeoDataFrame, settings: Settings) -> int:
    rail = sources.read_vector(settings.data_dir / sources.RAIL_FILE, "rail")
    stations = sources.read_stations(settings.data_dir)
    inside = gpd.sjoin(stations, region_model[["geometry"]], predicate="within")
    towns = int(region_model["isek_population"].notna().sum()) + 1  # ISEK towns + Jena marker
    # municipalities + rail segments + stations + Jena outline + town markers
    return len(region_model) + len(rail) + inside.index.nunique() + 1 + towns


def test_region_map_in_browser(
    browser: Any,
    live_server: LiveServer,
    region_model: gpd.GeoDataFrame,
    settings: Settings,
    output_dir: Path,
) -> None:
    for lang in ("de", "en"):
        shot = output_dir / f"region_{lang}.png"
        v = visit(browser, f"{live_server.base_url}/maps/region.html?lang={lang}", shot)
        assert v.errors == []
        foreign = [u for u in v.requests if not u.startswith(live_server.base_url)]
        assert foreign == [], foreign
        assert v.paths == expected_features(region_model, settings)
        title = "Bevölkerung, Veränderung pro Jahr" if lang == "de" else "Population, change"
        assert title in v.legend
        for text in (
            "GeoBasis-DE / BKG (2016)",
            "Destatis",
            "Deutsche Bahn AG",
            "OffenesThueringen",
        ):
            assert text in v.attribution, text
        assert v.scale
        # popups carry rail and car minutes from Jena; outside the road network, no number
        rail, car, outside = (
            ("Bahn ab Jena", "Auto ab Jena (min)", "außerhalb des geladenen Straßennetzes")
            if lang == "de"
            else ("Rail from Jena", "Car from Jena (min)", "outside the loaded road network")
        )
        # the trains behind the rail answer, in plain words (Weimar: three ICs, 16 min)
        trains = (
            "Bahn: 16 min, 3 Fahrten am Tag (06:44–18:44); Median 06–20 Uhr: nicht erreicht"
            if lang == "de"
            else "Rail: 16 min, 3 trips a day (06:44–18:44); median 06–20 h: not reached"
        )
        for text in (rail, car, outside, trains):
            assert text in v.html or json.dumps(text)[1:-1] in v.html, text
        assert shot.stat().st_size > 50_000


def test_exported_region_map_draws_without_tiles(
    browser: Any, region_model: gpd.GeoDataFrame, settings: Settings, tmp_path: Path
) -> None:
    """The exported file (assets inlined) draws every layer when its tile host is down."""
    dead = settings.model_copy(update={"tiles_url": "http://127.0.0.1:9/{z}/{x}/{y}.png"})
    page = tmp_path / "region.html"
    page.write_text(render_map("region", dead, inline_assets=True), encoding="utf-8")
    assert len(page.read_bytes()) < 2_000_000
    v = visit(browser, page.as_uri())
    assert v.paths == expected_features(region_model, settings)
    tiles = [u for u in v.requests if u.startswith("http://127.0.0.1:9/")]
    assert tiles, "the base map was configured, its tiles should have been asked for"
    assert all(u.startswith(("file://", "http://127.0.0.1:9/", "data:")) for u in v.requests)
    assert all("Failed to load resource" in e for e in v.errors), v.errors
    assert "Bevölkerung, Veränderung pro Jahr" in v.legend
