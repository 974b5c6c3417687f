"""``POST /plots/screen``: screening over the API, with the confidentiality rule."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from geo.access.tokens import TokenStore
from geo.settings import Settings

#: Authorization header of a land-pool token (made anew for each test by the ``api`` fixture).
LP: dict[str, str] = {}
# a 100 m × 200 m rectangle in Jena (EPSG:4326)
W, E, S, N = 11.5850, 11.5864, 50.9270, 50.9288


def _ring(w: float, s: float, e: float, n: float) -> list[list[list[float]]]:
    return [[[w, s], [e, s], [e, n], [w, n], [w, s]]]


def _feature(plot_id: str, dx: float = 0.0, **props: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": _ring(W + dx, S, E + dx, N)},
        "properties": {"plot_id": plot_id, **props},
    }


@pytest.fixture
def api(settings: Settings, tmp_path: Path) -> Iterator[TestClient]:
    app_settings = settings.model_copy(update={"landpool_gpkg": tmp_path / "lp.gpkg"})
    tokens = TokenStore.open(app_settings)
    token, _ = tokens.create("landpool-team", "landpool")
    tokens.close()
    LP["Authorization"] = f"Bearer {token}"
    app = create_app(app_settings)
    with TestClient(app) as client:
        yield client
    store = getattr(app.state, "store", None)
    if store is not None:
        store.close()


def _seed(api: TestClient) -> None:
    for plot_id, dx, props in [
        ("OPEN-1", 0.0, {"owner_type": "city", "contamination": "none"}),
        ("OPEN-2", 0.01, {"owner_type": "private", "contamination": "confirmed"}),
        ("SECRET-1", 0.02, {"confidential": True, "contamination": "none"}),
    ]:
        r = api.post("/plots", json=_feature(plot_id, dx, **props), headers=LP)
        assert r.status_code == 201, r.text
        if not props.get("confidential"):  # new plots are internal until published
            r = api.post(f"/plots/{plot_id}/publish", json={"reason": "offer"}, headers=LP)
            assert r.status_code == 200, r.text


def test_screen_with_shipped_profile_and_flood_zones(api: TestClient) -> None:
    _seed(api)
    # flood zone over the western half of OPEN-1
    mid = (W + E) / 2
    flood = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": _ring(W - 0.001, S - 0.001, mid, N + 0.001),
                },
            }
        ],
    }
    r = api.post("/plots/screen", json={"profile": "housing", "flood": flood}, headers=LP)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/geo+json")
    doc = r.json()
    by_id = {f["properties"]["plot_id"]: f["properties"] for f in doc["features"]}
    assert set(by_id) == {"OPEN-1", "OPEN-2", "SECRET-1"}
    assert by_id["OPEN-1"]["flood_share"] == pytest.approx(0.5, abs=0.02)
    assert by_id["OPEN-1"]["pass_max_flood_share"] == "fail"
    assert by_id["OPEN-2"]["pass_exclude_contamination"] == "fail"
    assert by_id["SECRET-1"]["flood_share"] == 0.0
    assert doc["profile"] == "housing" and doc["attribution"]


def test_public_screening_leaves_confidential_plots_out(api: TestClient) -> None:
    _seed(api)
    r = api.post("/plots/screen", json={"profile": "commerce"})
    assert r.status_code == 200, r.text
    ids = {f["properties"]["plot_id"] for f in r.json()["features"]}
    assert ids == {"OPEN-1", "OPEN-2"}
    props = r.json()["features"][0]["properties"]
    assert props["flood_share"] is None and "no flood-zone layer" in props["derive_notes"]
    assert not {"notes", "created_by", "updated_by", "confidential"} & set(props)


def test_inline_profile_and_errors(api: TestClient) -> None:
    _seed(api)
    inline = {"name": "mine", "filters": {"owner_types": ["city"]}, "weights": {"area_ha": 1}}
    r = api.post("/plots/screen", json={"profile": inline})
    assert r.status_code == 200, r.text
    first = r.json()["features"][0]["properties"]
    assert first["plot_id"] == "OPEN-1" and first["rank"] == 1
    bad = {"name": "x", "filters": {"max_slop_pct": 3}}
    r = api.post("/plots/screen", json={"profile": bad})
    assert r.status_code == 422 and "filters.max_slop_pct: unknown key" in r.text
    r = api.post("/plots/screen", json={"profile": "villas"})
    assert r.status_code == 422 and "neither shipped" in r.text
    r = api.post("/plots/screen", json={"profile": "housing", "flood": {"type": "Point"}})
    assert r.status_code == 422 and "FeatureCollection" in r.text


def test_saved_profiles_over_the_api(api: TestClient) -> None:
    _seed(api)
    body = {"name": "gewerbe-ost", "filters": {"min_area_ha": 0.1}}
    assert api.put("/plots/screen/profiles/gewerbe-ost", json=body).status_code in (401, 403)
    r = api.put("/plots/screen/profiles/gewerbe-ost", json=body, headers=LP)
    assert r.status_code == 200, r.text
    assert r.json()["version"] == 1
    bad = api.put("/plots/screen/profiles/x", json={"filterz": {}}, headers=LP)
    assert bad.status_code == 422 and "filterz" in bad.json()["detail"]
    listed = api.get("/plots/screen/profiles").json()
    assert "housing" in listed["shipped"] and listed["saved"][0]["name"] == "gewerbe-ost"
    r = api.post("/plots/screen", json={"profile": "gewerbe-ost"}, headers=LP)
    assert r.status_code == 200 and r.json()["features"]
    missing = api.post("/plots/screen", json={"profile": "nirgends"}, headers=LP)
    assert missing.status_code == 422 and "neither shipped" in missing.json()["detail"]


def test_outcomes_summary_and_language(api: TestClient) -> None:
    _seed(api)
    r = api.post("/plots/screen", json={"profile": "quick_wins"}, headers=LP)
    assert r.status_code == 200, r.text
    doc = r.json()
    counts = doc["summary"]
    assert counts["passes"] + counts["open"] + counts["fails"] == counts["total"] == 3
    by_id = {f["properties"]["plot_id"]: f["properties"] for f in doc["features"]}
    # OPEN-1 (city, clean) is open: planning status and flood share unknown, said in German
    one = by_id["OPEN-1"]
    assert one["outcome"] == "open" and one["outcome_label"] == "offen" and one["rank"] == 1
    assert "Planungsrecht unbekannt: planning_status setzen" in one["decide"]
    assert "kein HQ100-Layer geladen" in one["decide"]
    assert by_id["OPEN-2"]["outcome"] == "fails" and by_id["OPEN-2"]["rank"] is None
    assert "Altlasten bestätigt ist ausgeschlossen" in by_id["OPEN-2"]["reasons"]
    en = api.post("/plots/screen?lang=en", json={"profile": "quick_wins"}, headers=LP).json()
    one_en = {f["properties"]["plot_id"]: f["properties"] for f in en["features"]}["OPEN-1"]
    assert one_en["outcome_label"] == "open" and "no HQ100 layer loaded" in one_en["decide"]
    bad = api.post("/plots/screen?lang=fr", json={"profile": "quick_wins"}, headers=LP)
    assert bad.status_code == 422
