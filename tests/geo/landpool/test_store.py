"""The land-pool store, run on both backends (GeoPackage and PostGIS)."""

from __future__ import annotations

import threading
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import sqlalchemy as sa
from shapely.geometry import box

from geo.errors import (
    ConflictError,
    InputError,
    NotFoundError,
    PermissionDeniedError,
    TransitionError,
)
from geo.landpool.plots import Viewer
from geo.landpool.store import Store
from geo.settings import WORK_CRS
from tests.geo.conftest import LANDPOOL, PUBLIC, fingerprint

PLANNER = Viewer("planner", "pat")
SQUARE = box(681000, 5645000, 681100, 5645200)  # 2 ha inside Jena


def _add(store: Store, plot_id: str, confidential: bool = False, **values: object) -> None:
    store.create(
        LANDPOOL,
        {"name": f"Plot {plot_id}", "confidential": confidential, **values},
        SQUARE,
        plot_id=plot_id,
    )


def test_create_derives_area_and_ags_and_records_history(store_url: str) -> None:
    mun = gpd.GeoDataFrame(
        {"ags": ["16053000"], "gen": ["Jena"]}, geometry=[box(0, 0, 1e6, 1e7)], crs=WORK_CRS
    )
    with Store(store_url, municipalities=mun) as store:
        plot = store.create(
            LANDPOOL,
            {"name": "Alte Gießerei", "category": "brownfield", "owner_type": "city"},
            SQUARE,
            plot_id="JENA-0001",
        )
        assert plot.area_ha == 2.0
        assert plot.ags == "16053000" and plot.municipality == "Jena"
        assert plot.status == "identified" and plot.version == 1
        assert plot.contamination == "unknown" and plot.created_by == "anna"
        assert plot.geometry.geom_type == "MultiPolygon"
        [entry] = store.history(LANDPOOL, "JENA-0001")
        assert (entry.event, entry.from_status, entry.to_status, entry.actor) == (
            "created",
            None,
            "identified",
            "anna",
        )
        assert store.check_integrity() == []


def test_reopening_runs_no_migration_twice_and_keeps_data(store_url: str) -> None:
    with Store(store_url) as store:
        _add(store, "A")
        rev = store.revision
    with Store(store_url) as again:
        assert again.revision == rev
        assert again.count(LANDPOOL) == 1


def test_plot_id_is_unique(store: Store) -> None:
    _add(store, "A")
    with pytest.raises(ConflictError, match="already in the register"):
        _add(store, "A")
    assert store.count(LANDPOOL) == 1


def test_writes_need_the_landpool_role(store: Store) -> None:
    _add(store, "A")
    for viewer in (PUBLIC, PLANNER):
        with pytest.raises(PermissionDeniedError):
            store.create(viewer, {}, SQUARE, plot_id="B")
        with pytest.raises(PermissionDeniedError):
            store.update(viewer, "A", expected_version=1, values={"notes": "x"})
        with pytest.raises(PermissionDeniedError):
            store.set_status(viewer, "A", "assessed")
    assert store.get(LANDPOOL, "A").version == 1


def test_confidential_plots_are_invisible_to_public_callers(store: Store) -> None:
    _add(store, "OPEN-1")
    store.publish(LANDPOOL, "OPEN-1", reason="offered in the forum")
    _add(store, "SECRET-1", confidential=True)
    for viewer in (PUBLIC, PLANNER):
        assert [p.plot_id for p in store.list(viewer)] == ["OPEN-1"]
        assert store.count(viewer) == 1
        assert store.count(viewer, status="identified") == 1
        with pytest.raises(NotFoundError) as hidden:
            store.get(viewer, "SECRET-1")
        with pytest.raises(NotFoundError) as missing:
            store.get(viewer, "NOPE-1")
        assert str(hidden.value).replace("SECRET-1", "X") == str(missing.value).replace(
            "NOPE-1", "X"
        )
        with pytest.raises(NotFoundError):
            store.history(viewer, "SECRET-1")
        assert len(store.frame(viewer)) == 1
        with pytest.raises(PermissionDeniedError):
            store.existing_ids(viewer, ["SECRET-1"])
    assert store.count(LANDPOOL) == 2
    assert store.get(Viewer("admin", "root"), "SECRET-1").confidential is True


def test_status_workflow_and_history(store: Store) -> None:
    _add(store, "A")
    store.set_status(LANDPOOL, "A", "assessed", reason="site visit done")
    with pytest.raises(TransitionError, match="assessed → developed is not allowed"):
        store.set_status(LANDPOOL, "A", "developed")
    with pytest.raises(InputError, match="needs a reason"):
        store.set_status(LANDPOOL, "A", "withdrawn")
    plot = store.set_status(Viewer("landpool", "ben"), "A", "withdrawn", reason="owner refuses")
    assert plot.status == "withdrawn" and plot.version == 3 and plot.updated_by == "ben"
    history = store.history(LANDPOOL, "A")
    assert [(h.from_status, h.to_status, h.actor, h.reason) for h in history] == [
        (None, "identified", "anna", None),
        ("identified", "assessed", "anna", "site visit done"),
        ("assessed", "withdrawn", "ben", "owner refuses"),
    ]
    assert [h.version for h in history] == [1, 2, 3]
    assert history[0].at <= history[1].at <= history[2].at
    assert store.check_integrity() == []


def test_history_is_append_only_in_the_database(store: Store) -> None:
    _add(store, "A")
    store.set_status(LANDPOOL, "A", "assessed")
    before = fingerprint(store)
    for sql in ("UPDATE plot_history SET actor = 'mallory'", "DELETE FROM plot_history"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), store.engine.begin() as c:
            c.exec_driver_sql(sql)
    assert fingerprint(store) == before


def test_update_changes_attributes_and_geometry_with_optimistic_locking(store: Store) -> None:
    _add(store, "A")
    plot = store.update(
        LANDPOOL, "A", expected_version=1, values={"contamination": "suspected", "notes": "n"}
    )
    assert plot.version == 2 and plot.contamination == "suspected"
    plot = store.update(
        LANDPOOL, "A", expected_version=2, geometry=box(681000, 5645000, 681100, 5645100)
    )
    assert plot.area_ha == 1.0 and plot.version == 3
    before = fingerprint(store)
    with pytest.raises(ConflictError, match="changed by someone else since version 2"):
        store.update(LANDPOOL, "A", expected_version=2, values={"notes": "stale"})
    with pytest.raises(InputError, match="plots set-status"):
        store.update(LANDPOOL, "A", expected_version=3, values={"status": "acquired"})
    with pytest.raises(InputError, match="read-only"):
        store.update(LANDPOOL, "A", expected_version=3, values={"area_ha": 99})
    with pytest.raises(NotFoundError):
        store.update(LANDPOOL, "B", expected_version=1, values={"notes": "x"})
    assert fingerprint(store) == before
    changes = store.history(LANDPOOL, "A")[1].changes
    assert changes == {"contamination": ["unknown", "suspected"], "notes": [None, "n"]}
    assert store.history(LANDPOOL, "A")[2].changes == {
        "geometry": "changed",
        "area_ha": [2.0, 1.0],
    }
    # An update that changes nothing writes nothing.
    assert store.update(LANDPOOL, "A", expected_version=3, values={"notes": "n"}).version == 3


def test_two_concurrent_updates_one_wins_one_conflicts(store_url: str) -> None:
    with Store(store_url) as setup:
        _add(setup, "A")
    stores = [Store(store_url), Store(store_url)]  # two servers, two connection pools
    barrier = threading.Barrier(2)
    results: list[str] = []

    def edit(i: int) -> None:
        barrier.wait()
        try:
            stores[i].update(
                Viewer("landpool", f"user{i}"), "A", expected_version=1, values={"notes": f"{i}"}
            )
            results.append("ok")
        except ConflictError:
            results.append("conflict")

    threads = [threading.Thread(target=edit, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(results) == ["conflict", "ok"]
    plot = stores[0].get(LANDPOOL, "A")
    assert plot.version == 2 and plot.notes in ("0", "1")
    assert plot.updated_by == f"user{plot.notes}"
    assert len(stores[0].history(LANDPOOL, "A")) == 2
    for s in stores:
        s.close()


def test_two_concurrent_status_changes_one_wins(store_url: str) -> None:
    with Store(store_url) as setup:
        _add(setup, "A")
    stores = [Store(store_url), Store(store_url)]
    barrier = threading.Barrier(2)
    results: list[str] = []

    def move(i: int) -> None:
        barrier.wait()
        try:
            stores[i].set_status(LANDPOOL, "A", "assessed", expected_version=1)
            results.append("ok")
        except ConflictError:
            results.append("conflict")

    threads = [threading.Thread(target=move, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(results) == ["conflict", "ok"]
    assert [h.to_status for h in stores[0].history(LANDPOOL, "A")] == ["identified", "assessed"]
    for s in stores:
        s.close()


def test_list_filters_and_pages(store: Store) -> None:
    for i in range(5):
        _add(store, f"P{i}", category="brownfield" if i % 2 else "reserve")
    assert [p.plot_id for p in store.list(LANDPOOL, limit=2, offset=1)] == ["P1", "P2"]
    assert store.count(LANDPOOL, category="brownfield") == 2
    with pytest.raises(InputError):
        store.list(LANDPOOL, status="sleeping")


def test_geopackage_store_opens_as_a_plain_geopackage(tmp_path: Path) -> None:
    path = tmp_path / "lp.gpkg"
    with Store(f"gpkg:///{path}") as store:
        _add(store, "A", category="brownfield")
    layers = {str(name): str(gtype) for name, gtype in pyogrio.list_layers(path)}
    assert layers["plots"] == "MultiPolygon"
    frame = gpd.read_file(path, layer="plots")
    assert frame.crs.to_epsg() == 25832
    assert frame.loc[0, "plot_id"] == "A" and frame.loc[0, "category"] == "brownfield"
    assert frame.geometry.iloc[0].area == pytest.approx(20000.0)


def test_bad_database_url_is_refused() -> None:
    with pytest.raises(InputError, match="not supported"):
        Store("mysql://x@y/z")


def test_migrations_go_down_and_up_again(store_url: str) -> None:
    from alembic import command
    from alembic.config import Config

    from geo.landpool.store import MIGRATIONS_DIR

    with Store(store_url) as store:
        _add(store, "A")
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
        with store.engine.connect().execution_options(write=True) as conn, conn.begin():
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "base")
        with store.engine.connect() as conn:
            tables = set(sa.inspect(conn).get_table_names())
        assert not {"plots", "plot_history"} & tables
    with Store(store_url) as again:  # opening migrates up again
        assert again.count(LANDPOOL) == 0
        _add(again, "A")
        assert again.check_integrity() == []
