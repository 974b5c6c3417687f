"""Small GTFS feeds the transit tests write, with answers known by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import strategies as st

from geo import transit
from geo.transit import INF

DAY = "2024-05-15"  # a Wednesday


def hm(s: str) -> int:
    return transit.parse_clock(s)


def make_tables(
    stops: dict[str, tuple[float, float]],
    trips: dict[str, list[tuple[str, str, str]]],
    service: dict[str, str] | None = None,
    calendar_dates: list[tuple[str, str, int]] | None = None,
    calendar: list[dict[str, object]] | None = None,
) -> dict[str, pd.DataFrame | None]:
    """GTFS tables: trips map trip_id -> [(stop_id, arrival, departure), ...]."""
    service = service or {}
    st_rows = [
        {"trip_id": t, "arrival_time": a, "departure_time": d, "stop_id": s, "stop_sequence": i}
        for t, rows in trips.items()
        for i, (s, a, d) in enumerate(rows)
    ]
    if calendar is None and calendar_dates is None:
        calendar_dates = [("wd", DAY.replace("-", ""), 1)]
    return {
        "agency": pd.DataFrame({"agency_id": ["a"], "agency_name": ["A"]}),
        "stops": pd.DataFrame(
            {
                "stop_id": list(stops),
                "stop_name": [f"Stop {s}" for s in stops],
                "stop_lat": [v[0] for v in stops.values()],
                "stop_lon": [v[1] for v in stops.values()],
            }
        ),
        "routes": pd.DataFrame({"route_id": ["r"], "route_short_name": ["R1"], "route_type": [2]}),
        "trips": pd.DataFrame(
            {
                "route_id": "r",
                "service_id": [service.get(t, "wd") for t in trips],
                "trip_id": list(trips),
            }
        ),
        "stop_times": pd.DataFrame(st_rows),
        "calendar": None if calendar is None else pd.DataFrame(calendar),
        "calendar_dates": None
        if calendar_dates is None
        else pd.DataFrame(calendar_dates, columns=["service_id", "date", "exception_type"]),
        "frequencies": None,
    }


# stops far apart (about 11 km per 0.1 degree) unless placed together on purpose
FAR = {"A": (50.0, 11.0), "B": (50.1, 11.0), "C": (50.2, 11.0), "D": (50.3, 11.0)}


def line_feed(**kw: object) -> dict[str, pd.DataFrame | None]:
    return make_tables(
        FAR,
        {
            "t1": [
                ("A", "08:00:00", "08:00:00"),
                ("B", "08:10:00", "08:11:00"),
                ("C", "08:20:00", "08:20:00"),
            ],
            "t2": [("B", "08:15:00", "08:15:00"), ("D", "08:30:00", "08:30:00")],
            "t3": [("B", "08:12:00", "08:12:00"), ("D", "08:45:00", "08:45:00")],
        },
        **kw,  # type: ignore[arg-type]
    )


def arrivals(tt: transit.Timetable, origin: str, depart: str, **kw: object) -> dict[str, int]:
    day = transit.day_timetable(tt, DAY)
    best = transit.raptor(day, tt, [(tt.stop_index(origin), hm(depart))], **kw)  # type: ignore[arg-type]
    return {str(tt.stop_ids[i]): int(best[i]) for i in np.flatnonzero(best < INF)}


def every_20_min() -> transit.Timetable:
    trips = {
        f"t{k}": [
            (
                "A",
                f"{8 + k // 3:02d}:{20 * (k % 3):02d}:00",
                f"{8 + k // 3:02d}:{20 * (k % 3):02d}:00",
            ),
            (
                "B",
                f"{8 + k // 3:02d}:{20 * (k % 3) + 10:02d}:00",
                f"{8 + k // 3:02d}:{20 * (k % 3) + 10:02d}:00",
            ),
        ]
        for k in range(6)
    }
    return transit.build_timetable(make_tables(FAR, trips))


@st.composite
def random_feed(draw: st.DrawFn) -> tuple[dict[str, pd.DataFrame | None], int]:
    n_stops = draw(st.integers(3, 7))
    # some stops close together (footpaths), some far
    stops = {
        f"S{i}": (50.0 + draw(st.sampled_from([0.0, 0.002, 0.05, 0.1, 0.2])) + i * 0.3, 11.0)
        for i in range(n_stops)
    }
    ids = list(stops)
    for i in range(1, n_stops):  # pull some neighbours within walking distance
        if draw(st.booleans()):
            stops[ids[i]] = (stops[ids[i - 1]][0] + 0.002, 11.0)
    trips: dict[str, list[tuple[str, str, str]]] = {}
    n_trips = draw(st.integers(1, 10))
    made: list[tuple[list[str], list[int]]] = []  # stop sequence, minute at each stop
    for k in range(n_trips):
        kind = draw(st.sampled_from(["new", "repeat", "connect"])) if made else "new"
        if kind == "repeat":  # same stops as an earlier trip: same route, other times
            seq, times = made[draw(st.integers(0, len(made) - 1))]
            shift = draw(st.integers(-20, 20))
            slower = draw(st.integers(0, 3))
            mins = [t + shift + j * slower for j, t in enumerate(times)]
        else:
            seq = draw(st.lists(st.sampled_from(ids), min_size=2, max_size=5, unique=True))
            if kind == "connect":  # start where and about when an earlier trip arrives
                pseq, ptimes = made[draw(st.integers(0, len(made) - 1))]
                j = draw(st.integers(1, len(pseq) - 1))
                seq = [pseq[j], *[s for s in seq if s != pseq[j]]][:5]
                t = ptimes[j] + draw(st.integers(0, 4))
            else:
                t = draw(st.integers(7 * 60, 8 * 60))
            mins = []
            for j in range(len(seq)):
                if j:
                    t += draw(st.integers(1, 15))
                mins.append(t)
            if len(seq) < 2:
                continue
        made.append((seq, mins))
        rows = [
            (s, transit.format_clock(m * 60), transit.format_clock(m * 60))
            for s, m in zip(seq, mins, strict=True)
        ]
        trips[f"T{k}"] = rows
    change = draw(st.sampled_from([0, 60, 180]))
    return make_tables(stops, trips), change
