"""Building the timetable (geo/transit/timetable.py): calendars, frequencies, blank times,
pickling and the saved arrays."""

from __future__ import annotations

import pickle

import pandas as pd
import pytest

from geo import transit
from geo.errors import (
    NoServiceError,
)
from tests.geo.transit.feeds import (
    DAY,
    FAR,
    arrivals,
    hm,
    line_feed,
    make_tables,
)


def test_calendar_and_calendar_dates() -> None:
    cal = [
        {
            "service_id": "wd",
            "monday": 1,
            "tuesday": 1,
            "wednesday": 1,
            "thursday": 1,
            "friday": 1,
            "saturday": 0,
            "sunday": 0,
            "start_date": "20240501",
            "end_date": "20240531",
        }
    ]
    trips = {"t": [("A", "08:00:00", "08:00:00"), ("B", "08:10:00", "08:10:00")]}
    tt = transit.build_timetable(make_tables(FAR, trips, calendar=cal))
    assert transit.day_timetable(tt, DAY).n_trips == 1
    with pytest.raises(NoServiceError, match="2024-05-18"):
        transit.day_timetable(tt, "2024-05-18")  # a Saturday
    # an exception removes the Wednesday, another adds the Saturday
    tt2 = transit.build_timetable(
        make_tables(
            FAR,
            trips,
            calendar=cal,
            calendar_dates=[("wd", "20240515", 2), ("wd", "20240518", 1)],
        )
    )
    with pytest.raises(NoServiceError):
        transit.day_timetable(tt2, DAY)
    assert transit.day_timetable(tt2, "2024-05-18").n_trips == 1
    # calendar_dates only (as the DB feed)
    tt3 = transit.build_timetable(make_tables(FAR, trips, calendar_dates=[("wd", "20240516", 1)]))
    assert tt3.service_days()[0].isoformat() == "2024-05-16"


def test_frequencies_are_expanded() -> None:
    tables = make_tables(FAR, {"f": [("A", "00:00:00", "00:00:00"), ("B", "00:10:00", "00:10:00")]})
    tables["frequencies"] = pd.DataFrame(
        {
            "trip_id": ["f"],
            "start_time": ["06:00:00"],
            "end_time": ["07:00:00"],
            "headway_secs": [900],
        }
    )
    tt = transit.build_timetable(tables)
    assert tt.n_trips == 4  # 06:00, 06:15, 06:30, 06:45
    assert arrivals(tt, "A", "06:16")["B"] == hm("06:40")


def test_blank_intermediate_times_are_interpolated() -> None:
    tables = make_tables(
        FAR,
        {"t": [("A", "08:00:00", "08:00:00"), ("B", "", ""), ("C", "08:20:00", "08:20:00")]},
    )
    tt = transit.build_timetable(tables)
    assert arrivals(tt, "A", "07:59")["B"] == hm("08:10")


def test_timetable_pickles_and_roundtrips_arrays() -> None:
    tt = transit.build_timetable(line_feed(), feeds=["test"])
    transit.day_timetable(tt, DAY)
    back = pickle.loads(pickle.dumps(tt))
    assert back._days == {} and back.feeds == ("test",)
    again = transit.Timetable.from_arrays(tt.to_arrays())
    assert arrivals(again, "A", "07:55") == arrivals(tt, "A", "07:55")
