"""Batch jobs on Dask: same results as one process, resumable after a kill, clear errors."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import geo.batch as batch
from geo import transit
from geo.batch.io import PartitionStore, open_partition_store
from geo.errors import ConflictError
from geo.region.build import load_region
from geo.settings import Settings
from geo.transit import kernel
from geo.transit.io import get_timetable

DATE = "2019-05-15"


@pytest.fixture(scope="module")
def rail(settings: Settings) -> batch.RailState:
    region, _ = load_region(settings)
    return batch.rail_state(get_timetable(settings), region, date=DATE)


def _sorted(df: pd.DataFrame) -> pd.DataFrame:
    return df.sort_values(list(df.columns[:2])).reset_index(drop=True)


def test_rail_matrix_task_equals_single_process_function(
    rail: batch.RailState, settings: Settings
) -> None:
    region, _ = load_region(settings)
    origins = ["Jena", "Weimar", "Erfurt", "Apolda", "Saalfeld/Saale"]
    ref = transit.rail_matrix(
        rail.timetable, region, 240, DATE, origins=origins, window=("07:00", "08:00")
    )
    rows = [int(np.flatnonzero(region["ags"] == a)[0]) for a in ref.index]
    got = batch.rail_matrix_task(rail, pd.DataFrame({"m": rows}), {})
    wide = got.pivot(index="origin_ags", columns="ags", values="minutes").round(1)
    wide = wide.reindex(index=ref.index, columns=ref.columns)
    np.testing.assert_allclose(wide.to_numpy(float), ref.to_numpy(float), equal_nan=True)
    assert got.crs.to_epsg() == 25832  # GeoParquet-ready: origin centre points
    # and the same as the single-origin answer, whose statistics are computed densely
    # over every municipality (window_stats): the sparse batch path changes nothing
    for name, m in zip(origins, rows, strict=True):
        one = transit.reachable_rail(
            rail.timetable, region, name, 240, DATE, window=("07:00", "08:00"), links=rail.links
        ).table.set_index("ags")["minutes"]
        mine = got[got["origin_ags"] == rail.ags[m]].set_index("ags")["minutes"].round(1)
        pd.testing.assert_series_equal(
            mine.sort_index(), one.sort_index(), check_names=False, check_dtype=False
        )


def test_indicators_have_known_values(rail: batch.RailState, settings: Settings) -> None:
    region, _ = load_region(settings)
    jena = int(np.flatnonzero(region["name"] == "Jena")[0])
    out = batch.rail_indicators_task(rail, pd.DataFrame({"m": [jena]}), {})
    row = out.iloc[0]
    assert row["ags"] == "16053000"
    assert row["station_km"] < 2  # Jena Paradies lies in the city
    assert row["centre_minutes"] == 0  # Jena (> 100,000 inhabitants) is a centre itself
    assert row["pop_within_30"] >= region.loc[jena, "population"]
    assert row["pop_within_30"] <= row["pop_within_60"] <= row["pop_within_90"]
    assert row["feeds"] == "db_fv_gtfs_2019.zip" and row["window"] == "07:00-08:00"


def test_region_links_give_the_dense_access_rules(rail: batch.RailState) -> None:
    """The per-municipality access built once by ``link_region`` is exactly the rule an
    origin would compute over every stop and every centre: stops within ``max_access_m``
    of its centre (walk model), its own stations at 0 s, and the centres within walking
    distance (itself at 0 s)."""
    tt, links = rail.timetable, rail.links
    o = tt.options
    for m in range(len(links.ags)):
        acc = links.access(tt, m)
        near, walk = transit.point_access(tt, links.centre_x[m], links.centre_y[m])
        inside = links.stops_inside[links.stops_inside[:, 0] == m, 1]
        want = sorted(
            [*zip(near.tolist(), walk.tolist(), strict=True), *((int(s), 0) for s in inside)]
        )
        assert sorted(zip(acc.stops.tolist(), acc.walk_s.tolist(), strict=True)) == want, m
        d = np.hypot(links.centre_x - links.centre_x[m], links.centre_y - links.centre_y[m])
        direct = np.flatnonzero(d <= o.max_access_m)
        secs = np.where(direct == m, 0, o.walk_s(d[direct]))
        assert acc.direct_targets is not None and acc.direct_s is not None
        assert acc.direct_targets.tolist() == direct.tolist(), m
        assert acc.direct_s.tolist() == secs.tolist(), m


def test_rail_state_carries_its_day_layout(rail: batch.RailState, settings: Settings) -> None:
    """A pickled timetable leaves its day cache behind; the state brings its day along,
    so a worker never rebuilds it, and only the trips of that date. A date without
    service is refused up front."""
    import pickle

    from geo.errors import NoServiceError

    back = pickle.loads(pickle.dumps(rail))
    day = rail.day_layout.day.toordinal()
    assert list(back.timetable._days) == [day]
    assert back.timetable._days[day] is back.day_layout
    # only the date's trips travel: a fraction of the whole feed
    full = get_timetable(settings)
    assert rail.timetable.only_day == day and rail.timetable.n_trips < full.n_trips / 3
    assert len(pickle.dumps(rail)) < len(pickle.dumps(full)) / 2
    region, _ = load_region(settings)
    with pytest.raises(NoServiceError, match="2031-01-01"):
        batch.rail_state(full, region, date="2031-01-01")


def test_local_cluster_equals_single_process(rail: batch.RailState, tmp_path: Path) -> None:
    origins = pd.DataFrame({"m": np.arange(60)})
    parts = batch.partition_origins(origins, 20)
    one = PartitionStore(str(tmp_path / "one"))
    batch.run_job(
        task=batch.rail_indicators_task,
        state=rail,
        partitions=parts,
        store=one,
        manifest={"kind": "t"},
        progress=False,
    )
    client = batch.connect(workers=2)
    try:
        # the preload hook loaded the rail kernel in each worker before any task
        loaded = client.run(lambda: len(kernel._raptor_kernel.signatures))
        two = PartitionStore(str(tmp_path / "two"))
        summary = batch.run_job(
            task=batch.rail_indicators_task,
            state=rail,
            partitions=parts,
            store=two,
            manifest={"kind": "t"},
            client=client,
            progress=False,
        )
        # the workers run with the batch settings (no statistical profiler, slow tick)
        import dask

        seen = client.run(lambda: dask.config.get("distributed.worker.profile.enabled"))
    finally:
        client.close()
    assert set(seen.values()) == {False}
    assert len(loaded) == 2 and min(loaded.values()) >= 1
    assert summary.workers == 2 and summary.computed == 3
    assert len(summary.peak_rss_mb_by_worker) >= 1
    pd.testing.assert_frame_equal(_sorted(one.read()), _sorted(two.read()))


def _cli(*args: str) -> list[str]:
    return [str(Path(sys.executable).parent / "stadtregion"), *args]


def test_killed_run_resumes_to_the_same_result(settings: Settings, tmp_path: Path) -> None:
    out = tmp_path / "run"
    args = [
        "batch",
        "indicators",
        "--area",
        "thuringia",
        "--out",
        str(out),
        "--chunk-size",
        "2",
        "--limit",
        "240",
        "--quiet",
    ]
    env = {**os.environ, "STADTREGION_PROCESSED_DIR": str(settings.processed_dir)}
    proc = subprocess.Popen(_cli(*args), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if out.is_dir() and len(list(out.glob("part-*.parquet"))) >= 5:
            break
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    written = len(list(out.glob("part-*.parquet")))
    assert 5 <= written < 120, written  # killed mid-way
    # every partition on disk is whole
    for p in out.glob("part-*.parquet"):
        assert len(pd.read_parquet(p)) == 2
    again = subprocess.run(_cli(*args), env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert f"{written} already done" in again.stdout
    assert len(list(out.glob("part-*.parquet"))) == 120
    assert not list(out.glob(".*.tmp"))
    # identical to an uninterrupted run
    ref = tmp_path / "ref"
    full = subprocess.run(
        _cli(*[a if a != str(out) else str(ref) for a in args]),
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert full.returncode == 0, full.stderr
    pd.testing.assert_frame_equal(
        _sorted(PartitionStore(str(out)).read()), _sorted(PartitionStore(str(ref)).read())
    )


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--area", "mars"], "unknown area 'mars'"),
        (["--limit", "0"], "origin set is empty"),
        (["--scheduler", "tcp://127.0.0.1:9", "--limit", "3"], "cannot reach the Dask scheduler"),
        (["--mode", "car"], "nationwide road network"),
    ],
)
def test_bad_input_one_clear_message(
    settings: Settings, tmp_path: Path, args: list[str], words: str
) -> None:
    env = {**os.environ, "STADTREGION_PROCESSED_DIR": str(settings.processed_dir)}
    r = subprocess.run(
        _cli("batch", "indicators", "--out", str(tmp_path / "o"), "--quiet", *args),
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode != 0
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], r.stderr


def test_car_matrix_on_cluster_equals_travel_time_matrix(
    settings: Settings, tmp_path: Path
) -> None:
    import geopandas as gpd

    from geo.roads.engine import covered, travel_time_matrix
    from geo.roads.io import cached_engine

    engine, _ = cached_engine(settings)
    lu = gpd.read_file(settings.data_dir / "jena_landuse_osm2014.geojson").to_crs(25832)
    pts = lu.geometry.representative_point()
    keep = covered(engine, np.column_stack([pts.x, pts.y]))
    files = {}
    for name, sl in (("o", slice(0, 12)), ("d", slice(12, 40))):
        sub = lu[keep].iloc[sl].copy()
        sub["id"] = [f"{name}{i}" for i in range(len(sub))]
        files[name] = tmp_path / f"{name}.geojson"
        sub[["id", "geometry"]].to_file(files[name])
    summary = batch.run_matrix(
        settings,
        origins=str(files["o"]),
        destinations=str(files["d"]),
        mode="car",
        out=str(tmp_path / "m"),
        chunk_size=5,
        workers=2,
        progress=False,
    )
    assert summary.workers == 2 and summary.outside == 0
    got = PartitionStore(str(tmp_path / "m")).read()
    o, d = (gpd.read_file(files[k]).to_crs(25832) for k in ("o", "d"))
    ref = travel_time_matrix(engine, o, d, origin_id="id", destination_id="id").long()
    merged = ref.merge(got, on=["origin", "destination"], suffixes=("_ref", "_batch"))
    assert len(merged) == len(ref) == 12 * 28
    np.testing.assert_allclose(merged["minutes_batch"], merged["minutes_ref"])


def test_resumed_job_keeps_its_partitions_with_other_workers(
    settings: Settings, tmp_path: Path
) -> None:
    """The automatic chunk size depends on the workers; a job resumed with another number
    of workers reuses the partitions it started with instead of refusing the folder."""
    out = str(tmp_path / "run")
    first = batch.run_rail_indicators(
        settings, area="thuringia", out=out, date=DATE, limit=40, progress=False
    )
    assert first.partitions == 2 and first.computed == 2  # one process: 2 of 20
    whole = PartitionStore(out).read()
    (tmp_path / "run" / PartitionStore.part_name(1)).unlink()  # as if killed mid-way
    again = batch.run_rail_indicators(
        settings, area="thuringia", out=out, date=DATE, limit=40, workers=2, progress=False
    )
    assert (again.partitions, again.computed, again.skipped, again.workers) == (2, 1, 1, 2)
    pd.testing.assert_frame_equal(_sorted(PartitionStore(out).read()), _sorted(whole))
    fresh = batch.run_rail_indicators(
        settings,
        area="thuringia",
        out=str(tmp_path / "new"),
        date=DATE,
        limit=40,
        workers=2,
        progress=False,
    )
    assert fresh.partitions == 4  # a new job on 2 workers: 2 partitions each
    with pytest.raises(ConflictError, match="another job"):  # another job: still refused
        batch.run_rail_indicators(
            settings, area="thuringia", out=out, date=DATE, limit=41, progress=False
        )


def test_job_into_postgis_resumes_and_equals_the_folder_output(
    settings: Settings, tmp_path: Path, fresh_postgis: str
) -> None:
    """The same job written into a PostGIS table: rows equal the GeoParquet output; a
    partition lost (rows and record deleted together) is the only one computed again,
    also with another number of workers."""
    import geopandas as gpd
    import sqlalchemy as sa

    target = f"{fresh_postgis}#rail_indicators"
    kw = {"area": "thuringia", "date": DATE, "limit": 40, "progress": False}
    first = batch.run_rail_indicators(settings, out=target, **kw)
    folder = batch.run_rail_indicators(settings, out=str(tmp_path / "f"), **kw)
    assert first.computed == folder.computed == 2
    store = open_partition_store(target)
    rows = store.read()
    assert isinstance(rows, gpd.GeoDataFrame) and rows.crs.to_epsg() == 25832
    want = PartitionStore(str(tmp_path / "f")).read()
    pd.testing.assert_frame_equal(
        _sorted(pd.DataFrame(rows.drop(columns="geometry"))),
        _sorted(pd.DataFrame(want.drop(columns="geometry"))),
        check_dtype=False,
    )
    assert store.job() is not None and store.job()["kind"] == "rail-indicators"
    engine = sa.create_engine(fresh_postgis)
    with engine.begin() as conn:  # lose partition 1, rows and record together
        ags = want["ags"].tolist()[20:]  # read() keeps partition order: part 1
        conn.execute(sa.text("DELETE FROM rail_indicators WHERE ags = ANY(:a)"), {"a": ags})
        conn.execute(sa.text("DELETE FROM batch_partitions WHERE part = 1"))
    engine.dispose()
    again = batch.run_rail_indicators(settings, out=target, workers=2, **kw)
    assert (again.computed, again.skipped) == (1, 1)
    assert len(open_partition_store(target).read()) == 40
    with pytest.raises(ConflictError, match="another job"):
        batch.run_rail_indicators(settings, out=target, **{**kw, "limit": 41})
