"""Slow, plain reference routers for checking :func:`geo.transit.raptor` (tests, bench).

* :func:`brute_force_arrivals`: rounds over every trip of the day, no route grouping, no
  pruning, no binary search: the definition of "earliest arrival with at most k rides".
* :func:`time_expanded_graph` / :func:`time_expanded_arrivals`: the classic
  time-expanded graph (one node per departure and arrival event, waiting chains per
  stop) searched with networkx Dijkstra; no limit on changes.

Both use the same rules as RAPTOR: a change at the same stop takes ``min_change_s``, a
footpath (one after each ride) takes its walking time, the origin's access stops are
ready at the departure time plus the walk.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import date

import networkx as nx
import numpy as np

from geo.transit import INF, Timetable, active_trips


def _day_trips(tt: Timetable, day: date | str) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    trips, shift = active_trips(tt, day)
    out = []
    for t, sh in zip(trips, shift, strict=True):
        a, b = tt.trip_ptr[t], tt.trip_ptr[t + 1]
        out.append((tt.st_stop[a:b], tt.st_arr[a:b] + sh, tt.st_dep[a:b] + sh))
    return out


def brute_force_arrivals(
    tt: Timetable,
    day: date | str,
    sources: Sequence[tuple[int, int]],
    max_transfers: int,
) -> np.ndarray:
    """Earliest arrival at every stop with at most ``max_transfers`` changes (slowly)."""
    trips = _day_trips(tt, day)
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
                if on:
                    ride[stops[i]] = min(ride[stops[i]], arr[i])
                if ready[stops[i]] <= dep[i]:
                    on = True
        new_ready = ready.copy()
        for s in range(n):
            if ride[s] >= INF:
                continue
            best[s] = min(best[s], ride[s])
            new_ready[s] = min(new_ready[s], ride[s] + change)
            for j in range(tt.xfer_ptr[s], tt.xfer_ptr[s + 1]):
                u = tt.xfer_to[j]
                w = ride[s] + tt.xfer_s[j]
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
                for j in range(tt.xfer_ptr[s], tt.xfer_ptr[s + 1]):
                    link_ready(a, int(tt.xfer_to[j]), int(arr[i] + tt.xfer_s[j]), int(arr[i]))
    g.graph["ready_times"] = rt
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
        for j in range(tt.xfer_ptr[s], tt.xfer_ptr[s + 1]):
            u = tt.xfer_to[j]
            best[u] = min(best[u], t + tt.xfer_s[j])
    return best
