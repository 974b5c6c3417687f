"""The reachability map (maps/reachable.py)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest

from geo import modes
from geo.errors import InputError
from geo.roads import engine as travel
from geo.roads.network import graph_from_lines, prepare_network
from geo.settings import Settings
from maps.base import render_html
from maps.reachable import build_reachable_map, minute_breaks
from maps.registry import render_map


@pytest.mark.parametrize(
    ("limit", "breaks"),
    [
        (30, [10, 20, 30]),
        (5, [5]),
        (60, [10, 20, 30, 40, 50, 60]),
        (120, [20, 40, 60, 80, 100, 120]),
    ],
)
def test_minute_breaks(limit: float, breaks: list[float]) -> None:
    assert minute_breaks(limit) == breaks


def test_map_shows_reached_outside_and_isochrones(
    settings: Settings, region_model: gpd.GeoDataFrame
) -> None:
    lines = gpd.read_file(settings.data_dir / "jena_roads_osm2014.geojson")
    g, _ = prepare_network(graph_from_lines(lines))
    eng = travel.RoutingEngine.from_graph(g, "jena test", "t")
    res = modes.reachable("Jena", max_minutes=20, region=region_model, network=eng)
    org = modes.resolve_origin(region_model, "Jena")
    iso = travel.isochrones(eng, org.xy, [10, 20])
    m = build_reachable_map(region_model, res, iso, settings, attribution=["© OSM test"])
    page = render_html(m, settings)
    assert "Erreichbarkeit mit dem Auto" in page or "Erreichbarkeit" in page
    assert "jena test" in page and "OSM test" in page
    assert np.isin(["Zöllnitz"], res.outside["name"]).all()


def test_registry_renders_reachable_map(settings: Settings) -> None:
    page = render_map("reachable", settings, lang="en")
    assert "Reachability by car" in page


def test_registry_takes_the_rail_query_options(settings: Settings) -> None:
    """The map takes the rail query's options by their names (as /transit/reachable) and
    names the day and window; they are refused for the car map."""
    page = render_map(
        "reachable",
        settings,
        lang="en",
        options={"mode": "rail", "from": "Weimar", "window": "06:00-09:00", "percentile": "80"},
    )
    assert "Reachability by rail" in page and "Weimar" in page
    assert "2019-05-15, 06:00–09:00 (percentile 80 of the minutes in the window)" in page
    with pytest.raises(InputError, match="window: only for mode rail"):
        render_map("reachable", settings, options={"mode": "car", "window": "06:00-09:00"})
    with pytest.raises(InputError, match="percentile 'high'"):
        render_map("reachable", settings, options={"mode": "rail", "percentile": "high"})
