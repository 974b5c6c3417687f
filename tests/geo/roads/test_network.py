"""Road graph building, speeds and connectivity (geo/roads/network.py)."""

from __future__ import annotations

import math

import geopandas as gpd
import networkx as nx
import pandas as pd
import pytest
from shapely.geometry import LineString

from geo.errors import InputError
from geo.roads import network
from geo.settings import Settings
from tests.geo.roadgraphs import grid_graph


@pytest.mark.parametrize(
    ("raw", "kph"),
    [
        ("50", 50.0),
        (50, 50.0),
        ("30 mph", 30 * 1.609344),
        ("50 km/h", 50.0),
        ("DE:urban", 50.0),
        ("DE:rural", 100.0),
        ("DE:motorway", 130.0),
        ("de:zone:30", 30.0),
        ("none", 130.0),
        ("walk", 7.0),
        ("50;30", 40.0),
        (["50", "30"], 40.0),
        ("['70', '50']", 60.0),
        ("50;signals", 50.0),
    ],
)
def test_parse_maxspeed_reads_osm_values(raw: object, kph: float) -> None:
    assert network.parse_maxspeed(raw) == pytest.approx(kph)


@pytest.mark.parametrize("raw", [None, "", "signals", "variable", "0", "-5", float("nan")])
def test_parse_maxspeed_unreadable_is_none(raw: object) -> None:
    assert network.parse_maxspeed(raw) is None


def test_edge_speeds_fall_back_to_class_defaults() -> None:
    edges = pd.DataFrame(
        {
            "highway": [
                "residential",
                "motorway",
                "primary",
                ["secondary", "residential"],
                "mystery",
            ],
            "maxspeed": [None, "none", "signals", None, None],
        }
    )
    speeds = network.edge_speeds_kph(edges).tolist()
    assert speeds == [
        network.DEFAULT_SPEEDS_KPH["residential"],
        130.0,
        network.DEFAULT_SPEEDS_KPH["primary"],
        network.DEFAULT_SPEEDS_KPH["secondary"],  # a merged edge takes its fastest class
        network.FALLBACK_SPEED_KPH,
    ]


def test_travel_time_from_length_speed_and_congestion() -> None:
    g = grid_graph(2)  # 1 km edges at 36 km/h = 10 m/s
    timed = network.add_travel_times(g)
    assert all(d["travel_time_s"] == pytest.approx(100.0) for *_, d in timed.edges(data=True))
    assert "travel_time_s" not in next(iter(g.edges(data=True)))[2]  # input untouched
    slow = network.add_travel_times(g, congestion={"residential": 1.5, "primary": 2.0})
    assert all(d["travel_time_s"] == pytest.approx(150.0) for *_, d in slow.edges(data=True))


@pytest.mark.parametrize("factor", [0.5, 0, 11, float("nan")])
def test_bad_congestion_factor_is_refused(factor: float) -> None:
    with pytest.raises(InputError, match="congestion factor for 'primary'"):
        network.add_travel_times(grid_graph(2), congestion={"primary": factor})


@pytest.mark.parametrize(
    ("oneway", "highway", "junction", "expected"),
    [
        ("yes", "residential", None, 1),
        ("true", "residential", None, 1),
        ("-1", "residential", None, -1),
        ("no", "motorway", None, 0),
        (None, "residential", None, 0),
        (None, "motorway", None, 1),
        (None, "secondary", "roundabout", 1),
        (float("nan"), "tertiary", None, 0),
    ],
)
def test_oneway_direction(oneway: object, highway: str, junction: object, expected: int) -> None:
    assert network.oneway_direction(oneway, highway, junction) == expected


def _lines(rows: list[dict[str, object]]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")


def test_graph_from_lines_nodes_at_shared_vertices_not_only_ends() -> None:
    # A north-south way and an east-west way crossing at a shared middle vertex, a
    # bridge crossing without a shared vertex, a footway and a one-way street.
    lines = _lines(
        [
            {
                "highway": "secondary",
                "oneway": "no",
                "geometry": LineString([(11.58, 50.92), (11.58, 50.93), (11.58, 50.94)]),
            },
            {
                "highway": "residential",
                "oneway": None,
                "geometry": LineString([(11.57, 50.93), (11.58, 50.93), (11.59, 50.93)]),
            },
            {
                "highway": "residential",
                "oneway": None,
                "geometry": LineString([(11.57, 50.935), (11.59, 50.935)]),
            },  # bridge: no shared vertex
            {
                "highway": "footway",
                "oneway": None,
                "geometry": LineString([(11.58, 50.94), (11.60, 50.94)]),
            },
            {
                "highway": "residential",
                "oneway": "-1",
                "geometry": LineString([(11.59, 50.93), (11.60, 50.93)]),
            },
        ]
    )
    g = network.graph_from_lines(lines)
    assert g.graph["crs"] == "EPSG:25832"
    # 3 + 3 (sharing the crossing: 5) + bridge 2 + one-way end 1; footway dropped
    assert g.number_of_nodes() == 8
    assert g.number_of_edges() == 4 + 4 + 2 + 1
    assert all(d["highway"] != "footway" for *_, d in g.edges(data=True))
    one = [(u, v, d) for u, v, d in g.edges(data=True) if d["oneway"]]
    assert len(one) == 1 and one[0][2]["reversed"] is True
    # the reversed one-way runs from (11.60, 50.93) to (11.59, 50.93): west-bound
    u, v, _ = one[0]
    assert g.nodes[u]["x"] > g.nodes[v]["x"]
    # the crossing connects the two ways: the node at the shared vertex has degree 4 each way
    assert max(g.out_degree(n) for n in g) == 4
    # lengths in metres (0.01° of latitude is about 1,112 m)
    ns = [d["length"] for *_, d in g.edges(data=True) if d["highway"] == "secondary"]
    assert all(1100 < x < 1125 for x in ns)


def test_graph_from_lines_refuses_bad_input() -> None:
    no_crs = gpd.GeoDataFrame({"highway": ["primary"]}, geometry=[LineString([(0, 0), (1, 1)])])
    with pytest.raises(InputError, match="no CRS"):
        network.graph_from_lines(no_crs)
    with pytest.raises(InputError, match="highway"):
        network.graph_from_lines(
            gpd.GeoDataFrame(geometry=[LineString([(0, 0), (1, 1)])], crs="EPSG:4326")
        )
    paths = _lines([{"highway": "footway", "geometry": LineString([(11.5, 50.9), (11.6, 50.9)])}])
    with pytest.raises(InputError, match="no road a car may use"):
        network.graph_from_lines(paths)


def test_largest_strong_component_reports_what_was_dropped() -> None:
    g = network.add_travel_times(grid_graph(2))
    g.add_node(99, x=0.0, y=0.0)
    g.add_edge(0, 99, highway="residential", length=10.0, travel_time_s=1.0)  # dead end
    kept, report = network.largest_strong_component(g)
    assert set(kept) == {0, 1, 2, 3}
    assert report.nodes_dropped == 1 and report.edges_dropped == 1
    assert report.components == 2
    assert report.as_dict()["share_kept"] == pytest.approx(0.8)
    with pytest.raises(InputError):
        network.largest_strong_component(nx.MultiDiGraph())


def test_jena_roads_build_a_connected_network() -> None:
    lines = gpd.read_file(Settings().data_dir / "jena_roads_osm2014.geojson")
    graph, report = network.prepare_network(network.graph_from_lines(lines))
    # noding at shared vertices keeps ~90 % (ends only would keep about 60 %)
    assert report.share_kept > 0.9
    assert report.nodes_total > 1500
    assert nx.is_strongly_connected(graph)
    times = [d["travel_time_s"] for *_, d in graph.edges(data=True)]
    assert min(times) > 0 and all(math.isfinite(t) for t in times)
    hw = {d["highway"] for *_, d in graph.edges(data=True)}
    assert "path" not in hw and "track" not in hw and "primary" in hw
    # The A4 carriageways are one-way ways (implied by highway=motorway) cut at the edge of
    # the extract: they leave the area, so they are not part of the strongly connected part.
    raw = network.graph_from_lines(lines)
    motorway = [d for *_, d in raw.edges(data=True) if d["highway"] == "motorway"]
    assert motorway and all(d["oneway"] for d in motorway)


def test_generated_road_graph_has_classes_and_one_ways() -> None:
    g = network.generate_road_graph(41, seed=3)
    assert g.number_of_nodes() == 41 * 41
    classes = {d["highway"] for *_, d in g.edges(data=True)}
    assert classes == {"motorway", "primary", "secondary", "residential"}
    assert any(d["oneway"] for *_, d in g.edges(data=True))
    prepared, report = network.prepare_network(g)
    assert report.share_kept > 0.95
    motorway = [d for *_, d in prepared.edges(data=True) if d["highway"] == "motorway"]
    assert all(d["speed_kph"] == 130.0 for d in motorway)
    with pytest.raises(InputError):
        network.generate_road_graph(1)


def test_prepare_network_projects_to_work_crs() -> None:
    g = nx.MultiDiGraph(crs="EPSG:4326")
    g.add_node(1, x=11.58, y=50.92)
    g.add_node(2, x=11.59, y=50.92)
    for u, v in ((1, 2), (2, 1)):
        g.add_edge(u, v, highway="primary", maxspeed="50", length=700.0)
    out, _ = network.prepare_network(g)
    assert out.graph["crs"] != "EPSG:4326"
    assert 600_000 < out.nodes[1]["x"] < 800_000
    assert out.edges[1, 2, 0]["travel_time_s"] == pytest.approx(700 / (50 / 3.6))
    with pytest.raises(InputError, match="crs"):
        network.prepare_network(nx.MultiDiGraph())
