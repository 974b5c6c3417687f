"""The reachability map in headless Chromium: car (with isochrones) and rail."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd

from geo import modes, transit
from geo.roads import engine as travel
from geo.roads.io import cached_engine
from geo.transit import io as transit_io
from maps.reachable import minute_breaks
from tests.browser.conftest import LiveServer
from tests.browser.pages import visit
from tests.browser.seed import SeededStore


def _people(n: int, lang: str) -> str:
    return f"{n:,}".replace(",", ".") if lang == "de" else f"{n:,}"


def test_reachable_map_by_car_and_rail(
    browser: Any,
    live_server: LiveServer,
    seeded: SeededStore,
    region_model: gpd.GeoDataFrame,
    output_dir: Path,
) -> None:
    settings = seeded.settings
    engine, _ = cached_engine(settings)
    car = modes.reachable("Jena", "car", 20, region=region_model, network=engine)
    org = modes.resolve_origin(region_model, "Jena")
    iso = travel.isochrones(engine, org.xy, sorted({float(v) for v in minute_breaks(20)}))
    tt = transit_io.get_timetable(settings)
    rail = modes.reachable(
        "Jena",
        "rail",
        120,
        region=region_model,
        context={"timetable": tt, "query": transit.parse_rail_query(settings, origin="Jena")},
    )
    cases = [
        ("car", 20, "de", car, len(iso), "Erreichte Bevölkerung"),
        ("rail", 120, "en", rail, 0, "Population reached"),
    ]
    for mode, minutes, lang, res, n_iso, words in cases:
        shot = output_dir / f"reachable_{mode}_{lang}.png"
        url = (
            f"{live_server.base_url}/maps/reachable.html"
            f"?from=Jena&mode={mode}&max_minutes={minutes}&lang={lang}"
        )
        v = visit(browser, url, shot)
        assert v.errors == []
        foreign = [u for u in v.requests if not u.startswith(live_server.base_url)]
        assert foreign == [], foreign
        # reached + outside the network + isochrone bands + the origin marker
        assert v.paths == len(res.table) + len(res.outside) + n_iso + 1
        assert v.scale
        assert f"{words}: {_people(res.summary['population_reached'], lang)}" in v.legend
        assert "GeoBasis-DE" in v.attribution and "Destatis" in v.attribution
        source = "OpenStreetMap" if mode == "car" else "DB Vertrieb"
        assert source in v.attribution
        assert shot.stat().st_size > 30_000
