"""API tokens: creation, hashing, authentication, revocation and expiry."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from geo.access.roles import PUBLIC, Role, Viewer
from geo.access.tokens import PREFIX, TokenStore, default_url, hash_token
from geo.errors import (
    AuthenticationError,
    ConflictError,
    InputError,
    NotFoundError,
    PermissionDeniedError,
)
from geo.settings import Settings


@pytest.fixture(params=["geopackage", "postgis"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TokenStore]:
    """An empty token store: in a land-pool GeoPackage, or in a PostGIS database."""
    if request.param == "geopackage":
        url = f"gpkg:///{tmp_path / 'landpool.gpkg'}"
    else:
        url = str(request.getfixturevalue("fresh_postgis"))
    s = TokenStore(url)
    yield s
    s.close()


def test_create_returns_token_once_and_stores_only_its_hash(store: TokenStore) -> None:
    token, info = store.create("anna", "planner")
    assert token.startswith(PREFIX) and len(token) >= 40
    assert info.role is Role.PLANNER and info.state() == "active" and info.expires_at is None
    assert info.shown.startswith(token[:8]) and token not in info.shown
    with store.engine.connect() as conn:
        dump = repr(conn.exec_driver_sql("SELECT * FROM api_tokens").fetchall())
    assert token not in dump and token[len(PREFIX) :] not in dump
    assert hash_token(token) in dump


def test_authenticate_gives_role_and_name(store: TokenStore) -> None:
    token, _ = store.create("landpool-team", Role.LANDPOOL)
    viewer = store.authenticate(token)
    assert viewer == Viewer(Role.LANDPOOL, "landpool-team")
    assert viewer.sees_confidential and viewer.may_write


def test_unknown_token_is_refused(store: TokenStore) -> None:
    store.create("anna", "planner")
    with pytest.raises(AuthenticationError, match="unknown"):
        store.authenticate(PREFIX + "x" * 43)


def test_revoked_token_is_refused(store: TokenStore) -> None:
    token, info = store.create("anna", "planner")
    revoked = store.revoke("anna")
    assert revoked.state() == "revoked" and revoked.id == info.id
    assert store.revoke(info.id).revoked_at == revoked.revoked_at  # idempotent
    with pytest.raises(AuthenticationError, match="revoked"):
        store.authenticate(token)


def test_token_expires(store: TokenStore) -> None:
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    token, info = store.create("temp", "admin", expires_in=timedelta(hours=1), now=t0)
    assert info.expires_at == t0 + timedelta(hours=1)
    assert store.authenticate(token, now=t0 + timedelta(minutes=59)).role is Role.ADMIN
    with pytest.raises(AuthenticationError, match="expired"):
        store.authenticate(token, now=t0 + timedelta(hours=1))
    assert store.get("temp").state(t0 + timedelta(hours=2)) == "expired"


def test_create_refuses_bad_input(store: TokenStore) -> None:
    with pytest.raises(InputError, match="role 'boss'"):
        store.create("x", "boss")
    with pytest.raises(InputError, match="name"):
        store.create("  ", "planner")
    with pytest.raises(InputError, match="past"):
        store.create("x", "planner", expires_at=datetime(2000, 1, 1, tzinfo=UTC))
    store.create("x", "planner")
    with pytest.raises(ConflictError, match="'x' exists"):
        store.create("x", "admin")
    with pytest.raises(NotFoundError):
        store.revoke("nobody")


def test_list_keeps_revoked_tokens(store: TokenStore) -> None:
    store.create("a", "planner")
    store.create("b", "landpool")
    store.revoke("a")
    assert [(i.name, i.state()) for i in store.list()] == [("a", "revoked"), ("b", "active")]


def test_revoke_refuses_a_reference_that_is_one_tokens_id_and_anothers_name(
    store: TokenStore,
) -> None:
    for i in range(1, 6):
        store.create(f"t{i}", "planner")
    named_2 = store.create("2", "landpool")[1]  # a token *named* "2"; token id 2 is "t2"
    before = [(i.id, i.name, i.state()) for i in store.list()]
    with pytest.raises(InputError, match=r"'2' is ambiguous.*token 2 't2'.*--id 2 or --name 2"):
        store.revoke("2")
    assert [(i.id, i.name, i.state()) for i in store.list()] == before  # nothing revoked
    assert store.revoke("2", by="name").id == named_2.id
    assert store.revoke("2", by="id").name == "t2"
    assert store.revoke(3).name == "t3"  # an int is an id
    assert store.revoke("t4").name == "t4"  # unambiguous text: a name ...
    assert store.revoke("5").name == "t5"  # ... or an id
    with pytest.raises(NotFoundError, match="no token with name 't1x'"):
        store.revoke("t1x", by="name")
    with pytest.raises(InputError, match="whole number"):
        store.revoke("x", by="id")


def test_default_url_follows_settings(tmp_path: Path) -> None:
    s = Settings(landpool_gpkg=tmp_path / "lp.gpkg")
    assert default_url(s) == f"gpkg:///{tmp_path / 'lp.gpkg'}"
    pg = Settings(database_url="postgresql://u:p@127.0.0.1/db")
    assert default_url(pg) == "postgresql://u:p@127.0.0.1/db"


def test_roles() -> None:
    assert not PUBLIC.sees_confidential and not PUBLIC.may_write
    planner = Viewer("planner", "p")
    assert not planner.sees_confidential
    with pytest.raises(PermissionDeniedError, match="needs the 'landpool' role"):
        planner.require_write()
    Viewer("admin").require_write()


def test_tokens_share_the_postgis_database_of_the_land_pool(request: pytest.FixtureRequest) -> None:
    from geo.landpool.store import Store

    url = str(request.getfixturevalue("fresh_postgis"))
    plots = Store(url)
    tokens = TokenStore(url)
    try:
        token, _ = tokens.create("lp", "landpool")
        viewer = tokens.authenticate(token)
        assert plots.count(viewer) == 0 and viewer.may_write
    finally:
        tokens.close()
        plots.close()
