"""CQL2 filters (Part 3): parsing text and JSON, evaluation, queryables, refusals."""

from __future__ import annotations

import json

import geopandas as gpd
import pytest
from shapely.geometry import Point, box

from geo.errors import QueryParameterError
from geo.ogc import filters
from geo.ogc.crs import CRS84, EPSG_4326, EPSG_25832


@pytest.fixture()
def frame() -> gpd.GeoDataFrame:
    """Four features: two squares, a point and one with nulls."""
    return gpd.GeoDataFrame(
        {
            "name": ["Jena", "Weimar", "Apolda", None],
            "population": [111_407, 65_090, 21_700, None],
            "trend": ["growing", "growing", "shrinking", "unknown"],
            "flag": [True, False, True, False],
            "secret": ["a", "b", "c", "d"],
        },
        geometry=[
            box(11.5, 50.85, 11.7, 51.0),
            box(11.25, 50.93, 11.4, 51.03),
            Point(11.52, 51.02),
            Point(10.0, 50.0),
        ],
        crs="EPSG:4326",
    )


def _names(frame: gpd.GeoDataFrame, text: str, lang: str | None = None, crs=CRS84) -> list:
    allowed = filters.queryables(frame, ["name", "population", "trend", "flag"])
    tree = filters.parse_filter(text, lang)
    assert tree is not None
    hits = filters.evaluate(frame, tree, allowed, crs)["name"]
    return [None if v is None or v != v else v for v in hits]


def test_queryables_follow_the_published_properties_and_types(frame: gpd.GeoDataFrame) -> None:
    qs = filters.queryables(frame, ["name", "population", "flag", "missing"])
    assert [(q.name, q.type) for q in qs] == [
        ("name", "string"),
        ("population", "number"),
        ("flag", "boolean"),
        ("geometry", "geometry"),
    ]
    schema = filters.queryables_schema(qs, "http://x/q", "t")
    assert schema["properties"]["population"] == {"title": "population", "type": "number"}
    assert "secret" not in schema["properties"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("population > 50000", ["Jena", "Weimar"]),
        ("population >= 21700 AND population < 65090", ["Apolda"]),
        ("50000 < population", ["Jena", "Weimar"]),
        ("name <> 'Jena'", ["Weimar", "Apolda"]),  # null is unknown, not different
        ("NOT (trend = 'growing')", ["Apolda", None]),
        ("name IS NULL", [None]),
        ("flag = TRUE", ["Jena", "Apolda"]),
        ("name LIKE 'W%'", ["Weimar"]),
        ("name LIKE '_pold_'", ["Apolda"]),
        ("name NOT LIKE '%a'", ["Weimar"]),
        ("population BETWEEN 20000 AND 70000", ["Weimar", "Apolda"]),
        ("trend IN ('shrinking', 'unknown')", ["Apolda", None]),
        ("S_INTERSECTS(geometry, POINT(11.6 50.9))", ["Jena"]),
        ("S_INTERSECTS(geometry, BBOX(11.2, 50.9, 11.55, 51.1))", ["Jena", "Weimar", "Apolda"]),
        ("S_WITHIN(geometry, BBOX(11.2, 50.9, 11.55, 51.1))", ["Weimar", "Apolda"]),
        ("S_CONTAINS(geometry, POINT(11.3 51.0))", ["Weimar"]),
        ("S_DISJOINT(geometry, BBOX(11, 50.5, 12, 51.5))", [None]),
    ],
)
def test_cql2_text(frame: gpd.GeoDataFrame, text: str, expected: list) -> None:
    assert _names(frame, text) == expected


def test_cql2_json_matches_text(frame: gpd.GeoDataFrame) -> None:
    doc = {
        "op": "and",
        "args": [
            {
                "op": "s_intersects",
                "args": [{"property": "geometry"}, {"bbox": [11.2, 50.9, 11.55, 51.1]}],
            },
            {"op": "like", "args": [{"property": "name"}, "%a"]},
        ],
    }
    text = "S_INTERSECTS(geometry, BBOX(11.2, 50.9, 11.55, 51.1)) AND name LIKE '%a'"
    assert _names(frame, json.dumps(doc), "cql2-json") == _names(frame, text) == ["Jena", "Apolda"]


def test_filter_crs_literals(frame: gpd.GeoDataFrame) -> None:
    assert _names(frame, "S_INTERSECTS(geometry, POINT(50.9 11.6))", crs=EPSG_4326) == ["Jena"]
    assert _names(frame, "S_INTERSECTS(geometry, POINT(684000 5640000))", crs=EPSG_25832) == [
        "Jena"
    ]


def test_hidden_and_unknown_fields_are_refused_alike(frame: gpd.GeoDataFrame) -> None:
    messages = []
    for field in ("secret", "nonsense"):
        with pytest.raises(QueryParameterError) as err:
            _names(frame, f"{field} = 'a'")
        messages.append(str(err.value).replace(field, "FIELD"))
    assert messages[0] == messages[1]
    assert "secret" not in messages[0]


@pytest.mark.parametrize(
    ("text", "lang", "needle"),
    [
        ("", None, "empty"),
        ("population >", None, "not valid CQL2 text"),
        ("{", "cql2-json", "not valid JSON"),
        ('{"op": "nope"}', "cql2-json", "not valid CQL2 JSON"),
        ("population > 'x'", None, "is number"),
        ("name LIKE 5", None, "LIKE needs"),
        ("name BETWEEN 'a' AND 'b'", None, "numeric"),
        ("population + 1 > 3", None, "does not support"),
        ("upper(name) = 'JENA'", None, "function"),
        ("population > 1", "ecql", "filter-lang"),
        ("S_INTERSECTS(population, POINT(1 2))", None, "geometry"),
    ],
)
def test_bad_filters_answer_readable_errors(
    frame: gpd.GeoDataFrame, text: str, lang: str | None, needle: str
) -> None:
    with pytest.raises(QueryParameterError, match=needle):
        allowed = filters.queryables(frame, ["name", "population"])
        tree = filters.parse_filter(text, lang)
        assert tree is not None
        filters.evaluate(frame, tree, allowed, CRS84)


def test_no_filter_is_none() -> None:
    assert filters.parse_filter(None, None) is None


def test_evaluate_does_not_mutate(frame: gpd.GeoDataFrame) -> None:
    before = frame.copy()
    _names(frame, "population > 1")
    assert frame.equals(before)
