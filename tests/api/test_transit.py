"""``/transit/...`` and ``stadtregion transit ...`` on the real DB feed."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.cli import app
from geo.settings import Settings

DAY = "2019-05-15"


def test_transit_reachable_geojson(client: TestClient) -> None:
    r = client.get(
        "/transit/reachable",
        params={"from": "Jena", "date": DAY, "window": "06:00-09:00", "max_minutes": 120},
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/geo+json")
    fc = r.json()
    first = fc["features"][0]["properties"]
    assert first["name"] == "Jena" and first["minutes"] == 0
    assert {"ags", "district", "population", "trend_class", "minutes_median"} <= set(first)
    s = fc["summary"]
    assert s["feeds"] == ["db_fv_gtfs_2019.zip"] and s["scenario_used"] is False
    assert s["window"] == ["06:00", "09:00"]
    assert s["query"] == {
        "from": "Jena",
        "date": DAY,
        "window": "06:00-09:00",
        "depart": None,
        "percentile": 50,
        "planned": False,
        "max_minutes": 120,
    }
    assert any("DB Fahrplan API" in a for a in fc["attribution"])
    assert "deprecation" not in s and "Deprecation" not in r.headers


def test_transit_reachable_old_origin_still_works_with_a_deprecation(client: TestClient) -> None:
    params = {"date": DAY, "window": "06:00-09:00", "max_minutes": 120}
    new = client.get("/transit/reachable", params={**params, "from": "Jena"})
    old = client.get("/transit/reachable", params={**params, "origin": "Jena"})
    assert old.status_code == 200, old.text
    assert old.headers["Deprecation"] == "true" and "from=" in old.headers["Warning"]
    assert "use from=" in old.json()["summary"]["deprecation"]
    assert old.json()["features"] == new.json()["features"]
    both = client.get("/transit/reachable", params={**params, "from": "Jena", "origin": "Jena"})
    assert both.status_code == 422 and "once" in both.json()["detail"]
    none = client.get("/transit/reachable", params=params)
    assert none.status_code == 422 and "from is missing" in none.json()["detail"]


def test_transit_reachable_defaults_come_from_the_settings(client: TestClient) -> None:
    r = client.get("/transit/reachable", params={"from": "Jena"})
    assert r.status_code == 200, r.text
    q = r.json()["summary"]["query"]
    s = Settings()
    assert q["date"] == s.rail_date and q["window"] == s.rail_window and q["max_minutes"] == 60


def test_transit_reachable_bad_input(client: TestClient) -> None:
    r = client.get("/transit/reachable", params={"from": "Jena", "date": "2030-01-01"})
    assert r.status_code == 422 and "2018-12-09" in r.text
    r = client.get("/transit/reachable", params={"from": "Jena", "date": DAY, "window": "8-9-10"})
    assert r.status_code == 422
    r = client.get("/transit/reachable", params={"date": DAY, "from": "Atlantis"})
    assert r.status_code == 404
    for bad, status, word in (
        ({"window": "07:00-08:00", "depart": "07:00"}, 422, "not both"),
        # refused by the work limit's check before any search, in clock times
        ({"window": "08:00-07:00"}, 400, "must be after the start 08:00"),
        ({"percentile": 101}, 422, "percentile"),
        ({"max_minutes": 0}, 422, "max_minutes"),
        ({"date": "15.05.2019"}, 422, "YYYY-MM-DD"),
    ):
        r = client.get("/transit/reachable", params={"from": "Jena", **bad})
        assert r.status_code == status and word in str(r.json()["detail"]), (bad, r.text)


def test_transit_scenario_is_named(client: TestClient) -> None:
    scn = {
        "name": "Test shuttle",
        "stations": ["Jena Paradies", "Jena-Göschwitz"],
        "headway_min": 30,
        "first_departure": "06:00",
        "last_departure": "20:00",
        "start_date": DAY,
        "end_date": DAY,
        "running_min": [6],
    }
    r = client.post(
        "/transit/reachable/scenario",
        params={"from": "Jena", "date": DAY, "depart": "10:00", "max_minutes": 30},
        json=scn,
    )
    assert r.status_code == 200, r.text
    assert r.json()["summary"]["scenario"] == ["Test shuttle"]
    bad = dict(scn, stations=["Jena Paradies"])
    r = client.post("/transit/reachable/scenario", params={"from": "Jena", "date": DAY}, json=bad)
    assert r.status_code == 422


def test_cli_transit_reachable_and_errors(settings: Settings, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("STADTREGION_PROCESSED_DIR", str(settings.processed_dir))
    from geo.settings import get_settings

    get_settings.cache_clear()
    runner = CliRunner()
    res = runner.invoke(
        app,
        [
            "transit",
            "reachable",
            "--from",
            "Jena",
            "--date",
            DAY,
            "--depart",
            "06:50",
            "--max-minutes",
            "200",
            "--format",
            "json",
        ],
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["summary"]["feeds"] == ["db_fv_gtfs_2019.zip"]
    assert any(m["name"] == "Erfurt" for m in data["municipalities"])
    scn = tmp_path / "scn.json"
    scn.write_text(
        json.dumps(
            {
                "name": "S",
                "stations": ["Jena Paradies", "Jena-Göschwitz"],
                "headway_min": 60,
                "first_departure": "06:00",
                "last_departure": "08:00",
                "start_date": DAY,
                "end_date": DAY,
                "running_min": [6],
            }
        )
    )
    out = tmp_path / "merged.zip"
    res = runner.invoke(app, ["transit", "scenario", str(scn), "--out", str(out)])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["transit", "validate", str(out)])
    assert res.exit_code != 0  # the merged real feed still has the three broken night trains
    get_settings.cache_clear()


def test_transit_map_page(client: TestClient) -> None:
    r = client.get(
        "/transit/map.html",
        params={"date": DAY, "window": "06:00-09:00", "max_minutes": 120, "tiles": "none"},
    )
    assert r.status_code == 200, r.text
    page = r.text
    assert "ÖV-Reisezeit ab Jena" in page
    assert "db_fv_gtfs_2019.zip" in page and "DB Fahrplan API" in page
    assert "Jena Paradies" in page  # the stations layer
    assert "nicht erreicht" in page
