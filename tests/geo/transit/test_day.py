"""One service day (geo/transit/day.py): trips past midnight, FIFO routes, a timetable
restricted to one date."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo import transit
from geo.errors import (
    InputError,
    NoServiceError,
)
from geo.transit import INF, TransitOptions
from tests.geo.transit.feeds import (
    DAY,
    FAR,
    arrivals,
    hm,
    line_feed,
    make_tables,
    random_feed,
)


def test_times_past_midnight_run_on_next_date() -> None:
    tables = make_tables(
        FAR,
        {"night": [("A", "23:50:00", "23:50:00"), ("B", "24:30:00", "24:30:00")]},
        calendar_dates=[("wd", "20240514", 1)],
    )
    tt = transit.build_timetable(tables)
    day = transit.day_timetable(tt, DAY)  # the 15th: only the tail of the 14th's trip
    best = transit.raptor(day, tt, [(tt.stop_index("A"), hm("00:00"))])
    assert best[tt.stop_index("B")] == INF  # it left A at 23:50 the day before
    prev = transit.day_timetable(tt, "2024-05-14")
    best = transit.raptor(prev, tt, [(tt.stop_index("A"), hm("23:00"))])
    assert best[tt.stop_index("B")] == hm("24:30")
    # someone already on board is not modelled, but a trip passing midnight is boardable
    tables2 = make_tables(
        FAR,
        {
            "night": [
                ("A", "23:50:00", "23:50:00"),
                ("B", "24:30:00", "24:31:00"),
                ("C", "25:00:00", "25:00:00"),
            ]
        },
        calendar_dates=[("wd", "20240514", 1)],
    )
    tt2 = transit.build_timetable(tables2)
    best = transit.raptor(
        transit.day_timetable(tt2, DAY), tt2, [(tt2.stop_index("B"), hm("00:20"))]
    )
    assert best[tt2.stop_index("C")] == hm("01:00")


def test_overtaking_trips_are_split_into_fifo_routes() -> None:
    tables = make_tables(
        FAR,
        {
            "slow": [("A", "08:00:00", "08:00:00"), ("B", "08:40:00", "08:40:00")],
            "fast": [("A", "08:05:00", "08:05:00"), ("B", "08:20:00", "08:20:00")],
        },
    )
    tt = transit.build_timetable(tables)
    assert len(transit.day_timetable(tt, DAY).route_ntrips) == 2
    assert arrivals(tt, "A", "07:59")["B"] == hm("08:20")


def test_date_without_service_refused() -> None:
    tt = transit.build_timetable(line_feed())
    with pytest.raises(NoServiceError, match="2030-01-01"):
        transit.day_timetable(tt, "2030-01-01")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(feed=random_feed(), offset=st.integers(0, 9))
def test_restricted_timetable_answers_its_day_alike(
    feed: tuple[dict[str, pd.DataFrame | None], int], offset: int
) -> None:
    tables, change = feed
    tt = transit.build_timetable(tables, options=TransitOptions(min_change_s=change))
    day_only = transit.restrict_to_day(tt, DAY)
    full, cut = transit.day_timetable(tt, DAY), transit.day_timetable(day_only, DAY)
    assert cut.n_trips == full.n_trips and day_only.n_stops == tt.n_stops
    for o in range(tt.n_stops):
        for depart in range(6 * 3600 + 50 * 60 + offset * 60, 8 * 3600 + 40 * 60, 900):
            np.testing.assert_array_equal(
                transit.raptor(cut, day_only, [(o, depart)]),
                transit.raptor(full, tt, [(o, depart)]),
            )


def test_restricted_timetable_keeps_trips_past_midnight_and_refuses_other_dates() -> None:
    tables = make_tables(
        FAR,
        {
            "night": [
                ("A", "23:50:00", "23:50:00"),
                ("B", "24:30:00", "24:31:00"),
                ("C", "25:00:00", "25:00:00"),
            ],
            "day": [("A", "08:00:00", "08:00:00"), ("C", "09:00:00", "09:00:00")],
        },
        calendar_dates=[("wd", "20240514", 1), ("wd", "20240515", 1), ("wd", "20240516", 1)],
    )
    tt = transit.build_timetable(tables)
    day_only = transit.restrict_to_day(tt, DAY)
    # the 14th's night trip still runs past midnight into the 15th
    best = transit.raptor(
        transit.day_timetable(day_only, DAY), day_only, [(tt.stop_index("B"), hm("00:20"))]
    )
    assert best[tt.stop_index("C")] == hm("01:00")
    assert day_only.service_days() == (date(2024, 5, 15), date(2024, 5, 15))
    assert day_only.n_trips == 2 and len(day_only.st_stop) == 5  # not the 16th's copy
    for other in ("2024-05-14", "2024-05-16"):
        with pytest.raises(InputError, match="only the trips of 2024-05-15"):
            transit.day_timetable(day_only, other)
    with pytest.raises(NoServiceError, match="2030-01-01"):
        transit.restrict_to_day(tt, "2030-01-01")
    back = transit.Timetable.from_arrays(day_only.to_arrays())
    assert back.only_day == day_only.only_day
