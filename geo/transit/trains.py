"""The trains behind a rail answer: departures that reach each target, over the day and window.

A window statistic ("median 07:00–08:00: not reached") hides a service that runs every
two hours or three times a day. :func:`day_trains` lists, per target, the departures
from the origin over the whole service day that reach it within the time limit: how
many, the first and the last, and the best ride time, over the day and inside the
departure window.

A *departure* is a time one can leave the origin and catch a vehicle exactly
(:func:`~geo.transit.windows.candidate_departures`, 00:00–23:59 on the clock of the
service date). Several such times can lead to the same arrival (an earlier bus to the
same train, a station farther out on the same line): a departure counts for a target
only when no later departure arrives there as early, so each connection is counted once,
at its latest departure. Its *ride time* runs from that departure to the arrival (no
initial wait), including the walks to and from the stations.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from geo.transit.access import Access, Egress
from geo.transit.day import day_timetable
from geo.transit.kernel import raptor
from geo.transit.options import INF
from geo.transit.timetable import Timetable
from geo.transit.windows import candidate_departures

#: The service day's departures are those leaving from 00:00 to before 24:00 (seconds).
DAY_START_S, DAY_END_S = 0, 24 * 3600

#: ``status`` of a target in a rail answer.
REACHED = "reached"
NOT_IN_WINDOW = "not_in_window"
NO_TRAIN_THAT_DAY = "no_train_that_day"

#: Columns of :attr:`DayTrains.table`, in this order.
TRAIN_COLUMNS = [
    "ride_minutes_window",
    "departures_window",
    "departures_day",
    "first_departure",
    "last_departure",
    "ride_minutes_day",
]


@dataclass(frozen=True)
class DayTrains:
    """Departures from one origin that reach each target within the limit.

    ``table`` has one row per target (in target order) with :data:`TRAIN_COLUMNS`:
    ``ride_minutes_window`` (best ride time among the departures in the window; ``NaN``
    when none, or for a single-departure query), ``departures_window`` (count in the
    window; ``<NA>`` for a single-departure query), ``departures_day``,
    ``first_departure`` and ``last_departure`` (``HH:MM``, empty when none) and
    ``ride_minutes_day``.
    """

    table: pd.DataFrame
    runs: int


def _clock(seconds: np.ndarray) -> list[str]:
    return [
        "" if s < 0 else f"{int(s) // 3600:02d}:{int(s) % 3600 // 60:02d}" for s in seconds.tolist()
    ]


def day_trains(
    tt: Timetable,
    day: date | str,
    access: Access,
    egress: Egress,
    max_minutes: float,
    window_s: tuple[int, int] | None,
) -> DayTrains:
    """Count, per target, the service day's departures that reach it within ``max_minutes``.

    Parameters
    ----------
    tt, day
        Timetable and service date.
    access, egress
        How the origin reaches stops and stops reach targets (:mod:`geo.transit.access`).
    max_minutes
        Time limit from departure to arrival (also the routing cutoff of every run).
    window_s
        ``(start, end)`` of the departure window in seconds (end excluded); ``None``: no
        window figures.
    """
    cutoff = int(max_minutes * 60)
    day_tt = day_timetable(tt, day)
    cand = candidate_departures(day_tt, access, DAY_START_S, DAY_END_S - 1)
    n = egress.n_targets
    later_best = np.full(n, INF, np.int64)  # best arrival of the departures after this one
    count_day = np.zeros(n, np.int64)
    count_win = np.zeros(n, np.int64)
    first = np.full(n, -1, np.int64)
    last = np.full(n, -1, np.int64)
    ride_day = np.full(n, INF, np.int64)
    ride_win = np.full(n, INF, np.int64)
    # latest departure first: a departure counts where it arrives before every later one
    for c in cand[::-1].tolist():
        src = np.column_stack([access.stops, c + access.walk_s])
        arr = egress.apply(raptor(day_tt, tt, src, max_time_s=int(c + cutoff)))
        ride = arr - c
        counts = (arr < later_best) & (arr < INF) & (ride <= cutoff)
        np.minimum(later_best, arr, out=later_best)
        if not counts.any():
            continue
        count_day += counts
        first[counts] = c
        last[counts & (last < 0)] = c
        ride_day[counts] = np.minimum(ride_day[counts], ride[counts])
        if window_s is not None and window_s[0] <= c < window_s[1]:
            count_win += counts
            ride_win[counts] = np.minimum(ride_win[counts], ride[counts])

    def minutes(v: np.ndarray) -> np.ndarray:
        return np.where(v < INF, np.round(v / 60.0, 1), np.nan)

    table = pd.DataFrame(
        {
            "ride_minutes_window": minutes(ride_win) if window_s else np.full(n, np.nan),
            "departures_window": pd.array(count_win if window_s else [None] * n, dtype="Int64"),
            "departures_day": count_day,
            "first_departure": _clock(first),
            "last_departure": _clock(last),
            "ride_minutes_day": minutes(ride_day),
        }
    )
    return DayTrains(table=table, runs=len(cand))


def status(reached: np.ndarray, departures_day: np.ndarray) -> np.ndarray:
    """Per target: ``reached`` (by the window statistic), else ``not_in_window`` when some
    departure that day reaches it within the limit, else ``no_train_that_day``."""
    return np.where(
        reached, REACHED, np.where(departures_day > 0, NOT_IN_WINDOW, NO_TRAIN_THAT_DAY)
    )
