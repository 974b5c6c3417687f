"""Abstract test suites of OGC API – Features Part 1, 2 and 3 and CQL2, one test per class.

Each test is named after the abstract test it implements (``/conf/core/landing-page-op`` →
``test_ats_core_landing_page_op``), so a conformance class declared in ``/ogc/conformance``
is backed by the tests of its identifiers. The requests go through the app as a client
that does **not** follow redirects would send them.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from api.routers.ogc import CONFORMANCE

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG4326 = "http://www.opengis.net/def/crs/EPSG/0/4326"
EPSG25832 = "http://www.opengis.net/def/crs/EPSG/0/25832"
EPSG3035 = "http://www.opengis.net/def/crs/EPSG/0/3035"
ITEMS = "/ogc/collections/municipalities/items"
JENA = f"{ITEMS}/16053000"


def _get(client: TestClient, url: str, **params: Any) -> Any:
    r = client.get(url, params=params or None, follow_redirects=False)
    assert r.status_code == 200, (url, r.status_code, r.text[:300])
    return r


def _path(href: str) -> str:
    parts = urlsplit(href)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _coords(geom: dict[str, Any]) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []

    def walk(c: Any) -> None:
        if isinstance(c[0], int | float):
            out.append((c[0], c[1]))
        else:
            for v in c:
                walk(v)

    walk(geom["coordinates"])
    return out


def _names(fc: dict[str, Any]) -> set[str]:
    return {f["properties"]["name"] for f in fc["features"]}


# -- Part 1, Core -------------------------------------------------------------------------
def test_ats_core_landing_page_op(client: TestClient) -> None:
    # {root}/ answers the landing page itself (no redirect), as /ogc does
    for path in ("/ogc/", "/ogc"):
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 200, (path, r.status_code)


def test_ats_core_landing_page_success(client: TestClient) -> None:
    doc = _get(client, "/ogc/").json()
    rels = {link["rel"] for link in doc["links"]}
    assert {"self", "service-desc", "conformance", "data"} <= rels
    assert doc == _get(client, "/ogc").json()


def test_ats_core_every_link_resolves_without_redirect(client: TestClient) -> None:
    seen: set[str] = set()
    todo = ["/ogc/", "/ogc/collections", "/ogc/collections/municipalities", f"{ITEMS}?limit=2"]
    while todo:
        url = todo.pop()
        if url in seen or len(seen) > 60:
            continue
        seen.add(url)
        r = client.get(url, follow_redirects=False)
        assert r.status_code == 200, (url, r.status_code)
        if "json" in r.headers["content-type"] and url.startswith("/ogc"):
            doc = r.json()
            for link in doc.get("links", []):
                todo.append(_path(link["href"]))
            for c in doc.get("collections", []):
                todo.extend(_path(link["href"]) for link in c["links"])
    assert len(seen) > 15


def test_ats_core_api_definition_op(client: TestClient) -> None:
    landing = _get(client, "/ogc/").json()
    desc = next(link for link in landing["links"] if link["rel"] == "service-desc")
    doc = _get(client, _path(desc["href"])).json()
    assert doc["openapi"].startswith("3.0") or doc["openapi"].startswith("3.1")


def test_ats_core_api_definition_success(client: TestClient) -> None:
    paths = _get(client, "/openapi.json").json()["paths"]
    for p in (
        "/ogc",
        "/ogc/",
        "/ogc/conformance",
        "/ogc/collections",
        "/ogc/collections/{collection_id}",
        "/ogc/collections/{collection_id}/items",
        "/ogc/collections/{collection_id}/items/{feature_id}",
        "/ogc/collections/{collection_id}/queryables",
    ):
        assert "get" in paths[p], p


def test_ats_core_conformance_op(client: TestClient) -> None:
    assert _get(client, "/ogc/conformance").json() == {"conformsTo": CONFORMANCE}


def test_ats_core_conformance_success(client: TestClient) -> None:
    conf = set(_get(client, "/ogc/conformance").json()["conformsTo"])
    base = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/"
    assert {base + c for c in ("core", "geojson", "html", "oas30")} <= conf
    assert "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs" in conf
    assert "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter" in conf
    # not implemented, so not declared
    assert "http://www.opengis.net/spec/cql2/1.0/conf/temporal-functions" not in conf
    assert "http://www.opengis.net/spec/cql2/1.0/conf/arithmetic" not in conf


def test_ats_core_fc_md_op_and_success(client: TestClient) -> None:
    doc = _get(client, "/ogc/collections").json()
    assert doc["collections"] and {"self", "alternate"} <= {k["rel"] for k in doc["links"]}


def test_ats_core_fc_md_items(client: TestClient) -> None:
    for c in _get(client, "/ogc/collections").json()["collections"]:
        assert c["id"] and any(link["rel"] == "items" for link in c["links"])


def test_ats_core_fc_md_extent(client: TestClient) -> None:
    c = _get(client, "/ogc/collections/municipalities").json()
    assert c["extent"]["spatial"]["crs"] == CRS84
    assert len(c["extent"]["spatial"]["bbox"][0]) == 4


def test_ats_core_sfc_md_op(client: TestClient) -> None:
    assert _get(client, "/ogc/collections/stations").json()["id"] == "stations"
    assert client.get("/ogc/collections/nope").status_code == 404


def test_ats_core_fc_op(client: TestClient) -> None:
    assert _get(client, ITEMS).headers["content-type"] == "application/geo+json"


def test_ats_core_fc_limit_response(client: TestClient) -> None:
    fc = _get(client, ITEMS, limit=3).json()
    assert fc["numberReturned"] == len(fc["features"]) == 3 and fc["numberMatched"] == 849


def test_ats_core_fc_bbox_response(client: TestClient) -> None:
    fc = _get(client, ITEMS, bbox="11.55,50.88,11.62,50.95", limit=50).json()
    assert "Jena" in _names(fc) and fc["numberMatched"] < 20


def test_ats_core_fc_links(client: TestClient) -> None:
    fc = _get(client, ITEMS, limit=5).json()
    rels = {link["rel"] for link in fc["links"]}
    assert {"self", "alternate", "next"} <= rels


def test_ats_core_fc_timestamp(client: TestClient) -> None:
    assert _get(client, ITEMS, limit=1).json()["timeStamp"].endswith("Z")


def test_ats_core_f_op(client: TestClient) -> None:
    feat = _get(client, JENA).json()
    assert feat["id"] == "16053000" and feat["type"] == "Feature"
    assert client.get(f"{ITEMS}/0").status_code == 404


def test_ats_core_crs84(client: TestClient) -> None:
    lon, lat = _coords(_get(client, JENA).json()["geometry"])[0]
    assert 11.4 < lon < 11.8 and 50.8 < lat < 51.1
    assert _get(client, JENA).headers["content-crs"] == f"<{CRS84}>"


def test_ats_core_query_param_unknown(client: TestClient) -> None:
    r = client.get(ITEMS, params={"bogus": "1"})
    assert r.status_code == 400 and "bogus" in r.json()["detail"]


# -- Part 1, GeoJSON, HTML, OpenAPI 3.0 ----------------------------------------------------
def test_ats_geojson_definition(client: TestClient) -> None:
    assert _get(client, ITEMS, f="json").headers["content-type"] == "application/geo+json"
    assert _get(client, JENA, f="json").headers["content-type"] == "application/geo+json"


def test_ats_geojson_content(client: TestClient) -> None:
    fc = _get(client, ITEMS, limit=2).json()
    assert fc["type"] == "FeatureCollection"
    for f in fc["features"]:
        assert f["type"] == "Feature" and f["geometry"]["type"] in ("Polygon", "MultiPolygon")


def test_ats_html_definition(client: TestClient) -> None:
    for url in ("/ogc/", "/ogc/conformance", "/ogc/collections", ITEMS, JENA):
        assert _get(client, url, f="html").headers["content-type"].startswith("text/html")


def test_ats_html_content(client: TestClient) -> None:
    page = _get(client, JENA, f="html").text
    assert "<h1>" in page and "Jena" in page


def test_ats_oas30_oas_definition_1(client: TestClient) -> None:
    doc = _get(client, "/openapi.json").json()
    assert doc["openapi"].startswith("3.")


def test_ats_oas30_oas_impl(client: TestClient) -> None:
    op = _get(client, "/openapi.json").json()["paths"]["/ogc/collections/{collection_id}/items"]
    names = {p["name"] for p in op["get"]["parameters"]}
    assert {"bbox", "limit", "crs", "bbox-crs", "filter", "filter-lang", "filter-crs"} <= names


# -- Part 2, CRS by reference -------------------------------------------------------------
def test_ats_crs_fc_md_crs_list(client: TestClient) -> None:
    for c in _get(client, "/ogc/collections").json()["collections"]:
        assert {CRS84, EPSG4326, EPSG25832, EPSG3035} <= set(c["crs"])


def test_ats_crs_fc_md_storagecrs(client: TestClient) -> None:
    c = _get(client, "/ogc/collections/municipalities").json()
    assert c["storageCrs"] in c["crs"]


@pytest.mark.parametrize("crs", [CRS84, EPSG4326, EPSG25832, EPSG3035])
def test_ats_crs_ogc_crs_header(client: TestClient, crs: str) -> None:
    for url in (ITEMS, JENA):
        assert _get(client, url, crs=crs).headers["content-crs"] == f"<{crs}>"


def test_ats_crs_fc_crs_action(client: TestClient) -> None:
    lon, lat = _coords(_get(client, JENA).json()["geometry"])[0]
    first = {
        crs: _coords(_get(client, JENA, crs=crs).json()["geometry"])[0]
        for crs in (EPSG4326, EPSG25832, EPSG3035)
    }
    # EPSG:4326 is latitude first, as its definition says
    assert first[EPSG4326] == pytest.approx((lat, lon), abs=1e-6)
    east, north = first[EPSG25832]
    assert 600_000 < east < 720_000 and 5_600_000 < north < 5_700_000
    n3035, e3035 = first[EPSG3035]  # EPSG:3035: northing first
    assert 3_000_000 < n3035 < 3_200_000 and 4_300_000 < e3035 < 4_500_000
    # the same vertex in every CRS (1 m)
    from pyproj import Transformer

    x, y = Transformer.from_crs("EPSG:4326", "EPSG:25832", always_xy=True).transform(lon, lat)
    assert (x, y) == pytest.approx((east, north), abs=1.0)


def test_ats_crs_fc_crs_same_features_and_counts(client: TestClient) -> None:
    flt = "trend_class = 'growing'"
    ids = {
        crs: [
            f["id"] for f in _get(client, ITEMS, crs=crs, filter=flt, limit=900).json()["features"]
        ]
        for crs in (CRS84, EPSG4326, EPSG25832, EPSG3035)
    }
    assert len({tuple(v) for v in ids.values()}) == 1 and ids[CRS84]


@pytest.mark.parametrize("param", ["crs", "bbox-crs", "filter-crs"])
def test_ats_crs_fc_crs_valid_value(client: TestClient, param: str) -> None:
    r = client.get(ITEMS, params={param: "http://www.opengis.net/def/crs/EPSG/0/31468"})
    assert r.status_code == 400
    detail = r.json()["detail"]
    assert param in detail and "not supported" in detail
    for crs in (CRS84, EPSG4326, EPSG25832, EPSG3035):
        assert crs in detail
    assert client.get(JENA, params={"crs": "EPSG:31468"}).status_code == 400


def test_ats_crs_fc_bbox_crs_action(client: TestClient) -> None:
    jena = _get(client, ITEMS, bbox="11.55,50.88,11.62,50.95", limit=50).json()
    # the same box with latitude first (EPSG:4326)
    lat_first = _get(
        client, ITEMS, bbox="50.88,11.55,50.95,11.62", **{"bbox-crs": EPSG4326}, limit=50
    ).json()
    assert _names(lat_first) == _names(jena)
    # a 2 km box around the centre of Jena in UTM 32N
    utm = _get(
        client, ITEMS, bbox="680000,5642000,682000,5644000", **{"bbox-crs": EPSG25832}
    ).json()
    assert _names(utm) == {"Jena"}
    # and in LAEA Europe (northing first): the same point, to the metre
    from pyproj import Transformer

    e, n = Transformer.from_crs("EPSG:25832", "EPSG:3035", always_xy=True).transform(
        681000, 5643000
    )
    box = f"{n - 500},{e - 500},{n + 500},{e + 500}"
    laea = _get(client, ITEMS, bbox=box, **{"bbox-crs": EPSG3035}).json()
    assert _names(laea) == {"Jena"}


def test_ats_crs_fc_bbox_crs_bad_box(client: TestClient) -> None:
    r = client.get(ITEMS, params={"bbox": "682000,5642000,680000,5644000", "bbox-crs": EPSG25832})
    assert r.status_code == 400 and "lower corner" in r.json()["detail"]


def test_ats_crs_links_keep_crs(client: TestClient) -> None:
    fc = _get(client, ITEMS, crs=EPSG25832, limit=5).json()
    nxt = next(link for link in fc["links"] if link["rel"] == "next")
    assert "crs=" in nxt["href"]
    assert _get(client, _path(nxt["href"])).headers["content-crs"] == f"<{EPSG25832}>"


# -- Part 3, queryables and filter --------------------------------------------------------
def test_ats_queryables_get_queryables_op(client: TestClient) -> None:
    c = _get(client, "/ogc/collections/municipalities").json()
    link = next(
        k for k in c["links"] if k["rel"] == "http://www.opengis.net/def/rel/ogc/1.0/queryables"
    )
    r = _get(client, _path(link["href"]))
    assert r.headers["content-type"] == "application/schema+json"


def test_ats_queryables_get_queryables_response(client: TestClient) -> None:
    doc = _get(client, "/ogc/collections/municipalities/queryables").json()
    assert doc["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert doc["type"] == "object" and doc["additionalProperties"] is False
    props = doc["properties"]
    assert props["population"]["type"] == "integer"
    assert props["trend_class"]["type"] == "string"
    assert props["district"]["type"] == "string"
    assert props["geometry"]["format"] == "geometry-any"
    plots = _get(client, "/ogc/collections/plots/queryables").json()["properties"]
    assert {"category", "status", "area_ha"} <= set(plots)


def test_ats_filter_filter_param(client: TestClient) -> None:
    fc = _get(client, ITEMS, filter="population > 100000").json()
    assert _names(fc) == {"Erfurt", "Jena"} and fc["numberMatched"] == 2


def test_ats_filter_filter_lang_default(client: TestClient) -> None:
    a = _get(client, ITEMS, filter="name = 'Jena'").json()
    b = _get(client, ITEMS, filter="name = 'Jena'", **{"filter-lang": "cql2-text"}).json()
    assert a["numberMatched"] == b["numberMatched"] == 1


def test_ats_filter_filter_lang_unsupported(client: TestClient) -> None:
    r = client.get(ITEMS, params={"filter": "name = 'Jena'", "filter-lang": "ecql"})
    assert r.status_code == 400 and "filter-lang" in r.json()["detail"]


def test_ats_filter_filter_crs_wgs84(client: TestClient) -> None:
    fc = _get(client, ITEMS, filter="S_INTERSECTS(geometry, POINT(11.589 50.927))").json()
    assert _names(fc) == {"Jena"}


def test_ats_filter_filter_crs(client: TestClient) -> None:
    utm = _get(
        client,
        ITEMS,
        filter="S_INTERSECTS(geometry, POINT(681000 5643000))",
        **{"filter-crs": EPSG25832},
    ).json()
    lat_first = _get(
        client,
        ITEMS,
        filter="S_INTERSECTS(geometry, POINT(50.927 11.589))",
        **{"filter-crs": EPSG4326},
    ).json()
    assert _names(utm) == _names(lat_first) == {"Jena"}


def test_ats_filter_response(client: TestClient) -> None:
    flt = "trend_class = 'shrinking'"
    fc = _get(client, ITEMS, filter=flt, limit=1000).json()
    assert fc["numberMatched"] == fc["numberReturned"] > 100
    assert {f["properties"]["trend_class"] for f in fc["features"]} == {"shrinking"}
    # paging through a filtered collection keeps the filter
    first = _get(client, ITEMS, filter=flt, limit=50).json()
    nxt = next(link for link in first["links"] if link["rel"] == "next")
    assert _get(client, _path(nxt["href"])).json()["numberMatched"] == fc["numberMatched"]


def test_ats_filter_mismatched_queryables(client: TestClient) -> None:
    r = client.get(ITEMS, params={"filter": "no_such_field = 1"})
    assert r.status_code == 400 and "not a queryable" in r.json()["detail"]


def test_ats_filter_invalid_filter(client: TestClient) -> None:
    for bad in ("population >", "population > 'many'", "name LIKE 5", "TRUE AND"):
        r = client.get(ITEMS, params={"filter": bad})
        assert r.status_code == 400, bad
        assert "Traceback" not in r.text


def test_ats_features_filter_combined_with_bbox(client: TestClient) -> None:
    fc = _get(
        client, ITEMS, bbox="11.25,50.8,11.8,51.1", filter="population >= 20000", limit=100
    ).json()
    assert _names(fc) == {"Jena", "Weimar", "Apolda"}


# -- CQL2 -----------------------------------------------------------------------------------
def test_ats_cql2_text_basic_cql2(client: TestClient) -> None:
    cases = {
        "name = 'Jena'": 1,
        "population > 100000 OR name = 'Weimar'": 3,
        "population > 100000 AND NOT name = 'Erfurt'": 1,
        "population <> 0 AND population < 100": None,
        "successor = '' AND name = 'Jena'": 1,
        "inkar_car_min_motorway IS NULL": None,
        "inkar_car_min_motorway IS NOT NULL": None,
        "territory_changed = TRUE": None,
    }
    all_ = _get(client, ITEMS, limit=1).json()["numberMatched"]
    for flt, expected in cases.items():
        n = _get(client, ITEMS, filter=flt, limit=1).json()["numberMatched"]
        if expected is not None:
            assert n == expected, flt
        else:
            assert 0 < n < all_, flt


def test_ats_advanced_comparison_operators(client: TestClient) -> None:
    like = _get(client, ITEMS, filter="name LIKE 'Jen_'", limit=50).json()
    assert _names(like) == {"Jena"}
    between = _get(client, ITEMS, filter="population BETWEEN 60000 AND 70000").json()
    assert _names(between) == {"Weimar"}
    in_ = _get(client, ITEMS, filter="name IN ('Jena', 'Weimar', 'Gera')").json()
    assert _names(in_) == {"Jena", "Weimar", "Gera"}
    not_in = _get(client, ITEMS, filter="name NOT IN ('Jena')", limit=1).json()
    assert not_in["numberMatched"] == 848


def test_ats_basic_spatial_functions(client: TestClient) -> None:
    fc = _get(client, ITEMS, filter="S_INTERSECTS(geometry, BBOX(11.58,50.92,11.60,50.93))").json()
    assert _names(fc) == {"Jena"}


def test_ats_basic_spatial_functions_plus(client: TestClient) -> None:
    line = "S_INTERSECTS(geometry, LINESTRING(11.0 50.98, 11.6 50.92))"
    fc = _get(client, ITEMS, filter=line, limit=100).json()
    assert {"Jena", "Weimar"} <= _names(fc)
    poly = "S_INTERSECTS(geometry, POLYGON((11.58 50.92, 11.6 50.92, 11.6 50.93, 11.58 50.92)))"
    assert _names(_get(client, ITEMS, filter=poly).json()) == {"Jena"}


def test_ats_spatial_functions(client: TestClient) -> None:
    pt = "POINT(11.589 50.927)"
    assert _names(_get(client, ITEMS, filter=f"S_CONTAINS(geometry, {pt})").json()) == {"Jena"}
    within = _get(
        client, ITEMS, filter="S_WITHIN(geometry, BBOX(11.0,50.5,12.5,51.5))", limit=1
    ).json()
    disjoint = _get(
        client, ITEMS, filter="S_DISJOINT(geometry, BBOX(11.0,50.5,12.5,51.5))", limit=1
    ).json()
    touching = _get(client, ITEMS, filter="S_INTERSECTS(geometry, BBOX(11.0,50.5,12.5,51.5))")
    assert within["numberMatched"] + disjoint["numberMatched"] < 849
    assert touching.json()["numberMatched"] + disjoint["numberMatched"] == 849
    neighbours = _get(
        client,
        ITEMS,
        filter="S_TOUCHES(geometry, POINT(11.589 50.927)) OR S_WITHIN(geometry, "
        "POLYGON((11.58 50.92, 11.6 50.92, 11.6 50.93, 11.58 50.92)))",
    ).json()
    assert neighbours["numberMatched"] == 0
    for op in ("S_CROSSES", "S_OVERLAPS", "S_EQUALS"):
        r = client.get(ITEMS, params={"filter": f"{op}(geometry, {pt})"})
        assert r.status_code == 200, (op, r.text)


def test_ats_cql2_json(client: TestClient) -> None:
    doc = {
        "op": "and",
        "args": [
            {"op": ">", "args": [{"property": "population"}, 50000]},
            {
                "op": "s_intersects",
                "args": [{"property": "geometry"}, {"bbox": [11.0, 50.6, 12.2, 51.2]}],
            },
            {"op": "like", "args": [{"property": "name"}, "%e%"]},
            {"op": "in", "args": [{"property": "trend_class"}, ["growing", "stable"]]},
        ],
    }
    fc = _get(client, ITEMS, filter=json.dumps(doc), **{"filter-lang": "cql2-json"}).json()
    # Erfurt has no lower-case e; Gera is stable, Jena and Weimar growing
    assert _names(fc) == {"Gera", "Jena", "Weimar"}
    bad = client.get(ITEMS, params={"filter": "{not json", "filter-lang": "cql2-json"})
    assert bad.status_code == 400 and "JSON" in bad.json()["detail"]


def test_ats_unsupported_operators_answer_400(client: TestClient) -> None:
    for flt in (
        "T_AFTER(last_year, DATE('2020-01-01'))",
        "population + 1 > 5",
        "upper(name) = 'JENA'",
    ):
        r = client.get(ITEMS, params={"filter": flt})
        assert r.status_code == 400, (flt, r.text)
