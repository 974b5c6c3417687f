"""Every rail entry point takes the same options (names and defaults) and gives the same
answer for the same query: ``stadtregion reachable --mode rail``, ``stadtregion transit
reachable``, ``/reachable?mode=rail`` and ``/transit/reachable``."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
import typer
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.cli import app
from geo.settings import Settings, get_settings
from geo.transit.query import OPTIONS

QUERY = {
    "from": "Jena",
    "date": "2019-05-15",
    "window": "06:00-09:00",
    "percentile": "80",
    "planned": "true",
    "max_minutes": "150",
}


@pytest.fixture()
def cli(settings: Settings, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Run the CLI on the session's data; return its exit code and output."""
    monkeypatch.setenv("STADTREGION_PROCESSED_DIR", str(settings.processed_dir))
    get_settings.cache_clear()
    runner = CliRunner()

    def run(*args: str) -> tuple[int, str]:
        res = runner.invoke(app, list(args))
        return res.exit_code, res.output

    yield run
    get_settings.cache_clear()


def cli_args(query: dict[str, str]) -> list[str]:
    out: list[str] = []
    for k, v in query.items():
        flag = "--" + k.replace("_", "-")
        if k == "planned":
            out += [flag] if v == "true" else []
        else:
            out += [flag, v]
    return out


def cli_options(*path: str) -> set[str]:
    cmd = typer.main.get_command(app)
    for name in path:
        cmd = cmd.commands[name]  # type: ignore[attr-defined]
    return {o.lstrip("-").replace("-", "_") for p in cmd.params for o in p.opts}


def api_options(client: TestClient, path: str) -> set[str]:
    spec = client.get("/openapi.json").json()
    return {p["name"] for p in spec["paths"][path]["get"]["parameters"]}


def test_every_rail_entry_point_takes_the_same_options(client: TestClient) -> None:
    for path in (("reachable",), ("transit", "reachable")):
        assert set(OPTIONS) | {"format"} <= cli_options(*path), path
    for path in ("/reachable", "/transit/reachable"):
        assert set(OPTIONS) <= api_options(client, path), path


def minutes_of(rows: pd.DataFrame) -> dict[str, float]:
    return dict(zip(rows["ags"].astype(str), rows["minutes"].astype(float), strict=True))


@pytest.mark.slow
def test_cli_and_api_give_the_same_answer_for_the_same_query(cli, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    answers: dict[str, dict[str, float]] = {}
    for name, path in (("cli reachable", ["reachable", "--mode", "rail"]),
                       ("cli transit", ["transit", "reachable"])):  # fmt: skip
        code, out = cli(*path, *cli_args(QUERY), "--format", "csv")
        assert code == 0, out
        answers[name] = minutes_of(pd.read_csv(io.StringIO(out), dtype={"ags": str}))
    summaries = {}
    for name, path, extra in (
        ("api reachable", "/reachable", {"mode": "rail"}),
        ("api transit", "/transit/reachable", {}),
    ):
        r = client.get(path, params={**QUERY, **extra})
        assert r.status_code == 200, r.text
        props = pd.DataFrame([f["properties"] for f in r.json()["features"]])
        answers[name] = minutes_of(props)
        summaries[name] = r.json()["summary"]["query"]
    first = answers["api transit"]
    assert len(first) > 3  # Jena and the towns of stations reached by long-distance trains
    for name, got in answers.items():
        assert got == first, name
    assert (
        summaries["api reachable"]
        == summaries["api transit"]
        == {
            "from": "Jena",
            "date": "2019-05-15",
            "window": "06:00-09:00",
            "depart": None,
            "percentile": 80.0,
            "planned": True,
            "max_minutes": 150.0,
        }
    )
    # the CLI's GeoJSON is the API's
    code, out = cli("transit", "reachable", *cli_args(QUERY), "--format", "geojson")
    assert code == 0, out
    cli_geo = json.loads(out)
    api_geo = client.get("/transit/reachable", params=QUERY).json()
    assert [f["properties"] for f in cli_geo["features"]] == [
        f["properties"] for f in api_geo["features"]
    ]
    assert cli_geo["summary"]["query"] == api_geo["summary"]["query"]


@pytest.mark.slow
def test_the_defaults_are_the_same_everywhere(cli, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    queries = []
    for path in (["reachable", "--mode", "rail"], ["transit", "reachable"]):
        code, out = cli(*path, "--from", "Jena", "--format", "json")
        assert code == 0, out
        queries.append(json.loads(out)["summary"]["query"])
    for path, extra in (("/reachable", {"mode": "rail"}), ("/transit/reachable", {})):
        r = client.get(path, params={"from": "Jena", **extra})
        assert r.status_code == 200, r.text
        queries.append(r.json()["summary"]["query"])
    s = Settings()
    want = {
        "from": "Jena",
        "date": s.rail_date,
        "window": s.rail_window,
        "depart": None,
        "percentile": 50.0,
        "planned": False,
        "max_minutes": 60.0,
    }
    assert all(q == want for q in queries), queries


def test_every_rail_entry_point_shows_the_trains(cli, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    """Jena -> Weimar on 2019-05-15, 07:00-08:00: not reached by the median, but three
    trains run that day (06:44-18:44, 16 min) - said by the API and the CLI alike."""
    params = {"from": "Jena", "date": "2019-05-15", "window": "07:00-08:00"}
    answers = {
        "/transit/reachable": client.get("/transit/reachable", params=params).json(),
        "/reachable?mode=rail": client.get("/reachable", params={**params, "mode": "rail"})
        .json()
        .get("summary", {}),
    }
    code, out = cli("transit", "reachable", *cli_args(params), "--format", "json")
    assert code == 0, out
    answers["transit reachable --format json"] = json.loads(out)
    code, out = cli("reachable", "--mode", "rail", *cli_args(params), "--format", "geojson")
    assert code == 0, out
    answers["reachable --mode rail --format geojson"] = json.loads(out)
    for where, body in answers.items():
        late = {r["ags"]: r for r in body["not_reached_in_window"]}
        weimar = late["16055000"]
        assert weimar["status"] == "not_in_window", where
        assert (weimar["departures_day"], weimar["ride_minutes_day"]) == (3, 16.0), where
        assert (weimar["first_departure"], weimar["last_departure"]) == ("06:44", "18:44")
    code, out = cli("transit", "reachable", *cli_args(params))
    assert "Weimar (3 departures 06:44-18:44, 16 min)" in out
    assert "no train that day within 60 min" in out
