"""Real OGC API – Features clients (GDAL's OAPIF driver, OWSLib) against a live server.

The test starts uvicorn on a free port of 127.0.0.1 in a thread and points the clients
at it, as QGIS would be pointed at the city's server. The server keeps a log of the
requests it answered (path and query), so a test can prove that a client asked the server
to filter or reproject rather than doing it itself. GDAL comes in two builds here: the
command-line ``ogrinfo`` of the system (Debian's GDAL, no ``CRS`` open option) and the GDAL
3.12 that pyogrio bundles, which has the ``CRS`` open option of the OAPIF driver. (Its
attribute filters go to the server only in the draft Part 3 form it detects from the
OpenAPI document, not from the Part 3 conformance classes; OWSLib sends CQL2 here.)
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs

import geopandas as gpd
import pyogrio
import pytest
import shapely
import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send

from api.app import create_app
from geo import sources
from geo.settings import Settings

#: (path, query string) of every request the test server answered.
REQUEST_LOG: list[tuple[str, str]] = []


class _RequestLog:
    """ASGI wrapper recording each request's path and query string in REQUEST_LOG."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            REQUEST_LOG.append((scope["path"], scope.get("query_string", b"").decode()))
        await self.app(scope, receive, send)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def base_url(settings: Settings) -> Iterator[str]:
    """URL of the OGC API of a uvicorn server running the app on 127.0.0.1."""
    port = _free_port()
    config = uvicorn.Config(
        _RequestLog(create_app(settings)), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/ogc"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def ogrinfo() -> str:
    path = shutil.which("ogrinfo")
    if path is None:
        pytest.fail("ogrinfo missing: run 'make sysdeps' (apt package gdal-bin)")
    return path


def _ogrinfo(ogrinfo: str, *args: str) -> str:
    done = subprocess.run(
        [ogrinfo, "-ro", *args], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_gdal_oapif_counts_municipalities(ogrinfo: str, base_url: str) -> None:
    out = _ogrinfo(ogrinfo, "-al", "-so", f"OAPIF:{base_url}", "municipalities")
    assert "Feature Count: 849" in out
    assert "Geometry: Multi Polygon" in out
    for field in ("ags: String", "population: Integer", "trend_class: String"):
        assert field in out


def test_gdal_oapif_lists_layers_and_reads_every_feature(ogrinfo: str, base_url: str) -> None:
    layers = _ogrinfo(ogrinfo, f"OAPIF:{base_url}")
    assert "municipalities" in layers and "stations" in layers
    out = _ogrinfo(ogrinfo, "-al", "-q", f"OAPIF:{base_url}", "municipalities")
    assert out.count("OGRFeature(municipalities)") == 849


def test_gdal_oapif_spatial_filter(ogrinfo: str, base_url: str) -> None:
    out = _ogrinfo(
        ogrinfo,
        "-al",
        "-spat",
        "11.55",
        "50.88",
        "11.62",
        "50.95",
        f"OAPIF:{base_url}",
        "stations",
    )
    assert "name (String) = Jena Paradies" in out
    assert "name (String) = Erfurt Hbf" not in out


def test_owslib_features_reads_municipalities(base_url: str) -> None:
    from owslib.ogcapi.features import Features

    api = Features(base_url, timeout=60)
    assert (
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
        in (api.conformance()["conformsTo"])
    )
    assert {c["id"] for c in api.collections()["collections"]} >= {"municipalities", "stations"}
    assert api.collection("municipalities")["itemType"] == "feature"
    page = api.collection_items("municipalities", limit=1000)
    assert page["numberMatched"] == page["numberReturned"] == len(page["features"]) == 849
    jena = api.collection_item("municipalities", "16053000")
    assert jena["properties"]["name"] == "Jena"
    box = api.collection_items("municipalities", bbox=[11.55, 50.88, 11.62, 50.95], limit=50)
    assert "Jena" in {f["properties"]["name"] for f in box["features"]}


# -- GDAL 3.12 (pyogrio): server-side reprojection and CQL2 filtering ----------------------
# GDAL runs in its own process: in this one, pyogrio would hold the interpreter while it
# waits for the test server's thread to answer.
_GDAL_COPY = """
import sys, pyogrio
url, out, crs, where = sys.argv[1:5]
frame = pyogrio.read_dataframe(url, layer="municipalities", where=where or None, CRS=crs)
pyogrio.write_dataframe(frame, out, layer="municipalities")
"""


def _gdal_copy(base_url: str, out: Path, crs: str, where: str = "") -> gpd.GeoDataFrame:
    """Copy the municipalities through GDAL's OAPIF driver into a GeoPackage and read it."""
    done = subprocess.run(
        [sys.executable, "-c", _GDAL_COPY, f"OAPIF:{base_url}", str(out), crs, where],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return gpd.read_file(out)


def _queries_with(name: str) -> list[dict[str, list[str]]]:
    return [parse_qs(q) for p, q in REQUEST_LOG if p.endswith("/items") and f"{name}=" in q]


def test_pyogrio_gdal_has_the_oapif_crs_option() -> None:
    major, minor = (int(v) for v in pyogrio.__gdal_version_string__.split(".")[:2])
    assert (major, minor) >= (3, 12), pyogrio.__gdal_version_string__


def test_gdal_oapif_writes_municipalities_to_geopackage_in_utm(
    base_url: str, settings: Settings, tmp_path: Path
) -> None:
    REQUEST_LOG.clear()
    back = _gdal_copy(base_url, tmp_path / "municipalities_25832.gpkg", "EPSG:25832")
    assert len(back) == 849 and back.crs.to_epsg() == 25832
    # the server did the reprojection: GDAL asked for crs=EPSG:25832
    asked = {v for q in _queries_with("crs") for v in q.get("crs", [])}
    assert asked == {"http://www.opengis.net/def/crs/EPSG/0/25832"}
    back = back.set_index("ags")
    vg250 = sources.read_vg250(settings.data_dir).set_index("ags")
    for ags in ("16053000", "16051000", "16071101"):  # Jena, Erfurt, a small municipality
        ours, source = back.geometry[ags], vg250.geometry[ags]
        # coordinates are VG250's own (1 mm rounding and the EPSG:4326 round trip)
        assert shapely.hausdorff_distance(ours, source) < 0.01, ags
        assert abs(ours.area - source.area) / source.area < 1e-6


def test_owslib_reads_queryables_and_filtered_items_in_utm(base_url: str) -> None:
    from owslib.ogcapi.features import Features

    api = Features(base_url, timeout=60)
    queryables = api.collection_queryables("municipalities")
    assert {"population", "trend_class", "district"} <= set(queryables["properties"])
    plots_q = api.collection_queryables("plots")["properties"]
    assert {"category", "status"} <= set(plots_q) and "notes" not in plots_q
    REQUEST_LOG.clear()
    fc = api.collection_items(
        "municipalities",
        filter="district = 'Jena' OR name = 'Weimar'",
        crs="http://www.opengis.net/def/crs/EPSG/0/25832",
        limit=100,
    )
    assert {f["properties"]["name"] for f in fc["features"]} == {"Jena", "Weimar"}
    east, north = fc["features"][0]["geometry"]["coordinates"][0][0][0]
    assert 600_000 < east < 720_000 and 5_600_000 < north < 5_700_000
    assert _queries_with("filter")


def test_gdal_oapif_sends_a_cql_filter_to_the_server(
    base_url: str, settings: Settings, tmp_path: Path
) -> None:
    """GDAL reads ``filter-lang`` (cql-text) and the queryables from ``/ogc/api`` and sends
    the OGR ``where`` as a CQL filter: the server filters, GDAL writes what it got."""
    REQUEST_LOG.clear()
    where = "district = 'Saale-Holzland-Kreis' AND population > 1000"
    back = _gdal_copy(base_url, tmp_path / "shk.gpkg", "EPSG:25832", where)
    sent = [q for q in _queries_with("filter") if "filter" in q]
    assert sent, REQUEST_LOG
    assert sent[-1]["filter-lang"] == ["cql-text"]
    assert "Saale-Holzland-Kreis" in sent[-1]["filter"][0]
    # the server's answer and GDAL's copy hold the same municipalities
    region = sources.read_vg250(settings.data_dir)
    assert back.crs.to_epsg() == 25832 and len(back) > 5
    assert set(back["district"]) == {"Saale-Holzland-Kreis"}
    assert (back["population"] > 1000).all()
    assert set(back["ags"]) <= set(region["ags"])
    # no unfiltered page of municipalities was fetched to filter on the client
    full = [q for p, q in REQUEST_LOG if p.endswith("/items") and "filter=" not in q]
    assert all("limit=20" in q for q in full), full  # GDAL's first look at the schema only
