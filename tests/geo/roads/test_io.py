"""Road-network I/O: OSM XML, PBF, road lines, GraphML cache, downloads (geo/roads/io.py).

The download path is tested against a fake Overpass server on 127.0.0.1 that answers
with OSM data the test writes; nothing here touches the internet.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
from shapely.geometry import LineString, box

from geo import modes
from geo.errors import DataSourceError, InputError
from geo.roads import engine as travel
from geo.roads import io
from geo.roads.network import CAR_HIGHWAYS, prepare_network
from geo.settings import Settings

DATA = Settings().data_dir

# A small road net near Jena: a two-way residential square with a one-way diagonal
# and a footway (lon, lat).
NODES = {
    1: (11.580, 50.920),
    2: (11.590, 50.920),
    3: (11.590, 50.926),
    4: (11.580, 50.926),
    5: (11.600, 50.926),
}
WAYS: list[tuple[int, list[int], dict[str, str]]] = [
    (101, [1, 2, 3, 4, 1], {"highway": "residential", "maxspeed": "30", "name": "Ring"}),
    (102, [1, 3], {"highway": "tertiary", "oneway": "yes", "maxspeed": "DE:urban"}),
    (103, [3, 5], {"highway": "footway"}),
]


def _engine(graph: nx.MultiDiGraph) -> travel.RoutingEngine:
    prepared, report = prepare_network(graph)
    return travel.RoutingEngine.from_graph(prepared, "t", "t", 500, report.as_dict())


def test_read_osm_xml_kaiserslautern_keeps_car_roads() -> None:
    g = io.read_network_file(DATA / "fixture_kaiserslautern_uni.osm.gz")
    assert 100 < g.number_of_nodes() < 492
    classes = {
        d["highway"] if isinstance(d["highway"], str) else d["highway"][0]
        for *_, d in g.edges(data=True)
    }
    assert classes <= CAR_HIGHWAYS
    eng = _engine(g)
    assert eng.n_nodes > 50
    assert np.isfinite(travel.matrix_s(eng, np.arange(5), np.arange(eng.n_nodes))).all()


def test_read_osm_xml_refuses_broken_file(tmp_path: Path) -> None:
    bad = tmp_path / "broken.osm"
    bad.write_text("<osm><node id='1' lat='50.9'")
    with pytest.raises(DataSourceError, match="cannot read OSM XML"):
        io.read_osm_xml(bad)
    with pytest.raises(DataSourceError, match="not found"):
        io.read_osm_xml(tmp_path / "missing.osm")


def _write_pbf(path: Path) -> None:
    import osmium
    from osmium.osm.mutable import Node, Way

    with osmium.SimpleWriter(str(path)) as w:
        for nid, (lon, lat) in NODES.items():
            w.add_node(Node(id=nid, location=(lon, lat), version=1, tags={}))
        for wid, refs, tags in WAYS:
            w.add_way(Way(id=wid, nodes=refs, version=1, tags=tags))


def test_read_osm_pbf(tmp_path: Path) -> None:
    pbf = tmp_path / "roads.osm.pbf"
    _write_pbf(pbf)
    g = io.read_network_file(pbf)
    # the footway's far node 5 is not a car road; 2 and 4 are merged away by simplifying
    assert set(g.nodes) == {1, 3}
    tertiary = [(u, v) for u, v, d in g.edges(data=True) if d["highway"] == "tertiary"]
    assert tertiary == [(1, 3)]  # the one-way diagonal, forward only
    assert g.number_of_edges() == 5  # the square's two halves, both ways, + the diagonal
    eng = _engine(g)
    pos = {n: i for i, n in enumerate(eng.node_ids)}
    t = travel.matrix_s(eng, np.array([pos[1], pos[3]]), np.array([pos[3], pos[1]]))
    # 1 → 3 takes the one-way diagonal at 50 km/h; 3 → 1 goes round the square at 30
    diag = min(d["length"] for u, v, d in g.edges(data=True) if d["highway"] == "tertiary")
    diag /= 50 / 3.6
    assert t[0, 0] == pytest.approx(diag, rel=1e-6)
    assert t[1, 1] > t[0, 0]


def test_read_osm_pbf_refuses_broken_file(tmp_path: Path) -> None:
    bad = tmp_path / "broken.pbf"
    bad.write_bytes(b"not a pbf at all")
    with pytest.raises(DataSourceError, match="cannot read OSM PBF"):
        io.read_osm_pbf(bad)


def test_read_road_lines_and_dispatch(tmp_path: Path) -> None:
    lines = gpd.GeoDataFrame(
        [
            {
                "highway": w[2]["highway"],
                "oneway": w[2].get("oneway"),
                "maxspeed": w[2].get("maxspeed"),
                "geometry": LineString([NODES[n] for n in w[1]]),
            }
            for w in WAYS
        ],
        crs="EPSG:4326",
    )
    path = tmp_path / "roads.gpkg"
    lines.to_file(path)
    g = io.read_network_file(path)
    # noded where ways share a vertex (1 and 3) and at way ends; the footway is dropped
    assert g.number_of_nodes() == 2
    assert g.number_of_edges() == 5
    with pytest.raises(InputError, match="cannot tell the format"):
        io.read_network_file(tmp_path / "roads.txt")
    nocrs = tmp_path / "nocrs.geojson"
    nocrs.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"highway": "primary"},
                        "geometry": {"type": "LineString", "coordinates": [[0, 0], [1, 1]]},
                    }
                ],
            }
        )
    )
    # GeoJSON without a crs member is WGS84 by definition: it reads
    assert io.read_network_file(nocrs).number_of_nodes() == 2


def test_graphml_round_trip_keeps_travel_times(tmp_path: Path) -> None:
    g = io.read_osm_xml(DATA / "fixture_kaiserslautern_uni.osm.gz")
    path = io.save_graph(g, tmp_path / "net" / "ka.graphml")
    back = io.read_network_file(path)
    a, b = _engine(g), _engine(back)
    assert a.n_nodes == b.n_nodes
    assert np.allclose(np.sort(a.edge_time_s), np.sort(b.edge_time_s))


# -- fake Overpass server -----------------------------------------------------------


def overpass_json() -> dict[str, Any]:
    elements: list[dict[str, Any]] = [
        {"type": "node", "id": nid, "lat": lat, "lon": lon} for nid, (lon, lat) in NODES.items()
    ]
    elements += [
        {"type": "way", "id": wid, "nodes": refs, "tags": tags}
        for wid, refs, tags in WAYS
        if tags["highway"] != "footway"  # the drive query would not return it
    ]
    return {"version": 0.6, "generator": "fake overpass", "elements": elements}


class FakeOverpass(BaseHTTPRequestHandler):
    requests: list[str] = []  # noqa: RUF012 - shared record of one test server
    fail = False

    def log_message(self, *args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        type(self).requests.append("GET " + self.path)
        if self.path.endswith("/status"):
            body = (
                "Connected as: 1\nCurrent time: 2026-01-01T00:00:00Z\nAnnounced endpoint: "
                "none\nRate limit: 2\n2 slots available now.\nCurrently running queries:\n"
            )
            self._send(200, body.encode(), "text/plain")
        else:
            self._send(404, b"{}", "application/json")

    def do_POST(self) -> None:
        n = int(self.headers.get("Content-Length", 0))
        data = self.rfile.read(n).decode()
        type(self).requests.append("POST " + self.path + " " + data[:80])
        if type(self).fail:
            self._send(500, b"server error", "text/plain")
        else:
            self._send(200, json.dumps(overpass_json()).encode(), "application/json")

    def _send(self, code: int, body: bytes, ctype: str) -> None:
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def overpass() -> Iterator[str]:
    FakeOverpass.requests = []
    FakeOverpass.fail = False
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeOverpass)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/api"
    finally:
        server.shutdown()
        server.server_close()


def _settings(tmp_path: Path, url: str) -> Settings:
    return Settings(processed_dir=tmp_path / "processed", overpass_url=url, overpass_timeout_s=10)


def test_fetch_region_network_from_fake_overpass(tmp_path: Path, overpass: str) -> None:
    import osmnx as ox

    settings = _settings(tmp_path, overpass)
    region = gpd.GeoDataFrame(
        {"name": ["Testdorf"]}, geometry=[box(11.575, 50.915, 11.605, 50.93)], crs="EPSG:4326"
    )
    before = io.default_network(settings)
    assert before.path.name == io.JENA_ROADS_FILE and "Jena only" in before.note

    path, summary = io.fetch_region_network(settings, region, "Testdorf")
    assert any(r.startswith("POST /api/interpreter") for r in FakeOverpass.requests)
    assert path == io.regional_network_path(settings) and path.is_file()
    assert summary["nodes"] >= 2 and summary["municipalities"] == 1
    assert ox.settings.overpass_url != overpass  # osmnx settings restored

    choice = io.default_network(settings)
    assert choice.path == path and "regional" in choice.note
    engine, used = io.cached_engine(settings)
    assert used.path == path and 2 <= engine.n_nodes <= summary["nodes"]
    again, _ = io.cached_engine(settings)
    assert again is engine  # built once per process


def test_fetch_failure_is_a_data_source_error(tmp_path: Path, overpass: str) -> None:
    FakeOverpass.fail = True
    settings = _settings(tmp_path, overpass)
    with pytest.raises(DataSourceError, match="downloading the OSM road network"):
        io.fetch_osm_network(settings, bbox=(11.575, 50.915, 11.605, 50.93))
    with pytest.raises(InputError, match="exactly one"):
        io.fetch_osm_network(settings)


def test_cached_engine_defaults_to_jena_roads(tmp_path: Path) -> None:
    settings = Settings(processed_dir=tmp_path)
    engine, choice = io.cached_engine(settings)
    assert choice.path.name == io.JENA_ROADS_FILE
    assert engine.n_nodes > 1000
    missing = Settings(processed_dir=tmp_path, data_dir=tmp_path / "nowhere")
    with pytest.raises(DataSourceError, match="not found"):
        io.cached_engine(missing)


def test_congestion_setting_slows_the_cached_engine(tmp_path: Path) -> None:
    free, _ = io.cached_engine(Settings(processed_dir=tmp_path))
    slow, _ = io.cached_engine(
        Settings(processed_dir=tmp_path, congestion={"primary": 1.5, "secondary": 1.5})
    )
    assert slow is not free
    assert slow.edge_time_s.sum() > free.edge_time_s.sum()
    with pytest.raises(InputError, match="congestion factor"):
        io.cached_engine(Settings(processed_dir=tmp_path, congestion={"primary": 0.5}))


REGIONAL = io.regional_network_path(Settings())


@pytest.mark.skipif(not REGIONAL.is_file(), reason="no regional network cached (network fetch)")
def test_regional_network_where_present() -> None:
    from geo.region.build import load_region

    settings = Settings()
    engine, choice = io.cached_engine(settings)
    assert choice.path == REGIONAL
    model, _ = load_region(settings)
    r = modes.reachable("Jena", max_minutes=30, region=model, network=engine)
    assert len(r.table) > 5 and "Jena" in set(r.table["name"])
    assert r.summary["population_reached"] > 111_000
