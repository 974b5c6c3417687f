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
        assert shows(v.html, "area 35.97 ha ≥ min 0.5 ha") and "max_mean_slope_pct" in v.html
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
    assert httpx.get(url, params={"by": "colour"}).status_code == 422
