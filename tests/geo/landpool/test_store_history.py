"""The history on both backends: publish step, visibility of rows, append-only, hash chain."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from shapely.geometry import box

from geo.errors import ConflictError, InputError, PermissionDeniedError
from geo.landpool.history_chain import GENESIS, row_hash
from geo.landpool.plots import Viewer
from geo.landpool.public import project_history
from geo.landpool.store import Store
from tests.geo.conftest import LANDPOOL, PUBLIC, fingerprint

PLANNER = Viewer("planner", "pat")
SQUARE = box(681000, 5645000, 681100, 5645200)


def _add(store: Store, plot_id: str, **values: object) -> None:
    store.create(LANDPOOL, {"name": f"Plot {plot_id}", **values}, SQUARE, plot_id=plot_id)


def _ids(store: Store, viewer: Viewer) -> list[str]:
    return [p.plot_id for p in store.list(viewer)]


# -- publish step ------------------------------------------------------------------------
def test_new_plots_are_internal_until_published(store: Store) -> None:
    _add(store, "A")
    assert _ids(store, PUBLIC) == [] and store.count(PUBLIC) == 0
    assert _ids(store, PLANNER) == ["A"] and _ids(store, LANDPOOL) == ["A"]
    assert store.get(LANDPOOL, "A").published is False
    with pytest.raises(PermissionDeniedError):
        store.publish(PLANNER, "A", reason="x")
    before = fingerprint(store)
    with pytest.raises(InputError, match="reason"):
        store.publish(LANDPOOL, "A", reason="  ")
    with pytest.raises(ConflictError, match="changed by someone else"):
        store.publish(LANDPOOL, "A", reason="offer", expected_version=7)
    with pytest.raises(ConflictError, match="already not published"):
        store.unpublish(LANDPOOL, "A", reason="x")
    assert fingerprint(store) == before  # nothing stored on a refused request
    plot = store.publish(Viewer("landpool", "ben"), "A", reason="Angebot im Forum")
    assert plot.published is True and plot.version == 2 and plot.updated_by == "ben"
    assert _ids(store, PUBLIC) == ["A"]
    store.unpublish(LANDPOOL, "A", reason="owner withdraws the offer")
    assert _ids(store, PUBLIC) == [] and _ids(store, PLANNER) == ["A"]
    rows = store.history(LANDPOOL, "A")
    assert [(h.event, h.actor, h.reason, h.changes) for h in rows[1:]] == [
        ("published", "ben", "Angebot im Forum", {"published": [False, True]}),
        ("unpublished", "anna", "owner withdraws the offer", {"published": [True, False]}),
    ]
    assert store.check_integrity() == []


def test_confidential_is_the_stronger_restriction(store: Store) -> None:
    _add(store, "S", confidential=True)
    before = fingerprint(store)
    with pytest.raises(ConflictError, match="confidential and cannot be published"):
        store.publish(LANDPOOL, "S", reason="offer")
    assert fingerprint(store) == before
    _add(store, "P")
    store.publish(LANDPOOL, "P", reason="offer")
    plot = store.update(LANDPOOL, "P", expected_version=2, values={"confidential": True})
    assert plot.published is False and _ids(store, PUBLIC) == [] and _ids(store, PLANNER) == []
    # declassifying does not publish again
    store.update(LANDPOOL, "P", expected_version=3, values={"confidential": False})
    assert _ids(store, PUBLIC) == [] and _ids(store, PLANNER) == ["P"]


def test_new_plot_starts_at_identified(store: Store) -> None:
    before = fingerprint(store)
    with pytest.raises(InputError, match="starts at identified"):
        store.create(LANDPOOL, {}, SQUARE, plot_id="D", status="developed")
    assert fingerprint(store) == before
    new = store.prepare({}, SQUARE, plot_id="D", status="developed")
    with pytest.raises(InputError, match="needs a reason"):
        store.insert_many(LANDPOOL, [new])  # an import must say why
    assert fingerprint(store) == before
    new.reason = "imported from x.gpkg; status developed as given in the file"
    store.insert_many(LANDPOOL, [new])
    [created] = store.history(LANDPOOL, "D")
    assert created.to_status == "developed" and "status developed" in (created.reason or "")


# -- nothing from the confidential period reaches public or planners ---------------------
def test_rows_written_while_confidential_stay_hidden_after_declassification(
    store: Store,
) -> None:
    _add(store, "J", confidential=True)
    store.update(
        LANDPOOL, "J", expected_version=1, values={"notes": "price 1.2M EUR, owner willing"}
    )
    store.update(LANDPOOL, "J", expected_version=2, values={"notes": None})
    store.update(LANDPOOL, "J", expected_version=3, values={"confidential": False})
    store.set_status(LANDPOOL, "J", "assessed", reason="site visit")
    for viewer in (PLANNER, PUBLIC):
        if viewer is PUBLIC:
            store.publish(LANDPOOL, "J", reason="offer")
        rows = store.history(viewer, "J")
        shown = repr(project_history(rows, viewer))
        assert "1.2M" not in shown and "anna" not in shown
        assert all(r.visibility != "landpool" for r in rows)
    assert [r.event for r in store.history(PLANNER, "J")] == ["status", "published"]
    assert [r.event for r in store.history(PUBLIC, "J")] == ["published"]
    assert len(store.history(LANDPOOL, "J")) == 6
    assert "1.2M" in repr([r.changes for r in store.history(LANDPOOL, "J")])


# -- append-only, enforced by the database -----------------------------------------------
def test_history_rewrites_are_refused_by_the_database(store: Store) -> None:
    _add(store, "A")
    store.set_status(LANDPOOL, "A", "assessed")
    before = fingerprint(store)
    cols = "id, plot_id, at, actor, event, version, visibility, hash"
    vals = "1, 'A', '2020-01-01T00:00:00.000Z', 'mallory', 'created', 1, 'public', 'x'"
    if store.backend == "geopackage":
        sqls = [
            f"REPLACE INTO plot_history ({cols}) VALUES ({vals})",
            f"INSERT OR REPLACE INTO plot_history ({cols}) VALUES ({vals})",
            f"INSERT INTO plot_history ({cols}) VALUES ({vals}) "
            "ON CONFLICT (id) DO UPDATE SET actor = 'mallory'",
            "UPDATE OR REPLACE plot_history SET actor = 'mallory'",
        ]
    else:
        vals = vals.replace("'2020-01-01T00:00:00.000Z'", "now()")
        sqls = [
            f"INSERT INTO plot_history ({cols}) VALUES ({vals}) "
            "ON CONFLICT (id) DO UPDATE SET actor = 'mallory'",
            "TRUNCATE plot_history",
        ]
    sqls += ["UPDATE plot_history SET actor = 'mallory'", "DELETE FROM plot_history"]
    for sql in sqls:
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), store.engine.begin() as c:
            c.exec_driver_sql(sql)
    assert fingerprint(store) == before
    assert store.check_integrity() == []


def test_postgres_app_role_may_not_update_delete_or_truncate_the_history(
    request: pytest.FixtureRequest,
) -> None:
    """The store opened (and migrated) as a non-superuser role, as in production."""
    url = sa.make_url(request.getfixturevalue("fresh_postgis"))
    role = f"sr_app_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE ROLE {role} LOGIN")
        conn.exec_driver_sql(f"GRANT CREATE, USAGE ON SCHEMA public TO {role}")
    try:
        app_url = url.set(username=role).render_as_string(hide_password=False)
        with Store(app_url) as store:
            _add(store, "A")
            for sql in (
                "UPDATE plot_history SET actor = 'x'",
                "DELETE FROM plot_history",
                "TRUNCATE plot_history",
            ):
                with store.engine.begin() as c:
                    c.exec_driver_sql("ALTER TABLE plot_history DISABLE TRIGGER USER")
                    with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
                        c.exec_driver_sql(sql)
            assert store.check_integrity() == []
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP OWNED BY {role} CASCADE")
            conn.exec_driver_sql(f"DROP ROLE {role}")
        admin.dispose()


# -- rewrites with another program are detected ------------------------------------------
TAMPER = {
    "changed": ["UPDATE plot_history SET reason = 'nothing to see' WHERE id = 2"],
    "removed": ["DELETE FROM plot_history WHERE id = 2"],
    "inserted": [
        "UPDATE plot_history SET id = id + 100 WHERE id >= 3",
        "INSERT INTO plot_history (id, plot_id, at, actor, event, from_status, to_status, "
        "version, visibility, hash) SELECT 3, plot_id, at, actor, 'updated', to_status, "
        "to_status, version, visibility, hash FROM plot_history WHERE id = 2",
    ],
    "reordered": [
        "UPDATE plot_history SET id = -1 WHERE id = 2",
        "UPDATE plot_history SET id = 2 WHERE id = 3",
        "UPDATE plot_history SET id = 3 WHERE id = -1",
    ],
}
DROP_TRIGGERS = {
    "geopackage": [
        "DROP TRIGGER plot_history_no_update",
        "DROP TRIGGER plot_history_no_delete",
        "DROP TRIGGER plot_history_append_at_end",
    ],
    "postgresql": ["ALTER TABLE plot_history DISABLE TRIGGER USER"],
}


def _three_rows(store: Store) -> None:
    _add(store, "A")
    store.set_status(LANDPOOL, "A", "assessed", reason="visited")
    _add(store, "B")
    assert store.check_integrity() == []


@pytest.mark.parametrize("how", sorted(TAMPER))
def test_rewrite_with_triggers_dropped_is_found(store_url: str, tmp_path: Path, how: str) -> None:
    with Store(store_url) as store:
        _three_rows(store)
        backend = store.backend
    sqls = DROP_TRIGGERS[backend] + TAMPER[how]
    if backend == "geopackage":  # Python's own sqlite3, as any other program would
        path = store_url.removeprefix("gpkg:///")
        conn = sqlite3.connect(path)
        with conn:
            for sql in sqls:
                conn.execute(sql)
        conn.close()
    else:  # psql as the database superuser, in one transaction
        psql = sorted(Path("/usr/lib/postgresql").glob("*/bin/psql"))
        if not psql:
            pytest.skip("psql is not installed")
        url = sa.make_url(store_url)
        script = "BEGIN;\n" + ";\n".join(sqls) + ";\nCOMMIT;\n"
        subprocess.run(
            [str(psql[-1]), "-v", "ON_ERROR_STOP=1", "-qAt", "-h", str(url.host),
             "-p", str(url.port), "-U", str(url.username), "-d", str(url.database)],
            input=script, text=True, check=True, capture_output=True, timeout=60,
        )  # fmt: skip
    with Store(store_url) as store:
        problems = store.check_integrity()
    assert any("hash does not match" in p for p in problems), problems


def test_recomputed_chain_is_found_against_an_anchored_head(tmp_path: Path) -> None:
    """Rewriting the tail and recomputing its hashes with the public formula passes the
    chain, but not a head recorded elsewhere (``verify-history --expect-head``)."""
    path = tmp_path / "lp.gpkg"
    with Store(f"gpkg:///{path}") as store:
        _three_rows(store)
        head = store.verify_history().head_hash
    copy = tmp_path / "copy.gpkg"
    shutil.copy(path, copy)
    conn = sqlite3.connect(copy)
    conn.row_factory = sqlite3.Row
    with conn:
        for sql in DROP_TRIGGERS["geopackage"]:
            conn.execute(sql)
        conn.execute("UPDATE plot_history SET reason = 'forged' WHERE id = 2")
        previous = GENESIS
        for row in conn.execute("SELECT * FROM plot_history ORDER BY id").fetchall():
            digest = row_hash(previous, dict(row))
            conn.execute("UPDATE plot_history SET hash = ? WHERE id = ?", (digest, row["id"]))
            previous = digest
    conn.close()
    with Store(f"gpkg:///{copy}") as forged:
        assert forged.check_integrity() == []  # the chain alone cannot tell
        assert not forged.history_has(head)  # the anchored head can
    with Store(f"gpkg:///{path}") as store:
        assert store.history_has(head)


# -- migration of existing stores --------------------------------------------------------
def test_migration_unpublishes_existing_plots_and_chains_existing_rows(store_url: str) -> None:
    """A store at revision 0003 (made by migrating down) gets visibility and the chain."""
    from alembic import command
    from alembic.config import Config

    from geo.landpool.store import MIGRATIONS_DIR

    with Store(store_url) as store:
        _add(store, "C", confidential=True)
        store.update(LANDPOOL, "C", expected_version=1, values={"notes": "secret price"})
        store.update(LANDPOOL, "C", expected_version=2, values={"confidential": False})
        store.set_status(LANDPOOL, "C", "assessed")
        _add(store, "P")
        store.publish(LANDPOOL, "P", reason="offer")
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
        with store.engine.connect().execution_options(write=True) as conn, conn.begin():
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0003_screening_profiles")
        with store.engine.connect() as conn:
            cols = {c["name"] for c in sa.inspect(conn).get_columns("plot_history")}
        assert not {"visibility", "hash"} & cols
    with Store(store_url) as again:  # opening migrates up again
        assert again.check_integrity() == []
        assert again.verify_history().rows == 6
        assert _ids(again, PUBLIC) == []  # existing plots are unpublished
        assert _ids(again, PLANNER) == ["C", "P"]
        levels = [h.visibility for h in again.history(LANDPOOL, "C")]
        assert levels == ["landpool", "landpool", "landpool", "internal"]
        shown = repr(project_history(again.history(PLANNER, "C"), PLANNER))
        assert "secret price" not in shown
