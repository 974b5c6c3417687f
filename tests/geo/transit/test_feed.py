"""Feed validation (geo/transit/feed.py): broken feeds are refused with a named error."""

from __future__ import annotations

import pytest

from geo import transit
from geo.errors import (
    FeedMissingColumnError,
    FeedMissingFileError,
    FeedReferenceError,
    FeedTimeOrderError,
)
from tests.geo.transit.feeds import (
    FAR,
    line_feed,
    make_tables,
)


def test_missing_file_refused() -> None:
    t = line_feed()
    t["stop_times"] = None
    with pytest.raises(FeedMissingFileError, match="stop_times"):
        transit.validate_feed(t)
    t = line_feed()
    t["calendar_dates"] = None
    with pytest.raises(FeedMissingFileError, match="calendar"):
        transit.validate_feed(t)


def test_missing_column_refused() -> None:
    t = line_feed()
    t["stop_times"] = t["stop_times"].drop(columns="departure_time")  # type: ignore[union-attr]
    with pytest.raises(FeedMissingColumnError, match="departure_time"):
        transit.validate_feed(t)


def test_unknown_trip_and_stop_refused() -> None:
    t = line_feed()
    st_ = t["stop_times"].copy()  # type: ignore[union-attr]
    st_.loc[0, "trip_id"] = "ghost"
    t["stop_times"] = st_
    with pytest.raises(FeedReferenceError, match="ghost"):
        transit.validate_feed(t)
    t = line_feed()
    st_ = t["stop_times"].copy()  # type: ignore[union-attr]
    st_.loc[0, "stop_id"] = "nowhere"
    t["stop_times"] = st_
    with pytest.raises(FeedReferenceError, match="nowhere"):
        transit.validate_feed(t)


def test_backwards_times_refused_or_dropped() -> None:
    t = make_tables(
        FAR,
        {
            "ok": [("A", "08:00:00", "08:00:00"), ("B", "08:10:00", "08:10:00")],
            "bad": [("A", "08:00:00", "08:00:00"), ("B", "07:50:00", "07:50:00")],
        },
    )
    with pytest.raises(FeedTimeOrderError, match="'bad'"):
        transit.build_timetable(t)
    tt = transit.build_timetable(t, bad_trips="drop")
    assert tt.n_trips == 1 and tt.dropped_trips == ("bad (R1)",)
    t2 = make_tables(FAR, {"x": [("A", "8h", "08:00:00"), ("B", "08:10:00", "08:10:00")]})
    with pytest.raises(FeedTimeOrderError, match="not GTFS times"):
        transit.validate_feed(t2)
