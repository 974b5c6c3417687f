"""Roles over HTTP: one dependency turns the Authorization header into a role.

The token life cycle is run as an admin runs it: ``stadtregion tokens create`` in a
subprocess, the token used against the API, then revoked or left to expire.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from geo.access.tokens import TokenStore
from geo.settings import Settings


@pytest.fixture()
def app_settings(settings: Settings, tmp_path: Path) -> Settings:
    return settings.model_copy(update={"landpool_gpkg": tmp_path / "landpool.gpkg"})


@pytest.fixture()
def api(app_settings: Settings) -> TestClient:
    return TestClient(create_app(app_settings))


def cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "STADTREGION_PROCESSED_DIR": str(settings.processed_dir),
        "STADTREGION_LANDPOOL_GPKG": str(settings.landpool_gpkg),
    }
    exe = Path(sys.executable).parent / "stadtregion"
    return subprocess.run([str(exe), *args], capture_output=True, text=True, env=env, timeout=60)


@pytest.fixture()
def cli_here(
    app_settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Callable[..., tuple[int, str, str]]]:
    """Run ``stadtregion ARGS`` in this process: (exit code, stdout, stderr)."""
    from api.cli import main
    from geo.settings import get_settings

    monkeypatch.setenv("STADTREGION_LANDPOOL_GPKG", str(app_settings.landpool_gpkg))
    get_settings.cache_clear()

    def run(*args: str) -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "argv", ["stadtregion", *args])
        code = 0
        try:
            main()
        except SystemExit as exit_:
            code = int(exit_.code or 0)
        out = capsys.readouterr()
        return code, out.out, out.err

    yield run
    get_settings.cache_clear()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_without_credentials_the_caller_is_public(api: TestClient) -> None:
    assert api.get("/whoami").json() == {
        "role": "public",
        "name": "public",
        "sees_confidential": False,
        "may_write": False,
    }


def test_token_life_cycle_through_cli_and_api(
    app_settings: Settings, api: TestClient, cli_here: Callable[..., tuple[int, str, str]]
) -> None:
    """Create and revoke run the installed command; listing runs in-process (faster)."""
    made = cli(app_settings, "tokens", "create", "--role", "landpool", "--name", "lp-team")
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip()
    assert token.startswith("sr_") and "not shown again" in made.stderr
    me = api.get("/whoami", headers=bearer(token)).json()
    assert me == {
        "role": "landpool",
        "name": "lp-team",
        "sees_confidential": True,
        "may_write": True,
    }
    code, listed, _ = cli_here("tokens", "list")
    assert code == 0 and "lp-team" in listed and "active" in listed and token not in listed
    revoked = cli(app_settings, "tokens", "revoke", "lp-team")
    assert revoked.returncode == 0 and "revoked token" in revoked.stdout
    r = api.get("/whoami", headers=bearer(token))
    assert r.status_code == 401 and "revoked" in r.json()["detail"]
    assert r.headers["www-authenticate"] == "Bearer"
    assert "revoked" in cli_here("tokens", "list")[1]


def test_cli_refuses_bad_input_in_one_line(cli_here: Callable[..., tuple[int, str, str]]) -> None:
    code, _, err = cli_here("tokens", "create", "--role", "boss", "--name", "x")
    assert code == 2 and err.startswith("error: role 'boss'") and err.count("\n") == 1
    code, _, err = cli_here(
        "tokens", "create", "--role", "planner", "--name", "x", "--expires-days", "0"
    )
    assert code == 2 and "--expires-days" in err
    code, _, err = cli_here("tokens", "revoke", "nobody")
    assert code == 2 and err.count("\n") == 1 and "no token" in err


def test_cli_revoke_refuses_an_ambiguous_reference(
    app_settings: Settings, cli_here: Callable[..., tuple[int, str, str]]
) -> None:
    store = TokenStore.open(app_settings)
    ids = {store.create(name, "planner")[1].id: name for name in ("a", "b", "c")}
    first = min(ids)
    named = store.create(str(first), "landpool")[1]  # named like token `first`'s id
    store.close()
    code, _, err = cli_here("tokens", "revoke", str(first))
    assert code == 2 and err.count("\n") == 1 and "ambiguous" in err and "--id" in err
    code, listed, _ = cli_here("tokens", "list")
    assert "revoked" not in listed  # nothing revoked
    code, out, _ = cli_here("tokens", "revoke", "--name", str(first))
    assert code == 0 and f"revoked token {named.id} " in out
    code, out, _ = cli_here("tokens", "revoke", "--id", str(first))
    assert code == 0 and f"revoked token {first} '{ids[first]}'" in out
    code, _, err = cli_here("tokens", "revoke", "b", "--name", "c")
    assert code == 2 and err.count("\n") == 1 and "exactly one" in err


def test_expired_token_answers_401(app_settings: Settings, api: TestClient) -> None:
    store = TokenStore.open(app_settings)
    long_ago = datetime.now(UTC) - timedelta(days=2)
    token, _ = store.create("old", "planner", expires_in=timedelta(days=1), now=long_ago)
    fresh, _ = store.create("fresh", "planner", expires_in=timedelta(days=1))
    store.close()
    r = api.get("/whoami", headers=bearer(token))
    assert r.status_code == 401 and "expired" in r.json()["detail"]
    assert api.get("/whoami", headers=bearer(fresh)).json()["role"] == "planner"


@pytest.mark.parametrize(
    "header",
    [
        "Bearer sr_unknownunknownunknownunknownunknownunknown1",
        "Basic dXNlcjpwdw==",
        "Bearer",
        "Bearer    ",
    ],
)
def test_bad_credentials_answer_401(api: TestClient, header: str) -> None:
    r = api.get("/ogc/collections", headers={"Authorization": header})
    assert r.status_code == 401
    assert r.json()["error"] == "AuthenticationError"


def test_role_without_permission_answers_403(app_settings: Settings, api: TestClient) -> None:
    store = TokenStore.open(app_settings)
    planner, _ = store.create("planner-1", "planner")
    admin, _ = store.create("admin-1", "admin")
    store.close()
    assert api.get("/tokens").status_code == 403
    r = api.get("/tokens", headers=bearer(planner))
    assert r.status_code == 403 and "needs the admin role" in r.json()["detail"]
    listed = api.get("/tokens", headers=bearer(admin)).json()
    assert [t["name"] for t in listed] == ["planner-1", "admin-1"]
    assert planner not in str(listed) and admin not in str(listed)
