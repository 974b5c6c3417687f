"""The mode registry and reachable municipalities (geo/modes.py): car on test grids and the
Jena roads, a registered mode, bad input."""

from __future__ import annotations

import math

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
from shapely.geometry import Point

from geo import modes, transit
from geo.errors import (
    InputError,
    OutsideNetworkError,
    UnknownMunicipalityError,
)
from geo.region.build import load_region
from geo.roads import engine as travel
from geo.roads.network import graph_from_lines
from geo.settings import WORK_CRS, Settings
from geo.transit import io as transit_io
from tests.geo.roadgraphs import X0, Y0, grid_graph, region_frame
from tests.geo.roads.test_engine import engine_of

DATA = Settings().data_dir


@pytest.fixture(scope="module")
def grid() -> travel.RoutingEngine:
    """3 × 3 grid, 1 km spacing, 100 s per edge."""
    return engine_of(grid_graph(3))[0]


@pytest.fixture(scope="module")
def jena() -> tuple[travel.RoutingEngine, nx.MultiDiGraph]:
    lines = gpd.read_file(DATA / "jena_roads_osm2014.geojson")
    return engine_of(graph_from_lines(lines), "jena_roads_osm2014")


@pytest.fixture(scope="module")
def region() -> gpd.GeoDataFrame:
    return load_region(Settings())[0]


@pytest.fixture(scope="module")
def towns() -> gpd.GeoDataFrame:
    return region_frame(
        {
            "Adorf": (X0, Y0, 1000),  # node 0
            "Bedorf": (X0 + 1000, Y0 + 50, 200),  # node 1: 100 s
            "Cedorf": (X0 + 2000, Y0 + 2000, 30),  # node 8: 400 s
            "Fernstadt": (X0 + 20_000, Y0, 5000),  # outside the grid
        }
    )


def test_reachable_known_sets_and_population(
    grid: travel.RoutingEngine, towns: gpd.GeoDataFrame
) -> None:
    r = modes.reachable("Adorf", max_minutes=5, region=towns, network=grid)
    assert r.table["name"].tolist() == ["Adorf", "Bedorf"]
    assert list(r.table.columns) == modes.REACHABLE_COLUMNS
    assert r.table["minutes"].tolist() == [0.0, pytest.approx(1.7)]
    assert r.summary["population_reached"] == 1200
    assert r.summary["municipalities_reached"] == 2
    assert r.summary["network"] == "test grid"
    # Fernstadt is 20 km away: within reach at 130 km/h in 10 min, so it is listed as
    # outside the network (unknown), not as "not reached"
    r10 = modes.reachable("Adorf", max_minutes=10, region=towns, network=grid)
    assert r10.table["name"].tolist() == ["Adorf", "Bedorf", "Cedorf"]
    assert r10.summary["population_reached"] == 1230
    assert r10.outside["name"].tolist() == ["Fernstadt"]
    assert r10.outside["status"].tolist() == ["outside_network"]
    assert r.outside.empty  # 5 min at 130 km/h is 10.8 km: Fernstadt cannot be in reach


def test_reachable_from_lonlat_and_by_ags(
    grid: travel.RoutingEngine, towns: gpd.GeoDataFrame
) -> None:
    lonlat = gpd.GeoSeries([Point(X0 + 2000, Y0 + 2000)], crs=WORK_CRS).to_crs(4326)
    r = modes.reachable(
        (lonlat.x.iloc[0], lonlat.y.iloc[0]), max_minutes=4, region=towns, network=grid
    )
    assert r.table["name"].tolist() == ["Cedorf"]
    r2 = modes.reachable(towns["ags"].iloc[1], max_minutes=2, region=towns, network=grid)
    assert r2.summary["origin"] == "Bedorf"
    assert set(r2.table["name"]) == {"Bedorf", "Adorf"}


def test_reachable_bad_input(grid: travel.RoutingEngine, towns: gpd.GeoDataFrame) -> None:
    with pytest.raises(UnknownMunicipalityError) as exc:
        modes.reachable("Adorff", region=towns, network=grid)
    assert "Adorf" in exc.value.suggestions
    with pytest.raises(OutsideNetworkError, match="Fernstadt"):
        modes.reachable("Fernstadt", region=towns, network=grid)
    with pytest.raises(InputError, match="between 1 and 240"):
        modes.reachable("Adorf", max_minutes=0, region=towns, network=grid)
    with pytest.raises(InputError, match="mode 'rail' needs a timetable"):
        modes.reachable("Adorf", mode="rail", region=towns, network=grid)
    with pytest.raises(InputError, match="needs a service date"):
        modes.reachable("Adorf", mode="rail", region=towns, context={"timetable": object()})
    with pytest.raises(InputError, match="mode must be one of car, rail"):
        modes.reachable("Adorf", mode="boat", region=towns, network=grid)
    with pytest.raises(InputError, match="needs a road network"):
        modes.reachable("Adorf", region=towns, network=None)
    with pytest.raises(InputError, match="lon, lat"):
        modes.reachable((500.0, 50.0), region=towns, network=grid)


def test_registered_mode_is_dispatched(
    grid: travel.RoutingEngine, towns: gpd.GeoDataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fake_rail(
        origin: modes.Origin, region: gpd.GeoDataFrame, limit: float, ctx: object
    ) -> tuple[np.ndarray, np.ndarray, dict[str, object]]:
        mins = np.array([0.0, 50.0, 12.0, math.inf])
        return mins, np.array([True, True, True, False]), {"feeds": ["test"]}

    monkeypatch.setattr(modes, "_MODES", {**modes._MODES})
    monkeypatch.setattr(modes, "PENDING_MODES", {"boat": "no ferries in the feeds"})
    with pytest.raises(InputError, match="mode 'boat' cannot be answered yet: no ferries"):
        modes.reachable("Adorf", mode="boat", region=towns, network=grid)
    modes.register_mode("rail", fake_rail)
    r = modes.reachable("Adorf", mode="rail", max_minutes=15, region=towns)
    assert r.table["name"].tolist() == ["Adorf", "Cedorf"]
    assert list(r.table.columns) == modes.REACHABLE_COLUMNS
    assert r.summary["feeds"] == ["test"] and r.summary["mode"] == "rail"


def test_reachable_from_jena_on_jena_roads(
    jena: tuple[travel.RoutingEngine, nx.MultiDiGraph], region: gpd.GeoDataFrame
) -> None:
    eng, _ = jena
    r = modes.reachable("Jena", max_minutes=30, region=region, network=eng)
    jena_pop = int(region.loc[region["name"] == "Jena", "population"].iloc[0])
    assert r.table["name"].tolist() == ["Jena"]
    assert r.summary["population_reached"] == jena_pop
    # the neighbours lie beyond the Jena-only network: reported, not dropped silently
    assert {"Zöllnitz", "Bucha", "Jenalöbnitz"} <= set(r.outside["name"])
    assert (r.outside["straight_km"] <= 30 / 60 * travel.MAX_SPEED_KPH).all()
    # an origin in the city by lon/lat reaches the Jena centre in a few minutes
    r2 = modes.reachable((11.6200, 50.9300), max_minutes=15, region=region, network=eng)
    assert r2.table["name"].tolist() == ["Jena"]
    assert 0 < r2.table["minutes"].iloc[0] < 15
    with pytest.raises(OutsideNetworkError, match=r"Apolda.*jena_roads_osm2014"):
        modes.reachable("Apolda", max_minutes=30, region=region, network=eng)


def test_rail_mode_takes_a_rail_query_and_names_it(region: gpd.GeoDataFrame) -> None:
    """By rail the registry answers the rail query it is given, with the origin and limit
    of the call, and names that query in the summary."""
    settings = Settings()
    tt = transit_io.get_timetable(settings)
    query = transit.parse_rail_query(settings, depart="06:50", require_origin=False)
    r = modes.reachable(
        "Jena", "rail", 90, region=region, context={"timetable": tt, "query": query}
    )
    direct = transit.reachable_for(
        tt,
        region,
        transit.parse_rail_query(settings, origin="Jena", depart="06:50", max_minutes=90),
    )
    assert r.table["ags"].tolist() == direct.table["ags"].tolist()
    assert r.table["minutes"].tolist() == direct.table["minutes"].tolist()
    assert r.summary["query"]["from"] == "Jena" and r.summary["query"]["max_minutes"] == 90
    assert r.summary["query"]["depart"] == "06:50:00" and r.summary["date"] == settings.rail_date
