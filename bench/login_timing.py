"""Login timing: does a refused login take as long for an unknown user as for a wrong password?

A login's time must not tell whether a username exists (:mod:`geo.access.users` checks a
dummy Argon2 hash for unknown usernames). On a temporary GeoPackage land pool with one
account, this times ``Accounts.login`` for a wrong password of the existing account (the
baseline), an unknown username, a malformed username, a disabled account and the right
password, interleaved round by round (the machine's load hits every case alike), with
throttling out of the way (a limit no run reaches). Prints median and p90 of each and the
ratio of medians to the baseline. Then what a login session costs per request against an
API token and against no credentials: ``GET /whoami`` through the app in this process.

Run: ``.venv/bin/python bench/login_timing.py [--runs 40]``.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient

from api.app import create_app
from geo.access.accounts import Accounts
from geo.access.sessions import SessionPolicy
from geo.access.tokens import TokenStore
from geo.errors import AuthenticationError
from geo.settings import get_settings

PASSWORD = "correct horse battery staple"
#: A failure limit no run reaches: the bench times password checks, not refusals.
NO_THROTTLE = SessionPolicy(max_failures=10**9)


def _refused(accounts: Accounts, name: str, password: str, i: int) -> None:
    try:
        accounts.login(name, password, f"10.{i // 250}.{i % 250}.1")
    except AuthenticationError:
        return
    raise AssertionError(f"login of {name!r} was not refused")


def _stats(times: list[float]) -> tuple[float, float]:
    return statistics.median(times), statistics.quantiles(times, n=10)[-1]


def logins(folder: Path, runs: int) -> None:
    accounts = Accounts(f"gpkg:///{folder / 'lp.gpkg'}", NO_THROTTLE, b"bench-" * 8)
    accounts.users.create("anna", "landpool", PASSWORD)
    accounts.users.create("gesperrt", "planner", PASSWORD)
    accounts.users.disable("gesperrt")
    cases: dict[str, Callable[[int], object]] = {
        "wrong password (baseline)": lambda i: _refused(accounts, "anna", "wrong pass " * 2, i),
        "unknown username": lambda i: _refused(accounts, f"nobody{i}", "wrong pass " * 2, i),
        "malformed username": lambda i: _refused(accounts, f"not valid {i}!", "wrong pw " * 2, i),
        "disabled account, right password": lambda i: _refused(accounts, "gesperrt", PASSWORD, i),
        "right password (session started)": lambda i: accounts.login("anna", PASSWORD, "10.9.9.9"),
    }
    for case in cases.values():  # warm: engine, dummy hash, first migrations read
        case(10_000)
    times: dict[str, list[float]] = {name: [] for name in cases}
    for i in range(runs):
        for name, case in cases.items():
            t = time.perf_counter()
            case(i)
            times[name].append((time.perf_counter() - t) * 1000)
    base = statistics.median(times["wrong password (baseline)"])
    print(f"Accounts.login, {runs} interleaved runs each (GeoPackage)")
    for name, ts in times.items():
        med, p90 = _stats(ts)
        print(f"  {name:34s} median {med:7.1f} ms  p90 {p90:7.1f} ms  ×{med / base:4.2f}")
    accounts.close()


def requests(folder: Path, runs: int) -> None:
    settings = get_settings().model_copy(
        update={"landpool_gpkg": folder / "req.gpkg", "processed_dir": folder}
    )
    with Accounts.open(settings) as accounts:
        accounts.users.create("anna", "landpool", PASSWORD)
        session = accounts.login("anna", PASSWORD, "127.0.0.1").token
    tokens = TokenStore.open(settings)
    token, _ = tokens.create("robot", "landpool")
    tokens.close()
    client = TestClient(create_app(settings))
    cases = {
        "no credentials (baseline)": {},
        "API token": {"Authorization": f"Bearer {token}"},
        "session cookie": {"Cookie": f"sr_session={session}"},
    }
    for headers in cases.values():
        assert client.get("/whoami", headers=headers).status_code == 200
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(runs * 5):
        for name, headers in cases.items():
            t = time.perf_counter()
            client.get("/whoami", headers=headers)
            times[name].append((time.perf_counter() - t) * 1000)
    base = statistics.median(times["no credentials (baseline)"])
    print(f"\nGET /whoami, {runs * 5} interleaved requests each (test client, GeoPackage)")
    for name, ts in times.items():
        med, p90 = _stats(ts)
        print(f"  {name:34s} median {med:7.2f} ms  p90 {p90:7.2f} ms  ×{med / base:4.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        logins(Path(tmp), args.runs)
        requests(Path(tmp), args.runs)


if __name__ == "__main__":
    main()
