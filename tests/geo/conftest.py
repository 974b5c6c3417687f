"""Fixtures for the land-pool store tests: the same tests run on GeoPackage and PostGIS.

PostGIS cases use the server in ``STADTREGION_TEST_POSTGIS_URL`` (``.ci/postgres.sh``
starts one and prints it). Each test gets a fresh database made from a template that
holds only the PostGIS extension. Without that variable the PostGIS cases are skipped,
unless ``STADTREGION_REQUIRE_POSTGIS=1`` (set in CI), which makes them fail.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from geo.landpool.plots import Viewer
from geo.landpool.store import Store

BACKENDS = ["geopackage", "postgis"]
LANDPOOL = Viewer("landpool", "anna")
PUBLIC = Viewer("public", "someone")


def _postgis_url() -> str | None:
    url = os.environ.get("STADTREGION_TEST_POSTGIS_URL")
    if url:
        return url
    reason = (
        "PostGIS tests need STADTREGION_TEST_POSTGIS_URL (run `bash .ci/postgres.sh` as root "
        "with postgresql and postgresql-15-postgis-3 installed, or `make test`)"
    )
    if os.environ.get("STADTREGION_REQUIRE_POSTGIS") == "1":
        pytest.fail(reason + "; STADTREGION_REQUIRE_POSTGIS=1 forbids skipping")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgis_template() -> Iterator[tuple[sa.URL, str]]:
    """A template database with only PostGIS in it, for cheap per-test databases."""
    url = sa.make_url(_postgis_url() or "").set(drivername="postgresql+psycopg")
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    name = f"sr_tpl_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    tpl = sa.create_engine(url.set(database=name))
    with tpl.begin() as conn:
        conn.exec_driver_sql("CREATE EXTENSION postgis")
    tpl.dispose()
    yield url, name
    with admin.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    admin.dispose()


@pytest.fixture
def fresh_postgis(request: pytest.FixtureRequest) -> Iterator[str]:
    """URL of a new, empty PostGIS database, dropped after the test."""
    url, template = request.getfixturevalue("postgis_template")
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    name = f"sr_test_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name} TEMPLATE {template}")
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """URL of an empty store, once per backend."""
    if request.param == "geopackage":
        return f"gpkg:///{tmp_path / 'landpool.gpkg'}"
    return str(request.getfixturevalue("fresh_postgis"))


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    """An empty store (municipality-less: AGS stays unknown unless a test gives them)."""
    s = Store(store_url)
    yield s
    s.close()


def fingerprint(store: Store) -> tuple[int, int, str]:
    """Row counts of plots and history and a hash over every stored value."""
    h = hashlib.sha256()
    with store.engine.connect() as conn:
        counts = []
        for table, order in (("plots", "plot_id"), ("plot_history", "id")):
            rows = conn.exec_driver_sql(f"SELECT * FROM {table} ORDER BY {order}").all()
            counts.append(len(rows))
            for row in rows:
                h.update(repr(tuple(row)).encode())
    return counts[0], counts[1], h.hexdigest()


def file_sha(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()
