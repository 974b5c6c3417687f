"""Scenarios (geo/transit/scenarios.py): planned services as GTFS trips, named."""

from __future__ import annotations

import pandas as pd
import pytest

from geo import transit
from geo.errors import (
    InputError,
)
from tests.geo.transit.feeds import (
    DAY,
    arrivals,
    hm,
    line_feed,
)


def test_scenario_tables_merge_and_are_named() -> None:
    stations = pd.DataFrame(
        {
            "station_id": ["A", "C"],
            "name": ["Stop A", "Stop C"],
            "lat": [50.0, 50.2],
            "lon": [11.0, 11.0],
        }
    )
    scn = transit.ServiceScenario(
        name="Shuttle A-C",
        stations=("Stop A", "C"),
        headway_min=30,
        first_departure="07:00",
        last_departure="09:00",
        start_date=DAY,
        end_date=DAY,
        running_min=(12,),
    )
    base = line_feed()
    tt = transit.build_timetable(base, feeds=["test"])
    assert "C" not in arrivals(tt, "A", "08:01")
    tt2 = transit.with_scenario(base, tt, scn, stations)
    assert tt2.scenarios == ("Shuttle A-C",)
    assert arrivals(tt2, "A", "08:01")["C"] == hm("08:42")  # 08:30 + 12 min
    assert arrivals(tt2, "C", "08:01")["A"] == hm("08:42")  # the reverse direction
    assert tt2.n_trips == tt.n_trips + 2 * 5
    with pytest.raises(InputError, match="running_min"):
        transit.ServiceScenario(
            name="x",
            stations=("A", "C"),
            headway_min=10,
            first_departure="07:00",
            last_departure="08:00",
            start_date=DAY,
            end_date=DAY,
            running_min=(1, 2),
        ).check()
