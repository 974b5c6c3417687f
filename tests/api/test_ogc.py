"""OGC API – Features over HTTP: resources, paging, bbox, formats and readable errors."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from api.routers.ogc import CONFORMANCE

ITEMS = "/ogc/collections/municipalities/items"


def _links(doc: dict[str, Any], rel: str) -> list[dict[str, str]]:
    return [link for link in doc["links"] if link["rel"] == rel]


def _query(href: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(href).query)


def test_landing_page_links(client: TestClient) -> None:
    r = client.get("/ogc")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    rels = {link["rel"] for link in r.json()["links"]}
    assert {"self", "alternate", "service-desc", "service-doc", "conformance", "data"} <= rels
    desc = _links(r.json(), "service-desc")[0]
    assert client.get(urlsplit(desc["href"]).path).json()["openapi"].startswith("3.")


def test_conformance(client: TestClient) -> None:
    assert client.get("/ogc/conformance").json() == {"conformsTo": CONFORMANCE}
    assert any(c.endswith("/conf/geojson") for c in CONFORMANCE)


def test_collections_lists_public_layers_with_extent(client: TestClient) -> None:
    doc = client.get("/ogc/collections").json()
    ids = [c["id"] for c in doc["collections"]]
    assert ids[:2] == ["municipalities", "stations"]
    muni = doc["collections"][0]
    minx, miny, maxx, maxy = muni["extent"]["spatial"]["bbox"][0]
    assert 9.8 < minx < 10.0 and 50.1 < miny < 50.3 and 12.6 < maxx < 12.7 and 51.6 < maxy < 51.7
    assert muni["itemType"] == "feature"
    items = _links(muni, "items")
    assert {link["type"] for link in items} == {"application/geo+json", "text/html"}


def test_items_first_page(client: TestClient) -> None:
    r = client.get(ITEMS, params={"limit": 5})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/geo+json"
    fc = r.json()
    assert fc["type"] == "FeatureCollection"
    assert (fc["numberMatched"], fc["numberReturned"], len(fc["features"])) == (849, 5, 5)
    first = fc["features"][0]
    assert first["id"] == first["properties"]["ags"] == "16051000"  # Erfurt, lowest AGS
    assert {"population", "change_pct_per_year", "trend_class"} <= set(first["properties"])
    nxt = _links(fc, "next")[0]
    assert _query(nxt["href"])["offset"] == ["5"] and _query(nxt["href"])["limit"] == ["5"]
    assert not _links(fc, "prev")


def test_paging_through_all_features_yields_each_once(client: TestClient) -> None:
    seen: list[str] = []
    href: str | None = f"{ITEMS}?limit=300"
    while href:
        fc = client.get(href).json()
        seen += [f["id"] for f in fc["features"]]
        nxt = _links(fc, "next")
        href = nxt[0]["href"] if nxt else None
    assert len(seen) == len(set(seen)) == 849


def test_last_page_has_prev_and_no_next(client: TestClient) -> None:
    fc = client.get(ITEMS, params={"limit": 100, "offset": 800}).json()
    assert fc["numberReturned"] == 49
    assert not _links(fc, "next")
    assert _query(_links(fc, "prev")[0]["href"])["offset"] == ["700"]


def test_bbox_filters_and_counts(client: TestClient) -> None:
    jena_box = "11.55,50.88,11.62,50.95"  # the city centre of Jena
    fc = client.get(ITEMS, params={"bbox": jena_box, "limit": 50}).json()
    names = {f["properties"]["name"] for f in fc["features"]}
    assert "Jena" in names
    assert fc["numberMatched"] == fc["numberReturned"] < 20
    assert _query(_links(fc, "self")[0]["href"])["bbox"] == [jena_box]
    stations = client.get(
        "/ogc/collections/stations/items", params={"bbox": jena_box, "limit": 50}
    ).json()
    assert {"Jena Paradies", "Jena West", "Jena Saalbf"} <= {
        f["properties"]["name"] for f in stations["features"]
    }


def test_limit_above_maximum_is_served_as_maximum(client: TestClient) -> None:
    fc = client.get(ITEMS, params={"limit": 20000}).json()
    assert fc["numberReturned"] == 849


def test_single_item(client: TestClient) -> None:
    r = client.get(f"{ITEMS}/16053000")
    assert r.status_code == 200 and r.headers["content-type"] == "application/geo+json"
    feat = r.json()
    assert feat["id"] == "16053000" and feat["properties"]["name"] == "Jena"
    assert feat["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert _links(feat, "collection")


@pytest.mark.parametrize(
    ("url", "status", "needle"),
    [
        ("/ogc/collections/nope", 404, "unknown collection 'nope'"),
        ("/ogc/collections/nope/items", 404, "collections: municipalities"),
        (f"{ITEMS}/99999999", 404, "no feature '99999999'"),
        (f"{ITEMS}?bbox=1,2,3", 400, "bbox must have 4 or 6 numbers"),
        (f"{ITEMS}?bbox=11,52,12,51", 400, "south edge"),
        (f"{ITEMS}?bbox=a,b,c,d", 400, "bbox must be numbers"),
        (f"{ITEMS}?limit=0", 400, "limit must be at least 1"),
        (f"{ITEMS}?limit=ten", 400, "limit"),
        (f"{ITEMS}?offset=-1", 400, "offset"),
        (f"{ITEMS}?f=xml", 400, "f:"),
        (f"{ITEMS}?box=11,50,12,51", 400, "unknown query parameter(s) 'box'"),
        ("/ogc/collections?limit=5", 400, "this resource takes f."),
    ],
)
def test_bad_input_answers_readable_4xx(
    client: TestClient, url: str, status: int, needle: str
) -> None:
    r = client.get(url)
    assert r.status_code == status, r.text
    assert needle in r.json()["detail"]
    assert "Traceback" not in r.text


@pytest.mark.parametrize(
    "path",
    [
        "/ogc",
        "/ogc/conformance",
        "/ogc/collections",
        "/ogc/collections/stations",
        ITEMS,
        f"{ITEMS}/16053000",
    ],
)
def test_html_by_f_and_by_accept(client: TestClient, path: str) -> None:
    by_f = client.get(path, params={"f": "html"})
    assert by_f.status_code == 200 and by_f.headers["content-type"].startswith("text/html")
    assert "<h1>" in by_f.text
    assert 'src="' not in by_f.text and "<link" not in by_f.text  # no external assets
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    by_accept = client.get(path, headers={"Accept": browser})
    assert by_accept.headers["content-type"].startswith("text/html")
    gis = client.get(path, headers={"Accept": "application/geo+json, application/json"})
    assert not gis.headers["content-type"].startswith("text/html")
    forced = client.get(path, params={"f": "json"}, headers={"Accept": browser})
    assert "json" in forced.headers["content-type"]


def test_html_items_page_links_features(client: TestClient) -> None:
    page = client.get(ITEMS, params={"f": "html", "limit": 3}).text
    assert "Features 1–3 of 849." in page
    assert "/ogc/collections/municipalities/items/16051000?f=html" in page
    assert 'rel="next"' not in page  # links are listed, with their rel as text
    assert "(next, text/html)" in page


def test_municipality_items_carry_the_territory_columns(client: TestClient) -> None:
    r = client.get(f"{ITEMS}/16070029")  # Ilmenau, absorbed four neighbours before 2018
    assert r.status_code == 200
    props = r.json()["properties"]
    assert props["territory_changed"] is True
    assert props["predecessors"] == "16070032,16070055,16070018,16070042"
    assert props["successor"] == ""
    assert "Gebiet von 2018" in props["trend_basis"] and props["trend_class"] == "stable"
    lw = client.get(f"{ITEMS}/16070032").json()["properties"]  # Langewiesen
    assert lw["successor"] == "16070029" and lw["population"] is None


def test_ogc_api_definition_is_relative_to_the_ogc_root(client: TestClient) -> None:
    doc = client.get("/ogc/api").json()
    assert doc["servers"] == [{"url": "http://testserver/ogc"}]
    assert "/collections/{collection_id}/items" in doc["paths"]
    assert not any(p.startswith("/ogc") or p.startswith("/plots/") for p in doc["paths"])
    op = doc["paths"]["/collections/municipalities/items"]["get"]
    params = {p["name"]: p for p in op["parameters"]}
    assert "cql-text" in params["filter-lang"]["schema"]["enum"]
    assert params["population"]["schema"] == {"type": "integer"}
    assert {"district", "trend_class", "crs", "bbox-crs", "filter-crs"} <= set(params)
    assert all(p["in"] == "query" for p in op["parameters"])


def test_ogc_api_definition_names_only_what_the_caller_sees(client: TestClient) -> None:
    doc = client.get("/ogc/api").json()
    assert "/collections/plots-all/items" not in doc["paths"]
    plots = {p["name"] for p in doc["paths"]["/collections/plots/items"]["get"]["parameters"]}
    assert "notes" not in plots and "confidential" not in plots and "category" in plots


def test_items_take_equality_filters_named_after_queryables(client: TestClient) -> None:
    url = "/ogc/collections/municipalities/items"
    r = client.get(url, params={"district": "Saale-Holzland-Kreis", "limit": 2})
    assert r.status_code == 200
    fc = r.json()
    assert fc["numberReturned"] == 2 and fc["numberMatched"] > 50
    assert {f["properties"]["district"] for f in fc["features"]} == {"Saale-Holzland-Kreis"}
    nxt = next(link["href"] for link in fc["links"] if link["rel"] == "next")
    assert "district=Saale-Holzland-Kreis" in nxt
    same = client.get(url, params={"filter": "district = 'Saale-Holzland-Kreis'"}).json()
    assert same["numberMatched"] == fc["numberMatched"]
    both = client.get(
        url, params={"district": "Saale-Holzland-Kreis", "filter": "population > 5000"}
    )
    assert 0 < both.json()["numberMatched"] < fc["numberMatched"]
    r = client.get(url, params={"population": "many"})
    assert r.status_code == 400 and "whole number" in r.json()["detail"]
    r = client.get(url, params={"nope": "1"})
    assert r.status_code == 400 and "'nope'" in r.json()["detail"]
    r = client.get(url, params=[("name", "Jena"), ("name", "Kahla")])
    assert r.status_code == 400 and "twice" in r.json()["detail"]
