"""Roles over HTTP: one dependency turns the Authorization header into a role.

The token life cycle is run as an admin runs it: ``stadtregion tokens create`` in a
subprocess, the token used against the API, then revoked or left to expire.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from geo.settings import Settings
from geo.tokens import TokenStore


@pytest.fixture()
def app_settings(settings: Settings, tmp_path: Path) -> Settings:
    return settings.model_copy(update={"tokens_db": tmp_path / "tokens.sqlite"})


@pytest.fixture()
def api(app_settings: Settings) -> TestClient:
    return TestClient(create_app(app_settings))


def cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "STADTREGION_PROCESSED_DIR": str(settings.processed_dir),
        "STADTREGION_TOKENS_DB": str(settings.tokens_db),
    }
    exe = Path(sys.executable).parent / "stadtregion"
    return subprocess.run([str(exe), *args], capture_output=True, text=True, env=env, timeout=60)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_without_credentials_the_caller_is_public(api: TestClient) -> None:
    assert api.get("/whoami").json() == {
        "role": "public",
        "name": "public",
        "sees_confidential": False,
        "may_write": False,
    }


def test_token_life_cycle_through_cli_and_api(app_settings: Settings, api: TestClient) -> None:
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
    listed = cli(app_settings, "tokens", "list")
    assert "lp-team" in listed.stdout and "active" in listed.stdout and token not in listed.stdout
    revoked = cli(app_settings, "tokens", "revoke", "lp-team")
    assert revoked.returncode == 0 and "revoked token" in revoked.stdout
    r = api.get("/whoami", headers=bearer(token))
    assert r.status_code == 401 and "revoked" in r.json()["detail"]
    assert r.headers["www-authenticate"] == "Bearer"
    assert "revoked" in cli(app_settings, "tokens", "list").stdout


def test_cli_refuses_bad_input_in_one_line(app_settings: Settings) -> None:
    bad_role = cli(app_settings, "tokens", "create", "--role", "boss", "--name", "x")
    assert bad_role.returncode == 2 and bad_role.stderr.startswith("error: role 'boss'")
    bad_days = cli(
        app_settings, "tokens", "create", "--role", "planner", "--name", "x", "--expires-days", "0"
    )
    assert bad_days.returncode == 2 and "--expires-days" in bad_days.stderr
    missing = cli(app_settings, "tokens", "revoke", "nobody")
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1


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
