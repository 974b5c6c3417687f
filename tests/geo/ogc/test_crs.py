"""CRS of the OGC API (Part 2): parsing, axis order, reprojection, boxes in other CRS."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import Point

from geo.errors import QueryParameterError
from geo.ogc import crs


def _jena() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"fid": ["j"]}, geometry=[Point(11.589, 50.927)], crs="EPSG:4326")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, crs.CRS84),
        ("http://www.opengis.net/def/crs/OGC/1.3/CRS84", crs.CRS84),
        ("http://www.opengis.net/def/crs/EPSG/0/4326", crs.EPSG_4326),
        ("EPSG:25832", crs.EPSG_25832),
        ("[EPSG:3035]", crs.EPSG_3035),
        (" CRS84 ", crs.CRS84),
    ],
)
def test_parse_crs_accepts_uris_and_short_forms(text: str | None, expected: crs.ApiCrs) -> None:
    assert crs.parse_crs(text) is expected


def test_parse_crs_refuses_others_naming_the_supported() -> None:
    with pytest.raises(QueryParameterError) as err:
        crs.parse_crs("EPSG:31468", "bbox-crs")
    msg = str(err.value)
    assert msg.startswith("bbox-crs 'EPSG:31468' is not supported")
    assert all(uri in msg for uri in crs.supported_uris())


def test_to_output_axis_order_and_rounding() -> None:
    g = _jena()
    assert crs.to_output(g, crs.CRS84).geometry[0].coords[0] == (11.589, 50.927)
    assert crs.to_output(g, crs.EPSG_4326).geometry[0].coords[0] == (50.927, 11.589)
    e, n = crs.to_output(g, crs.EPSG_25832).geometry[0].coords[0]
    assert e == pytest.approx(681_941.34, abs=0.01) and n == pytest.approx(5_644_899.321, abs=0.01)
    assert round(e, 3) == e
    n3035, e3035 = crs.to_output(g, crs.EPSG_3035).geometry[0].coords[0]
    assert n3035 > 3_000_000 and e3035 > 4_300_000  # northing first
    assert g.geometry[0].coords[0] == (11.589, 50.927)  # input not mutated


@pytest.mark.parametrize("target", crs.SUPPORTED)
def test_to_web_inverts_to_output(target: crs.ApiCrs) -> None:
    out = crs.to_output(_jena(), target).geometry[0]
    back = crs.to_web(out, target)
    assert back.distance(Point(11.589, 50.927)) < 1e-6


def test_parse_bbox_in_each_crs_covers_the_same_place() -> None:
    jena = Point(11.589, 50.927)
    assert crs.parse_bbox_in(None, crs.EPSG_25832) is None
    utm = crs.parse_bbox_in("681000,5644000,683000,5645000", crs.EPSG_25832)
    lat_first = crs.parse_bbox_in("50.92,11.58,50.93,11.60", crs.EPSG_4326)
    assert utm is not None and lat_first is not None
    assert utm.contains(jena) and lat_first.contains(jena)
    # a UTM box is densified: its edges follow the grid, not two corners
    assert shapely.get_num_coordinates(utm) > 5


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("1,2,3", "4 or 6 numbers"),
        ("a,b,c,d", "must be numbers"),
        ("1,2,nan,4", "finite"),
        ("682000,5642000,680000,5644000", "lower corner"),
    ],
)
def test_parse_bbox_in_refuses_bad_boxes(text: str, needle: str) -> None:
    with pytest.raises(QueryParameterError, match=needle):
        crs.parse_bbox_in(text, crs.EPSG_25832)


def test_content_crs_header() -> None:
    assert crs.content_crs_header(crs.EPSG_25832) == "<http://www.opengis.net/def/crs/EPSG/0/25832>"
