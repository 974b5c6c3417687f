"""Slow, plain reference routers for checking :func:`geo.transit.raptor` (tests, bench).

Independent of the code under test: the trips of a day are read from the timetable's
calendar entries and footpaths are measured between stop coordinates here, by plain
loops, not taken from :func:`geo.transit.active_trips` or the timetable's footpath arrays.

* :func:`brute_force_arrivals`: rounds over every trip of the day, no route grouping, no
  pruning, no binary search: the definition of "earliest arrival with at most k rides".
* :func:`time_expanded_graph` / :func:`time_expanded_arrivals`: the classic
  time-expanded graph (one node per departure and arrival event, waiting chains per
  stop) searched with networkx Dijkstra; no limit on changes.

Both use the same rules as RAPTOR: a change at the same stop takes ``min_change_s``, a
footpath (one after each ride) takes its walking time, the origin's access stops are
ready at the departure time plus the walk. ``max_time_s`` drops arrivals after it (by ride
or on foot), which are then not ridden on from.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from datetime import date

import networkx as nx
import numpy as np

from geo.transit import INF, Timetable


def _running(tt: Timetable, ordinal: int) -> set[int]:
    """Service indices with a calendar entry on the date of this ordinal."""
    return {
        int(s)
        for s, d in zip(tt.svc_entry_service.tolist(), tt.svc_entry_day.tolist(), strict=True)
        if d == ordinal
    }


def _day_trips(tt: Timetable, day: date | str) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """(stops, arrivals, departures) of every trip running on ``day``; trips of the day
    before count when they arrive at or after 24:00, shifted by -24 h."""
    d = (day if isinstance(day, date) else date.fromisoformat(day)).toordinal()
    today, yesterday = _running(tt, d), _running(tt, d - 1)
    out = []
    for t in range(tt.n_trips):
        a, b = int(tt.trip_ptr[t]), int(tt.trip_ptr[t + 1])
        svc = int(tt.trip_service[t])
        shifts = []
        if svc in today:
            shifts.append(0)
        if svc in yesterday and int(tt.st_arr[b - 1]) >= 86400:
            shifts.append(-86400)
        for sh in shifts:
            out.append((tt.st_stop[a:b], tt.st_arr[a:b] + sh, tt.st_dep[a:b] + sh))
    return out


def footpaths(tt: Timetable) -> list[list[tuple[int, int]]]:
    """Per stop, the ``(other stop, walk seconds)`` within ``max_transfer_m`` straight line."""
    o = tt.options
    n = tt.n_stops
    out: list[list[tuple[int, int]]] = [[] for _ in range(n)]
    if o.max_transfer_m <= 0:
        return out
    xs, ys = tt.stop_x.tolist(), tt.stop_y.tolist()
    for i in range(n):
        for j in range(n):
            if i == j:
                continue
            dist = math.hypot(xs[i] - xs[j], ys[i] - ys[j])
            if dist <= o.max_transfer_m:
                out[i].append((j, math.ceil(dist * o.detour_factor / o.walk_speed_m_s)))
    return out


def brute_force_arrivals(
    tt: Timetable,
    day: date | str,
    sources: Sequence[tuple[int, int]],
    max_transfers: int,
    max_time_s: int | None = None,
) -> np.ndarray:
    """Earliest arrival at every stop with at most ``max_transfers`` changes (slowly)."""
    trips = _day_trips(tt, day)
    walks = footpaths(tt)
    limit = INF if max_time_s is None else max_time_s
    n = tt.n_stops
    change = tt.options.min_change_s
    best = np.full(n, INF, np.int64)
    ready = np.full(n, INF, np.int64)
    for s, t in sources:
        best[s] = min(best[s], t)
        ready[s] = min(ready[s], t)
    for _ in range(max_transfers + 1):
        ride = np.full(n, INF, np.int64)
        for stops, arr, dep in trips:
            on = False
            for i in range(len(stops)):
                if on and arr[i] <= limit:
                    ride[stops[i]] = min(ride[stops[i]], arr[i])
                if ready[stops[i]] <= dep[i]:
                    on = True
        new_ready = ready.copy()
        for s in range(n):
            if ride[s] >= INF:
                continue
            best[s] = min(best[s], ride[s])
            new_ready[s] = min(new_ready[s], ride[s] + change)
            for u, walk_s in walks[s]:
                w = ride[s] + walk_s
                if w > limit:
                    continue
                best[u] = min(best[u], w)
                new_ready[u] = min(new_ready[u], w)
        ready = new_ready
    return best


def time_expanded_graph(tt: Timetable, day: date | str) -> tuple[nx.DiGraph, dict]:
    """Build the time-expanded graph of one service day.

    Nodes: ``("r", stop, time)`` (ready to board at a stop), ``("d", trip, i)`` and
    ``("a", trip, i)`` (a trip's departure and arrival at its i-th stop). Edge weights
    are seconds. Returns the graph and, per stop, the sorted ready times.
    """
    trips = _day_trips(tt, day)
    walks = footpaths(tt)
    change = tt.options.min_change_s
    ready_times: dict[int, set[int]] = {}
    for stops, _arr, dep in trips:
        for s, d in zip(stops[:-1], dep[:-1], strict=True):
            ready_times.setdefault(int(s), set()).add(int(d))
    rt = {s: np.array(sorted(v), np.int64) for s, v in ready_times.items()}
    g = nx.DiGraph()
    for s, times in rt.items():
        for a, b in itertools.pairwise(times):
            g.add_edge(("r", s, int(a)), ("r", s, int(b)), weight=int(b - a))

    def link_ready(src: tuple, stop: int, t: int, base: int) -> None:
        times = rt.get(stop)
        if times is None:
            return
        k = int(np.searchsorted(times, t))
        if k < len(times):
            g.add_edge(src, ("r", stop, int(times[k])), weight=int(times[k] - base))

    for k, (stops, arr, dep) in enumerate(trips):
        m = len(stops)
        for i in range(m):
            s = int(stops[i])
            if i < m - 1:
                g.add_edge(("r", s, int(dep[i])), ("d", k, i), weight=0)
                g.add_edge(("d", k, i), ("a", k, i + 1), weight=int(arr[i + 1] - dep[i]))
            if i > 0:
                a = ("a", k, i)
                g.nodes[a]["stop"] = s
                g.nodes[a]["time"] = int(arr[i])
                if i < m - 1:
                    g.add_edge(a, ("d", k, i), weight=int(dep[i] - arr[i]))
                link_ready(a, s, int(arr[i]) + change, int(arr[i]))
                for u, walk_s in walks[s]:
                    link_ready(a, u, int(arr[i]) + walk_s, int(arr[i]))
    g.graph["ready_times"] = rt
    g.graph["footpaths"] = walks
    return g, rt


def time_expanded_arrivals(
    tt: Timetable, g: nx.DiGraph, sources: Sequence[tuple[int, int]]
) -> np.ndarray:
    """Earliest arrival at every stop by Dijkstra on a :func:`time_expanded_graph`."""
    rt = g.graph["ready_times"]
    best = np.full(tt.n_stops, INF, np.int64)
    t0 = min(t for _, t in sources)
    start = ("source",)
    g.add_node(start)
    try:
        for s, t in sources:
            best[s] = min(best[s], t)
            times = rt.get(int(s))
            if times is None:
                continue
            k = int(np.searchsorted(times, t))
            if k < len(times):
                node = ("r", int(s), int(times[k]))
                w = int(times[k] - t0)
                if not g.has_edge(start, node) or g[start][node]["weight"] > w:
                    g.add_edge(start, node, weight=w)
        dist = nx.single_source_dijkstra_path_length(g, start, weight="weight")
    finally:
        g.remove_node(start)
    for node in dist:
        if node[0] != "a":
            continue
        attrs = g.nodes[node]
        s, t = attrs["stop"], attrs["time"]
        best[s] = min(best[s], t)
        for u, walk_s in g.graph["footpaths"][s]:
            best[u] = min(best[u], t + walk_s)
    return best
