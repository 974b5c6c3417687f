"""Departure windows: travel times for every minute of a window, and their statistics.

:func:`window_times` runs RAPTOR once per time at which leaving the origin catches a
vehicle exactly; :func:`window_stats` takes the minimum and nearest-rank percentiles (as
Conveyal R5 does). ``planned=True`` counts from the actual departure of the first vehicle
(minus the walk to it) instead of from the start minute.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from geo.errors import (
    InputError,
)
from geo.transit.access import Access, Egress
from geo.transit.csr import _min_by_key
from geo.transit.day import day_timetable
from geo.transit.kernel import raptor
from geo.transit.options import INF, parse_clock
from geo.transit.timetable import DayTimetable, Timetable


def candidate_departures(
    day_tt: DayTimetable, access: Access, start_s: int, end_s: int
) -> np.ndarray:
    """Times one can leave the origin to catch a vehicle exactly, within ``[start, end]``."""
    if len(access.stops) == 0:
        return np.zeros(0, np.int64)
    walk: dict[int, int] = {}
    for st, w in zip(access.stops.tolist(), access.walk_s.tolist(), strict=True):
        walk[st] = min(w, walk.get(st, w))
    times: list[np.ndarray] = []
    for s, w_s in walk.items():
        for j in range(day_tt.stop_route_ptr[s], day_tt.stop_route_ptr[s + 1]):
            r = day_tt.stop_route[j]
            p = day_tt.stop_route_pos[j]
            n = day_tt.route_ptr[r + 1] - day_tt.route_ptr[r]
            if p == n - 1:
                continue  # nobody boards at the last stop
            tp = day_tt.time_ptr[r]
            deps = day_tt.dep[tp + p : tp + n * day_tt.route_ntrips[r] : n]
            times.append(deps - w_s)
    if not times:
        return np.zeros(0, np.int64)
    c = np.unique(np.concatenate(times))
    return c[(c >= start_s) & (c <= end_s)]


@dataclass
class WindowResult:
    """Travel times from one origin for every minute of a departure window.

    ``minutes[i, j]``: travel time (minutes, ``inf`` = not within the cutoff) leaving at
    ``departures_s[i]`` to target ``j``.
    """

    departures_s: np.ndarray
    live_minutes: np.ndarray
    columns: np.ndarray
    n_targets: int
    planned: bool

    @property
    def minutes(self) -> np.ndarray:
        """The full matrix (departures × targets); only ``columns`` can be finite."""
        full = np.full((len(self.departures_s), self.n_targets), np.inf)
        full[:, self.columns] = self.live_minutes
        return full


def _suffix_best(arrivals: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For candidate rows sorted by time: best arrival from row i on, and the latest
    candidate departure (index) achieving it."""
    n_c, n_t = arrivals.shape
    best = np.full((n_c + 1, n_t), INF, np.int64)
    last = np.full((n_c + 1, n_t), -1, np.int64)
    for i in range(n_c - 1, -1, -1):
        a = arrivals[i]
        take = a < best[i + 1]
        best[i] = np.where(take, a, best[i + 1])
        last[i] = np.where(take, i, last[i + 1])
    return best, last


def window_times(
    tt: Timetable,
    day: date | str,
    access: Access,
    start: str | int,
    end: str | int,
    step_s: int = 60,
    max_minutes: float = 120.0,
    planned: bool = False,
    egress: Egress | None = None,
) -> WindowResult:
    """Travel times for each departure minute in ``[start, end)`` to stops or targets.

    RAPTOR runs once per distinct time at which leaving the origin catches a vehicle
    exactly (usually far fewer than the minutes of the window); the time leaving at any
    minute ``t`` is the best arrival among departures at or after ``t`` (exactly what one
    RAPTOR run at ``t`` would give). With ``planned=True`` a minute's travel time counts
    from the latest departure that still gives that arrival, i.e. without the first wait.

    Parameters
    ----------
    egress
        Targets reached from stops (municipalities); ``None``: the targets are the stops.
    """
    t0 = parse_clock(start, "window start")
    t1 = parse_clock(end, "window end")
    if t1 <= t0:
        raise InputError(f"window end {end!r} must be after its start {start!r}.")
    if step_s <= 0:
        raise InputError(f"window step must be positive, not {step_s} s.")
    cutoff = int(max_minutes * 60)
    minutes_t = np.arange(t0, t1, step_s, dtype=np.int64)
    day_tt = day_timetable(tt, day)
    cand = candidate_departures(day_tt, access, t0, t1 + cutoff)
    n_t = tt.n_stops if egress is None else egress.n_targets
    # Leaving later never arrives earlier, so a minute's best arrival is that of the first
    # departure at or after it: the departures in the window and the first one after it
    # are enough. Planned mode also needs the latest departure giving the same arrival,
    # so it goes on past the window while some arrival stays the same.
    last_minute = int(minutes_t[-1])
    rows: list[np.ndarray] = []
    used: list[int] = []
    for c in cand:
        src = np.column_stack([access.stops, c + access.walk_s])
        best = raptor(day_tt, tt, src, max_time_s=int(c + cutoff))
        row = best if egress is None else egress.apply(best)
        if used and used[-1] > last_minute:  # the first departure after the window ran
            prev = rows[-1]
            if not planned or not np.any((row == prev) & (row < INF)):
                break
        rows.append(row)
        used.append(int(c))
    cand = np.asarray(used, np.int64)
    arrivals = np.vstack(rows) if rows else np.full((0, n_t), INF, np.int64)
    # Walking only: to the stops and on to targets, and straight to targets. Kept sparse
    # (the targets actually reached), as is the minutes × targets work below: it is done
    # only for targets reached at all, by a ride or on foot. Same answers as dense arrays
    # over every target, with work in proportion to what an origin reaches (most
    # municipalities reach none of a long-distance feed's stops on foot).
    if egress is None:
        walk_tgt, walk_s = _min_by_key(access.stops, access.walk_s)
    else:
        walk_tgt, walk_s = egress.reach(access.stops, access.walk_s)
    parts = [walk_tgt]
    if rows:
        parts.append(np.flatnonzero((arrivals < INF).any(axis=0)))
    if access.direct_targets is not None:
        parts.append(access.direct_targets)
    cols = np.unique(np.concatenate(parts)).astype(np.int64)
    sbest, slast = _suffix_best(arrivals[:, cols])
    idx = np.searchsorted(cand, minutes_t, side="left")
    arr_t = sbest[idx]  # (minutes, live targets)
    if planned:
        li = slast[idx]
        cand_or_0 = cand if len(cand) else np.zeros(1, np.int64)
        dep_t = np.where(li >= 0, cand_or_0[np.clip(li, 0, None)], 0)
        travel = np.where(arr_t < INF, arr_t - dep_t, INF)
    else:
        travel = np.where(arr_t < INF, arr_t - minutes_t[:, None], INF)
    travel = np.minimum(travel, _on_columns(cols, walk_tgt, walk_s)[None, :])
    if access.direct_targets is not None and access.direct_s is not None:
        direct_tgt, direct_s = _min_by_key(access.direct_targets, access.direct_s)
        travel = np.minimum(travel, _on_columns(cols, direct_tgt, direct_s)[None, :])
    live_mins = travel.astype(float) / 60.0
    live_mins[(travel >= INF) | (live_mins > max_minutes)] = np.inf
    return WindowResult(
        departures_s=minutes_t,
        live_minutes=live_mins,
        columns=cols,
        n_targets=n_t,
        planned=planned,
    )


def _on_columns(cols: np.ndarray, keys: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``values`` of distinct ``keys`` (all in sorted ``cols``) on ``cols``; INF elsewhere."""
    out = np.full(len(cols), INF, np.int64)
    out[np.searchsorted(cols, keys)] = values
    return out


def nearest_rank(values: np.ndarray, pct: float, axis: int = 0) -> np.ndarray:
    """Nearest-rank percentile (``inf`` counts as the largest value), as R5 reports them."""
    if not 0 <= pct <= 100:
        raise InputError(f"percentile must be between 0 and 100, not {pct}.")
    n = values.shape[axis]
    k = max(math.ceil(pct / 100.0 * n) - 1, 0)
    if values.ndim == 2 and axis == 0:
        # only columns with a finite value need ordering; the others are all inf
        out = np.full(values.shape[1], np.inf)
        cols = np.flatnonzero(np.isfinite(values).any(axis=0))
        out[cols] = np.partition(values[:, cols], k, axis=0)[k]
        return out
    return np.take(np.partition(values, k, axis=axis), k, axis=axis)


def window_stats(result: WindowResult, percentiles: Sequence[float] = (50,)) -> pd.DataFrame:
    """Minimum, median and chosen percentiles of travel time per target (minutes).

    Columns ``min``, ``median`` and ``p<N>`` for each percentile; ``inf`` where the
    target is not reached within the cutoff at that rank.
    """
    m = result.live_minutes
    live = {"min": m.min(axis=0, initial=np.inf), "median": nearest_rank(m, 50)}
    for p in percentiles:
        live[f"p{int(p) if float(p).is_integer() else p}"] = nearest_rank(m, float(p))
    out = {}
    for key, values in live.items():
        full = np.full(result.n_targets, np.inf)
        full[result.columns] = values
        out[key] = full
    return pd.DataFrame(out)
