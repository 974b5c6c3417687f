"""Sessions (hash-only, expiry, idle timeout, revocation) and login throttling."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr

from geo.access import secret as secret_mod
from geo.access.accounts import LOGIN_REFUSED, Accounts
from geo.access.roles import Role, Viewer
from geo.access.secret import server_secret
from geo.access.sessions import Attempt, SessionPolicy, hash_session_id
from geo.errors import AuthenticationError, DataSourceError, InputError, TooManyAttemptsError
from geo.settings import Settings
from tests.geo.access.conftest import PASSWORD, SECRET

T0 = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)


def _user(accounts: Accounts, name: str = "anna", role: str = "landpool") -> None:
    accounts.users.create(name, role, PASSWORD, display_name=name.title())


def _fail(accounts: Accounts, name: str, client: str, now: datetime) -> None:
    with pytest.raises(AuthenticationError):
        accounts.login(name, "wrong password, sorry", client, now=now)


# -- sessions ----------------------------------------------------------------------------
def test_login_gives_a_random_session_id_stored_only_as_its_hash(accounts: Accounts) -> None:
    _user(accounts)
    a = accounts.login("Anna", PASSWORD, "10.0.0.1")
    b = accounts.login("anna", PASSWORD, "10.0.0.1")
    assert a.token != b.token and len(a.token) >= 43  # 256 bits, URL-safe
    assert re.fullmatch(r"[A-Za-z0-9_-]+", a.token)
    with accounts.engine.connect() as conn:
        dump = repr(conn.exec_driver_sql("SELECT * FROM sessions").fetchall())
    assert a.token not in dump and b.token not in dump
    assert hash_session_id(a.token) in dump
    found = accounts.authenticate(a.token)
    assert found is not None and found.viewer == Viewer(Role.LANDPOOL, "anna")
    assert found.session_id == a.session.id and a.user.last_login_at is not None


def test_unknown_or_malformed_session_ids_are_nobody(accounts: Accounts) -> None:
    _user(accounts)
    accounts.login("anna", PASSWORD, "10.0.0.1")
    for token in ("", "x", "A" * 43, "A" * 5000):
        assert accounts.authenticate(token) is None


def test_absolute_expiry(accounts: Accounts) -> None:
    _user(accounts)
    r = accounts.login("anna", PASSWORD, "10.0.0.1", now=T0)
    assert r.session.expires_at == T0 + timedelta(hours=8)
    # active every 30 minutes: the idle timeout never strikes, the absolute expiry does
    t = T0
    while t < T0 + timedelta(hours=8) - timedelta(minutes=30):
        t += timedelta(minutes=30)
        assert accounts.authenticate(r.token, now=t) is not None, t
    assert accounts.authenticate(r.token, now=T0 + timedelta(hours=8)) is None


def test_idle_timeout_and_touch_at_most_once_a_minute(accounts: Accounts) -> None:
    _user(accounts)
    r = accounts.login("anna", PASSWORD, "10.0.0.1", now=T0)
    assert accounts.authenticate(r.token, now=T0 + timedelta(seconds=30)) is not None
    seen = accounts.sessions.get(r.session.id)
    assert seen is not None and seen.last_seen_at == T0  # not written after 30 s
    assert accounts.authenticate(r.token, now=T0 + timedelta(minutes=50)) is not None
    seen = accounts.sessions.get(r.session.id)
    assert seen is not None and seen.last_seen_at == T0 + timedelta(minutes=50)
    assert accounts.authenticate(r.token, now=T0 + timedelta(minutes=109)) is not None
    assert accounts.authenticate(r.token, now=T0 + timedelta(minutes=170)) is None  # 61 idle


def test_logout_ends_the_session_on_the_server(accounts: Accounts) -> None:
    _user(accounts)
    r = accounts.login("anna", PASSWORD, "10.0.0.1")
    other = accounts.login("anna", PASSWORD, "10.0.0.2")
    assert accounts.logout(r.token) is True
    assert accounts.authenticate(r.token) is None
    info = accounts.sessions.get(r.session.id)
    assert info is not None and info.end_reason == "logout" and info.ended_at is not None
    assert accounts.logout(r.token) is False  # idempotent
    assert accounts.authenticate(other.token) is not None  # other logins of the user live


def test_a_disabled_user_loses_the_session_even_if_it_was_not_ended(accounts: Accounts) -> None:
    _user(accounts)
    r = accounts.login("anna", PASSWORD, "10.0.0.1")
    with accounts.engine.begin() as conn:  # disabled behind the store's back
        conn.exec_driver_sql("UPDATE users SET disabled_at = CURRENT_TIMESTAMP")
    assert accounts.authenticate(r.token) is None
    with pytest.raises(AuthenticationError, match=re.escape(LOGIN_REFUSED)):
        accounts.login("anna", PASSWORD, "10.0.0.1")


def test_open_counts(accounts: Accounts) -> None:
    _user(accounts)
    _user(accounts, "bert", "planner")
    a = accounts.login("anna", PASSWORD, "10.0.0.1")
    accounts.login("anna", PASSWORD, "10.0.0.1")
    accounts.login("bert", PASSWORD, "10.0.0.1")
    accounts.logout(a.token)
    ids = {u.username: u.id for u in accounts.users.list()}
    assert accounts.sessions.open_counts() == {ids["anna"]: 1, ids["bert"]: 1}


# -- throttling ----------------------------------------------------------------------------
def test_five_failures_per_username_lock_it_from_every_client(accounts: Accounts) -> None:
    _user(accounts)
    for i in range(5):
        _fail(accounts, "anna", f"10.0.1.{i}", T0 + timedelta(minutes=i))
    with pytest.raises(TooManyAttemptsError) as refused:  # even the right password
        accounts.login("anna", PASSWORD, "10.0.9.9", now=T0 + timedelta(minutes=5))
    # locked for 15 minutes from the fifth failure
    assert refused.value.until == T0 + timedelta(minutes=4 + 15)
    assert refused.value.retry_after_s == 14 * 60
    assert accounts.login("anna", PASSWORD, "10.0.9.9", now=T0 + timedelta(minutes=19)).token


def test_five_failures_per_client_lock_it_for_every_username(accounts: Accounts) -> None:
    _user(accounts)
    _user(accounts, "bert")
    for i in range(5):
        _fail(accounts, f"guess{i}", "10.0.0.66", T0 + timedelta(seconds=i))
    with pytest.raises(TooManyAttemptsError):
        accounts.login("bert", PASSWORD, "10.0.0.66", now=T0 + timedelta(seconds=10))
    # another client is not locked, nor are the usernames tried
    r = accounts.login("bert", PASSWORD, "10.0.0.77", now=T0 + timedelta(seconds=11))
    assert r.user.username == "bert"


def test_unknown_usernames_are_throttled_like_known_ones(accounts: Accounts) -> None:
    _user(accounts)
    messages = {}
    for name in ("anna", "nobody"):
        for i in range(5):
            with pytest.raises(AuthenticationError) as refused:
                accounts.login(name, "wrong password!", f"10.{i}.0.{len(name)}", now=T0)
            assert str(refused.value) == LOGIN_REFUSED
        with pytest.raises(TooManyAttemptsError) as locked:
            accounts.login(name, "wrong password!", "10.9.9.9", now=T0 + timedelta(seconds=1))
        messages[name] = (str(locked.value), locked.value.retry_after_s)
    assert messages["anna"] == messages["nobody"]


def test_failures_outside_the_window_do_not_count(accounts: Accounts) -> None:
    _user(accounts)
    for i in range(4):
        _fail(accounts, "anna", "10.0.0.1", T0 + timedelta(minutes=i))
    # 16 minutes after the first failures they are forgotten: four more may fail
    for i in range(4):
        _fail(accounts, "anna", "10.0.0.1", T0 + timedelta(minutes=20 + i))
    assert accounts.login("anna", PASSWORD, "10.0.0.1", now=T0 + timedelta(minutes=25)).token


def test_a_success_clears_the_failures_of_its_username_not_of_its_client(
    accounts: Accounts,
) -> None:
    _user(accounts)
    for i in range(4):
        _fail(accounts, "anna", f"10.0.2.{i}", T0)
    accounts.login("anna", PASSWORD, "10.0.2.9", now=T0)
    for i in range(4):
        _fail(accounts, "anna", f"10.0.3.{i}", T0)
    assert accounts.login("anna", PASSWORD, "10.0.3.9", now=T0).token
    # the client's count is kept: an attacker cannot reset it by logging into their own account
    for i in range(4):
        _fail(accounts, f"other{i}", "10.0.4.4", T0)
    accounts.login("anna", PASSWORD, "10.0.4.4", now=T0)
    _fail(accounts, "other9", "10.0.4.4", T0)
    with pytest.raises(TooManyAttemptsError):
        accounts.login("anna", PASSWORD, "10.0.4.4", now=T0)


def test_attempts_are_counted_before_the_password_is_checked(accounts: Accounts) -> None:
    """Parallel guesses cannot slip past the limit while their hashes are checked."""
    pending = [accounts.throttle.begin("anna", f"10.0.5.{i}", T0) for i in range(5)]
    assert all(isinstance(p, Attempt) for p in pending)
    assert not isinstance(accounts.throttle.begin("anna", "10.0.5.9", T0), Attempt)


def test_the_throttle_is_shared_by_every_worker(accounts: Accounts, accounts_url: str) -> None:
    _user(accounts)
    other = Accounts(accounts_url, SessionPolicy(), SECRET)  # a second worker process
    try:
        for i in range(5):
            _fail(accounts if i % 2 else other, "anna", f"10.0.6.{i}", T0)
        with pytest.raises(TooManyAttemptsError):
            other.login("anna", PASSWORD, "10.0.6.9", now=T0)
    finally:
        other.close()


def test_failures_store_neither_username_nor_address(accounts: Accounts) -> None:
    for i in range(3):
        _fail(accounts, "quastwitz.geheim", "192.0.2.77", T0 + timedelta(seconds=i))
    with accounts.engine.connect() as conn:
        dump = repr(conn.exec_driver_sql("SELECT * FROM login_failures").fetchall())
    assert dump.count("'user'") == 3 and dump.count("'client'") == 3
    assert "quastwitz" not in dump and "192.0.2.77" not in dump


def test_old_failures_are_pruned(accounts: Accounts) -> None:
    for i in range(3):
        _fail(accounts, "anna", "10.0.7.1", T0 + timedelta(seconds=i))
    _fail(accounts, "bert", "10.0.7.2", T0 + timedelta(hours=1))
    with accounts.engine.connect() as conn:
        n = conn.exec_driver_sql("SELECT count(*) FROM login_failures").scalar_one()
    assert n == 2  # bert's two rows; anna's are older than window and lockout


def test_policy_from_settings() -> None:
    s = Settings(
        session_max_age_h=2,
        session_idle_min=10,
        login_max_failures=3,
        login_window_min=5,
        login_lockout_min=30,
    )
    assert SessionPolicy.from_settings(s) == SessionPolicy(
        timedelta(hours=2), timedelta(minutes=10), 3, timedelta(minutes=5), timedelta(minutes=30)
    )
    assert SessionPolicy.from_settings(Settings()) == SessionPolicy()


# -- the server secret ---------------------------------------------------------------------
def test_secret_file_is_made_once_with_mode_0600(tmp_path: Path) -> None:
    secret_mod.forget_cached()
    s = Settings(processed_dir=tmp_path / "processed")
    first = server_secret(s)
    path = tmp_path / "processed" / "secret_key"
    assert path.stat().st_mode & 0o777 == 0o600 and len(first) == 64
    secret_mod.forget_cached()
    assert server_secret(s) == first  # read again, not made anew
    assert not [p for p in path.parent.iterdir() if p.name != "secret_key"]  # no temp left


def test_concurrent_creation_agrees_on_one_secret(tmp_path: Path) -> None:
    s = Settings(processed_dir=tmp_path)
    found: list[bytes] = []

    def make() -> None:
        found.append(secret_mod._read_or_create(tmp_path / "secret_key"))

    threads = [threading.Thread(target=make) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    secret_mod.forget_cached()
    assert len(set(found)) == 1 and found[0] == server_secret(s)


def test_secret_setting_wins_and_must_be_long(tmp_path: Path) -> None:
    secret_mod.forget_cached()
    s = Settings(processed_dir=tmp_path, secret_key=SecretStr("s" * 40))
    assert server_secret(s) == b"s" * 40 and not (tmp_path / "secret_key").exists()
    with pytest.raises(InputError, match="at least 32 characters"):
        server_secret(Settings(processed_dir=tmp_path, secret_key=SecretStr("short")))


def test_a_truncated_secret_file_is_refused(tmp_path: Path) -> None:
    secret_mod.forget_cached()
    (tmp_path / "secret_key").write_text("abc\n")
    with pytest.raises(DataSourceError, match="fewer than 32"):
        server_secret(Settings(processed_dir=tmp_path))
    secret_mod.forget_cached()


def test_the_throttle_has_its_own_advisory_lock() -> None:
    """PostgreSQL advisory lock keys: counting failed logins never waits for a plot's
    history append, a migration or a forum write."""
    from geo.access import sessions
    from geo.forum.schema import FORUM_LOCK
    from geo.landpool import store_engine
    from geo.landpool.store_history import HISTORY_LOCK

    keys = [sessions._THROTTLE_LOCK, HISTORY_LOCK, store_engine._MIGRATION_LOCK, FORUM_LOCK]
    assert len(set(keys)) == len(keys)
