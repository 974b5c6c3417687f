"""``stadtregion validate`` and ``GET /validation`` on the real data."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from fastapi.testclient import TestClient

from geo.region import validation
from geo.settings import Settings
from tests.api.test_cli import run


def test_json_report(client: TestClient) -> None:
    r = client.get("/validation")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    body = r.json()
    rows = body["rows"]
    assert body["numberReturned"] == len(rows) == 24  # 23 ISEK figures + Jena's INKAR time
    assert sum(body["counts"][k] for k in validation.REASONS) == len(rows)
    assert all(row["reason"] in validation.REASONS and row["reason_label"] for row in rows)
    isek = [row for row in rows if row["source"].startswith("ISEK")]
    assert {row["name"] for row in isek} == {
        "Apolda",
        "Dornburg-Camburg",
        "Rudolstadt",
        "Saalfeld/Saale",
        "Kahla",
        "Stadtroda",
    }
    # computed figures come from the engines: Jena's car minutes to its IC station
    jena = next(row for row in rows if row["measure"] == "inkar_car_min_ic_station")
    assert jena["name"] == "Jena" and 0 < jena["computed"] < 5 and jena["reason"] == "same"
    # Stadtroda is reached (badly) by the long-distance feed: another feed explains it
    stadtroda = next(
        row for row in isek if row["name"] == "Stadtroda" and row["measure"] == "rail_minutes"
    )
    assert stadtroda["computed"] > 60 and stadtroda["reason"] == "other_network"
    assert any("BBSR" in a for a in body["attribution"])
    assert any("Fahrplan" in a for a in body["attribution"])
    assert body["links"][0]["href"] == "/validation?f=html&lang=de"
    en = client.get("/validation?lang=en").json()
    assert en["rows"][0]["reason_label"] in validation.LABELS["en"].values()


def test_html_report_by_parameter_and_accept(client: TestClient) -> None:
    for r in (
        client.get("/validation?f=html"),
        client.get("/validation", headers={"Accept": "text/html,application/xhtml+xml"}),
    ):
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
        assert "Abgleich: veröffentlichte und berechnete Zahlen" in r.text
        assert r.text.count("<tr class=") == 24
        assert "/maps/region.html" in r.text and "Content-Security-Policy" in r.headers
    assert "Validation" in client.get("/validation?f=html&lang=en").text
    assert client.get("/validation", headers={"Accept": "application/json"}).json()["rows"]


def test_bad_parameters(client: TestClient) -> None:
    r = client.get("/validation?format=html&x=1")
    assert r.status_code == 400
    assert "'format'" in r.json()["detail"] and "'x'" in r.json()["detail"]
    for query in ("f=xml", "lang=fr"):
        r = client.get(f"/validation?{query}")
        assert r.status_code == 422 and query.split("=")[0] in r.json()["detail"]


def test_region_map_links_to_the_report(client: TestClient) -> None:
    page = client.get("/maps/region.html").text
    assert 'href="/validation?f=html&amp;lang=de"' in page
    assert "Abgleich mit veröffentlichten Zahlen" in page
    assert 'href="/validation?f=html&amp;lang=en"' in client.get("/maps/region.html?lang=en").text


def test_cli_formats_and_out(settings: Settings, tmp_path: Path) -> None:
    r = run(settings, "validate")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("Abgleich") and "anderes Gebiet" in r.stdout
    assert "© BBSR Bonn" in r.stdout
    r = run(settings, "validate", "--format", "csv", "--lang", "en")
    assert r.returncode == 0, r.stderr
    body = "\n".join(line for line in r.stdout.splitlines() if not line.startswith("#"))
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == 24 and {"municipality", "published", "computed", "reason"} <= set(rows[0])
    assert float(rows[0]["published"]) == 22400  # numbers stay numbers in CSV
    out = tmp_path / "report.html"
    r = run(settings, "validate", "--format", "html", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert "wrote" in r.stdout and "other_territory=2" in r.stdout
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert not list(tmp_path.glob(".*tmp"))
    js = tmp_path / "report.json"
    assert run(settings, "validate", "--format", "json", "--out", str(js)).returncode == 0
    assert json.loads(js.read_text())["numberReturned"] == 24


def test_cli_bad_input(settings: Settings, tmp_path: Path) -> None:
    for args, message in (
        (["--format", "xml"], "--format must be one of"),
        (["--lang", "fr"], "--lang must be de or en"),
        (["--out", str(tmp_path / "no" / "r.html")], "does not exist"),
        (["--out", str(tmp_path)], "is a folder"),
        (["--colour", "red"], "No such option"),
    ):
        r = run(settings, "validate", *args)
        assert r.returncode == 2, (args, r.stderr)
        assert message in r.stderr and "Traceback" not in r.stderr
        assert len(r.stderr.strip().splitlines()) == 1, r.stderr


def test_inkar_columns_in_every_municipality_output(client: TestClient, settings: Settings) -> None:
    jena = client.get("/municipalities/16053000").json()
    props = jena["properties"]
    assert props["inkar_car_min_ic_station"] == 1.71 and props["inkar_match"] == "matched"
    assert "Gemeindeverband" in props["inkar_source"] and "2020" in props["inkar_source"]
    assert any("BBSR" in a for a in jena["attribution"])
    stadtroda = client.get("/municipalities/Stadtroda").json()["properties"]
    assert stadtroda["inkar_car_min_ic_station"] is None
    assert stadtroda["inkar_match"] == "association_member"
    ogc = client.get("/ogc/collections/municipalities/items/16053000?f=json").json()
    assert ogc["properties"]["inkar_car_min_oberzentrum"] == 0.0
    assert "inkar_source" in ogc["properties"]
    r = run(settings, "municipalities", "--name", "Apolda", "--format", "geojson")
    assert r.returncode == 0, r.stderr
    feat = json.loads(r.stdout)["features"][0]["properties"]
    assert feat["inkar_car_min_oberzentrum"] == 18.62
    assert feat["isek_rail_minutes"] == 60 and feat["isek_car_minutes"] == 26
