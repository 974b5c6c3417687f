"""``/health`` and ``/municipalities`` answer GeoJSON and readable errors."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient


def test_health(client: TestClient) -> None:
    r = client.get("/health")
    assert r.status_code == 200 and r.json()["status"] == "ok"


def test_within_km_as_geojson(client: TestClient) -> None:
    r = client.get("/municipalities", params={"within_km": 40, "of": "Jena"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/geo+json")
    fc = r.json()
    assert fc["type"] == "FeatureCollection"
    assert fc["numberReturned"] == len(fc["features"]) == 276
    first = fc["features"][0]
    assert first["properties"]["name"] == "Jena"
    assert first["properties"]["dist_km"] == 0
    lon, lat = first["geometry"]["coordinates"][0][0][0]
    assert 11 < lon < 12 and 50 < lat < 51  # EPSG:4326 at the edge
    assert any("GeoBasis-DE / BKG" in a for a in fc["attribution"])
    assert any("Destatis" in a for a in fc["attribution"])


def test_district_filter(client: TestClient) -> None:
    fc = client.get("/municipalities", params={"district": "Weimarer Land"}).json()
    assert fc["features"] and all(
        f["properties"]["district"] == "Weimarer Land" for f in fc["features"]
    )


def test_one_municipality_with_missing_year_as_null(client: TestClient) -> None:
    r = client.get("/municipalities/16067085")  # Günthersleben-Wechmar, merged before 2018
    assert r.status_code == 200
    props = r.json()["properties"]
    assert props["name"] == "Günthersleben-Wechmar"
    assert props["population_2018"] is None
    assert props["missing_years"] == "2018"
    # the territory columns travel with every feature
    assert props["territory_changed"] is True
    assert props["successor"] == "16067089" and props["predecessors"] == ""
    assert "eigenes Gebiet" in props["trend_basis"]
    ilm = client.get("/municipalities/Ilmenau").json()["properties"]
    assert ilm["trend_class"] == "stable" and "Langewiesen" in ilm["trend_basis"]


@pytest.mark.parametrize(
    ("url", "status", "words"),
    [
        ("/municipalities/Jna", 404, "Did you mean"),
        ("/municipalities/99999999", 404, "unknown municipality"),
        ("/municipalities/123", 422, "8-digit AGS"),
        ("/municipalities?within_km=-1", 422, "within_km"),
        ("/municipalities?within_km=abc", 422, "within_km"),
        ("/municipalities?of=Atlantis&within_km=5", 404, "Atlantis"),
        ("/municipalities?district=Atlantis-Kreis", 404, "Atlantis"),
        ("/municipalities?name=Bucha", 422, "ambiguous"),
        ("/nothing-here", 404, "Not Found"),
    ],
)
def test_bad_input_is_a_readable_4xx(client: TestClient, url: str, status: int, words: str) -> None:
    r = client.get(url)
    assert r.status_code == status
    body = r.json()
    assert words in body["detail"]
    assert "Traceback" not in r.text


def test_unknown_name_carries_suggestions(client: TestClient) -> None:
    body = client.get("/municipalities/Apolta").json()
    assert "Apolda" in body["suggestions"]
