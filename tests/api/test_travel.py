"""``/reachable``, ``/isochrones``, ``/maps/reachable.html`` and the travel CLI commands."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from shapely.geometry import Point, shape

from geo.settings import Settings


def test_reachable_from_jena(client: TestClient) -> None:
    r = client.get("/reachable", params={"from": "Jena", "max_minutes": 30})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/geo+json")
    body = r.json()
    props = body["features"][0]["properties"]
    for col in (
        "ags",
        "name",
        "district",
        "minutes",
        "population",
        "change_pct_per_year",
        "trend_class",
    ):
        assert col in props
    assert props["name"] == "Jena" and props["minutes"] == 0
    s = body["summary"]
    assert s["population_reached"] == props["population"]
    assert "Jena only" in s["network_note"]
    outside = {o["name"] for o in body["outside_network"]}
    assert {"Zöllnitz", "Bucha"} <= outside
    assert any("OpenStreetMap" in a for a in body["attribution"])
    # the area is a polygon in WGS84 around Jena
    geom = shape(body["features"][0]["geometry"])
    assert geom.contains(Point(11.5892, 50.9272))


def test_reachable_by_lonlat_and_centres(client: TestClient) -> None:
    r = client.get(
        "/reachable", params={"lon": 11.62, "lat": 50.93, "max_minutes": 15, "geometry": "centre"}
    )
    assert r.status_code == 200, r.text
    feat = r.json()["features"][0]
    assert feat["geometry"]["type"] == "Point"
    assert 0 < feat["properties"]["minutes"] < 15


@pytest.mark.parametrize(
    ("params", "status", "text"),
    [
        ({"from": "Jnea"}, 404, "Did you mean"),
        ({"from": "Jena", "max_minutes": 0}, 422, "max_minutes"),
        ({"from": "Jena", "max_minutes": 241}, 422, "max_minutes"),
        ({"from": "Apolda"}, 422, "outside the loaded road network"),
        ({"lon": 10.0, "lat": 51.0}, 422, "outside the loaded road network"),
        ({"from": "11.6,50.9", "mode": "rail", "date": "2019-06-04"}, 422, "municipality"),
        ({"from": "Jena", "mode": "boat"}, 422, "mode must be one of car, rail"),
        ({}, 422, "give an origin"),
        ({"from": "Jena", "lon": 11.6, "lat": 50.9}, 422, "not both"),
    ],
)
def test_reachable_bad_input(
    client: TestClient, params: dict[str, object], status: int, text: str
) -> None:
    r = client.get("/reachable", params=params)
    assert r.status_code == status
    assert text in r.json()["detail"]
    if status == 404:
        assert "Jena" in r.json()["suggestions"]


def test_isochrones(client: TestClient) -> None:
    r = client.get("/isochrones", params={"from": "Jena", "minutes": [5, 10]})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/geo+json")
    body = r.json()
    assert [f["properties"]["minutes"] for f in body["features"]] == [5, 10]
    small, big = (shape(f["geometry"]) for f in body["features"])
    assert big.area > small.area and small.contains(Point(11.5892, 50.9272))
    assert body["snap_dist_m"] < 100
    bad = client.get("/isochrones", params={"from": "Jena", "minutes": [300]})
    assert bad.status_code == 422 and "240" in bad.json()["detail"]
    off = client.get("/isochrones", params={"lon": 11.3, "lat": 50.98})
    assert off.status_code == 422 and "outside" in off.json()["detail"]


def test_reachable_map_page(client: TestClient) -> None:
    r = client.get("/maps/reachable.html", params={"from": "Jena", "max_minutes": 20, "lang": "en"})
    assert r.status_code == 200
    page = r.text
    for text in (
        "Reachability by car",
        "Outside the network",
        "Isochrones",
        "OpenStreetMap contributors",
    ):
        assert text in page or json.dumps(text)[1:-1] in page, text
    assert "cdn" not in page.lower()
    assert client.get("/maps/reachable.html", params={"from": "Jnea"}).status_code == 404


def run(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "STADTREGION_PROCESSED_DIR": str(settings.processed_dir)}
    exe = Path(sys.executable).parent / "stadtregion"
    return subprocess.run([str(exe), *args], capture_output=True, text=True, env=env, timeout=120)


def test_cli_reachable(settings: Settings) -> None:
    r = run(settings, "reachable", "--from", "Jena", "--mode", "car", "--max-minutes", "30")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0].split()[:4] == ["ags", "name", "district", "minutes"]
    assert "population reached 111,407" in r.stdout
    assert "outside the loaded network" in r.stdout and "Jena only" in r.stdout
    g = run(
        settings, "reachable", "--from", "11.62,50.93", "--max-minutes", "15", "--format", "geojson"
    )
    assert g.returncode == 0, g.stderr
    assert json.loads(g.stdout)["features"][0]["properties"]["name"] == "Jena"


@pytest.mark.parametrize(
    ("args", "text"),
    [
        (["--from", "Jnea"], "Did you mean: Jena"),
        (["--from", "Apolda"], "outside the loaded road network"),
    ],
)
def test_cli_reachable_bad_input(settings: Settings, args: list[str], text: str) -> None:
    r = run(settings, "reachable", *args)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and text in lines[0]


def test_cli_isochrone_and_network_info(settings: Settings, tmp_path: Path) -> None:
    out = tmp_path / "iso.geojson"
    r = run(
        settings,
        "isochrone",
        "--from",
        "Jena",
        "--minutes",
        "5",
        "--minutes",
        "10",
        "--out",
        str(out),
    )
    assert r.returncode == 0, r.stderr
    body = json.loads(out.read_text())
    assert [f["properties"]["minutes"] for f in body["features"]] == [5, 10]
    info = run(settings, "network", "info")
    assert info.returncode == 0 and "jena_roads_osm2014" in info.stdout
    assert "nodes:" in info.stdout


def test_cli_network_fetch_against_fake_overpass(settings: Settings, tmp_path: Path) -> None:
    """`network fetch` end to end: a fake Overpass server on 127.0.0.1, a private folder."""
    import shutil
    import threading
    from http.server import ThreadingHTTPServer

    from tests.geo.roads.test_io import FakeOverpass

    processed = tmp_path / "processed"
    processed.mkdir()
    for name in ("region.gpkg", "region.build.json"):  # the built model, not rebuilt
        shutil.copy2(settings.processed_dir / name, processed / name)
    FakeOverpass.requests = []
    FakeOverpass.fail = False
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeOverpass)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        env = {
            **os.environ,
            "STADTREGION_PROCESSED_DIR": str(processed),
            "STADTREGION_OVERPASS_URL": f"http://127.0.0.1:{server.server_address[1]}/api",
        }
        exe = Path(sys.executable).parent / "stadtregion"
        r = subprocess.run(
            [str(exe), "network", "fetch", "--region", "Jena", "--within-km", "5"],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        assert r.returncode == 0, r.stderr
        assert "region_drive.graphml" in r.stdout
        assert (processed / "networks" / "region_drive.graphml").is_file()
        assert any(q.startswith("POST /api/interpreter") for q in FakeOverpass.requests)
        info = subprocess.run(
            [str(exe), "network", "info"], capture_output=True, text=True, env=env, timeout=120
        )
        assert info.returncode == 0 and "regional drive network" in info.stdout
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.slow
def test_reachable_by_rail_uses_the_same_columns(client: TestClient) -> None:
    """mode=rail dispatches to the GTFS engine (the DB long-distance feed of 2019)."""
    r = client.get(
        "/reachable",
        params={
            "from": "Jena",
            "mode": "rail",
            "max_minutes": 90,
            "date": "2019-06-04",
            "depart": "08:00",
        },
    )
    assert r.status_code == 200, r.text
    body = r.json()
    names = [f["properties"]["name"] for f in body["features"]]
    assert names[0] == "Jena" and len(names) > 1
    assert set(body["features"][0]["properties"]) >= {
        "ags",
        "name",
        "district",
        "minutes",
        "population",
        "change_pct_per_year",
        "trend_class",
    }
    s = body["summary"]
    assert s["mode"] == "rail" and s["feeds"] and s["date"] == "2019-06-04"
    assert s["population_reached"] == sum(f["properties"]["population"] for f in body["features"])
    assert body["outside_network"] == []
    assert s["query"]["depart"] == "08:00:00" and s["query"]["window"] is None
    # without a date: the default feed day of the settings, named in the answer
    no_date = client.get("/reachable", params={"from": "Jena", "mode": "rail"})
    assert no_date.status_code == 200, no_date.text
    q = no_date.json()["summary"]["query"]
    assert q["date"] == "2019-05-15" and q["window"] == "07:00-08:00" and q["max_minutes"] == 60
    car_only = client.get("/reachable", params={"from": "Jena", "window": "07:00-08:00"})
    assert car_only.status_code == 422 and "only for mode=rail" in car_only.json()["detail"]
