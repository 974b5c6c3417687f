"""Checks of raw project values: every problem names the field and the value."""

from __future__ import annotations

import pytest

from geo.errors import InputError
from geo.projects.model import check_id, parse_fields
from geo.settings import Settings

KNOWN = {"16053000": "Jena", "16071001": "Apolda"}
OK = {"title": "T", "topic": "Verkehr", "municipalities": "Jena, 16071001"}


def parse(values: dict[str, object], partial: bool = False) -> dict[str, object]:
    return parse_fields(values, known_municipalities=KNOWN, settings=Settings(), partial=partial)


def test_a_full_project_parses_with_defaults() -> None:
    out = parse(OK)
    assert out["topic"] == "traffic" and out["status"] == "idea"
    assert out["municipalities"] == ("16053000", "16071001")
    assert out["plot_ids"] == () and out["geometry"] is None


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({**OK, "title": ""}, "title is required"),
        ({**OK, "title": "x" * 201}, "at most 200"),
        ({**OK, "description": "x" * 4001}, "at most 4000"),
        ({**OK, "topic": "Sport"}, "topic 'Sport' is unknown"),
        ({**OK, "status": "begun"}, "status 'begun' is unknown"),
        ({**OK, "municipalities": "16053000, 99999999"}, "'99999999' is not in the region"),
        ({**OK, "municipalities": "Atlantis"}, "'Atlantis' is no 8-digit AGS"),
        ({**OK, "plot_ids": "OK-1, <b>"}, "plot_ids: '<b>' is not an id"),
        ({**OK, "geometry": "{"}, "geometry is not JSON"),
        ({**OK, "geometry": '{"type": "Point", "coordinates": [150, 10]}'}, "outside the region"),
        ({**OK, "colour": "red"}, "unknown project field 'colour'"),
    ],
)
def test_bad_values_are_refused_naming_them(values: dict[str, object], message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse(values)


def test_a_geometry_in_4326_is_stored_in_25832() -> None:
    geom = parse({**OK, "geometry": '{"type": "Point", "coordinates": [11.5864, 50.9271]}'})[
        "geometry"
    ]
    assert geom is not None
    assert 670_000 < geom.x < 690_000 and 5_640_000 < geom.y < 5_660_000  # type: ignore[attr-defined]


def test_partial_parses_only_what_is_given() -> None:
    assert parse({"status": "in_progress"}, partial=True) == {"status": "in_progress"}


@pytest.mark.parametrize("bad", ["", "A-b", "-a", "a b", "new", "x" * 61])
def test_ids_are_slugs(bad: str) -> None:
    with pytest.raises(InputError):
        check_id(bad)
