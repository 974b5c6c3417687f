"""Benchmark: RAPTOR on the real DB long-distance feed against a time-expanded networkx Dijkstra.

Prints, side by side in one process:
- loading and indexing the feed (cold, no cache) and loading it from the cache;
- one-to-all earliest arrival from Jena Paradies: RAPTOR vs Dijkstra on the time-expanded
  graph (same answers checked, ratio printed);
- a 60-minute departure window at one-minute steps: RAPTOR per minute, RAPTOR on the
  departures that matter (what ``window_times`` does), and Dijkstra per minute;
- all 849 Thuringian municipalities as origins (matrix, one departure).

Targets (issue 6): one-to-all < 100 ms after loading, window < 2 s, loading < 10 s.
Run: ``.venv/bin/python bench/transit_raptor.py``.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from figures import figure
from transit_reference import time_expanded_arrivals, time_expanded_graph

from geo import transit
from geo.region.build import load_region
from geo.settings import Settings
from geo.transit import io as transit_io
from geo.transit import kernel
from geo.transit.query import DEFAULT_WINDOW

DAY = Settings().rail_date
ORIGIN = "Jena Paradies"


def timed(fn: Callable[[], object], repeat: int = 5) -> tuple[float, object]:
    """Median wall time (s) of ``repeat`` calls, and the last result."""
    times = []
    out: object = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def window_bench(tt: transit.Timetable, day: transit.DayTimetable, g: object, origin: str) -> None:
    """A 60-minute window at one-minute steps: three ways, side by side."""
    o = tt.stop_index(origin)
    acc = transit.Access(stops=np.array([o]), walk_s=np.array([0]))
    t0s, t1s = transit.parse_clock("06:30"), transit.parse_clock("07:30")
    minutes = range(t0s, t1s, 60)
    cutoff = 180 * 60

    def per_minute_raptor() -> list[np.ndarray]:
        return [transit.raptor(day, tt, [(o, t)], max_time_s=t + cutoff) for t in minutes]

    def per_minute_dijkstra() -> list[np.ndarray]:
        return [time_expanded_arrivals(tt, g, [(o, t)]) for t in minutes]  # type: ignore[arg-type]

    t_w, res = timed(
        lambda: transit.window_times(tt, DAY, acc, "06:30", "07:30", max_minutes=180), repeat=5
    )
    assert isinstance(res, transit.WindowResult)
    n_cand = len(transit.candidate_departures(day, acc, t0s, t1s + cutoff))
    t_wm, per_min = timed(per_minute_raptor, repeat=3)
    t_wd, per_min_d = timed(per_minute_dijkstra, repeat=1)
    # same answers: minutes within the cutoff from RAPTOR per minute, Dijkstra per minute
    # (no change limit) and window_times
    agree = True
    for i, (a, b) in enumerate(zip(per_min, per_min_d, strict=True)):  # type: ignore[arg-type]
        t = t0s + 60 * i
        ra = np.where(a < transit.INF, (a - t) / 60.0, np.inf)
        rb = np.where(b < transit.INF, (b - t) / 60.0, np.inf)
        ra[ra > 180] = np.inf
        rb[rb > 180] = np.inf
        agree &= np.array_equal(ra, rb) and np.array_equal(ra, res.minutes[i])
    print(
        f"\n60-minute window 06:30-07:30, one-minute steps, {origin} "
        f"({n_cand} catchable departures up to the window end + cutoff of 180 min)"
    )
    print(
        f"  window_times (RAPTOR on the departures that matter) {t_w * 1000:8.2f} ms (target < 2 s)"
    )
    print(f"  RAPTOR at each of the 60 minutes                     {t_wm * 1000:8.2f} ms")
    print(f"  networkx Dijkstra at each of the 60 minutes          {t_wd * 1000:8.2f} ms")
    print(
        f"  ratio Dijkstra / window_times {t_wd / t_w:8.1f} x, Dijkstra / RAPTOR per minute "
        f"{t_wd / t_wm:6.1f} x, all 60 minutes agree: {agree}"
    )
    figure(f"window 60 min from {origin}", t_w * 1000, "ms")
    figure(f"window from {origin}: speed-up over Dijkstra per minute", t_wd / t_w, "x")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(processed_dir=Path(tmp))
        t0 = time.perf_counter()
        tt, _ = transit_io.load_timetable(settings)
        cold = time.perf_counter() - t0
        t_cache, _ = timed(lambda: transit_io.load_timetable(settings), repeat=3)
    print(
        f"feed: {', '.join(tt.feeds)}: {tt.n_stops} stops, {tt.n_trips} trips, "
        f"{len(tt.st_stop)} stop times"
    )
    print(
        f"load+validate+index (cold): {cold:.2f} s   from cache: {t_cache * 1000:.0f} ms   "
        f"(target < 10 s)"
    )
    figure("feed load+validate+index, cold", cold, "s")
    figure("feed load from the cache", t_cache * 1000, "ms")

    t0 = time.perf_counter()
    day = transit.day_timetable(tt, DAY)
    t_day = time.perf_counter() - t0
    print(f"routes of {DAY} (first use of a date, then cached): {t_day * 1000:.1f} ms")
    src = [(tt.stop_index(ORIGIN), transit.parse_clock("06:50"))]
    transit.raptor(day, tt, src)  # compile once (numba caches to disk afterwards)
    t_r, best_r = timed(lambda: transit.raptor(day, tt, src), repeat=50)
    t0 = time.perf_counter()
    g, _ = time_expanded_graph(tt, DAY)
    t_build = time.perf_counter() - t0
    t_d, best_d = timed(lambda: time_expanded_arrivals(tt, g, src), repeat=5)
    same = np.array_equal(best_r, transit.raptor(day, tt, src, max_transfers=50)) and (
        np.array_equal(transit.raptor(day, tt, src, max_transfers=50), best_d)
    )
    reached = int((np.asarray(best_r) < transit.INF).sum())
    print(
        f"\none-to-all from {ORIGIN} {DAY} 06:50 ({day.n_trips} trips that day, "
        f"{reached} stops reached)"
    )
    print(f"  RAPTOR (numba)                 {t_r * 1000:8.2f} ms   (target < 100 ms)")
    print(
        f"  networkx time-expanded Dijkstra {t_d * 1000:7.2f} ms   "
        f"(+ {t_build * 1000:.0f} ms to build the graph)"
    )
    print(f"  ratio Dijkstra / RAPTOR         {t_d / t_r:8.1f} x   same answers: {same}")
    figure("RAPTOR one-to-all", t_r * 1000, "ms")
    figure("RAPTOR: speed-up over time-expanded Dijkstra", t_d / t_r, "x")

    # the same kernel without numba (plain Python): does compiling pay?
    py_kernel = kernel._raptor_kernel.py_func
    args = (
        tt.n_stops,
        day.route_ptr,
        day.route_stops,
        day.route_ntrips,
        day.time_ptr,
        day.arr,
        day.dep,
        day.stop_route_ptr,
        day.stop_route,
        day.stop_route_pos,
        tt.xfer_ptr,
        tt.xfer_to,
        tt.xfer_s,
        np.array([src[0][0]]),
        np.array([src[0][1]]),
        tt.options.max_transfers + 1,
        tt.options.min_change_s,
        int(transit.INF - 1),
    )
    t_py, best_py = timed(lambda: py_kernel(*args), repeat=3)
    print(
        f"  same RAPTOR kernel, plain Python {t_py * 1000:7.2f} ms   "
        f"numba pays {t_py / t_r:6.0f} x   same answers: {np.array_equal(best_py, best_r)}"
    )

    # 60-minute window, every minute, from a small and two busy stations
    for origin in (ORIGIN, "Erfurt Hbf", "Frankfurt(Main)Hbf"):
        window_bench(tt, day, g, origin)

    region, _ = load_region(Settings())
    t0 = time.perf_counter()
    mat = transit.rail_matrix(tt, region, 180, DAY, depart="07:00")
    t_m = time.perf_counter() - t0
    t0 = time.perf_counter()
    matw = transit.rail_matrix(tt, region, 180, DAY, window=DEFAULT_WINDOW, percentile=50)
    t_mw = time.perf_counter() - t0
    figure(f"rail matrix {len(region)} origins, one departure", t_m, "s")
    figure(f"rail matrix {len(region)} origins, window median", t_mw, "s")
    print(f"\nall {len(region)} municipalities as origins (matrix {mat.shape[0]}x{mat.shape[1]})")
    print(
        f"  one departure 07:00, cutoff 180 min   {t_m:6.2f} s  "
        f"({int(mat.notna().sum().sum())} pairs reached)"
    )
    print(
        f"  window 07:00-08:00, median            {t_mw:6.2f} s  "
        f"({int(matw.notna().sum().sum())} pairs reached)"
    )


if __name__ == "__main__":
    main()
