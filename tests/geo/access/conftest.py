"""An empty account store on each backend (GeoPackage and PostGIS), as the token tests do."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from geo.access.accounts import Accounts
from geo.access.sessions import SessionPolicy

#: A server secret for tests (the app reads it from settings or the secret file).
SECRET = b"test-secret-" + b"k" * 32
PASSWORD = "correct horse battery staple"


@pytest.fixture(params=["geopackage", "postgis"])
def accounts_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """URL of an empty land-pool database, once per backend."""
    if request.param == "geopackage":
        return f"gpkg:///{tmp_path / 'landpool.gpkg'}"
    return str(request.getfixturevalue("fresh_postgis"))


@pytest.fixture
def accounts(accounts_url: str) -> Iterator[Accounts]:
    """Accounts with the default policy (8 h, 60 min idle, 5 failures in 15 min, 15 min)."""
    a = Accounts(accounts_url, SessionPolicy(), SECRET)
    yield a
    a.close()
