"""Real OGC API – Features clients (GDAL's OAPIF driver, OWSLib) against a live server.

The test starts uvicorn on a free port of 127.0.0.1 in a thread and points the clients
at it, as QGIS would be pointed at the city's server.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn

from api.app import create_app
from geo.settings import Settings


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def base_url(settings: Settings) -> Iterator[str]:
    """URL of the OGC API of a uvicorn server running the app on 127.0.0.1."""
    port = _free_port()
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
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
