"""Land-pool store: import and read speed of both backends against a plain file write/read.

Baseline: the same plots written to / read from a GeoPackage file with pyogrio (no
checks, no transaction discipline, no history). The store does more (per-row validation,
AGS spatial join against 849 VG250 municipalities, history rows, one transaction), so the
ratio says what that costs. PostGIS is measured when ``STADTREGION_TEST_POSTGIS_URL``
names a server (``bash .ci/postgres.sh`` prints one); a scratch database is made and
dropped there.

Also: an update import (``plots import --update``) of the store's own export with 10 % of
the plots edited, against the import of the same plots as new ones.

Run: ``.venv/bin/python bench/bench_plots_store.py [N]`` (default 5000 plots).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import sqlalchemy as sa
from figures import figure
from shapely.geometry import box

from geo.landpool.io import export_plots, import_plots
from geo.landpool.io_update import update_from_file
from geo.landpool.plots import Viewer
from geo.landpool.store import Store
from geo.settings import WORK_CRS, Settings
from geo.sources import read_vg250

LANDPOOL = Viewer("landpool", "bench")


def _timed(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def _plots(n: int) -> gpd.GeoDataFrame:
    x0, y0 = 675000, 5640000  # Jena and its neighbours
    geoms = [
        box(
            x0 + (i % 150) * 80,
            y0 + (i // 150) * 80,
            x0 + (i % 150) * 80 + 60,
            y0 + (i // 150) * 80 + 60,
        )
        for i in range(n)
    ]
    return gpd.GeoDataFrame(
        {"plot_id": [f"B-{i}" for i in range(n)], "category": "brownfield"},
        geometry=geoms,
        crs=WORK_CRS,
    )


def _run(label: str, url: str, src: Path, n: int, base_write: float, base_read: float) -> None:
    mun = read_vg250(Settings().data_dir)
    with Store(url, municipalities=mun) as store:
        t_import = _timed(lambda: import_plots(store, LANDPOOL, src))
        assert store.count(LANDPOOL) == n
        t_read = _timed(lambda: store.list(Viewer("planner")))  # every (unpublished) plot
        plot = store.get(LANDPOOL, "B-0")
        t_update = _timed(
            lambda: store.update(
                LANDPOOL, "B-0", expected_version=plot.version, values={"notes": "x"}
            )
        )
        t_get = _timed(lambda: store.get(LANDPOOL, "B-1"))
        t_edit, t_same, k = _update_import(store, src.with_name(f"{label}-export.gpkg"), n)
    figure(f"{label} import {n} plots / file write", t_import / base_write, "x")
    figure(f"{label} update import ({k} of {n} changed) / import", t_edit / t_import, "x")
    figure(f"{label} list all / file read", t_read / base_read, "x")
    print(
        f"{label:<11} import {n} plots: {t_import:6.2f} s = {t_import / base_write:5.1f}× "
        f"file write | list all: {t_read:5.2f} s = {t_read / base_read:4.1f}× file read | "
        f"one update {t_update * 1000:5.1f} ms, one get {t_get * 1000:5.1f} ms"
    )
    print(
        f"{label:<11} update import of an edited export ({k} of {n} plots changed, 1% "
        f"geometries): {t_edit:6.2f} s = {t_edit / t_import:4.2f}× import | unchanged "
        f"export: {t_same:6.2f} s = {t_same / t_import:4.2f}× import"
    )


def _update_import(store: Store, export: Path, n: int) -> tuple[float, float, int]:
    """Seconds of an update import of an edited export and of an unchanged one, and how many
    plots the edit changed (10 % of the contamination values, 1 % of the geometries)."""
    export_plots(store, LANDPOOL, export)
    t_same = _timed(lambda: update_from_file(store, LANDPOOL, export, reason="bench"))
    frame = gpd.read_file(export, layer="plots", fid_as_index=True)
    k, g = max(1, n // 10), max(1, n // 100)
    frame.loc[frame.index[:k], "contamination"] = "suspected"
    frame.loc[frame.index[:g], "geometry"] = frame.geometry.iloc[:g].buffer(1.0).values
    frame.to_file(export, layer="plots", driver="GPKG", index=True)
    report = None

    def run() -> None:
        nonlocal report
        report = update_from_file(store, LANDPOOL, export, reason="bench")

    t_edit = _timed(run)
    assert report is not None and len(report.changed) == k
    return t_edit, t_same, k


def main() -> None:
    """Print the figures."""
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    frame = _plots(n)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "plots.gpkg"
        frame.to_file(src, driver="GPKG")
        base_file = Path(tmp) / "baseline.gpkg"
        base_write = _timed(lambda: frame.to_file(base_file, driver="GPKG"))
        base_read = _timed(lambda: gpd.read_file(base_file))
        print(f"baseline    pyogrio write {n} plots: {base_write:.2f} s, read {base_read:.2f} s")
        _run("geopackage", f"gpkg:///{Path(tmp) / 'store.gpkg'}", src, n, base_write, base_read)
        url = os.environ.get("STADTREGION_TEST_POSTGIS_URL")
        if not url:
            print("postgis     skipped: set STADTREGION_TEST_POSTGIS_URL (bash .ci/postgres.sh)")
            return
        server = sa.make_url(url).set(drivername="postgresql+psycopg")
        admin = sa.create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
        name = f"sr_bench_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.exec_driver_sql(f"CREATE DATABASE {name}")
        try:
            _run(
                "postgis",
                server.set(database=name).render_as_string(False),
                src,
                n,
                base_write,
                base_read,
            )
        finally:
            with admin.connect() as conn:
                conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            admin.dispose()


if __name__ == "__main__":
    main()
