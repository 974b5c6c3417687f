"""RAPTOR: round-based public-transit routing (Delling, Pajor, Werneck 2012).

Earliest arrival at every stop for one departure, with at most ``max_transfers``
changes, footpaths between stops after each ride and a minimum change time when staying
at a stop. The kernel is compiled with numba (cached on disk; :func:`warm_up` loads it).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import pandas as pd
from numba import njit

from geo.errors import (
    InputError,
)
from geo.transit.day import day_timetable
from geo.transit.options import INF, format_clock, parse_clock
from geo.transit.timetable import DayTimetable, Timetable


@njit(cache=True)
def _raptor_kernel(
    n_stops: int,
    route_ptr: np.ndarray,
    route_stops: np.ndarray,
    route_ntrips: np.ndarray,
    time_ptr: np.ndarray,
    t_arr: np.ndarray,
    t_dep: np.ndarray,
    stop_route_ptr: np.ndarray,
    stop_route: np.ndarray,
    stop_route_pos: np.ndarray,
    xfer_ptr: np.ndarray,
    xfer_to: np.ndarray,
    xfer_s: np.ndarray,
    src_stop: np.ndarray,
    src_time: np.ndarray,
    max_rounds: int,
    min_change_s: int,
    max_time: int,
) -> np.ndarray:
    inf = np.int64(2**40)
    best_arr = np.full(n_stops, inf, np.int64)
    ready = np.full(n_stops, inf, np.int64)  # earliest time one can board at the stop
    marked = np.zeros(n_stops, np.bool_)
    for i in range(len(src_stop)):
        s = src_stop[i]
        t = src_time[i]
        if t < ready[s]:
            ready[s] = t
        if t < best_arr[s]:
            best_arr[s] = t
        marked[s] = True
    n_routes = len(route_ntrips)
    queue = np.full(n_routes, -1, np.int64)
    ride_arr = np.full(n_stops, inf, np.int64)
    for _k in range(max_rounds):
        ready_prev = ready.copy()
        # routes through marked stops, from the earliest marked position
        any_route = False
        for s in range(n_stops):
            if marked[s]:
                marked[s] = False
                for j in range(stop_route_ptr[s], stop_route_ptr[s + 1]):
                    r = stop_route[j]
                    p = stop_route_pos[j]
                    if queue[r] < 0 or p < queue[r]:
                        queue[r] = p
                    any_route = True
        if not any_route:
            break
        ride_arr[:] = inf
        for r in range(n_routes):
            p0 = queue[r]
            if p0 < 0:
                continue
            queue[r] = -1
            base = route_ptr[r]
            n = route_ptr[r + 1] - base
            nt = route_ntrips[r]
            tp = time_ptr[r]
            trip = -1
            for i in range(p0, n):
                s = route_stops[base + i]
                if trip >= 0:
                    a = t_arr[tp + trip * n + i]
                    if a <= max_time and a < ride_arr[s]:
                        ride_arr[s] = a
                rd = ready_prev[s]
                if rd < inf and (trip < 0 or rd <= t_dep[tp + trip * n + i]):
                    # earliest trip departing at or after rd (trips are FIFO: binary search)
                    lo = 0
                    hi = nt if trip < 0 else trip + 1
                    while lo < hi:
                        mid = (lo + hi) // 2
                        if t_dep[tp + mid * n + i] >= rd:
                            hi = mid
                        else:
                            lo = mid + 1
                    if lo < nt and (trip < 0 or lo < trip):
                        trip = lo
        # arrivals by ride: stay (after a change time) or walk one footpath
        for s in range(n_stops):
            a = ride_arr[s]
            if a >= inf:
                continue
            if a < best_arr[s]:
                best_arr[s] = a
            if a + min_change_s < ready[s]:
                ready[s] = a + min_change_s
                marked[s] = True
            for j in range(xfer_ptr[s], xfer_ptr[s + 1]):
                u = xfer_to[j]
                w = a + xfer_s[j]
                if w > max_time:
                    continue
                if w < best_arr[u]:
                    best_arr[u] = w
                if w < ready[u]:
                    ready[u] = w
                    marked[u] = True
    return best_arr


def warm_up() -> None:
    """Load the compiled RAPTOR kernel (numba's on-disk cache) with the argument types
    real queries use, on a one-stop timetable.

    A new process otherwise pays that load on its first query; batch workers call this
    when they start (:func:`geo.batch.jobs.dask_setup`), so timed work starts warm.
    """
    i64 = np.zeros(1, np.int64)
    i32 = np.zeros(1, np.int32)
    two = np.zeros(2, np.int64)
    _raptor_kernel(
        1, np.array([0, 1], np.int64), i32, np.ones(1, np.int64), i64, i64, i64,
        two, i32, i32, two, np.zeros(0, np.int32), np.zeros(0, np.int64),
        i64, i64, 1, 0, 1,
    )  # fmt: skip


def raptor(
    day_tt: DayTimetable,
    tt: Timetable,
    sources: Sequence[tuple[int, int]] | np.ndarray,
    max_time_s: int | None = None,
    max_transfers: int | None = None,
) -> np.ndarray:
    """Earliest arrival (seconds after midnight) at every stop; unreachable = :data:`INF`.

    Parameters
    ----------
    day_tt
        The day's routes (:func:`day_timetable`).
    tt
        The timetable (footpaths, options).
    sources
        ``(stop index, time one can board there)`` pairs: the departure time plus the
        walk from the origin.
    max_time_s
        Arrivals after this time are dropped (and not ridden on from).
    max_transfers
        Most changes; defaults to ``tt.options.max_transfers``.
    """
    src = np.asarray(sources, dtype=np.int64).reshape(-1, 2)
    mt = tt.options.max_transfers if max_transfers is None else max_transfers
    if mt < 0:
        raise InputError(f"max_transfers must be 0 or more, not {mt}.")
    return _raptor_kernel(
        tt.n_stops,
        day_tt.route_ptr,
        day_tt.route_stops,
        day_tt.route_ntrips,
        day_tt.time_ptr,
        day_tt.arr,
        day_tt.dep,
        day_tt.stop_route_ptr,
        day_tt.stop_route,
        day_tt.stop_route_pos,
        tt.xfer_ptr,
        tt.xfer_to,
        tt.xfer_s,
        src[:, 0].copy(),
        src[:, 1].copy(),
        mt + 1,
        int(tt.options.min_change_s),
        int(INF - 1 if max_time_s is None else max_time_s),
    )


def earliest_arrival(
    tt: Timetable,
    origin_stop: str | int,
    day: date | str,
    depart: str | int,
    max_minutes: float | None = None,
) -> pd.DataFrame:
    """One-to-all earliest arrival from one stop at one departure time.

    Returns
    -------
    DataFrame
        One row per reached stop: stop_id, stop_name, arrival (HH:MM:SS), arrival_s,
        minutes; sorted by arrival.
    """
    s = tt.stop_index(str(origin_stop)) if not isinstance(origin_stop, int) else origin_stop
    t0 = parse_clock(depart, "depart")
    limit = None if max_minutes is None else t0 + int(max_minutes * 60)
    best = raptor(day_timetable(tt, day), tt, [(s, t0)], max_time_s=limit)
    hit = np.flatnonzero(best < INF)
    out = pd.DataFrame(
        {
            "stop_id": tt.stop_ids[hit],
            "stop_name": tt.stop_names[hit],
            "arrival": [format_clock(int(a)) for a in best[hit]],
            "arrival_s": best[hit],
            "minutes": (best[hit] - t0) / 60.0,
        }
    )
    return out.sort_values(["arrival_s", "stop_name"]).reset_index(drop=True)
