"""Pure feature-collection logic of OGC API – Features: bbox, paging, lookup, GeoJSON."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Point, box

from geo.errors import InputError, NotFoundError, QueryParameterError
from geo.ogc import features


@pytest.fixture()
def points() -> gpd.GeoDataFrame:
    """25 points on a 5×5 grid of whole degrees, ids p00..p24."""
    rows = [{"fid": f"p{i:02d}", "value": i, "geometry": Point(i % 5, i // 5)} for i in range(25)]
    return gpd.GeoDataFrame(rows, crs="EPSG:4326")


def test_parse_bbox_accepts_four_and_six_numbers() -> None:
    assert features.parse_bbox(None) is None
    assert features.parse_bbox("11.4, 50.8,11.8,51.0") == (11.4, 50.8, 11.8, 51.0)
    assert features.parse_bbox("11.4,50.8,0,11.8,51.0,500") == (11.4, 50.8, 11.8, 51.0)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "1,2,3",
        "1,2,3,4,5",
        "a,b,c,d",
        "nan,0,1,1",
        "0,0,inf,1",
        "0,-91,1,1",
        "-181,0,1,1",
        "0,10,1,5",
    ],
)
def test_parse_bbox_refuses_bad_boxes(text: str) -> None:
    with pytest.raises(QueryParameterError, match="bbox"):
        features.parse_bbox(text)
    assert issubclass(QueryParameterError, InputError)


def test_check_paging_defaults_caps_and_refuses() -> None:
    assert features.check_paging(None, None) == (features.DEFAULT_LIMIT, 0)
    assert features.check_paging(5, 20) == (5, 20)
    assert features.check_paging(features.MAX_LIMIT + 1, 0) == (features.MAX_LIMIT, 0)
    with pytest.raises(QueryParameterError, match="limit"):
        features.check_paging(0, 0)
    with pytest.raises(QueryParameterError, match="offset"):
        features.check_paging(10, -1)
    with pytest.raises(QueryParameterError, match="offset"):
        features.check_paging(10, features.MAX_OFFSET + 1)


def test_filter_bbox_keeps_intersecting_features_in_order(points: gpd.GeoDataFrame) -> None:
    out = features.filter_bbox(points, (0.5, 0.5, 2.5, 1.5))
    assert out["fid"].tolist() == ["p06", "p07"]
    assert features.filter_bbox(points, None) is points
    # Boundary touches count (intersects), as in the standard.
    assert len(features.filter_bbox(points, (0, 0, 1, 1))) == 4


def test_filter_bbox_splits_antimeridian_boxes() -> None:
    gdf = gpd.GeoDataFrame(
        {"fid": ["east", "west", "mid"]},
        geometry=[Point(179.5, 0), Point(-179.5, 0), Point(0, 0)],
        crs="EPSG:4326",
    )
    out = features.filter_bbox(gdf, (179.0, -1.0, -179.0, 1.0))
    assert sorted(out["fid"]) == ["east", "west"]


def test_filter_bbox_reprojects_other_crs(points: gpd.GeoDataFrame) -> None:
    metric = points.to_crs("EPSG:3857")
    assert len(features.filter_bbox(metric, (0.5, 0.5, 2.5, 1.5))) == 2


def test_page_numbers_and_neighbours(points: gpd.GeoDataFrame) -> None:
    first = features.page(points, 10, 0)
    assert (first.number_matched, first.number_returned) == (25, 10)
    assert (first.next_offset, first.prev_offset) == (10, None)
    last = features.page(points, 10, 20)
    assert last.number_returned == 5
    assert (last.next_offset, last.prev_offset) == (None, 10)
    beyond = features.page(points, 10, 100)
    assert beyond.number_returned == 0 and beyond.next_offset is None
    assert beyond.prev_offset == 90
    odd = features.page(points, 10, 3)
    assert odd.prev_offset == 0


def test_find_feature(points: gpd.GeoDataFrame) -> None:
    hit = features.find_feature(points, "fid", "p07", "grid")
    assert hit["value"].tolist() == [7]
    with pytest.raises(NotFoundError, match="'nope' in collection 'grid'"):
        features.find_feature(points, "fid", "nope", "grid")


def test_to_features_ids_properties_and_crs(points: gpd.GeoDataFrame) -> None:
    metric = points.iloc[[7]].to_crs("EPSG:25832")
    (feat,) = features.to_features(metric, "fid", ["value", "missing"])
    assert feat["id"] == "p07"
    assert feat["type"] == "Feature"
    assert feat["properties"] == {"fid": "p07", "value": 7}
    assert feat["geometry"]["coordinates"] == pytest.approx([2.0, 1.0], abs=1e-6)


def test_extent(points: gpd.GeoDataFrame) -> None:
    assert features.extent(points) == [0.0, 0.0, 4.0, 4.0]
    assert features.extent(points.iloc[:0]) is None
    poly = gpd.GeoDataFrame(geometry=[box(10, 50, 11, 51)], crs="EPSG:4326").to_crs(25832)
    assert features.extent(poly) == pytest.approx([10, 50, 11, 51], abs=1e-6)
