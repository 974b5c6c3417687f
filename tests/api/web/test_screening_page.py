"""The screening page ``/screening``: the land-pool team's screening, as a page."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api.web import screening_form as pf
from geo.screening.io import shipped_profile, shipped_profile_names
from geo.screening.profile import Filters
from geo.settings import Settings
from tests.api.landpool_seed import SeededApi, seed
from tests.api.web.tables import Row, csrf_token, german_number, multipart, table_rows


@pytest.fixture(scope="module")
def lp(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeededApi]:
    seeded = seed(settings, Path(tmp_path_factory.mktemp("screening-page")))
    yield seeded
    store = getattr(seeded.client.app.state, "store", None)  # type: ignore[attr-defined]
    if store is not None:
        store.close()


def _get(lp: SeededApi, url: str, role: str = "landpool", **params: str) -> Any:
    return lp.client.get(url, params=params or None, headers=lp.headers[role])


def _post(lp: SeededApi, url: str, data: dict[str, Any], role: str = "landpool") -> Any:
    """POST a form with the CSRF token of the edit page (the browser's cookie is kept)."""
    page = _get(lp, "/screening/edit", role="landpool")
    body, ctype = multipart({**data, "csrf_token": csrf_token(page.text)})
    headers = {**lp.headers[role], "content-type": ctype}
    return lp.client.post(url, content=body, headers=headers, follow_redirects=False)


def _api(lp: SeededApi, profile: str | dict[str, Any], lang: str = "de") -> dict[str, Any]:
    r = lp.client.post(
        f"/plots/screen?lang={lang}", json={"profile": profile}, headers=lp.headers["landpool"]
    )
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def _rows(html: str) -> list[Row]:
    return table_rows(html, "screening-table")


def _compare(rows: list[Row], api: dict[str, Any], criteria: list[str]) -> None:
    """The table shows what POST /plots/screen answers: order, rank, score, outcome,
    area and each criterion's state and reason."""
    props = [f["properties"] for f in api["features"]]
    assert [r.attrs["data-plot-id"] for r in rows] == [p["plot_id"] for p in props]
    for row, p in zip(rows, props, strict=True):
        rank, name, municipality, area, score, outcome, *crits = row.cells
        assert rank == ("–" if p["rank"] is None else str(p["rank"]))
        assert name.split("\n")[0] == (p["name"] or p["plot_id"])
        assert municipality == (p["municipality"] or "unbekannt")
        assert german_number(area) == pytest.approx(round(p["area_ha"], 2))
        assert german_number(score) == pytest.approx(round(p["score"], 1))
        assert row.attrs["data-outcome"] == p["outcome"]
        assert outcome.startswith(p["outcome_label"])
        assert len(crits) == len(criteria)
        for key, cell, attrs in zip(criteria, crits, row.cell_attrs[6:], strict=True):
            assert attrs["data-criterion"] == key and attrs["data-state"] == p[f"pass_{key}"]
            assert cell.split("\n", 1)[1].strip() == p[f"reason_{key}"]


def _criteria(name: str) -> list[str]:
    values = shipped_profile(name).filters.values()
    return [k for k in Filters.model_fields if k in values]


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("profile", shipped_profile_names())
def test_a_named_profile_is_the_api_answer(lp: SeededApi, lang: str, profile: str) -> None:
    r = _get(lp, "/screening", profile=profile, **({"lang": "en"} if lang == "en" else {}))
    assert r.status_code == 200, r.text[:500]
    assert f'<html lang="{lang}">' in r.text
    assert "'unsafe-inline'" not in r.headers["content-security-policy"]
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", r.text)
    assert " style=" not in r.text
    api = _api(lp, profile, lang)
    rows = _rows(r.text)
    assert len(rows) == api["summary"]["total"] > 0
    if lang == "de":
        _compare(rows, api, _criteria(profile))
    s = api["summary"]
    counts = (s["passes"], s["open"], s["fails"])
    assert f"{s['total']} " in r.text and all(f" {n} " in r.text for n in counts)
    # the map of the result (a data block map.js draws) and the export links
    assert 'data-map-id="screening-map-data"' in r.text
    assert f'href="/screening/result.csv?profile={profile}' in r.text


def test_exports_equal_the_table_and_the_api(lp: SeededApi) -> None:
    page = _get(lp, "/screening", profile="housing").text
    rows = _rows(page)
    r = _get(lp, "/screening/result.csv", profile="housing")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert 'filename="screening-housing.csv"' in r.headers["content-disposition"]
    table = list(csv.DictReader(io.StringIO(r.text)))
    assert [t["plot_id"] for t in table] == [row.attrs["data-plot-id"] for row in rows]
    for t, row in zip(table, rows, strict=True):
        assert t["outcome"] == row.attrs["data-outcome"]
        assert (t["rank"] or "–") == row.cells[0]
        assert float(t["score"]) == german_number(row.cells[4])
        for key, cell in zip(_criteria("housing"), row.cells[6:], strict=True):
            assert cell.split("\n", 1)[1].strip() == t[f"reason_{key}"]
        assert "OpenStreetMap" in t["attribution"] and "SRTM" in t["attribution"]
    geo = _get(lp, "/screening/result.geojson", profile="housing")
    assert geo.headers["content-type"].startswith("application/geo+json")
    assert geo.json()["features"] == _api(lp, "housing")["features"]
    assert geo.json()["attribution"]


@pytest.mark.parametrize("role", ["public", "planner"])
@pytest.mark.parametrize(
    "url",
    [
        "/screening",
        "/screening?profile=housing",
        "/screening/edit",
        "/screening/result.csv?profile=housing",
    ],
)
def test_other_roles_get_the_403_page(lp: SeededApi, role: str, url: str) -> None:
    r = lp.client.get(url, headers=lp.headers[role])
    assert r.status_code == 403 and r.headers["content-type"].startswith("text/html")
    assert "<title>Kein Zugriff" in r.text and "landpool" in r.text
    assert "GEHEIM" not in r.text and 'id="screening-table"' not in r.text


def test_other_roles_cannot_post_either(lp: SeededApi) -> None:
    data = pf.state_of(shipped_profile("housing"))
    r = _post(lp, "/screening/run", data, role="planner")
    assert r.status_code == 403 and "GEHEIM" not in r.text
    r = _post(lp, "/screening/save", {**data, "save_as": "x1"}, role="public")
    assert r.status_code == 403


def test_unknown_profile_and_parameters(lp: SeededApi) -> None:
    r = _get(lp, "/screening", profile="hausing")
    assert r.status_code == 422 and 'role="alert"' in r.text
    assert "hausing" in r.text and "housing" in r.text and 'id="err-profile"' in r.text
    assert '<select id="f-profile" name="profile" aria-invalid="true"' in r.text
    r = _get(lp, "/screening", profile="housing", sort="score")
    assert (
        r.status_code == 400
        and "sort" in r.text
        and r.headers["content-type"].startswith("text/html")
    )
    r = _get(lp, "/screening/result.csv")
    assert r.status_code == 422 and "profile is missing" in r.text


def test_an_edited_profile_runs_by_post_as_the_api_runs_it(lp: SeededApi) -> None:
    profile = shipped_profile("housing").model_copy(update={"name": "housing_2ha"})
    data = pf.state_of(profile)
    data["filters.min_area_ha"] = "2"
    data["weights.area_ha.weight"] = "4"
    r = _post(lp, "/screening/run", data)
    assert r.status_code == 200, r.text[:500]
    assert 'id="profile-form"' in r.text and 'value="2"' in r.text  # the form, kept
    inline = profile.model_dump(mode="json")
    inline["filters"]["min_area_ha"] = 2.0
    inline["weights"]["area_ha"]["weight"] = 4.0
    api = _api(lp, inline)
    _compare(_rows(r.text), api, _criteria("housing"))
    assert "min. 2,00 ha" in r.text
    # the export buttons post the same form
    r = _post(lp, "/screening/run", {**data, "export": "csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert [t["plot_id"] for t in csv.DictReader(io.StringIO(r.text))] == [
        f["properties"]["plot_id"] for f in api["features"]
    ]
    r = _post(lp, "/screening/run", {**data, "export": "geojson"})
    assert r.json()["features"] == api["features"]


def test_bad_input_shows_the_form_with_every_problem_named(lp: SeededApi) -> None:
    data = pf.state_of(shipped_profile("commerce"))
    bad = {
        **data,
        "filters.min_area_ha": "-1",
        "filters.max_steep_share": "viel",
        "weights.owner_type.weight": "2",
        "weights.owner_type.values.city": "3",
        "penalise_current_uses": "industrial",
    }
    r = _post(lp, "/screening/run", bad)
    assert r.status_code == 422 and 'role="alert"' in r.text
    for field in (
        "filters.min_area_ha",
        "filters.max_steep_share",
        "weights.owner_type.values.city",
        "penalise_current_uses",
    ):
        fid = field.replace(".", "-")
        assert f'id="err-{fid}"' in r.text, field
        assert f'href="#f-{fid}"' in r.text, field
    assert "greater than or equal to 0" in r.text and "viel" in r.text
    assert "Mindestfläche" in r.text  # the problem list names fields in words
    assert 'value="-1"' in r.text  # the form as sent
    # a field the form does not have, a form without its token
    r = _post(lp, "/screening/run", {**data, "filters.max_slop_pct": "5"})
    assert r.status_code == 400 and "max_slop_pct" in r.text
    body, ctype = multipart(data)
    headers = {**lp.headers["landpool"], "content-type": ctype}
    r = lp.client.post("/screening/run", content=body, headers=headers)
    assert r.status_code == 403 and "csrf_token" in r.text
    r = _post(lp, "/screening/run", {**data, "export": "xlsx"})
    assert r.status_code == 422 and "xlsx" in r.text


def test_save_a_profile_then_screen_it_by_its_address(lp: SeededApi) -> None:
    data = pf.state_of(shipped_profile("quick_wins"))
    data["filters.min_area_ha"] = "0.5"
    r = _post(lp, "/screening/save", {**data, "save_as": "quick_wins_half_ha"})
    assert r.status_code == 303, r.text[:500]
    assert r.headers["location"] == "/screening?profile=quick_wins_half_ha&saved=1"
    page = _get(lp, "/screening", profile="quick_wins_half_ha", saved="1")
    assert page.status_code == 200 and "gespeichert (Version 1)" in page.text
    # the same store as PUT /plots/screen/profiles/{name}
    listed = lp.client.get("/plots/screen/profiles", headers=lp.headers["landpool"]).json()
    assert {p["name"]: p["version"] for p in listed["saved"]} == {"quick_wins_half_ha": 1}
    saved = _api(lp, "quick_wins_half_ha")
    assert saved["profile"] == "quick_wins_half_ha"
    _compare(_rows(page.text), saved, _criteria("quick_wins"))
    # the edit page of a saved profile carries its version; saving it replaces it once
    edit = _get(lp, "/screening/edit", profile="quick_wins_half_ha").text
    assert 'name="base_version" value="1"' in edit and 'value="0.5"' in edit
    again = {**data, "save_as": "quick_wins_half_ha", "base_name": "quick_wins_half_ha"}
    assert _post(lp, "/screening/save", {**again, "base_version": "1"}).status_code == 303
    stale = _post(lp, "/screening/save", {**again, "base_version": "1"})
    assert stale.status_code == 409 and "version 2, not 1" in stale.text
    # a new name that is taken, a shipped name, an empty and a bad name
    for name, status, text in [
        ("quick_wins_half_ha", 409, "already saved"),
        ("housing", 422, "shipped profile"),
        ("", 422, "save_as is empty"),
        ("mein profil", 422, "must be 1–64 letters"),
    ]:
        r = _post(lp, "/screening/save", {**data, "save_as": name})
        assert r.status_code == status and text in r.text, (name, r.status_code)
        assert 'id="err-save_as"' in r.text
    listed = lp.client.get("/plots/screen/profiles", headers=lp.headers["landpool"]).json()
    assert {p["name"]: p["version"] for p in listed["saved"]} == {"quick_wins_half_ha": 2}


def test_the_form_holds_every_filter_and_round_trips_every_shipped_profile() -> None:
    covered = {f.split(".")[1] for f in pf.PROFILE_FIELDS if f.startswith("filters.")}
    assert covered == set(Filters.model_fields)
    for name in shipped_profile_names():
        profile = shipped_profile(name)
        assert pf.parse_state(pf.state_of(profile)) == profile
