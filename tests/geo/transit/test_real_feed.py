"""Transit on the real DB long-distance feed of the shared pack (indexed once per session)."""

from __future__ import annotations

import pickle
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from geo import modes, transit
from geo.errors import FeedReferenceError, NoServiceError
from geo.settings import Settings
from geo.transit import io as transit_io
from geo.transit.trains import TRAIN_COLUMNS

DAY = "2019-05-15"  # a Wednesday in the feed's timetable year
FEED = "db_fv_gtfs_2019.zip"


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("transit_cache")


@pytest.fixture(scope="session")
def feed(cache_dir: Path) -> tuple[transit.Timetable, dict[str, pd.DataFrame | None]]:
    tt, tables = transit_io.load_timetable(Settings(processed_dir=cache_dir))
    assert tables is not None
    return tt, tables


def test_feed_is_indexed_and_cached(feed: tuple[transit.Timetable, dict], cache_dir: Path) -> None:
    tt, _ = feed
    info = tt.describe()
    assert info["feeds"] == [FEED]
    assert info["stops"] == 664
    # the three night trains whose times jump back across a time zone are named
    assert len(info["dropped_trips"]) == 3 and all("EN" in t for t in info["dropped_trips"])
    t0 = time.perf_counter()
    again, tables = transit_io.load_timetable(Settings(processed_dir=cache_dir))
    assert tables is None  # came from the cache
    assert time.perf_counter() - t0 < 2.0
    np.testing.assert_array_equal(again.st_arr, tt.st_arr)
    assert again.dropped_trips == tt.dropped_trips


def test_real_ice_from_jena_paradies_found_at_its_scheduled_time(
    feed: tuple[transit.Timetable, dict],
) -> None:
    tt, tables = feed
    # independently from the raw tables: trips serving Jena Paradies on the date
    cd = tables["calendar_dates"]
    services = set(cd.loc[(cd["date"] == "20190515") & (cd["exception_type"] == 1), "service_id"])
    trips = tables["trips"]
    st = tables["stop_times"]
    jena = "8011956"
    running = trips.loc[trips["service_id"].isin(services), "trip_id"]
    at_jena = st[(st["stop_id"] == jena) & st["trip_id"].isin(running)]
    first = at_jena.sort_values("departure_time").iloc[0]
    trip_st = st[st["trip_id"] == first["trip_id"]].sort_values("stop_sequence")
    nxt = trip_st[trip_st["stop_sequence"] > first["stop_sequence"]].iloc[0]
    dep_s = transit.parse_clock(str(first["departure_time"]))
    arr_s = transit.parse_clock(str(nxt["arrival_time"]))
    route = (
        tables["routes"]
        .set_index("route_id")
        .loc[trips.set_index("trip_id").loc[first["trip_id"], "route_id"], "route_long_name"]
    )
    assert str(route).startswith(("ICE", "IC"))
    res = transit.earliest_arrival(tt, "Jena Paradies", DAY, dep_s - 300)
    row = res[res["stop_id"] == str(nxt["stop_id"])].iloc[0]
    assert row["arrival_s"] == arr_s
    # and the same train one minute too late is missed
    late = transit.earliest_arrival(tt, "Jena Paradies", DAY, dep_s + 60, max_minutes=60)
    assert str(nxt["stop_id"]) not in set(late["stop_id"])


def test_real_feed_window_and_no_service(feed: tuple[transit.Timetable, dict]) -> None:
    tt, _ = feed
    acc = transit.Access(stops=np.array([tt.stop_index("Jena Paradies")]), walk_s=np.array([0]))
    res = transit.window_times(tt, DAY, acc, "06:00", "07:00", max_minutes=240)
    stats = transit.window_stats(res, (25, 75))
    leipzig = tt.stop_index("Leipzig Hbf")
    # the 06:58 ICE reaches Leipzig at 08:02: 64 min from 06:58, more when waiting
    assert stats.loc[leipzig, "min"] == 64
    assert stats.loc[leipzig, "median"] > 64
    planned = transit.window_times(tt, DAY, acc, "06:00", "07:00", max_minutes=240, planned=True)
    # every minute up to 06:58 catches that ICE; after it the next one leaves past the cutoff
    assert np.all(planned.minutes[:59, leipzig] == 64)
    assert np.isinf(planned.minutes[59, leipzig])
    with pytest.raises(NoServiceError, match="2018-12-09"):
        transit.day_timetable(tt, "2021-01-01")


def test_reachable_rail_per_municipality(
    feed: tuple[transit.Timetable, dict], region_model: gpd.GeoDataFrame
) -> None:
    tt, _ = feed
    region = region_model
    res = transit.reachable_rail(
        tt, region, "Jena", 120, DAY, window=("06:00", "09:00"), percentile=50
    )
    n = len(modes.REACHABLE_COLUMNS)
    assert list(res.table.columns)[:n] == modes.REACHABLE_COLUMNS  # as the car mode
    assert list(res.table.columns)[n:] == ["status", *TRAIN_COLUMNS]  # and the trains
    assert res.table.iloc[0]["name"] == "Jena" and res.table.iloc[0]["minutes"] == 0
    assert (res.table["minutes"] <= 120).all()
    s = res.summary
    assert s["feeds"] == [FEED] and s["scenario_used"] is False
    assert s["window"] == ["06:00", "09:00"] and s["date"] == DAY
    assert s["population_reached"] == int(res.table["population"].sum())
    # a single departure, and many origins at once
    single = transit.reachable_rail(tt, region, "Jena", 240, DAY, depart="06:50")
    assert len(single.table) >= len(res.table)
    mat = transit.rail_matrix(tt, region, 120, DAY, origins=["Jena", "Weimar"], depart="07:00")
    assert mat.shape == (2, len(region))
    assert mat.loc["16053000", "16053000"] == 0
    long = transit.reachable_many(tt, region, 120, DAY, origins=["Jena"], depart="07:00")
    assert set(long.columns) == {"origin_ags", "ags", "minutes"}


def test_scenario_on_real_feed_is_named_and_used(
    feed: tuple[transit.Timetable, dict], region_model: gpd.GeoDataFrame, settings: Settings
) -> None:
    tt, tables = feed
    from geo.sources import RAIL_FILE, read_vector

    stations = pd.read_csv(settings.data_dir / "db_stations_thueringen.csv", dtype=str)
    lines = read_vector(settings.data_dir / RAIL_FILE, "rail lines")
    scn = transit.ServiceScenario(
        name="Saalbahn test shuttle",
        stations=("Jena Paradies", "Jena-Göschwitz"),
        headway_min=30,
        first_departure="06:00",
        last_departure="20:00",
        start_date=DAY,
        end_date=DAY,
        speed_kmh=60,
    )
    gt = transit.scenario_tables(scn, stations, lines)
    run = gt["stop_times"].iloc[:2]
    minutes = transit.parse_clock(run["arrival_time"].iloc[1]) - transit.parse_clock(
        run["departure_time"].iloc[0]
    )
    assert 3 * 60 <= minutes <= 8 * 60  # about 5 km along the Saalbahn at 60 km/h
    tt2 = transit.with_scenario(tables, tt, scn, stations, lines)
    assert tt2.scenarios == ("Saalbahn test shuttle",)
    got = transit.earliest_arrival(tt2, "Jena Paradies", DAY, "10:01")
    assert "8010133" in set(got["stop_id"])  # Jena-Göschwitz, by the shuttle
    res = transit.reachable_rail(tt2, region_model, "Jena", 60, DAY, depart="10:00")
    assert res.summary["scenario_used"] is True
    assert res.summary["scenario"] == ["Saalbahn test shuttle"]
    with pytest.raises(FeedReferenceError):
        bad = dict(gt)
        bad["stop_times"] = gt["stop_times"].assign(stop_id="0")
        transit.validate_feed(bad)


def test_timetable_is_picklable_for_workers(feed: tuple[transit.Timetable, dict]) -> None:
    tt, _ = feed
    back = pickle.loads(pickle.dumps(tt))
    a = transit.earliest_arrival(back, "Jena Paradies", DAY, "06:50")
    b = transit.earliest_arrival(tt, "Jena Paradies", DAY, "06:50")
    pd.testing.assert_frame_equal(a, b)


def test_sample_fixture_feed_reads(tmp_path: Path) -> None:
    path = Settings().data_dir / "fixture_sample_gtfs.zip"
    tables = transit_io.read_gtfs_tables(path)
    tt = transit.build_timetable(tables, feeds=[path.name])
    assert tt.n_stops == 10
    assert tt.n_trips > 10  # frequency trips expanded
    tt2, _ = transit_io.load_timetable(Settings(processed_dir=tmp_path), paths=[path])
    assert tt2.n_trips == tt.n_trips


def test_broken_feed_is_refused_before_caching(tmp_path: Path) -> None:
    feed_dir = tmp_path / "feed"
    feed_dir.mkdir()
    tables = transit_io.read_gtfs_tables(Settings().data_dir / "fixture_sample_gtfs.zip")
    for name, df in tables.items():
        if df is not None and name != "stops":
            df.to_csv(feed_dir / f"{name}.txt", index=False)
    out = tmp_path / "cache"
    with pytest.raises(Exception) as err:
        transit_io.load_timetable(Settings(processed_dir=out), paths=[feed_dir])
    assert type(err.value).__name__ in ("FeedMissingFileError", "FeedReferenceError")
    assert not out.exists() or not list(out.iterdir())


def test_download_feed_from_local_server(tmp_path: Path) -> None:
    import http.server
    import threading

    from geo.errors import DataSourceError, FeedError

    src = tmp_path / "srv"
    src.mkdir()
    (src / "good.zip").write_bytes((Settings().data_dir / "fixture_sample_gtfs.zip").read_bytes())
    tables = transit_io.read_gtfs_tables(src / "good.zip")
    tables["trips"] = None
    transit_io.write_gtfs(tables, src / "broken.zip")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a: object, **kw: object) -> None:
            super().__init__(*a, directory=str(src), **kw)  # type: ignore[arg-type]

        def log_message(self, *a: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        dest = tmp_path / "out" / "feed.zip"
        assert transit_io.download_feed(f"{base}/good.zip", dest, timeout_s=10) == dest
        assert dest.is_file()
        bad = tmp_path / "out" / "bad.zip"
        with pytest.raises(FeedError):
            transit_io.download_feed(f"{base}/broken.zip", bad, timeout_s=10)
        assert not bad.exists()
        with pytest.raises(DataSourceError):
            transit_io.download_feed(f"{base}/missing.zip", bad, timeout_s=10)
        assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["feed.zip"]
    finally:
        server.shutdown()
        server.server_close()
