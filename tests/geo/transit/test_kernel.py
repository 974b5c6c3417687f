"""RAPTOR (geo/transit/kernel.py): known answers, changes, footpaths, the cut-off, and
equality with the slow reference routers of ``bench/transit_reference.py``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.transit_reference import (
    brute_force_arrivals,
    time_expanded_arrivals,
    time_expanded_graph,
)
from geo import transit
from geo.transit import TransitOptions
from tests.geo.transit.feeds import (
    DAY,
    arrivals,
    hm,
    line_feed,
    make_tables,
    random_feed,
)


def test_earliest_arrivals_known_answers() -> None:
    tt = transit.build_timetable(
        line_feed(), feeds=["test"], options=TransitOptions(min_change_s=120)
    )
    got = arrivals(tt, "A", "07:55")
    # t1 reaches B 08:10 and C 08:20; change 2 min at B: t3 (08:12) is gone, t2 (08:15) runs
    assert got == {"A": hm("07:55"), "B": hm("08:10"), "C": hm("08:20"), "D": hm("08:30")}
    # no change allowed: D cannot be reached
    assert "D" not in arrivals(tt, "A", "07:55", max_transfers=0)
    # leaving after t1: nothing but the origin
    assert arrivals(tt, "A", "08:01") == {"A": hm("08:01")}


def test_min_change_time_decides_connection() -> None:
    tt = transit.build_timetable(line_feed(), options=TransitOptions(min_change_s=600))
    assert "D" not in arrivals(tt, "A", "07:55")
    tt0 = transit.build_timetable(line_feed(), options=TransitOptions(min_change_s=0))
    # with 0 s t3 at 08:12 can be caught, but t2 still arrives first at D
    assert arrivals(tt0, "A", "07:55")["D"] == hm("08:30")


def test_footpath_transfer_between_nearby_stops() -> None:
    stops = {"A": (50.0, 11.0), "B": (50.1, 11.0), "B2": (50.1015, 11.0), "D": (50.3, 11.0)}
    tables = make_tables(
        stops,
        {
            "t1": [("A", "08:00:00", "08:00:00"), ("B", "08:10:00", "08:10:00")],
            "t2": [("B2", "08:16:00", "08:16:00"), ("D", "08:30:00", "08:30:00")],
        },
    )
    opts = TransitOptions(max_transfer_m=400, walk_speed_m_s=1.0, detour_factor=1.0)
    tt = transit.build_timetable(tables, options=opts)
    got = arrivals(tt, "A", "07:59")
    walk = got["B2"] - hm("08:10")
    assert 160 < walk < 175  # ~167 m at 1 m/s
    assert got["D"] == hm("08:30")
    # without footpaths D is out of reach
    tt_no = transit.build_timetable(tables, options=TransitOptions(max_transfer_m=0))
    assert "D" not in arrivals(tt_no, "A", "07:59")


def test_footpath_arrival_after_the_cutoff_is_dropped() -> None:
    """The cut-off applies to arrivals on foot too: B2 (a ~167 s walk from B, reached by
    ride at 08:10) is reached with a cut-off of 08:13, not with one of 08:12."""
    stops = {"A": (50.0, 11.0), "B": (50.1, 11.0), "B2": (50.1015, 11.0)}
    tables = make_tables(
        stops, {"t1": [("A", "08:00:00", "08:00:00"), ("B", "08:10:00", "08:10:00")]}
    )
    opts = TransitOptions(max_transfer_m=400, walk_speed_m_s=1.0, detour_factor=1.0)
    tt = transit.build_timetable(tables, options=opts)
    late = arrivals(tt, "A", "07:59", max_time_s=hm("08:13"))
    assert late["B"] == hm("08:10") and hm("08:12") < late["B2"] <= hm("08:13")
    early = arrivals(tt, "A", "07:59", max_time_s=hm("08:12"))
    assert early == {"A": hm("07:59"), "B": hm("08:10")}
    ride_cut = arrivals(tt, "A", "07:59", max_time_s=hm("08:09"))
    assert ride_cut == {"A": hm("07:59")}


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    feed=random_feed(),
    max_transfers=st.integers(0, 3),
    offset=st.integers(0, 9),
    cutoff_min=st.integers(5, 60),
)
def test_raptor_equals_references(
    feed: tuple[dict[str, pd.DataFrame | None], int],
    max_transfers: int,
    offset: int,
    cutoff_min: int,
) -> None:
    tables, change = feed
    tt = transit.build_timetable(
        tables, options=TransitOptions(min_change_s=change, max_transfer_m=400)
    )
    day = transit.day_timetable(tt, DAY)
    g, _ = time_expanded_graph(tt, DAY)
    for o in range(tt.n_stops):
        for depart in range(6 * 3600 + 50 * 60 + offset * 60, 8 * 3600 + 40 * 60, 600):
            src = [(o, depart)]
            got = transit.raptor(day, tt, src, max_transfers=max_transfers)
            want = brute_force_arrivals(tt, DAY, src, max_transfers)
            np.testing.assert_array_equal(got, want)
            # with an arrival cut-off: later arrivals (by ride or on foot) are dropped
            limit = depart + cutoff_min * 60
            np.testing.assert_array_equal(
                transit.raptor(day, tt, src, max_transfers=max_transfers, max_time_s=limit),
                brute_force_arrivals(tt, DAY, src, max_transfers, max_time_s=limit),
            )
            # unlimited changes: same as Dijkstra on the time-expanded graph
            np.testing.assert_array_equal(
                transit.raptor(day, tt, src, max_transfers=20),
                time_expanded_arrivals(tt, g, src),
            )


def test_warm_up_loads_the_kernel_real_queries_use() -> None:
    """In a fresh process, after ``warm_up`` a real query needs no new kernel signature
    (a batch worker's first task would otherwise compile or load one)."""
    import subprocess
    import sys

    code = (
        "from geo import transit\n"
        "from geo.transit import kernel\n"
        "from tests.geo.transit.feeds import line_feed, hm, DAY\n"
        "transit.warm_up()\n"
        "n = len(kernel._raptor_kernel.signatures)\n"
        "tt = transit.build_timetable(line_feed())\n"
        "transit.raptor(transit.day_timetable(tt, DAY), tt, [(tt.stop_index('A'), hm('07:55'))])\n"
        "print(n, len(kernel._raptor_kernel.signatures))\n"
    )
    root = Path(__file__).resolve().parents[3]
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["1", "1"]
