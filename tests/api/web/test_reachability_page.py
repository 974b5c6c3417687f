"""The reachability page ``/reachability``: the same answers as ``/reachable``, as a page."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from geo.region.population import population_total
from geo.settings import Settings
from geo.usecases.region import region
from tests.api.web.tables import Row, english_number, german_number, table_rows

KAHLA_RAIL = {"from": "Kahla", "mode": "rail", "max_minutes": "45"}
#: Jena by rail, a quarter of the departures 06:00-09:00: Weimar, Erfurt, Gera and more.
JENA_RAIL = {
    "from": "Jena",
    "mode": "rail",
    "max_minutes": "120",
    "window": "06:00-09:00",
    "percentile": "25",
}


def _strict_page(r: Any, lang: str = "de") -> str:
    assert r.headers["content-type"].startswith("text/html")
    assert f'<html lang="{lang}">' in r.text
    assert "'unsafe-inline'" not in r.headers["content-security-policy"]
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", r.text)
    assert " style=" not in r.text
    return str(r.text)


def _shown(rows: list[Row], number: Any = german_number) -> list[dict[str, Any]]:
    """The table as values: ags, name, district, minutes, population, rate, trend word."""
    out = []
    for row in rows:
        name, district, minutes, population, change, trend = row.cells
        out.append(
            {
                "ags": row.attrs["data-ags"],
                "name": name,
                "district": district,
                "minutes": number(minutes),
                "population": number(population),
                "change_pct_per_year": number(change),
                "trend": trend,
            }
        )
    return out


def _api(client: TestClient, params: dict[str, str]) -> dict[str, Any]:
    r = client.get("/reachable", params=params)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def _same_as_api(shown: list[dict[str, Any]], api: dict[str, Any]) -> None:
    props = [f["properties"] for f in api["features"]]
    assert [s["ags"] for s in shown] == [p["ags"] for p in props]
    for s, p in zip(shown, props, strict=True):
        assert s["name"] == p["name"] and s["district"] == p["district"]
        assert s["minutes"] == pytest.approx(p["minutes"], abs=0.05)
        assert s["population"] == p["population"]
        if p["change_pct_per_year"] is None:
            assert s["change_pct_per_year"] is None
        else:
            assert s["change_pct_per_year"] == pytest.approx(p["change_pct_per_year"], abs=0.0051)


@pytest.mark.parametrize("lang", ["de", "en"])
def test_the_form_alone_with_suggestions_and_the_settings_defaults(
    client: TestClient, settings: Settings, lang: str
) -> None:
    r = client.get("/reachability", params={"lang": lang} if lang == "en" else None)
    assert r.status_code == 200
    html = _strict_page(r, lang)
    assert "<title>" + ("Erreichbarkeit" if lang == "de" else "Reachability") in html
    # suggestions without JavaScript: every municipality, shared names by AGS
    assert '<option value="Kahla" label="Saale-Holzland-Kreis">' in html
    assert '<option value="16074008" label="Bucha (Saale-Holzland-Kreis)">' in html
    assert len(re.findall(r"<option value=", html)) == len(region(settings).model)
    # the rail options show the settings' defaults (the rail query without options)
    assert f'name="date" type="date" value="{settings.rail_date}"' in html
    assert (
        f'name="window" type="text" size="12" maxlength="20" value="{settings.rail_window}"' in html
    )
    assert 'name="percentile" type="number" min="0" max="100" step="any" value="50"' in html
    # nothing computed: no result, but the page says what queries are computed from
    assert 'id="result-h"' not in html and 'id="reach-table"' not in html
    assert "db_fv_gtfs_2019.zip" in html and "jena_roads_osm2014" in html
    assert ("nur DB-Fernverkehr" if lang == "de" else "DB long-distance trains only") in html
    assert 'data-pick="f-lat,f-lon"' in html


def test_kahla_by_rail_in_45_minutes_is_the_api_answer(
    client: TestClient, settings: Settings
) -> None:
    r = client.get("/reachability", params=KAHLA_RAIL)
    assert r.status_code == 200, r.text[:500]
    html = _strict_page(r)
    shown = _shown(table_rows(html, "reach-table"))
    api = _api(client, KAHLA_RAIL)
    _same_as_api(shown, api)
    assert shown[0]["name"] == "Kahla" and shown[0]["trend"] in (
        "schrumpfend",
        "stabil",
        "wachsend",
    )
    # the same minutes as the rail route of the API
    transit = client.get("/transit/reachable", params={"from": "Kahla", "max_minutes": "45"}).json()
    by_ags = {f["properties"]["ags"]: f["properties"]["minutes"] for f in transit["features"]}
    assert {s["ags"]: s["minutes"] for s in shown} == pytest.approx(by_ags, abs=0.05)
    # the sums: the region model's population_total over the reached municipalities
    model = region(settings).model
    total = population_total(model[model["ags"].isin([s["ags"] for s in shown])])
    assert total["population_reached"] == api["summary"]["population_reached"]
    sums = re.search(r'class="sr-notice sr-sums">(.*?)</div>', html, re.S)
    assert sums and f"{total['population_reached']:,}".replace(",", ".") in sums.group(1)
    assert f"({total['population_year']})" in sums.group(1)
    # what the answer rests on, and what the feed does not cover
    assert "db_fv_gtfs_2019.zip" in html and "keine Regionalzüge (RE/RB)" in html
    assert "Verkehrstag 2019-05-15, Abfahrt jede Minute 07:00-08:00" in html
    assert 'class="sr-warning"' in html


def test_rail_with_many_municipalities_and_the_downloads(client: TestClient) -> None:
    page = client.get("/reachability", params=JENA_RAIL).text
    shown = _shown(table_rows(page, "reach-table"))
    assert len(shown) >= 5
    api = _api(client, JENA_RAIL)
    _same_as_api(shown, api)
    # CSV: the table's rows, with the sources
    href = re.search(r'href="(/reachability/reachable\.csv\?[^"]+)"', page)
    assert href
    r = client.get(href.group(1).replace("&amp;", "&"))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [c["ags"] for c in rows] == [s["ags"] for s in shown]
    for c, s in zip(rows, shown, strict=True):
        assert float(c["minutes"]) == s["minutes"]
        assert (int(c["population"]) if c["population"] else None) == s["population"]
        assert (float(c["change_pct_per_year"]) if c["change_pct_per_year"] else None) == s[
            "change_pct_per_year"
        ]
        assert "DB Vertrieb" in c["attribution"] and "Destatis" in c["attribution"]
    # GeoJSON: the API route with the same (parsed) question
    href = re.search(r'href="(/reachable\?[^"]+)"', page)
    assert href
    geo = client.get(href.group(1).replace("&amp;", "&"))
    assert geo.status_code == 200 and geo.json()["features"] == api["features"]
    assert geo.json()["summary"]["query"]["percentile"] == 25
    assert geo.json()["summary"]["query"]["window"] == "06:00-09:00"


def test_car_from_a_point_and_english(client: TestClient) -> None:
    params = {"lat": "50.9271", "lon": "11.5892", "mode": "car", "max_minutes": "20", "lang": "en"}
    r = client.get("/reachability", params=params)
    assert r.status_code == 200, r.text[:500]
    html = _strict_page(r, "en")
    shown = _shown(table_rows(html, "reach-table"), english_number)
    api = _api(client, {"lat": "50.9271", "lon": "11.5892", "mode": "car", "max_minutes": "20"})
    _same_as_api(shown, api)
    assert shown and shown[0]["name"] == "Jena"
    # the road network, its gaps and the municipalities whose time is unknown
    assert api["summary"]["network"] in html and "Time unknown" in html
    n = len(api["outside_network"])
    assert n > 0 and f"{n} municipalities could be within 20 min" in html
    # car mode: no rail options in the links
    href = re.search(r'href="(/reachable\?[^"]+)"', html)
    assert href and "date=" not in href.group(1) and "lon=11.5892" in href.group(1)


def test_unknown_origin_names_the_closest_names(client: TestClient) -> None:
    r = client.get("/reachability", params={"from": "Kahlaa", "mode": "rail"})
    assert r.status_code == 404
    html = _strict_page(r)
    assert 'role="alert"' in html and "Keine Gemeinde „Kahlaa“ gefunden" in html
    assert re.search(r'<a href="/reachability\?from=Kahla&amp;mode=rail">Kahla</a>', html)
    assert 'aria-invalid="true"' in html and 'id="err-from"' in html
    assert 'value="Kahlaa"' in html  # the form again, as sent
    en = client.get("/reachability", params={"from": "Kahlaa", "lang": "en"}).text
    assert "No municipality “Kahlaa” found" in en and ">Kahla</a>" in en


def test_a_shared_name_offers_each_municipality_by_its_code(client: TestClient) -> None:
    r = client.get("/reachability", params={"from": "Bucha", "mode": "rail"})
    assert r.status_code == 422 and 'id="err-from"' in r.text
    links = re.findall(r'<a href="(/reachability\?[^"]+)">(Bucha \(AGS \d{8}[^<]*)</a>', r.text)
    assert len(links) == 2, links
    for href, _ in links:
        again = client.get(href.replace("&amp;", "&"))
        assert again.status_code == 200 and 'id="reach-table"' in again.text


def test_every_problem_of_the_form_is_named(client: TestClient) -> None:
    r = client.get(
        "/reachability",
        params={"from": "Kahla", "mode": "rail", "max_minutes": "300", "date": "2019-13-01"},
    )
    assert r.status_code == 422
    html = _strict_page(r)
    assert 'id="err-max_minutes"' in html and "300" in html
    assert 'id="err-date"' in html and "2019-13-01" in html and "YYYY-MM-DD" in html
    for params, field, text in [
        ({"from": "Jena", "mode": "bus"}, "mode", "bus"),
        ({"from": "Jena", "mode": "rail", "window": "08:00-07:00"}, "window", "08:00-07:00"),
        ({"from": "Jena", "mode": "rail", "percentile": "120"}, "percentile", "120"),
        ({"from": "Jena", "lat": "50.9", "lon": "11.6"}, "from", "not both"),
        ({"lat": "95", "lon": "11.6"}, "lat", "-90 to 90"),
        ({"mode": "car"}, "from", "give an origin"),
        ({"lat": "50.93", "lon": "11.59", "mode": "rail"}, "lat", "municipality"),
        ({"from": "Jena", "mode": "car", "max_minutes": "zehn"}, "max_minutes", "zehn"),
    ]:
        r = client.get("/reachability", params=params)
        assert r.status_code in (400, 404, 422), (params, r.status_code)
        assert f'id="err-{field}"' in r.text and text in r.text, (params, r.text[:300])


def test_unknown_parameters_and_bad_downloads_answer_html_errors(client: TestClient) -> None:
    r = client.get("/reachability", params={"from": "Jena", "minutes": "30"})
    assert r.status_code == 400 and "minutes" in r.text
    assert r.headers["content-type"].startswith("text/html")
    r = client.get("/reachability/reachable.csv", params={"from": "Kahlaa", "mode": "rail"})
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert "Kahla" in r.text
    r = client.get("/reachability/reachable.csv", params={"from": "Jena", "extra": "1"})
    assert r.status_code == 400


def test_no_plot_data_on_the_page(client: TestClient) -> None:
    html = client.get("/reachability", params=JENA_RAIL).text
    assert "plot_id" not in html and "/plots" not in html
