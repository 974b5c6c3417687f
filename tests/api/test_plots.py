"""``/plots``: GeoJSON API of the land-pool register, with the confidentiality rule."""

from __future__ import annotations

import threading
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
# A 100 m × 200 m rectangle in Jena (EPSG:4326, about 2 ha).
RING = [[11.5850, 50.9270], [11.5864, 50.9270], [11.5864, 50.9288], [11.5850, 50.9288]]


def _feature(plot_id: str, **props: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [[*RING, RING[0]]]},
        "properties": {"plot_id": plot_id, **props},
    }


def _publish(api: TestClient, plot_id: str) -> None:
    r = api.post(f"/plots/{plot_id}/publish", json={"reason": "offered in the forum"}, headers=LP)
    assert r.status_code == 200, r.text


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


def test_create_read_and_derive(api: TestClient) -> None:
    r = api.post("/plots", json=_feature("JENA-1", category="brownfield"), headers=LP)
    assert r.status_code == 201, r.text
    assert r.headers["content-type"].startswith("application/geo+json")
    assert r.headers["location"] == "/plots/JENA-1" and r.headers["etag"] == '"1"'
    props = r.json()["properties"]
    assert props["ags"] == "16053000" and props["municipality"] == "Jena"
    assert 1.5 < props["area_ha"] < 2.5
    assert props["owner_type"] == "unknown" and props["status"] == "identified"
    assert props["published"] is False
    assert api.get("/plots/JENA-1").status_code == 404  # internal until published
    _publish(api, "JENA-1")
    r = api.get("/plots/JENA-1")
    assert r.status_code == 200 and r.json()["geometry"]["type"] == "MultiPolygon"
    assert "GeoBasis-DE" in " ".join(r.json()["attribution"])


def test_public_callers_never_learn_of_confidential_plots(api: TestClient) -> None:
    assert api.post("/plots", json=_feature("OPEN-1"), headers=LP).status_code == 201
    _publish(api, "OPEN-1")
    r = api.post("/plots", json=_feature("SECRET-1", confidential=True), headers=LP)
    assert r.status_code == 201
    public = api.get("/plots").json()
    assert [f["id"] for f in public["features"]] == ["OPEN-1"]
    assert public["numberMatched"] == 1
    hidden, missing = api.get("/plots/SECRET-1"), api.get("/plots/NOPE-1")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["detail"].replace("SECRET-1", "X") == missing.json()["detail"].replace(
        "NOPE-1", "X"
    )
    assert api.get("/plots/SECRET-1/history").status_code == 404
    assert api.get("/plots", params={"status": "identified"}).json()["numberMatched"] == 1
    # writes by a public caller answer 403 whether or not the plot exists
    for pid in ("SECRET-1", "NOPE-1"):
        r = api.patch(f"/plots/{pid}", json={"version": 1, "properties": {"notes": "x"}})
        assert r.status_code == 403
        r = api.post(f"/plots/{pid}/status", json={"status": "assessed"})
        assert r.status_code == 403
    landpool = api.get("/plots", headers=LP).json()
    assert landpool["numberMatched"] == 2
    assert api.get("/plots/SECRET-1", headers=LP).json()["properties"]["confidential"] is True
    assert api.get("/plots", headers={"Authorization": "Bearer wrong"}).status_code == 401


def test_writes_need_the_landpool_token(api: TestClient) -> None:
    r = api.post("/plots", json=_feature("A-1"))
    assert r.status_code == 403 and "landpool" in r.json()["detail"]
    assert api.get("/plots").json()["numberMatched"] == 0


def test_patch_uses_optimistic_locking(api: TestClient) -> None:
    api.post("/plots", json=_feature("A-1"), headers=LP)
    r = api.patch(
        "/plots/A-1",
        json={"version": 1, "properties": {"contamination": "suspected"}},
        headers=LP,
    )
    assert r.status_code == 200 and r.json()["properties"]["version"] == 2
    stale = api.patch(
        "/plots/A-1", json={"version": 1, "properties": {"notes": "late"}}, headers=LP
    )
    assert stale.status_code == 409 and "changed by someone else" in stale.json()["detail"]
    r = api.patch(
        "/plots/A-1", json={"properties": {"notes": "ok"}}, headers={**LP, "If-Match": '"2"'}
    )
    assert r.status_code == 200 and r.json()["properties"]["notes"] == "ok"
    r = api.patch("/plots/A-1", json={"properties": {"notes": "?"}}, headers=LP)
    assert r.status_code == 422 and "version is required" in r.json()["detail"]
    r = api.patch("/plots/A-1", json={"version": 3, "properties": {"area_ha": 1}}, headers=LP)
    assert r.status_code == 422
    r = api.patch(
        "/plots/A-1", json={"version": 3, "properties": {"category": "castle"}}, headers=LP
    )
    assert r.status_code == 422 and "castle" in r.json()["detail"]


def test_two_concurrent_patches_one_200_one_409(api: TestClient) -> None:
    api.post("/plots", json=_feature("A-1"), headers=LP)
    barrier = threading.Barrier(2)
    codes: list[int] = []

    def patch(i: int) -> None:
        barrier.wait()
        r = api.patch(
            "/plots/A-1", json={"version": 1, "properties": {"notes": str(i)}}, headers=LP
        )
        codes.append(r.status_code)

    threads = [threading.Thread(target=patch, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(codes) == [200, 409]
    history = api.get("/plots/A-1/history", headers=LP).json()["history"]
    assert [h["event"] for h in history] == ["created", "updated"]


def test_status_workflow_and_history(api: TestClient) -> None:
    api.post("/plots", json=_feature("A-1"), headers=LP)
    r = api.post("/plots/A-1/status", json={"status": "assessed", "reason": "visited"}, headers=LP)
    assert r.status_code == 200 and r.json()["properties"]["status"] == "assessed"
    r = api.post("/plots/A-1/status", json={"status": "developed"}, headers=LP)
    assert r.status_code == 409 and "not allowed" in r.json()["detail"]
    r = api.post("/plots/A-1/status", json={"status": "withdrawn"}, headers=LP)
    assert r.status_code == 422 and "reason" in r.json()["detail"]
    r = api.post("/plots/A-1/status", json={"status": "negotiating", "version": 1}, headers=LP)
    assert r.status_code == 409
    history = api.get("/plots/A-1/history", headers=LP).json()["history"]
    assert [(h["from_status"], h["to_status"], h["reason"]) for h in history] == [
        (None, "identified", None),
        ("identified", "assessed", "visited"),
    ]
    assert history[1]["actor"] == "landpool-team"  # the name of the token that wrote
    assert api.get("/plots/A-1/history").status_code == 404  # not published


def test_bad_input_answers_readable_4xx(api: TestClient) -> None:
    r = api.post("/plots", json=_feature("A 1"), headers=LP)
    assert r.status_code == 422 and "plot_id" in r.json()["detail"]
    line = {
        "type": "Feature",
        "geometry": {"type": "LineString", "coordinates": RING},
        "properties": {"plot_id": "L-1"},
    }
    r = api.post("/plots", json=line, headers=LP)
    assert r.status_code == 422 and "Polygon" in r.json()["detail"]
    broken = {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": 5},
        "properties": {"plot_id": "B-1"},
    }
    assert api.post("/plots", json=broken, headers=LP).status_code == 422
    assert api.post("/plots", json=_feature("A-1"), headers=LP).status_code == 201
    assert api.post("/plots", json=_feature("A-1"), headers=LP).status_code == 409
    assert api.get("/plots", params={"status": "sleeping"}).status_code == 422


PLANNER: dict[str, str] = {}


@pytest.fixture
def planner(api: TestClient, settings: Settings, tmp_path: Path) -> dict[str, str]:
    """Authorization header of a planner token on the ``api`` app's token store."""
    tokens = TokenStore.open(settings.model_copy(update={"landpool_gpkg": tmp_path / "lp.gpkg"}))
    token, _ = tokens.create("planner-pat", "planner")
    tokens.close()
    return {"Authorization": f"Bearer {token}"}


def _patch(api: TestClient, plot_id: str, **props: Any) -> None:
    version = api.get(f"/plots/{plot_id}", headers=LP).json()["properties"]["version"]
    r = api.patch(f"/plots/{plot_id}", json={"version": version, "properties": props}, headers=LP)
    assert r.status_code == 200, r.text


def test_confidential_period_never_leaks_after_declassification(
    api: TestClient, planner: dict[str, str]
) -> None:
    """The attack of the issue: notes written while confidential, then declassified."""
    r = api.post("/plots", json=_feature("J-1", confidential=True), headers=LP)
    assert r.status_code == 201
    _patch(api, "J-1", notes="price 1.2M EUR, owner willing")
    _patch(api, "J-1", confidential=False)
    _publish(api, "J-1")
    for headers in ({}, planner):
        r = api.get("/plots/J-1/history", headers=headers)
        assert r.status_code == 200
        assert "1.2M" not in r.text and "landpool-team" not in r.text
        assert "1.2M" not in api.get("/plots/J-1", headers=headers).text
    events = [h["event"] for h in api.get("/plots/J-1/history").json()["history"]]
    assert events == ["published"]
    assert "1.2M" in api.get("/plots/J-1/history", headers=LP).text


def test_public_and_planners_never_read_notes_or_staff_names(
    api: TestClient, planner: dict[str, str]
) -> None:
    assert api.post("/plots", json=_feature("JENA-4"), headers=LP).status_code == 201
    _publish(api, "JENA-4")
    _patch(api, "JENA-4", notes="intern: Kaufpreisvorstellung 80 EUR/m²")
    r = api.post(
        "/plots/JENA-4/status", json={"status": "assessed", "reason": "Ortstermin"}, headers=LP
    )
    assert r.status_code == 200
    for headers in ({}, planner):
        for url in ("/plots/JENA-4", "/plots", "/ogc/collections/plots/items/JENA-4"):
            r = api.get(url, headers=headers)
            assert r.status_code == 200, url
            assert "Kaufpreis" not in r.text and "landpool-team" not in r.text, url
            props = r.json().get("properties") or r.json()["features"][0]["properties"]
            assert not {"notes", "created_by", "updated_by"} & set(props), url
        history = api.get("/plots/JENA-4/history", headers=headers).json()["history"]
        assert all("actor" not in h for h in history)
        assert ("reason" in history[-1]) is (headers is planner)  # planners see reasons
    props = api.get("/plots/JENA-4").json()["properties"]
    assert "published" not in props and "confidential" not in props
    assert api.get("/plots/JENA-4", headers=planner).json()["properties"]["published"] is True
    full = api.get("/plots/JENA-4", headers=LP).json()["properties"]
    assert full["notes"].startswith("intern:") and full["updated_by"] == "landpool-team"


def test_publish_and_unpublish_routes(api: TestClient, planner: dict[str, str]) -> None:
    api.post("/plots", json=_feature("P-1"), headers=LP)
    api.post("/plots", json=_feature("S-1", confidential=True), headers=LP)
    for headers in ({}, planner):
        r = api.post("/plots/P-1/publish", json={"reason": "x"}, headers=headers)
        assert r.status_code == 403
    assert api.post("/plots/P-1/publish", json={}, headers=LP).status_code == 422
    assert api.post("/plots/P-1/publish", json={"reason": ""}, headers=LP).status_code == 422
    r = api.post("/plots/S-1/publish", json={"reason": "x"}, headers=LP)
    assert r.status_code == 409 and "confidential" in r.json()["detail"]
    r = api.post("/plots/P-1/publish", json={"reason": "x", "version": 9}, headers=LP)
    assert r.status_code == 409
    assert api.get("/plots").json()["numberMatched"] == 0  # nothing changed
    r = api.post("/plots/P-1/publish", json={"reason": "Forum"}, headers={**LP, "If-Match": '"1"'})
    assert r.status_code == 200 and r.json()["properties"]["published"] is True
    assert [f["id"] for f in api.get("/plots").json()["features"]] == ["P-1"]
    r = api.post("/plots/P-1/unpublish", json={"reason": "Rückzug"}, headers=LP)
    assert r.status_code == 200 and r.json()["properties"]["published"] is False
    assert api.get("/plots/P-1").status_code == 404
    history = api.get("/plots/P-1/history", headers=LP).json()["history"]
    assert [(h["event"], h["actor"], h["reason"]) for h in history[1:]] == [
        ("published", "landpool-team", "Forum"),
        ("unpublished", "landpool-team", "Rückzug"),
    ]


def test_new_plot_with_a_later_status_is_refused(api: TestClient) -> None:
    for status in ("developed", "assessed", "sleeping"):
        r = api.post("/plots", json=_feature("D-1", status=status), headers=LP)
        assert r.status_code == 422, r.text
        assert "status" in r.json()["detail"]
    assert api.get("/plots", headers=LP).json()["numberMatched"] == 0
    r = api.post("/plots", json=_feature("D-1", status="identified"), headers=LP)
    assert r.status_code == 201


# -- PATCH with a flat body -----------------------------------------------------------------
#: A 140 m × 100 m rectangle next to RING (about 1.4 ha).
RING2 = [[11.5850, 50.9270], [11.5870, 50.9270], [11.5870, 50.9279], [11.5850, 50.9279]]


def _history(api: TestClient, plot_id: str) -> list[dict[str, Any]]:
    history: list[dict[str, Any]] = api.get(f"/plots/{plot_id}/history", headers=LP).json()[
        "history"
    ]
    return history


def test_patch_takes_a_flat_body(api: TestClient) -> None:
    assert api.post("/plots", json=_feature("F-1"), headers=LP).status_code == 201
    r = api.patch("/plots/F-1", json={"contamination": "none", "version": 1}, headers=LP)
    assert r.status_code == 200, r.text
    props = r.json()["properties"]
    assert props["contamination"] == "none" and props["version"] == 2
    assert r.headers["etag"] == '"2"'
    r = api.patch(
        "/plots/F-1",
        json={"owner_type": "city", "name": "Alte Gärtnerei", "reason": "Kauf durch die Stadt"},
        headers={**LP, "If-Match": '"2"'},
    )
    assert r.status_code == 200, r.text
    assert r.json()["properties"]["owner_type"] == "city"
    area = r.json()["properties"]["area_ha"]
    geometry = {"type": "Polygon", "coordinates": [[*RING2, RING2[0]]]}
    r = api.patch("/plots/F-1", json={"geometry": geometry, "version": 3}, headers=LP)
    assert r.status_code == 200, r.text
    assert r.json()["properties"]["area_ha"] < area
    # the same values again: nothing changes, no new version
    r = api.patch("/plots/F-1", json={"owner_type": "city", "version": 4}, headers=LP)
    assert r.status_code == 200 and r.json()["properties"]["version"] == 4
    rows = _history(api, "F-1")
    assert [(h["event"], h["version"], h["reason"]) for h in rows] == [
        ("created", 1, None),
        ("updated", 2, None),
        ("updated", 3, "Kauf durch die Stadt"),
        ("updated", 4, None),
    ]
    assert rows[1]["changes"] == {"contamination": ["unknown", "none"]}
    assert rows[2]["changes"] == {
        "name": [None, "Alte Gärtnerei"],
        "owner_type": ["unknown", "city"],
    }
    assert rows[3]["changes"]["geometry"] == "changed"


def test_patch_still_takes_the_feature_form(api: TestClient) -> None:
    """Decision: the GeoJSON-Feature form stays (a client may send back what it read)."""
    api.post("/plots", json=_feature("N-1"), headers=LP)
    body = {
        "type": "Feature",
        "properties": {"contamination": "suspected", "reason": "Kataster"},
        "version": 1,
    }
    r = api.patch("/plots/N-1", json=body, headers=LP)
    assert r.status_code == 200 and r.json()["properties"]["contamination"] == "suspected"
    assert _history(api, "N-1")[-1]["reason"] == "Kataster"
    both = {"notes": "x", "properties": {"name": "y"}, "version": 2}
    r = api.patch("/plots/N-1", json=both, headers=LP)
    assert r.status_code == 422 and "not both" in r.json()["detail"]


#: Bad PATCH bodies (for a plot at version 1) and words their 422 answer must hold.
BAD_PATCHES: list[tuple[dict[str, Any] | list[Any], list[str]]] = [
    ({"colour": "red", "version": 1}, ["colour", "editable are name, address", "contamination"]),
    ({"area_ha": 9, "version": 1}, ["area_ha (read-only"]),
    ({"status": "assessed", "version": 1}, ["status", "plots set-status", "/status"]),
    ({"contamination": "toxic", "version": 1}, ["contamination", "'toxic'", "none, suspected"]),
    ({"contamination": "", "version": 1}, ["contamination", "use one of"]),
    ({"contamination": "Suspected", "version": 1}, ["contamination", "'Suspected'"]),
    ({"owner_type": 5, "version": 1}, ["owner_type must be text"]),
    ({"name": ["a"], "version": 1}, ["name must be text"]),
    ({"confidential": "yes", "version": 1}, ["confidential must be true or false"]),
    ({"notes": "x", "version": "1"}, ["version must be a whole number"]),
    ({"notes": "x", "version": True}, ["version must be a whole number"]),
    ({"notes": "x", "version": 0}, ["version must be a whole number"]),
    ({"notes": "x"}, ["version is required"]),
    ({"notes": "x", "version": 1, "reason": 5}, ["reason must be text"]),
    ({"notes": "x", "version": 1, "type": "Polygon"}, ["type must be 'Feature'"]),
    ({"properties": ["notes"], "version": 1}, ["properties must be an object"]),
    ({"properties": {"plot_id": "Z"}, "version": 1}, ["plot_id", "editable are"]),
    ({"geometry": 5, "version": 1}, ["geometry must be a GeoJSON"]),
    ({"geometry": {"type": "Point", "coordinates": [11.58, 50.92]}, "version": 1}, ["Point"]),
    (
        {
            "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]},
            "version": 1,
        },
        ["geometry"],
    ),
    (["notes", "x"], ["valid dictionary"]),
]


@pytest.mark.parametrize(("body", "words"), BAD_PATCHES, ids=lambda v: str(v)[:40])
def test_bad_patch_bodies_answer_a_readable_422_and_change_nothing(
    api: TestClient, body: dict[str, Any] | list[Any], words: list[str]
) -> None:
    api.post("/plots", json=_feature("B-1"), headers=LP)
    before = api.get("/plots/B-1", headers=LP).json()
    r = api.patch("/plots/B-1", json=body, headers=LP)
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    for word in words:
        assert word in detail, (word, detail)
    assert "Traceback" not in r.text
    assert api.get("/plots/B-1", headers=LP).json() == before
    assert len(_history(api, "B-1")) == 1


def test_flat_patch_needs_the_landpool_role_and_a_current_version(api: TestClient) -> None:
    api.post("/plots", json=_feature("R-1"), headers=LP)
    r = api.patch("/plots/R-1", json={"contamination": "none", "version": 1})
    assert r.status_code == 403
    r = api.patch("/plots/R-1", json={"contamination": "none", "version": 2}, headers=LP)
    assert r.status_code == 409 and "changed by someone else" in r.json()["detail"]
    r = api.patch("/plots/NOPE-1", json={"contamination": "none", "version": 1}, headers=LP)
    assert r.status_code == 404
    assert api.get("/plots/R-1", headers=LP).json()["properties"]["version"] == 1


def test_openapi_documents_the_flat_patch_from_the_vocabulary(api: TestClient) -> None:
    from api.plot_patch import parse_patch_body
    from geo.landpool.plots import EDITABLE_FIELDS, Contamination

    op = api.get("/openapi.json").json()["paths"]["/plots/{plot_id}"]["patch"]
    media = op["requestBody"]["content"]["application/json"]
    schema = media["schema"]
    assert schema["additionalProperties"] is False
    assert set(EDITABLE_FIELDS) <= set(schema["properties"])
    assert "status" not in schema["properties"] and "area_ha" not in schema["properties"]
    assert schema["properties"]["contamination"]["enum"] == [
        *(c.value for c in Contamination),
        None,
    ]
    examples = media["examples"]
    assert {"contamination", "owner", "geometry"} <= set(examples)
    for example in examples.values():
        parse_patch_body(example["value"])  # every example is a valid body
    assert examples["contamination"]["value"] == {"contamination": "none", "version": 1}
    # the examples work against the API: each applied to a fresh plot at version 1
    for i, example in enumerate(examples.values()):
        api.post("/plots", json=_feature(f"EX-{i}"), headers=LP)
        body = {**example["value"], "version": 1}
        r = api.patch(f"/plots/EX-{i}", json=body, headers=LP)
        assert r.status_code == 200, (example["summary"], r.text)
        assert r.json()["properties"]["version"] == 2, example["summary"]
