"""The public forum map in headless Chromium: region, offers across borders, no secrets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np

from maps.minutes import MAX_MINUTES, jena_minutes
from tests.api.landpool_seed import secret_coordinate_patterns, secret_strings
from tests.browser.conftest import LiveServer
from tests.browser.pages import PageVisit, visit
from tests.browser.seed import PUBLIC_OFFERS, PUBLIC_OTHER, SeededStore

#: Demo plots (OSM landuse of Jena) offered: the brownfield and the greenfield one.
DEMO_OFFERS = 2


def _leaks(v: PageVisit) -> list[str]:
    texts = [("page", v.html)] + [
        (url, body.decode("utf-8", "replace")) for url, _, body in v.responses
    ]
    found = []
    for where, text in texts:
        found += [f"{where}: {s!r}" for s in secret_strings() if s in text]
        found += [f"{where}: {p.pattern}" for p in secret_coordinate_patterns() if p.search(text)]
    return found


def test_forum_map_shows_public_offers_only(
    browser: Any,
    live_server: LiveServer,
    seeded: SeededStore,
    region_model: gpd.GeoDataFrame,
    output_dir: Path,
) -> None:
    minutes = jena_minutes(seeded.settings, region_model)
    rail = np.isfinite(minutes.rail.to_numpy(dtype=float))
    rail &= minutes.rail.to_numpy(dtype=float) <= MAX_MINUTES
    towns = int(region_model["isek_population"].notna().sum()) + 1
    offers = len(PUBLIC_OFFERS) + DEMO_OFFERS
    # municipalities + rail outlines + offered plots + their markers + town markers
    expected = len(region_model) + int(rail.sum()) + 2 * offers + towns
    as_landpool = {"Authorization": f"Bearer {seeded.tokens['landpool']}"}
    for lang, headers in (("de", None), ("en", as_landpool)):
        shot = output_dir / f"forum_{lang}.png"
        v = visit(browser, f"{live_server.base_url}/maps/forum.html?lang={lang}", shot, headers)
        assert v.errors == []
        foreign = [u for u in v.requests if not u.startswith(live_server.base_url)]
        assert foreign == [], foreign
        assert v.paths == expected
        assert v.scale
        for plot in PUBLIC_OFFERS:
            assert plot["name"] in v.html
        for plot in PUBLIC_OTHER:
            assert plot["name"] not in v.html
        # nothing confidential, even when the land-pool team opens the public page
        assert _leaks(v) == []
        for pid in seeded.secret_ids:
            assert pid not in v.html
        words = ("Fläche: Wohnen", "Gewerbe") if lang == "de" else ("Plot: housing", "commerce")
        for w in words:
            assert w in v.legend
        for text in ("GeoBasis-DE", "Destatis", "DB Vertrieb", "OpenStreetMap"):
            assert text in v.attribution, text
        assert shot.stat().st_size > 50_000
