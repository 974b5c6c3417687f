"""Snapping, matrices, isochrones and reachable municipalities (geo/roads/engine.py)."""

from __future__ import annotations

import pickle
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import Point

from geo.errors import (
    InputError,
    OutsideNetworkError,
    SnapDistanceError,
)
from geo.region.build import load_region
from geo.roads import engine as travel
from geo.roads.io import read_osm_xml
from geo.roads.network import generate_road_graph, graph_from_lines, prepare_network
from geo.settings import WORK_CRS, Settings
from tests.geo.roadgraphs import X0, Y0, grid_graph, nx_times, point

DATA = Settings().data_dir


def engine_of(
    graph: nx.MultiDiGraph, name: str = "test grid", max_snap_m: float = 500.0
) -> tuple[travel.RoutingEngine, nx.MultiDiGraph]:
    prepared, report = prepare_network(graph)
    return travel.RoutingEngine.from_graph(
        prepared, name, "test", max_snap_m, report.as_dict()
    ), prepared


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


# -- snapping --------------------------------------------------------------------


def test_snap_reports_distance(grid: travel.RoutingEngine) -> None:
    s = travel.snap(grid, np.array([[X0 + 1000 + 120.0, Y0 + 1000 - 50.0]]))
    assert grid.node_ids[s.node[0]] == 4
    assert s.dist_m[0] == pytest.approx(130.0)
    frame = s.frame(grid)
    assert list(frame.columns) == ["node", "snap_dist_m"]


def test_snap_refuses_far_point_naming_the_distance(grid: travel.RoutingEngine) -> None:
    # the middle of a grid cell is inside the hull but 707 m from every node
    with pytest.raises(SnapDistanceError, match="707 m from the nearest road node") as exc:
        travel.snap(grid, np.array([[X0 + 500.0, Y0 + 500.0]]), "origin")
    assert exc.value.dist_m == pytest.approx(707.1, abs=0.1)
    assert "test grid" in str(exc.value)
    assert "stadtregion network fetch" in str(exc.value)


def test_snap_refuses_point_outside_the_network(grid: travel.RoutingEngine) -> None:
    with pytest.raises(OutsideNetworkError, match=r"destination .Far.*.test grid."):
        travel.snap(grid, np.array([[X0, Y0], [X0 + 50_000.0, Y0]]), "destination", ["Near", "Far"])
    assert not travel.covered(grid, np.array([[X0 + 50_000.0, Y0]]))[0]
    assert travel.covered(grid, np.array([[X0 + 10.0, Y0]]))[0]


def test_snap_distance_is_configurable() -> None:
    eng = engine_of(grid_graph(3), max_snap_m=800)[0]
    assert travel.snap(eng, np.array([[X0 + 500.0, Y0 + 500.0]])).dist_m[0] < 800
    with pytest.raises(InputError, match="max_snap_m"):
        engine_of(grid_graph(3), max_snap_m=0)


# -- matrices --------------------------------------------------------------------


def test_matrix_known_answers(grid: travel.RoutingEngine) -> None:
    pts = gpd.GeoDataFrame(
        {"id": ["a", "b", "c"]},
        geometry=[Point(X0, Y0), Point(X0 + 2000, Y0 + 2000), Point(X0 + 1000, Y0)],
        crs=WORK_CRS,
    )
    m = travel.travel_time_matrix(grid, pts, origin_id="id")
    # a→b: 4 edges × 100 s = 6.67 min; a→c: 1 edge
    assert m.wide.loc["a", "b"] == pytest.approx(400 / 60, abs=0.01)
    assert m.wide.loc["a", "c"] == pytest.approx(100 / 60, abs=0.01)
    assert m.wide.loc["b", "b"] == 0
    long = m.long()
    assert list(long.columns) == ["origin", "destination", "minutes"]
    assert len(long) == 9
    assert long.set_index(["origin", "destination"]).loc[("b", "c"), "minutes"] == pytest.approx(
        300 / 60, abs=0.01
    )
    assert (m.origin_snaps["snap_dist_m"] == 0).all()


def test_matrix_input_errors(grid: travel.RoutingEngine) -> None:
    pts = gpd.GeoDataFrame({"id": ["a", "a"]}, geometry=[Point(X0, Y0)] * 2, crs=WORK_CRS)
    with pytest.raises(InputError, match="not unique"):
        travel.travel_time_matrix(grid, pts, origin_id="id")
    with pytest.raises(InputError, match="no column 'nope'"):
        travel.travel_time_matrix(grid, pts, origin_id="nope")
    with pytest.raises(InputError, match="no CRS"):
        travel.travel_time_matrix(grid, gpd.GeoDataFrame(geometry=[Point(X0, Y0)]))
    with pytest.raises(OutsideNetworkError):
        travel.travel_time_matrix(grid, point(X0, Y0), point(X0 + 90_000, Y0))
    with pytest.raises(InputError, match="method"):
        travel.matrix_s(grid, np.array([0]), np.array([1]), method="magic")


@pytest.mark.parametrize("method", ["dijkstra", "ch"])
def test_matrix_equals_networkx_on_generated_graph(method: str) -> None:
    eng, g = engine_of(generate_road_graph(25, seed=5))
    rng = np.random.default_rng(0)
    o = rng.choice(eng.n_nodes, 30, replace=False)
    d = np.concatenate([rng.choice(eng.n_nodes, 40, replace=False), o[:3]])  # repeats fine
    got = travel.matrix_s(eng, o, d, method=method)
    for i, oi in enumerate(o):
        ref = nx_times(g, eng.node_ids[oi])
        want = np.array([ref[eng.node_ids[dj]] for dj in d])
        assert np.max(np.abs(got[i] - want)) < (1e-6 if method == "dijkstra" else 0.05)


def test_matrix_equals_networkx_on_jena(jena: tuple[travel.RoutingEngine, nx.MultiDiGraph]) -> None:
    eng, g = jena
    ortsteile = gpd.read_file(DATA / "jena_ortsteile_osm2014.geojson")
    xy = travel.points_xy(ortsteile, "ortsteile")
    ok = travel.covered(eng, xy)
    assert 5 < ok.sum() < len(xy)  # the Jena roads do not reach every village
    inside = ortsteile[ok]
    m = travel.travel_time_matrix(eng, inside, origin_id="name")
    nodes = m.origin_snaps["node"]
    for name, node in nodes.items():
        ref = nx_times(g, node)
        want = np.array([ref[n] for n in nodes]) / 60
        assert np.max(np.abs(m.wide.loc[name].to_numpy() - want)) < 0.01
    # a village outside the loaded roads is refused, not answered
    with pytest.raises(OutsideNetworkError):
        travel.travel_time_matrix(eng, ortsteile, origin_id="name")


def test_matrix_on_kaiserslautern_xml_equals_networkx() -> None:
    eng, g = engine_of(read_osm_xml(DATA / "fixture_kaiserslautern_uni.osm.gz"), "ka")
    idx = np.arange(0, eng.n_nodes, 7)
    got = travel.matrix_s(eng, idx, idx)
    for i, oi in enumerate(idx):
        ref = nx_times(g, eng.node_ids[oi])
        assert got[i] == pytest.approx([ref[eng.node_ids[j]] for j in idx])


def test_engine_pickles_without_its_ch() -> None:
    eng = engine_of(generate_road_graph(12, seed=1))[0]
    o = np.arange(0, eng.n_nodes, 11)
    before = travel.matrix_s(eng, o, o, method="ch")
    assert eng._ch is not None
    clone = pickle.loads(pickle.dumps(eng))
    assert clone._ch is None and clone.n_nodes == eng.n_nodes
    assert np.allclose(travel.matrix_s(clone, o, o, method="dijkstra"), before, atol=0.05)
    assert travel.covered(clone, np.column_stack([eng.x[:3], eng.y[:3]])).all()


# -- isochrones ------------------------------------------------------------------


def line_engine() -> travel.RoutingEngine:
    """A straight two-way road 1.2 km long at 36 km/h (120 s), plus one 3 km spur."""
    g = nx.MultiDiGraph(crs=WORK_CRS)
    g.add_node(0, x=X0, y=Y0)
    g.add_node(1, x=X0 + 1200, y=Y0)
    g.add_node(2, x=X0 + 1200, y=Y0 + 3000)
    for u, v, length in ((0, 1, 1200.0), (1, 2, 3000.0)):
        for a, b in ((u, v), (v, u)):
            g.add_edge(a, b, highway="residential", maxspeed="36", length=length)
    return engine_of(g, "line")[0]


def test_isochrone_follows_the_road_and_cuts_partial_edges() -> None:
    eng = line_engine()
    iso = travel.isochrones(eng, np.array([[X0, Y0]]), [1, 5], buffer_m=100)
    one = iso.geometry.iloc[0]
    # 1 min = 600 m along the road (+100 m band)
    assert one.contains(Point(X0 + 500, Y0))
    assert not one.contains(Point(X0 + 800, Y0))
    assert not one.contains(Point(X0 + 300, Y0 + 400))  # not a circle around the origin
    assert iso["minutes"].tolist() == [1.0, 5.0]
    # 5 min = 3,000 m: the first road (1,200 m) then 1,800 m up the spur
    five = iso.geometry.iloc[1]
    assert five.contains(Point(X0 + 1200, Y0 + 1700))
    assert not five.contains(Point(X0 + 1200, Y0 + 2000))
    # not a convex hull: the corner between the two roads is not covered
    assert not five.contains(Point(X0 + 400, Y0 + 1500))
    assert one.difference(five).area < 1e-6
    assert iso.attrs["snap_dist_m"] == 0


def test_isochrone_keeps_holes_inside_a_ring_road() -> None:
    # a 4 km × 4 km ring road (the grid's outer edges only): the land inside is unreached
    g = nx.MultiDiGraph(crs=WORK_CRS)
    corners = [(0, 0), (4000, 0), (4000, 4000), (0, 4000)]
    for i, (x, y) in enumerate(corners):
        g.add_node(i, x=X0 + x, y=Y0 + y)
    for i in range(4):
        for a, b in ((i, (i + 1) % 4), ((i + 1) % 4, i)):
            g.add_edge(a, b, highway="residential", maxspeed="36", length=4000.0)
    eng = engine_of(g, "ring")[0]
    iso = travel.isochrones(eng, np.array([[X0, Y0]]), [20], buffer_m=150)
    poly = iso.geometry.iloc[0]
    assert poly.contains(Point(X0 + 4000, Y0 + 4000))  # the far corner, 8 km = 800 s
    assert not poly.contains(Point(X0 + 2000, Y0 + 2000))  # the middle stays out
    rings = [len(p.interiors) for p in getattr(poly, "geoms", [poly])]
    assert sum(rings) == 1


def test_isochrone_containment_on_jena(jena: tuple[travel.RoutingEngine, nx.MultiDiGraph]) -> None:
    eng, g = jena
    origin = travel.lonlat_xy(11.5892, 50.9272)  # Jena centre
    iso = travel.isochrones(eng, origin, [5, 10])
    node = travel.snap(eng, origin).node[0]
    ref = nx_times(g, eng.node_ids[node])
    xy = {n: (g.nodes[n]["x"], g.nodes[n]["y"]) for n in g}
    for _, row in iso.iterrows():
        poly = row.geometry
        shapely.prepare(poly)
        limit = row["minutes"] * 60
        inside = [n for n, t in ref.items() if t <= limit]
        assert all(poly.contains(Point(xy[n])) for n in inside)
        far = [n for n, t in ref.items() if t > limit + 120]
        outside = [n for n in far if not poly.contains(Point(xy[n]))]
        assert len(outside) > 0.8 * len(far)  # only nodes beside reached roads fall inside
    # nested up to floating-point noise of the overlay
    assert iso.geometry.iloc[0].difference(iso.geometry.iloc[1]).area < 0.01
    assert iso["area_km2"].iloc[1] > iso["area_km2"].iloc[0] > 0


@pytest.mark.parametrize("bad", [0, 0.5, 241, -3, float("nan"), "abc", None])
def test_minutes_outside_range_are_refused(bad: object) -> None:
    with pytest.raises(InputError, match="minutes"):
        travel.check_minutes(bad)  # type: ignore[arg-type]


def test_isochrone_bad_input() -> None:
    eng = line_engine()
    with pytest.raises(InputError, match="minutes is empty"):
        travel.isochrones(eng, np.array([[X0, Y0]]), [])
    with pytest.raises(InputError, match="between 1 and 240"):
        travel.isochrones(eng, np.array([[X0, Y0]]), [10, 300])
    with pytest.raises(InputError, match="buffer_m"):
        travel.isochrones(eng, np.array([[X0, Y0]]), [10], buffer_m=0)
    with pytest.raises(OutsideNetworkError):
        travel.isochrones(eng, np.array([[X0 - 30_000, Y0]]), [10])


def test_points_xy_uses_representative_points_of_polygons(tmp_path: Path) -> None:
    polys = gpd.read_file(DATA / "jena_landuse_osm2014.geojson")
    xy = travel.points_xy(polys)
    assert xy.shape == (len(polys), 2)
    back = gpd.GeoSeries(gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=WORK_CRS)
    assert back.within(polys.to_crs(WORK_CRS).geometry.buffer(0.01), align=False).all()


def test_matrix_between_stations_and_municipality_centres(
    jena: tuple[travel.RoutingEngine, nx.MultiDiGraph], region: gpd.GeoDataFrame
) -> None:
    from geo.region.model import centres
    from geo.sources import read_stations

    eng, g = jena
    stations = read_stations(DATA)
    stations = stations[travel.covered(eng, travel.points_xy(stations))]
    assert {"Jena Paradies", "Jena West"} <= set(stations["name"])
    towns = centres(region[region["name"] == "Jena"])
    m = travel.travel_time_matrix(eng, towns, stations, origin_id="name", destination_id="name")
    assert m.wide.shape == (1, len(stations))
    long = m.long()
    assert set(long["destination"]) == set(stations["name"])
    ref = nx_times(g, m.origin_snaps["node"].iloc[0])
    want = [ref[n] / 60 for n in m.destination_snaps["node"]]
    assert np.allclose(m.wide.iloc[0].to_numpy(), want, atol=0.01)
    assert (m.destination_snaps["snap_dist_m"] <= eng.max_snap_m).all()


def test_car_matrix_task_partitions_equal_one_matrix() -> None:
    eng = engine_of(generate_road_graph(15, seed=2))[0]
    ids = np.arange(0, eng.n_nodes, 9)
    pts = pd.DataFrame({"id": [f"n{i}" for i in ids], "x": eng.x[ids], "y": eng.y[ids]})
    shipped = pickle.loads(pickle.dumps(eng))  # as a batch job ships it to a worker
    opts = {"destinations": pts, "method": "dijkstra"}
    parts = [
        travel.car_matrix_task(shipped, pts.iloc[a : a + 7], opts) for a in range(0, len(pts), 7)
    ]
    rows = pd.concat(parts, ignore_index=True)
    whole = travel.matrix_s(eng, ids, ids)
    assert len(rows) == len(pts) ** 2
    assert np.allclose(rows["minutes"].to_numpy(), np.round(whole.ravel() / 60, 2))
    with pytest.raises(InputError, match="destinations"):
        travel.car_matrix_task(eng, pts, {})
    with pytest.raises(InputError, match="columns id, x, y"):
        travel.car_matrix_task(eng, pts.drop(columns="x"), opts)


def test_road_car_minutes_unknown_outside_the_network(settings: Settings) -> None:
    """The screening adapter: routed minutes inside the network, NaN (unknown) outside."""
    import geopandas as gpd
    from shapely.geometry import Point

    from geo.roads.engine import RoadCarMinutes, travel_time_matrix
    from geo.roads.io import cached_engine

    engine, _ = cached_engine(settings)
    inside = [Point(681500, 5644300), Point(682400, 5646500)]  # central Jena
    outside = Point(600000, 5600000)  # far outside the Jena roads
    origins = gpd.GeoSeries([*inside, outside], crs=25832)
    dests = gpd.GeoSeries(inside, crs=25832)
    got = RoadCarMinutes(engine).minutes_matrix(origins, dests)
    assert got.shape == (3, 2)
    assert np.isnan(got[2]).all()
    ref = travel_time_matrix(
        engine, gpd.GeoDataFrame(geometry=origins[:2]), gpd.GeoDataFrame(geometry=dests)
    ).wide.to_numpy()
    np.testing.assert_allclose(got[:2], ref)
