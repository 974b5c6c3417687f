"""The plot model: vocabulary, validation, derived attributes, status workflow."""

from __future__ import annotations

import itertools

import geopandas as gpd
import pytest
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, box

from geo.errors import (
    ConflictError,
    GeometryError,
    InputError,
    PermissionDeniedError,
    TransitionError,
)
from geo.landpool.plots import (
    TRANSITIONS,
    Status,
    Viewer,
    area_ha,
    check_geometry,
    check_transition,
    derive_municipality,
    parse_attributes,
    parse_bool,
    parse_enum,
    parse_plot_id,
)
from geo.settings import WORK_CRS


def test_enum_values_parse_forgivingly_and_blank_is_unknown() -> None:
    assert parse_enum("category", "Freed public site").value == "freed_public_site"
    assert parse_enum("owner_type", "").value == "unknown"
    assert parse_enum("status", None).value == "identified"
    with pytest.raises(InputError, match="category: 'castle' is not allowed; use one of"):
        parse_enum("category", "castle")


def test_attributes_default_to_unknown_and_refuse_read_only_fields() -> None:
    attrs = parse_attributes({"name": " Alte Gießerei ", "confidential": "ja"})
    assert attrs["name"] == "Alte Gießerei"
    assert attrs["confidential"] is True
    assert attrs["contamination"] == "unknown"
    assert attrs["notes"] is None
    with pytest.raises(InputError, match="read-only plot attributes: area_ha"):
        parse_attributes({"area_ha": 3})
    with pytest.raises(InputError, match="owner_type"):
        parse_attributes({"owner_type": "king"}, partial=True)
    assert parse_attributes({"notes": "x"}, partial=True) == {"notes": "x"}


def test_bool_and_plot_id_parsing() -> None:
    assert parse_bool("c", "no") is False
    with pytest.raises(InputError):
        parse_bool("confidential", "maybe")
    assert parse_plot_id(" JENA-0042 ") == "JENA-0042"
    for bad in ("", None, "with space", "-x", "a" * 65):
        with pytest.raises(InputError):
            parse_plot_id(bad)


def test_geometry_checks_name_each_problem() -> None:
    cases = {
        "empty_geometry": Polygon(),
        "not_polygon": LineString([(0, 0), (1, 1)]),
        "zero_area": Polygon([(0, 0), (1, 0), (2, 0), (0, 0)]),
        "invalid_geometry": Polygon([(0, 0), (30, 30), (30, 0), (0, 10), (0, 0)]),
    }
    for code, geom in cases.items():
        with pytest.raises(GeometryError) as err:
            check_geometry(geom)
        assert err.value.code == code
    with pytest.raises(GeometryError, match="empty"):
        check_geometry(None)
    with pytest.raises(GeometryError, match="Point"):
        check_geometry(Point(0, 0))


def test_geometry_is_stored_as_2d_multipolygon_and_repair_is_reported() -> None:
    geom, note = check_geometry(Polygon([(0, 0, 5), (100, 0, 5), (100, 100, 5), (0, 100, 5)]))
    assert isinstance(geom, MultiPolygon) and not geom.has_z and note == ""
    bowtie = Polygon([(0, 0), (30, 30), (30, 0), (0, 10), (0, 0)])
    fixed, note = check_geometry(bowtie, repair=True)
    assert fixed.is_valid and fixed.area == pytest.approx(375.0)
    assert "repaired invalid geometry (Self-intersection" in note


def test_area_ha_is_derived_in_metres() -> None:
    assert area_ha(box(0, 0, 100, 250)) == 2.5


def test_municipality_goes_to_the_largest_overlap() -> None:
    mun = gpd.GeoDataFrame(
        {"ags": ["16053000", "16074001"], "gen": ["Jena", "Nachbar"]},
        geometry=[box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000)],
        crs=WORK_CRS,
    )
    plots = gpd.GeoSeries(
        [box(900, 0, 1200, 100), box(100, 100, 200, 200), box(5000, 5000, 5100, 5100)],
        crs=WORK_CRS,
    )
    out = derive_municipality(plots, mun)
    assert out["ags"].tolist() == ["16074001", "16053000", None]
    assert out["municipality"].tolist() == ["Nachbar", "Jena", None]
    assert derive_municipality(plots, None)["ags"].isna().all()


def test_workflow_allows_only_listed_transitions() -> None:
    path = ["identified", "assessed", "negotiating", "acquired", "in_development", "developed"]
    for cur, nxt in itertools.pairwise(path):
        assert check_transition(cur, nxt, None) == Status(nxt)
    with pytest.raises(TransitionError, match="identified → acquired is not allowed"):
        check_transition("identified", "acquired", None)
    with pytest.raises(TransitionError, match="final status"):
        check_transition("developed", "withdrawn", "sold")
    assert issubclass(TransitionError, ConflictError)
    with pytest.raises(InputError, match="needs a reason"):
        check_transition("assessed", "withdrawn", " ")
    assert check_transition("assessed", "withdrawn", "owner refuses") == Status.WITHDRAWN
    assert check_transition("withdrawn", "identified", None) == Status.IDENTIFIED
    for cur, targets in TRANSITIONS.items():
        assert cur not in targets  # no change to the same status


def test_viewer_roles() -> None:
    assert not Viewer().sees_confidential and not Viewer("planner").may_write
    assert Viewer("landpool").sees_confidential and Viewer("admin").may_write
    with pytest.raises(PermissionDeniedError, match="needs the 'landpool' role"):
        Viewer("planner").require_write()
    with pytest.raises(InputError, match="role 'mayor' is unknown"):
        Viewer("mayor")
