"""The land-pool collections of the OGC API: public plots for all, every plot for the team."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from geo.settings import Settings
from tests.api.landpool_seed import SeededApi, seed

PUBLIC_ITEMS = "/ogc/collections/plots/items"
ALL_ITEMS = "/ogc/collections/plots-all/items"


@pytest.fixture(scope="module")
def lp(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeededApi]:
    seeded = seed(settings, Path(tmp_path_factory.mktemp("ogc-plots")))
    yield seeded
    store = getattr(seeded.client.app.state, "store", None)  # type: ignore[attr-defined]
    if store is not None:
        store.close()


@pytest.mark.parametrize("role", ["public", "planner", "landpool", "admin"])
def test_public_plots_collection_never_holds_confidential_plots(lp: SeededApi, role: str) -> None:
    fc = lp.client.get(PUBLIC_ITEMS, params={"limit": 100}, headers=lp.headers[role]).json()
    assert sorted(f["id"] for f in fc["features"]) == lp.public_ids
    assert fc["numberMatched"] == 3
    props = fc["features"][0]["properties"]
    assert "confidential" not in props and "notes" not in props and "created_by" not in props
    assert props["municipality"] == "Jena"


@pytest.mark.parametrize("role", ["public", "planner"])
def test_all_plots_collection_is_hidden_below_landpool(lp: SeededApi, role: str) -> None:
    ids = [
        c["id"]
        for c in lp.client.get("/ogc/collections", headers=lp.headers[role]).json()["collections"]
    ]
    assert ids == ["municipalities", "stations", "plots", "projects", "contributions"]
    hidden = lp.client.get(ALL_ITEMS, headers=lp.headers[role])
    unknown = lp.client.get("/ogc/collections/plots-nope/items", headers=lp.headers[role])
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.json()["detail"].replace("plots-all", "X") == unknown.json()["detail"].replace(
        "plots-nope", "X"
    )


@pytest.mark.parametrize("role", ["landpool", "admin"])
def test_landpool_reads_every_plot(lp: SeededApi, role: str) -> None:
    ids = [
        c["id"]
        for c in lp.client.get("/ogc/collections", headers=lp.headers[role]).json()["collections"]
    ]
    assert ids == ["municipalities", "stations", "plots", "plots-all", "projects", "contributions"]
    fc = lp.client.get(ALL_ITEMS, params={"limit": 100}, headers=lp.headers[role]).json()
    assert sorted(f["id"] for f in fc["features"]) == sorted(lp.public_ids + lp.secret_ids)
    secret = lp.client.get(f"{ALL_ITEMS}/GEHEIM-7731", headers=lp.headers[role]).json()
    assert secret["properties"]["confidential"] is True
    assert secret["properties"]["created_by"] == "landpool-tester"


def test_confidential_feature_in_public_collection_answers_like_a_missing_one(
    lp: SeededApi,
) -> None:
    for role in ("public", "planner", "landpool"):
        hidden = lp.client.get(f"{PUBLIC_ITEMS}/GEHEIM-7731", headers=lp.headers[role])
        missing = lp.client.get(f"{PUBLIC_ITEMS}/NOPE-1", headers=lp.headers[role])
        assert hidden.status_code == missing.status_code == 404
        assert hidden.json()["detail"].replace("GEHEIM-7731", "X") == missing.json()[
            "detail"
        ].replace("NOPE-1", "X")


def test_bbox_on_plots(lp: SeededApi) -> None:
    box = "11.58,50.92,11.59,50.93"  # around OFFEN-1 only
    fc = lp.client.get(PUBLIC_ITEMS, params={"bbox": box}).json()
    assert [f["id"] for f in fc["features"]] == ["OFFEN-1"]
    fc = lp.client.get(
        ALL_ITEMS, params={"bbox": "11.60,50.94,11.61,50.95"}, headers=lp.headers["landpool"]
    ).json()
    assert [f["id"] for f in fc["features"]] == ["GEHEIM-7731"]


def test_plot_bodies_as_geojson_or_json_only(lp: SeededApi) -> None:
    feature = {
        "type": "Feature",
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[11.57, 50.90], [11.571, 50.90], [11.571, 50.901], [11.57, 50.90]]],
        },
        "properties": {"plot_id": "GEO-JSON-1"},
    }
    body = json.dumps(feature).encode()
    as_geojson = {**lp.headers["landpool"], "Content-Type": "application/geo+json"}
    r = lp.client.post("/plots", content=body, headers=as_geojson)
    assert r.status_code == 201, r.text
    as_text = {**lp.headers["landpool"], "Content-Type": "text/plain"}
    r = lp.client.post("/plots", content=body, headers=as_text)
    assert r.status_code == 415 and "application/json" in r.json()["detail"]
    stored = lp.client.get("/plots/GEO-JSON-1", headers=lp.headers["landpool"])
    assert stored.status_code == 200
    assert lp.client.get("/plots/GEO-JSON-1").status_code == 404  # internal until published
