"""The trains behind a rail answer (geo/transit/trains.py) on a small feed the test writes.

Municipalities A, B, C, D around one stop each (11 km apart, beyond walking). From A on
2024-05-15, limit 30 min, window 07:00-08:00:

* B: ICs at 06:44, 12:44 and 18:44 arrive 16 min later; a slower train at 06:30 arrives
  07:05 (after the 06:44 one: not a connection of its own) and one at 09:00 takes 40 min
  (over the limit). So 3 departures that day, none in the window: "not in the window".
* C: every 10 minutes 07:00-08:00, 20 min: reached, 6 departures in the window, 7 that day.
* D: trains only on another day: "no train that day".
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from geo import transit
from geo.transit import trains
from maps.minutes import rail_text
from tests.geo.transit.feeds import DAY, FAR, make_tables


def _trip(a: str, dep: str, b: str, arr: str) -> list[tuple[str, str, str]]:
    return [(a, dep, dep), (b, arr, arr)]


@pytest.fixture(scope="module")
def tt() -> transit.Timetable:
    trips = {
        "ic1": _trip("A", "06:44:00", "B", "07:00:00"),
        "ic2": _trip("A", "12:44:00", "B", "13:00:00"),
        "ic3": _trip("A", "18:44:00", "B", "19:00:00"),
        "slow": _trip("A", "06:30:00", "B", "07:05:00"),
        "long": _trip("A", "09:00:00", "B", "09:40:00"),
        **{
            f"c{k}": _trip("A", f"{7 + k // 6:02d}:{10 * (k % 6):02d}:00", "C", "")
            for k in range(7)
        },
        "d1": _trip("A", "08:00:00", "D", "08:20:00"),
    }
    for k in range(7):  # C: 20 min after each departure
        dep = trips[f"c{k}"][0][1]
        h, m = int(dep[:2]), int(dep[3:5]) + 20
        arr = f"{h + m // 60:02d}:{m % 60:02d}:00"
        trips[f"c{k}"] = _trip("A", dep, "C", arr)
    tables = make_tables(
        FAR,
        trips,
        service={"d1": "other"},
        calendar_dates=[("wd", DAY.replace("-", ""), 1), ("other", "20240516", 1)],
    )
    return transit.build_timetable(tables)


@pytest.fixture(scope="module")
def region(tt: transit.Timetable) -> gpd.GeoDataFrame:
    ids = [str(s) for s in tt.stop_ids]
    x, y = np.asarray(tt.stop_x), np.asarray(tt.stop_y)
    return gpd.GeoDataFrame(
        {
            "ags": [f"1600000{i}" for i in range(len(ids))],
            "name": ids,
            "district": "Test",
            "centre_x": x,
            "centre_y": y,
            "population": pd.array([1000] * len(ids), dtype="Int64"),
            "change_pct_per_year": 0.0,
            "trend_class": "stable",
        },
        geometry=[box(a - 1000, b - 1000, a + 1000, b + 1000) for a, b in zip(x, y, strict=True)],
        crs="EPSG:25832",
    )


def _answer(
    tt: transit.Timetable, region: gpd.GeoDataFrame, **kw: object
) -> transit.RailReachability:
    args: dict[str, object] = {"window": ("07:00", "08:00"), **kw}
    return transit.reachable_rail(tt, region, "A", 30, DAY, **args)  # type: ignore[arg-type]


def test_ride_time_counts_and_first_last_departure(
    tt: transit.Timetable, region: gpd.GeoDataFrame
) -> None:
    res = _answer(tt, region)
    c = res.table.set_index("name").loc["C"]
    assert c["status"] == trains.REACHED
    assert c["ride_minutes_window"] == 20.0 and c["ride_minutes_day"] == 20.0
    assert c["departures_window"] == 6  # 07:00 ... 07:50; 08:00 is the window's end
    assert c["departures_day"] == 7
    assert (c["first_departure"], c["last_departure"]) == ("07:00", "08:00")


def test_not_in_the_window_is_told_apart_from_no_train_that_day(
    tt: transit.Timetable, region: gpd.GeoDataFrame
) -> None:
    res = _answer(tt, region)
    assert set(res.table["name"]) == {"A", "C"}
    assert res.not_reached is not None
    late = res.not_reached.set_index("name")
    assert list(late.index) == ["B"]  # D has no train that day: not listed here
    b = late.loc["B"]
    assert b["status"] == trains.NOT_IN_WINDOW
    # the 06:30 train arrives after the 06:44 one; the 09:00 one takes 40 min > 30
    assert b["departures_day"] == 3 and b["departures_window"] == 0
    assert (b["first_departure"], b["last_departure"]) == ("06:44", "18:44")
    assert b["ride_minutes_day"] == 16.0 and np.isnan(b["ride_minutes_window"])
    assert res.summary["municipalities_not_in_window"] == 1
    assert res.summary["municipalities_no_train_that_day"] == 1  # D
    assert "departures" in res.summary["trains"]


def test_a_longer_limit_counts_the_slower_train(
    tt: transit.Timetable, region: gpd.GeoDataFrame
) -> None:
    """With 45 min the 09:00 train (40 min) counts; the 06:30 one still arrives after the
    06:44 one and never counts."""
    res = transit.reachable_rail(tt, region, "A", 45, DAY, window=("07:00", "08:00"))
    assert res.not_reached is not None
    b = res.not_reached.set_index("name").loc["B"]
    assert b["departures_day"] == 4 and b["ride_minutes_day"] == 16.0


def test_status_on_a_window_that_holds_the_trains(
    tt: transit.Timetable, region: gpd.GeoDataFrame
) -> None:
    res = _answer(tt, region, window=("06:40", "06:50"))
    b = res.table.set_index("name").loc["B"]
    assert b["status"] == trains.REACHED and b["departures_window"] == 1
    assert b["ride_minutes_window"] == 16.0


def test_single_departure_has_no_window_counts(
    tt: transit.Timetable, region: gpd.GeoDataFrame
) -> None:
    res = transit.reachable_rail(tt, region, "A", 30, DAY, depart="07:00")
    c = res.table.set_index("name").loc["C"]
    assert pd.isna(c["departures_window"]) and np.isnan(c["ride_minutes_window"])
    assert c["departures_day"] == 7


def test_popup_text_in_plain_german() -> None:
    """The maps' words for a rail answer (maps/minutes.py)."""
    row = pd.Series(
        {
            "departures_day": 3,
            "first_departure": "06:44",
            "last_departure": "18:44",
            "ride_minutes_day": 16.0,
        }
    )
    assert rail_text(row, np.nan, ("07:00", "08:00")) == (
        "Bahn: 16 min, 3 Fahrten am Tag (06:44–18:44); Median 07–08 Uhr: nicht erreicht"
    )
    one = row.copy()
    one["departures_day"], one["last_departure"] = 1, "06:44"
    assert rail_text(one, 45.0, ("06:00", "20:00")).startswith(
        "Bahn: 16 min, 1 Fahrt am Tag (06:44);"
    )
    none = row.copy()
    none["departures_day"] = 0
    assert rail_text(none, np.nan, ("06:00", "20:00")) == (
        "Bahn: kein Zug an diesem Tag innerhalb von 180 min"
    )
    assert rail_text(row, np.nan, ("06:00", "20:00"), "en") == (
        "Rail: 16 min, 3 trips a day (06:44–18:44); median 06–20 h: not reached"
    )
