"""One service day: the trips that run on a date, grouped into RAPTOR routes.

Trips of the previous service day whose times pass 24:00 are included, shifted by -24 h.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np

from geo.errors import (
    InputError,
    NoServiceError,
)
from geo.transit.csr import _ranges
from geo.transit.options import _as_date
from geo.transit.timetable import DayTimetable, Timetable


def active_trips(tt: Timetable, day: date | str) -> tuple[np.ndarray, np.ndarray]:
    """Return (trip indices, time shift in s) of the trips that run on ``day``.

    A trip of the previous service day is included, shifted by -86400 s, when its last
    arrival is at or after 24:00.
    """
    d = _as_date(day).toordinal()
    n_svc = len(tt.service_ids)
    today = np.zeros(n_svc + 1, bool)
    today[tt.svc_entry_service[tt.svc_entry_day == d]] = True
    yesterday = np.zeros(n_svc + 1, bool)
    yesterday[tt.svc_entry_service[tt.svc_entry_day == d - 1]] = True
    ts = tt.trip_service.copy()
    ts[ts < 0] = n_svc
    last_arr = tt.st_arr[tt.trip_ptr[1:] - 1]
    t_today = np.flatnonzero(today[ts])
    t_prev = np.flatnonzero(yesterday[ts] & (last_arr >= 86400))
    trips = np.concatenate([t_today, t_prev])
    shift = np.concatenate(
        [np.zeros(len(t_today), np.int64), np.full(len(t_prev), -86400, np.int64)]
    )
    return trips, shift


def day_timetable(tt: Timetable, day: date | str) -> DayTimetable:
    """Return the RAPTOR layout of the trips running on ``day`` (cached on ``tt``).

    Raises
    ------
    NoServiceError
        When no trip runs on that date.
    """
    d = _as_date(day)
    cached = tt._days.get(d.toordinal())
    if cached is not None:
        return cached
    if tt.only_day and d.toordinal() != tt.only_day:
        raise InputError(
            f"this timetable holds only the trips of {date.fromordinal(tt.only_day)} "
            f"(restricted to that date); use the whole timetable for {d.isoformat()}."
        )
    trips, shift = active_trips(tt, d)
    if len(trips) == 0:
        try:
            first, last = tt.service_days()
            span = f" The feed runs from {first.isoformat()} to {last.isoformat()}."
        except NoServiceError:
            span = ""
        raise NoServiceError(
            f"no trip of {', '.join(tt.feeds) or 'the timetable'} runs on {d.isoformat()}.{span}"
        )
    first_dep = tt.st_dep[tt.trip_ptr[trips]] + shift
    order = np.lexsort((first_dep, tt.trip_pattern[trips]))
    trips, shift = trips[order], shift[order]
    pats = tt.trip_pattern[trips]
    bounds = np.flatnonzero(np.diff(pats)) + 1
    groups = np.split(np.arange(len(trips)), bounds)

    route_stops: list[np.ndarray] = []
    route_arr: list[np.ndarray] = []
    route_dep: list[np.ndarray] = []
    route_trip: list[np.ndarray] = []
    route_shift: list[np.ndarray] = []
    for g in groups:
        t0 = trips[g[0]]
        stops = tt.st_stop[tt.trip_ptr[t0] : tt.trip_ptr[t0 + 1]]
        n = len(stops)
        idx = tt.trip_ptr[trips[g]][:, None] + np.arange(n)[None, :]
        arr = tt.st_arr[idx] + shift[g][:, None]
        dep = tt.st_dep[idx] + shift[g][:, None]
        # split into FIFO sub-routes: a trip never overtakes an earlier one in its route
        subs: list[list[int]] = []
        if len(g) == 1 or ((np.diff(arr, axis=0) >= 0).all() and (np.diff(dep, axis=0) >= 0).all()):
            subs = [list(range(len(g)))]  # already FIFO (the usual case)
        for i in range(len(g)) if not subs else ():
            for sub in subs:
                j = sub[-1]
                if (arr[i] >= arr[j]).all() and (dep[i] >= dep[j]).all():
                    sub.append(i)
                    break
            else:
                subs.append([i])
        for sub in subs:
            s = np.asarray(sub)
            route_stops.append(stops)
            route_arr.append(arr[s].ravel())
            route_dep.append(dep[s].ravel())
            route_trip.append(trips[g][s])
            route_shift.append(shift[g][s])

    n_routes = len(route_stops)
    lens = np.array([len(s) for s in route_stops], np.int64)
    ntrips = np.array([len(t) for t in route_trip], np.int64)
    route_ptr = np.concatenate([[0], np.cumsum(lens)]).astype(np.int64)
    time_ptr = np.concatenate([[0], np.cumsum(lens * ntrips)]).astype(np.int64)
    flat_stops = np.concatenate(route_stops).astype(np.int32)
    # stop -> (route, position)
    r_of = np.repeat(np.arange(n_routes), lens)
    pos = np.arange(len(flat_stops)) - route_ptr[r_of]
    order = np.lexsort((pos, r_of, flat_stops))
    sr_ptr = np.zeros(tt.n_stops + 1, np.int64)
    np.add.at(sr_ptr, flat_stops + 1, 1)
    day_tt = DayTimetable(
        day=d,
        route_ptr=route_ptr,
        route_stops=flat_stops,
        route_ntrips=ntrips,
        time_ptr=time_ptr,
        arr=np.concatenate(route_arr).astype(np.int64),
        dep=np.concatenate(route_dep).astype(np.int64),
        route_trip_ptr=np.concatenate([[0], np.cumsum(ntrips)]).astype(np.int64),
        route_trip=np.concatenate(route_trip).astype(np.int64),
        route_trip_shift=np.concatenate(route_shift).astype(np.int64),
        stop_route_ptr=np.cumsum(sr_ptr),
        stop_route=r_of[order].astype(np.int32),
        stop_route_pos=pos[order].astype(np.int32),
    )
    tt._days[d.toordinal()] = day_tt
    return day_tt


def restrict_to_day(tt: Timetable, day: date | str) -> Timetable:
    """The timetable cut down to what routing on ``day`` needs, to ship to batch workers.

    Keeps every stop (indices stay valid, so region links still fit), the trips that run
    on ``day`` (with those of the day before that run past midnight) and their stop
    times, and the calendar entries of their services on those two dates: answers for
    ``day`` are the same as with the whole timetable. Any other date is refused, never
    answered from a partial calendar. (The German long-distance feed on one date:
    3.8 MB pickled → 0.4 MB.)

    Raises
    ------
    NoServiceError
        When no trip runs on ``day``.
    """
    d = _as_date(day)
    day_timetable(tt, d)  # refuses a date without service, with the feed's span
    trips, _ = active_trips(tt, d)
    keep = np.unique(trips)
    lens = tt.trip_ptr[keep + 1] - tt.trip_ptr[keep]
    pos, _ = _ranges(tt.trip_ptr, keep)
    o = d.toordinal()
    services = np.unique(tt.trip_service[keep])
    entries = np.isin(tt.svc_entry_day, [o - 1, o]) & np.isin(tt.svc_entry_service, services)
    return replace(
        tt,
        trip_ids=tt.trip_ids[keep],
        trip_service=tt.trip_service[keep],
        trip_label=tt.trip_label[keep],
        trip_pattern=tt.trip_pattern[keep],
        trip_ptr=np.concatenate([[0], np.cumsum(lens)]).astype(tt.trip_ptr.dtype),
        st_stop=tt.st_stop[pos],
        st_arr=tt.st_arr[pos],
        st_dep=tt.st_dep[pos],
        svc_entry_service=tt.svc_entry_service[entries],
        svc_entry_day=tt.svc_entry_day[entries],
        digest=f"{tt.digest}@{d.isoformat()}",
        only_day=o,
        _days={},
    )
