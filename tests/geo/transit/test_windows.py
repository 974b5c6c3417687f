"""Departure windows (geo/transit/windows.py): statistics, cut-off, bad input, and equality
with one RAPTOR run per minute."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo import transit
from geo.errors import (
    InputError,
)
from geo.transit import INF, TransitOptions
from tests.geo.transit.feeds import (
    DAY,
    every_20_min,
    random_feed,
)


def test_window_statistics_every_minute() -> None:
    tt = every_20_min()
    acc = transit.Access(stops=np.array([tt.stop_index("A")]), walk_s=np.array([0]))
    res = transit.window_times(tt, DAY, acc, "08:00", "09:00", max_minutes=60)
    b = tt.stop_index("B")
    col = res.minutes[:, b]
    assert len(col) == 60
    # waits of 0..19 minutes, each three times, plus the 10-minute ride
    assert sorted(col.tolist()) == sorted([10 + w for w in range(20)] * 3)
    stats = transit.window_stats(res, (5, 50, 95)).iloc[b]
    assert stats["min"] == 10
    assert stats["median"] == 19  # nearest rank: the 30th of 60 sorted values
    assert stats["p5"] == 10 and stats["p95"] == 28
    planned = transit.window_times(tt, DAY, acc, "08:00", "09:00", max_minutes=60, planned=True)
    assert set(planned.minutes[:, b].tolist()) == {10.0}


def test_window_cutoff_and_walk_access() -> None:
    tt = every_20_min()
    acc = transit.Access(stops=np.array([tt.stop_index("A")]), walk_s=np.array([300]))
    res = transit.window_times(tt, DAY, acc, "08:00", "08:30", max_minutes=20)
    col = res.minutes[:, tt.stop_index("B")]
    # leave 08:00: walk 5 min, wait to 08:20, ride 10: 30 min > 20 -> not reachable
    assert np.isinf(col[0])
    assert col[15] == 15  # leave 08:15, board 08:20, arrive 08:30
    planned = transit.window_times(tt, DAY, acc, "08:00", "08:30", max_minutes=20, planned=True)
    assert planned.minutes[0, tt.stop_index("B")] == 15


def test_window_rejects_bad_input() -> None:
    tt = every_20_min()
    acc = transit.Access(stops=np.array([0]), walk_s=np.array([0]))
    with pytest.raises(InputError, match="after its start"):
        transit.window_times(tt, DAY, acc, "09:00", "08:00")
    with pytest.raises(InputError, match="HH:MM"):
        transit.window_times(tt, DAY, acc, "8 Uhr", "09:00")
    with pytest.raises(InputError, match="YYYY-MM-DD"):
        transit.day_timetable(tt, "15.05.2024")


@settings(max_examples=25, deadline=None)
@given(feed=random_feed(), origin=st.integers(0, 6), planned=st.booleans())
def test_window_equals_raptor_every_minute(
    feed: tuple[dict[str, pd.DataFrame | None], int], origin: int, planned: bool
) -> None:
    tables, change = feed
    tt = transit.build_timetable(tables, options=TransitOptions(min_change_s=change))
    o = origin % tt.n_stops
    acc = transit.Access(stops=np.array([o]), walk_s=np.array([0]))
    res = transit.window_times(tt, DAY, acc, "07:00", "07:40", max_minutes=90, planned=planned)
    day = transit.day_timetable(tt, DAY)
    for i, t in enumerate(res.departures_s):
        best = transit.raptor(day, tt, [(o, int(t))], max_time_s=int(t) + 90 * 60)
        if not planned:
            want = np.where(best < INF, (best - t) / 60.0, np.inf)
            want[want > 90] = np.inf
            np.testing.assert_array_equal(res.minutes[i], want)
        else:  # counting from the first departure is never longer
            assert (res.minutes[i] <= np.where(best < INF, (best - t) / 60.0, np.inf)).all()
    if planned:
        # reference: every departure one can catch exactly, arrival of the first one at
        # or after the minute, counted from the latest departure with the same arrival
        t0, t1 = transit.parse_clock("07:00"), transit.parse_clock("07:40")
        cand = transit.candidate_departures(day, acc, t0, t1 + 90 * 60)
        ea = np.array([transit.raptor(day, tt, [(o, int(c))]) for c in cand]).reshape(
            len(cand), tt.n_stops
        )
        for i, t in enumerate(res.departures_s):
            for s_ in range(tt.n_stops):
                if s_ == o:
                    want = 0.0
                else:
                    later = np.flatnonzero(cand >= t)
                    if len(later) == 0 or ea[later[0], s_] >= INF:
                        want = np.inf
                    else:
                        a = ea[later[0], s_]
                        d = cand[later][ea[later, s_] == a].max()
                        want = (a - d) / 60.0
                        want = want if want <= 90 else np.inf
                assert res.minutes[i, s_] == want, (i, s_)
