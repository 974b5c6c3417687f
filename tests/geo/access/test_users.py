"""User accounts: Argon2 hashes only, username and password rules, verify, disable, reset."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from geo.access import users as users_mod
from geo.access.accounts import Accounts
from geo.access.roles import Role, Viewer
from geo.access.tokens import TokenStore
from geo.access.users import (
    HASHER,
    MIN_PASSWORD_LENGTH,
    check_password_rules,
    dummy_hash,
    generate_password,
    parse_username,
)
from geo.errors import ConflictError, InputError, NotFoundError
from tests.geo.access.conftest import PASSWORD


def _dump(accounts: Accounts, table: str) -> str:
    with accounts.engine.connect() as conn:
        return repr(conn.exec_driver_sql(f"SELECT * FROM {table}").fetchall())


def test_create_stores_only_an_argon2id_hash(accounts: Accounts) -> None:
    user = accounts.users.create("Anna.Berg", "planner", PASSWORD, display_name="Anna Berg")
    assert (user.username, user.display_name, user.role) == ("anna.berg", "Anna Berg", Role.PLANNER)
    assert user.state == "active" and user.last_login_at is None and user.disabled_at is None
    assert user.viewer == Viewer(Role.PLANNER, "anna.berg")
    dump = _dump(accounts, "users")
    assert PASSWORD not in dump and "$argon2id$v=19$m=65536,t=3,p=4$" in dump
    # two accounts with one password get different hashes (a salt each)
    accounts.users.create("bert", "landpool", PASSWORD)
    with accounts.engine.connect() as conn:
        hashes = conn.exec_driver_sql("SELECT password_hash FROM users").scalars().all()
    assert len(set(hashes)) == 2


def test_usernames_are_unique_ignoring_case(accounts: Accounts) -> None:
    accounts.users.create("anna", "planner", PASSWORD)
    with pytest.raises(ConflictError, match="'anna' exists"):
        accounts.users.create(" ANNA ", "admin", PASSWORD)
    assert accounts.users.get("Anna").username == "anna"
    with pytest.raises(NotFoundError, match="no user named 'nobody'"):
        accounts.users.get("nobody")


@pytest.mark.parametrize("name", ["a", "x" * 65, "anna berg", "-anna", "anna/../x", "änna", ""])
def test_bad_usernames_are_refused_with_the_rules(accounts: Accounts, name: str) -> None:
    with pytest.raises(InputError, match="2 to 64 characters"):
        accounts.users.create(name, "planner", PASSWORD)


def test_roles_of_accounts(accounts: Accounts) -> None:
    with pytest.raises(InputError, match="'public' needs no account"):
        accounts.users.create("anna", "public", PASSWORD)
    with pytest.raises(InputError, match="role 'boss' is unknown"):
        accounts.users.create("anna", "boss", PASSWORD)
    assert [accounts.users.create(f"u{r}", r, PASSWORD).role for r in Role if r != "public"] == [
        Role.PLANNER,
        Role.LANDPOOL,
        Role.ADMIN,
    ]


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("kurz", "too short \\(4 characters\\); use at least 12"),
        ("x" * (MIN_PASSWORD_LENGTH - 1), "too short"),
        ("y" * 1025, "too long"),
        (" leading space here", "begins or ends with a space"),
        ("Anna.Berg.Jena", "the password is the username"),
    ],
)
def test_password_rules(accounts: Accounts, password: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as refused:
        accounts.users.create("anna.berg.jena", "planner", password)
    assert password.strip() not in str(refused.value)  # never echoed
    assert accounts.users.list() == []  # nothing stored


def test_rules_accept_a_pass_phrase_and_a_generated_password() -> None:
    check_password_rules("x" * MIN_PASSWORD_LENGTH, "anna")
    generated = {generate_password() for _ in range(20)}
    assert len(generated) == 20 and all(len(p) == 24 for p in generated)
    for p in generated:
        check_password_rules(p, "anna")


def test_display_name(accounts: Accounts) -> None:
    assert accounts.users.create("anna", "planner", PASSWORD).display_name == "anna"
    user = accounts.users.create("bert", "planner", PASSWORD, display_name="  Bert   Klee ")
    assert user.display_name == "Bert Klee"
    with pytest.raises(InputError, match="at most 100"):
        accounts.users.create("carl", "planner", PASSWORD, display_name="C" * 101)
    with pytest.raises(InputError, match="control characters"):
        accounts.users.create("carl", "planner", PASSWORD, display_name="Carl\x07")


def test_verify(accounts: Accounts) -> None:
    accounts.users.create("anna", "landpool", PASSWORD)
    ok = accounts.users.verify("ANNA", PASSWORD)
    assert ok is not None and ok.username == "anna"
    assert accounts.users.verify("anna", PASSWORD + "!") is None
    assert accounts.users.verify("nobody", PASSWORD) is None
    assert accounts.users.verify("not a valid name", PASSWORD) is None
    accounts.users.disable("anna")
    assert accounts.users.verify("anna", PASSWORD) is None


def test_unknown_and_malformed_usernames_cost_one_hash_check(
    accounts: Accounts, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unknown username is checked against the dummy hash, as a wrong password is
    checked against the real one: the same work, so timing tells nothing."""
    accounts.users.create("anna", "planner", PASSWORD)
    checked: list[str] = []
    real = users_mod.password_matches

    def spy(stored: str, password: str) -> bool:
        checked.append(stored)
        return real(stored, password)

    monkeypatch.setattr(users_mod, "password_matches", spy)
    for name in ("anna", "nobody", "not valid!"):
        accounts.users.verify(name, "wrong password 123")
    assert len(checked) == 3
    assert checked[1] == checked[2] == dummy_hash() != checked[0]
    assert not HASHER.check_needs_rehash(dummy_hash())  # the parameters of real hashes


def test_a_hash_with_older_parameters_is_replaced_at_login(accounts: Accounts) -> None:
    accounts.users.create("anna", "planner", PASSWORD)
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    with accounts.engine.begin() as conn:
        conn.execute(sa.text("UPDATE users SET password_hash = :h"), {"h": weak})
    assert accounts.users.verify("anna", PASSWORD) is not None
    with accounts.engine.connect() as conn:
        stored = conn.exec_driver_sql("SELECT password_hash FROM users").scalar_one()
    assert stored != weak and not HASHER.check_needs_rehash(stored)
    assert accounts.users.verify("anna", PASSWORD) is not None


def test_disable_ends_sessions_and_enable_does_not_revive_them(accounts: Accounts) -> None:
    accounts.users.create("anna", "planner", PASSWORD)
    first = accounts.login("anna", PASSWORD, "10.0.0.1")
    second = accounts.login("anna", PASSWORD, "10.0.0.2")
    t = datetime.now(UTC)
    disabled = accounts.users.disable("anna", now=t)
    assert disabled.state == "disabled" and disabled.disabled_at == t
    for r in (first, second):
        assert accounts.authenticate(r.token) is None
        info = accounts.sessions.get(r.session.id)
        assert info is not None and info.end_reason == "disabled"
    assert accounts.users.disable("anna").disabled_at == t  # idempotent
    assert accounts.users.enable("anna").state == "active"
    assert accounts.authenticate(first.token) is None
    assert accounts.login("anna", PASSWORD, "10.0.0.1").user.state == "active"


def test_set_password_ends_sessions_and_checks_the_rules(accounts: Accounts) -> None:
    accounts.users.create("anna", "planner", PASSWORD)
    old = accounts.login("anna", PASSWORD, "10.0.0.1")
    with pytest.raises(InputError, match="too short"):
        accounts.users.set_password("anna", "short")
    assert accounts.authenticate(old.token) is not None  # a refused password changes nothing
    before = accounts.users.get("anna").password_changed_at
    user = accounts.users.set_password("anna", "a new pass phrase for anna")
    assert user.password_changed_at > before
    assert accounts.authenticate(old.token) is None
    info = accounts.sessions.get(old.session.id)
    assert info is not None and info.end_reason == "password_reset"
    assert accounts.users.verify("anna", PASSWORD) is None
    assert accounts.users.verify("anna", "a new pass phrase for anna") is not None
    with pytest.raises(NotFoundError):
        accounts.users.set_password("nobody", "a new pass phrase for anna")


def test_a_username_may_not_be_an_api_tokens_name(accounts: Accounts, accounts_url: str) -> None:
    tokens = TokenStore(accounts_url)
    try:
        tokens.create("Team-Lead", "landpool")
    finally:
        tokens.close()
    with pytest.raises(ConflictError, match="an API token is named 'team-lead'"):
        accounts.users.create("team-lead", "landpool", PASSWORD)


def test_list_and_last_login(accounts: Accounts) -> None:
    accounts.users.create("zora", "admin", PASSWORD)
    accounts.users.create("anna", "planner", PASSWORD)
    t = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    accounts.login("zora", PASSWORD, "10.0.0.1", now=t)
    listed = accounts.users.list()
    assert [u.username for u in listed] == ["anna", "zora"]
    assert listed[0].last_login_at is None and listed[1].last_login_at == t
    assert listed[1].created_at < datetime.now(UTC) + timedelta(seconds=1)


def test_parse_username() -> None:
    assert parse_username("  Anna.Berg@Jena.de ") == "anna.berg@jena.de"
    assert parse_username("ab") == "ab"
