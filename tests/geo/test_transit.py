"""Transit routing on small feeds the tests write, with answers known by hand."""

from __future__ import annotations

import pickle
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.transit_reference import (
    brute_force_arrivals,
    time_expanded_arrivals,
    time_expanded_graph,
)
from geo import transit
from geo.errors import (
    FeedMissingColumnError,
    FeedMissingFileError,
    FeedReferenceError,
    FeedTimeOrderError,
    InputError,
    NoServiceError,
)
from geo.transit import INF, TransitOptions
from geo.transit import io as transit_io

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


def test_times_past_midnight_run_on_next_date() -> None:
    tables = make_tables(
        FAR,
        {"night": [("A", "23:50:00", "23:50:00"), ("B", "24:30:00", "24:30:00")]},
        calendar_dates=[("wd", "20240514", 1)],
    )
    tt = transit.build_timetable(tables)
    day = transit.day_timetable(tt, DAY)  # the 15th: only the tail of the 14th's trip
    best = transit.raptor(day, tt, [(tt.stop_index("A"), hm("00:00"))])
    assert best[tt.stop_index("B")] == INF  # it left A at 23:50 the day before
    prev = transit.day_timetable(tt, "2024-05-14")
    best = transit.raptor(prev, tt, [(tt.stop_index("A"), hm("23:00"))])
    assert best[tt.stop_index("B")] == hm("24:30")
    # someone already on board is not modelled, but a trip passing midnight is boardable
    tables2 = make_tables(
        FAR,
        {
            "night": [
                ("A", "23:50:00", "23:50:00"),
                ("B", "24:30:00", "24:31:00"),
                ("C", "25:00:00", "25:00:00"),
            ]
        },
        calendar_dates=[("wd", "20240514", 1)],
    )
    tt2 = transit.build_timetable(tables2)
    best = transit.raptor(
        transit.day_timetable(tt2, DAY), tt2, [(tt2.stop_index("B"), hm("00:20"))]
    )
    assert best[tt2.stop_index("C")] == hm("01:00")


def test_calendar_and_calendar_dates() -> None:
    cal = [
        {
            "service_id": "wd",
            "monday": 1,
            "tuesday": 1,
            "wednesday": 1,
            "thursday": 1,
            "friday": 1,
            "saturday": 0,
            "sunday": 0,
            "start_date": "20240501",
            "end_date": "20240531",
        }
    ]
    trips = {"t": [("A", "08:00:00", "08:00:00"), ("B", "08:10:00", "08:10:00")]}
    tt = transit.build_timetable(make_tables(FAR, trips, calendar=cal))
    assert transit.day_timetable(tt, DAY).n_trips == 1
    with pytest.raises(NoServiceError, match="2024-05-18"):
        transit.day_timetable(tt, "2024-05-18")  # a Saturday
    # an exception removes the Wednesday, another adds the Saturday
    tt2 = transit.build_timetable(
        make_tables(
            FAR,
            trips,
            calendar=cal,
            calendar_dates=[("wd", "20240515", 2), ("wd", "20240518", 1)],
        )
    )
    with pytest.raises(NoServiceError):
        transit.day_timetable(tt2, DAY)
    assert transit.day_timetable(tt2, "2024-05-18").n_trips == 1
    # calendar_dates only (as the DB feed)
    tt3 = transit.build_timetable(make_tables(FAR, trips, calendar_dates=[("wd", "20240516", 1)]))
    assert tt3.service_days()[0].isoformat() == "2024-05-16"


def test_frequencies_are_expanded() -> None:
    tables = make_tables(FAR, {"f": [("A", "00:00:00", "00:00:00"), ("B", "00:10:00", "00:10:00")]})
    tables["frequencies"] = pd.DataFrame(
        {
            "trip_id": ["f"],
            "start_time": ["06:00:00"],
            "end_time": ["07:00:00"],
            "headway_secs": [900],
        }
    )
    tt = transit.build_timetable(tables)
    assert tt.n_trips == 4  # 06:00, 06:15, 06:30, 06:45
    assert arrivals(tt, "A", "06:16")["B"] == hm("06:40")


def test_blank_intermediate_times_are_interpolated() -> None:
    tables = make_tables(
        FAR,
        {"t": [("A", "08:00:00", "08:00:00"), ("B", "", ""), ("C", "08:20:00", "08:20:00")]},
    )
    tt = transit.build_timetable(tables)
    assert arrivals(tt, "A", "07:59")["B"] == hm("08:10")


def test_overtaking_trips_are_split_into_fifo_routes() -> None:
    tables = make_tables(
        FAR,
        {
            "slow": [("A", "08:00:00", "08:00:00"), ("B", "08:40:00", "08:40:00")],
            "fast": [("A", "08:05:00", "08:05:00"), ("B", "08:20:00", "08:20:00")],
        },
    )
    tt = transit.build_timetable(tables)
    assert len(transit.day_timetable(tt, DAY).route_ntrips) == 2
    assert arrivals(tt, "A", "07:59")["B"] == hm("08:20")


# ---------------------------------------------------------------------------------------
# windows
# ---------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------
# property test: RAPTOR equals the brute-force and time-expanded references
# ---------------------------------------------------------------------------------------


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


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(feed=random_feed(), max_transfers=st.integers(0, 3), offset=st.integers(0, 9))
def test_raptor_equals_references(
    feed: tuple[dict[str, pd.DataFrame | None], int], max_transfers: int, offset: int
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
            # unlimited changes: same as Dijkstra on the time-expanded graph
            np.testing.assert_array_equal(
                transit.raptor(day, tt, src, max_transfers=20),
                time_expanded_arrivals(tt, g, src),
            )


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


# ---------------------------------------------------------------------------------------
# broken feeds
# ---------------------------------------------------------------------------------------


def test_missing_file_refused() -> None:
    t = line_feed()
    t["stop_times"] = None
    with pytest.raises(FeedMissingFileError, match="stop_times"):
        transit.validate_feed(t)
    t = line_feed()
    t["calendar_dates"] = None
    with pytest.raises(FeedMissingFileError, match="calendar"):
        transit.validate_feed(t)


def test_missing_column_refused() -> None:
    t = line_feed()
    t["stop_times"] = t["stop_times"].drop(columns="departure_time")  # type: ignore[union-attr]
    with pytest.raises(FeedMissingColumnError, match="departure_time"):
        transit.validate_feed(t)


def test_unknown_trip_and_stop_refused() -> None:
    t = line_feed()
    st_ = t["stop_times"].copy()  # type: ignore[union-attr]
    st_.loc[0, "trip_id"] = "ghost"
    t["stop_times"] = st_
    with pytest.raises(FeedReferenceError, match="ghost"):
        transit.validate_feed(t)
    t = line_feed()
    st_ = t["stop_times"].copy()  # type: ignore[union-attr]
    st_.loc[0, "stop_id"] = "nowhere"
    t["stop_times"] = st_
    with pytest.raises(FeedReferenceError, match="nowhere"):
        transit.validate_feed(t)


def test_backwards_times_refused_or_dropped() -> None:
    t = make_tables(
        FAR,
        {
            "ok": [("A", "08:00:00", "08:00:00"), ("B", "08:10:00", "08:10:00")],
            "bad": [("A", "08:00:00", "08:00:00"), ("B", "07:50:00", "07:50:00")],
        },
    )
    with pytest.raises(FeedTimeOrderError, match="'bad'"):
        transit.build_timetable(t)
    tt = transit.build_timetable(t, bad_trips="drop")
    assert tt.n_trips == 1 and tt.dropped_trips == ("bad (R1)",)
    t2 = make_tables(FAR, {"x": [("A", "8h", "08:00:00"), ("B", "08:10:00", "08:10:00")]})
    with pytest.raises(FeedTimeOrderError, match="not GTFS times"):
        transit.validate_feed(t2)


def test_date_without_service_refused() -> None:
    tt = transit.build_timetable(line_feed())
    with pytest.raises(NoServiceError, match="2030-01-01"):
        transit.day_timetable(tt, "2030-01-01")


def test_timetable_pickles_and_roundtrips_arrays() -> None:
    tt = transit.build_timetable(line_feed(), feeds=["test"])
    transit.day_timetable(tt, DAY)
    back = pickle.loads(pickle.dumps(tt))
    assert back._days == {} and back.feeds == ("test",)
    again = transit.Timetable.from_arrays(tt.to_arrays())
    assert arrivals(again, "A", "07:55") == arrivals(tt, "A", "07:55")


def test_access_on_walk_graph() -> None:
    import networkx as nx

    tt = transit.build_timetable(line_feed(), options=TransitOptions(max_access_m=2000))
    a = tt.stop_index("A")
    x, y = float(tt.stop_x[a]), float(tt.stop_y[a])
    g = nx.Graph()
    g.add_node(1, x=x - 1000, y=y)
    g.add_node(2, x=x - 500, y=y + 500)
    g.add_node(3, x=x, y=y)
    g.add_edge(1, 2, length=800.0)
    g.add_edge(2, 3, length=800.0)
    stops, secs = transit.access_on_graph(tt, g, x - 1000, y)
    assert stops.tolist() == [a]
    assert secs[0] == int(np.ceil(1600 / 1.25))


def test_scenario_tables_merge_and_are_named() -> None:
    stations = pd.DataFrame(
        {
            "station_id": ["A", "C"],
            "name": ["Stop A", "Stop C"],
            "lat": [50.0, 50.2],
            "lon": [11.0, 11.0],
        }
    )
    scn = transit.ServiceScenario(
        name="Shuttle A-C",
        stations=("Stop A", "C"),
        headway_min=30,
        first_departure="07:00",
        last_departure="09:00",
        start_date=DAY,
        end_date=DAY,
        running_min=(12,),
    )
    base = line_feed()
    tt = transit.build_timetable(base, feeds=["test"])
    assert "C" not in arrivals(tt, "A", "08:01")
    tt2 = transit.with_scenario(base, tt, scn, stations)
    assert tt2.scenarios == ("Shuttle A-C",)
    assert arrivals(tt2, "A", "08:01")["C"] == hm("08:42")  # 08:30 + 12 min
    assert arrivals(tt2, "C", "08:01")["A"] == hm("08:42")  # the reverse direction
    assert tt2.n_trips == tt.n_trips + 2 * 5
    with pytest.raises(InputError, match="running_min"):
        transit.ServiceScenario(
            name="x",
            stations=("A", "C"),
            headway_min=10,
            first_departure="07:00",
            last_departure="08:00",
            start_date=DAY,
            end_date=DAY,
            running_min=(1, 2),
        ).check()


def test_write_and_read_gtfs_folder_roundtrip(tmp_path: Path) -> None:
    tables = line_feed()
    path = transit_io.write_gtfs(tables, tmp_path / "feed.zip")
    back = transit_io.read_gtfs_tables(path)
    tt = transit.build_timetable(back)
    assert arrivals(tt, "A", "07:55")["D"] == hm("08:30")


def test_access_on_walk_graph_falls_back_off_the_network() -> None:
    import networkx as nx

    tt = transit.build_timetable(line_feed(), options=TransitOptions(max_access_m=2000))
    a = tt.stop_index("A")
    x, y = float(tt.stop_x[a]), float(tt.stop_y[a])
    g = nx.Graph()
    g.add_node(1, x=x + 50_000, y=y)
    g.add_node(2, x=x + 50_100, y=y)
    g.add_edge(1, 2, length=100.0)
    stops, secs = transit.access_on_graph(tt, g, x + 100, y)
    assert stops.tolist() == [a]
    assert secs[0] == int(np.ceil(100 * 1.3 / 1.25))  # the straight-line rule


# ---------------------------------------------------------------------------------------
# sparse egress and the kernel warm-up
# ---------------------------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(
    pairs=st.lists(
        st.tuples(st.integers(0, 9), st.integers(0, 6), st.integers(0, 900)), max_size=30
    ),
    reached=st.lists(st.tuples(st.integers(0, 12), st.integers(0, 5000)), max_size=12),
)
def test_sparse_egress_equals_dense(
    pairs: list[tuple[int, int, int]], reached: list[tuple[int, int]]
) -> None:
    """``Egress.reach`` (sparse, per stop reached) gives what ``Egress.apply`` (dense over
    every target) gives; stops without egress pairs (even beyond the last) are harmless."""
    arr = np.array(pairs, np.int64).reshape(-1, 3)
    eg = transit.Egress(n_targets=7, stop=arr[:, 0], tgt=arr[:, 1], secs=arr[:, 2])
    got = np.array(reached, np.int64).reshape(-1, 2)
    dense_in = np.full(13, INF, np.int64)
    np.minimum.at(dense_in, got[:, 0], got[:, 1])
    want = eg.apply(dense_in)
    targets, secs = eg.reach(got[:, 0], got[:, 1])
    assert (np.diff(targets) > 0).all()  # distinct, ascending
    dense_out = np.full(7, INF, np.int64)
    dense_out[targets] = secs
    np.testing.assert_array_equal(dense_out, want)


def test_warm_up_loads_the_kernel_real_queries_use() -> None:
    """In a fresh process, after ``warm_up`` a real query needs no new kernel signature
    (a batch worker's first task would otherwise compile or load one)."""
    import subprocess
    import sys

    code = (
        "from geo import transit\n"
        "from geo.transit import kernel\n"
        "from tests.geo.test_transit import line_feed, hm, DAY\n"
        "transit.warm_up()\n"
        "n = len(kernel._raptor_kernel.signatures)\n"
        "tt = transit.build_timetable(line_feed())\n"
        "transit.raptor(transit.day_timetable(tt, DAY), tt, [(tt.stop_index('A'), hm('07:55'))])\n"
        "print(n, len(kernel._raptor_kernel.signatures))\n"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["1", "1"]


# ---------------------------------------------------------------------------------------
# a timetable restricted to one date (what batch workers receive)
# ---------------------------------------------------------------------------------------


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(feed=random_feed(), offset=st.integers(0, 9))
def test_restricted_timetable_answers_its_day_alike(
    feed: tuple[dict[str, pd.DataFrame | None], int], offset: int
) -> None:
    tables, change = feed
    tt = transit.build_timetable(tables, options=TransitOptions(min_change_s=change))
    day_only = transit.restrict_to_day(tt, DAY)
    full, cut = transit.day_timetable(tt, DAY), transit.day_timetable(day_only, DAY)
    assert cut.n_trips == full.n_trips and day_only.n_stops == tt.n_stops
    for o in range(tt.n_stops):
        for depart in range(6 * 3600 + 50 * 60 + offset * 60, 8 * 3600 + 40 * 60, 900):
            np.testing.assert_array_equal(
                transit.raptor(cut, day_only, [(o, depart)]),
                transit.raptor(full, tt, [(o, depart)]),
            )


def test_restricted_timetable_keeps_trips_past_midnight_and_refuses_other_dates() -> None:
    tables = make_tables(
        FAR,
        {
            "night": [
                ("A", "23:50:00", "23:50:00"),
                ("B", "24:30:00", "24:31:00"),
                ("C", "25:00:00", "25:00:00"),
            ],
            "day": [("A", "08:00:00", "08:00:00"), ("C", "09:00:00", "09:00:00")],
        },
        calendar_dates=[("wd", "20240514", 1), ("wd", "20240515", 1), ("wd", "20240516", 1)],
    )
    tt = transit.build_timetable(tables)
    day_only = transit.restrict_to_day(tt, DAY)
    # the 14th's night trip still runs past midnight into the 15th
    best = transit.raptor(
        transit.day_timetable(day_only, DAY), day_only, [(tt.stop_index("B"), hm("00:20"))]
    )
    assert best[tt.stop_index("C")] == hm("01:00")
    assert day_only.service_days() == (date(2024, 5, 15), date(2024, 5, 15))
    assert day_only.n_trips == 2 and len(day_only.st_stop) == 5  # not the 16th's copy
    for other in ("2024-05-14", "2024-05-16"):
        with pytest.raises(InputError, match="only the trips of 2024-05-15"):
            transit.day_timetable(day_only, other)
    with pytest.raises(NoServiceError, match="2030-01-01"):
        transit.restrict_to_day(tt, "2030-01-01")
    back = transit.Timetable.from_arrays(day_only.to_arrays())
    assert back.only_day == day_only.only_day
