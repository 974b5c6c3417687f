"""The rail query (geo/transit/query.py): parsed once, defaults from the settings, every
bad field named with its fix."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from datetime import date

import pytest

from geo.errors import InputError
from geo.settings import Settings
from geo.transit import RailQuery, parse_rail_query, reachable_for
from tests.geo.transit.feeds import DAY


def test_defaults_come_from_the_settings() -> None:
    s = Settings(rail_date="2024-05-15", rail_window="06:30-07:30")
    q = parse_rail_query(s, origin=" Jena ")
    assert q == RailQuery(
        origin="Jena", date=date(2024, 5, 15), window=("06:30", "07:30"), depart=None
    )
    assert q.max_minutes == 60 and q.percentile == 50 and not q.planned
    assert q.describe() == {
        "from": "Jena",
        "date": "2024-05-15",
        "window": "06:30-07:30",
        "depart": None,
        "percentile": 50.0,
        "planned": False,
        "max_minutes": 60.0,
    }
    with pytest.raises(FrozenInstanceError):
        q.origin = "Weimar"  # type: ignore[misc]


def test_a_departure_replaces_the_window_and_text_is_read() -> None:
    q = parse_rail_query(
        Settings(),
        origin="Weimar",
        date=DAY,
        depart="7:05",
        percentile="90",
        planned="true",
        max_minutes="45",
    )
    assert q.window is None and q.depart == "07:05:00"
    assert q.percentile == 90 and q.planned is True and q.max_minutes == 45
    assert q.date == date.fromisoformat(DAY)


@pytest.mark.parametrize(
    ("kw", "words"),
    [
        ({"origin": None}, "from is missing"),
        ({"origin": "  "}, "from is missing"),
        ({"date": "15.05.2019"}, "give it as YYYY-MM-DD"),
        ({"window": "07:00-08:00", "depart": "07:00"}, "not both"),
        ({"window": "0700"}, "must look like 07:00-08:00"),
        ({"window": "08:00-07:00"}, "end must be after the start"),
        ({"window": "07:00-8:70"}, "window end"),
        ({"depart": "soon"}, "depart 'soon' is not a time of day"),
        ({"percentile": 120}, "percentile 120 must be a number from 0 to 100"),
        ({"percentile": "median"}, "percentile 'median'"),
        ({"max_minutes": 0}, "max_minutes 0 must be a number from 1 to 240"),
        ({"max_minutes": 1000}, "max_minutes 1000"),
        ({"planned": "maybe"}, "planned 'maybe' must be true or false"),
    ],
)
def test_bad_fields_are_named(kw: dict[str, object], words: str) -> None:
    args: dict[str, object] = {"origin": "Jena", **kw}
    with pytest.raises(InputError, match=words.replace("(", r"\(")):
        parse_rail_query(Settings(), **args)  # type: ignore[arg-type]


def test_query_without_origin_for_matrices_but_not_for_reachable() -> None:
    q = parse_rail_query(Settings(), require_origin=False)
    assert q.origin is None
    with pytest.raises(InputError, match="from is missing"):
        reachable_for(None, None, q)  # type: ignore[arg-type]
