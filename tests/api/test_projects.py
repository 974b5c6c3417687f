"""``/projects`` and the OGC collection ``projects``: public, only published plots, no names."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from geo.settings import Settings
from tests.api.landpool_seed import SeededApi, live, seed
from tests.api.projects_seed import LINKED, OUTLINED, form, post_form, seed_projects


@pytest.fixture(scope="module")
def lp(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeededApi]:
    seeded = seed(settings, Path(tmp_path_factory.mktemp("projects")))
    live(seeded)
    seed_projects(seeded)
    yield seeded
    store = getattr(seeded.client.app.state, "store", None)  # type: ignore[attr-defined]
    if store is not None:
        store.close()


def test_list_is_geojson_with_public_fields(lp: SeededApi) -> None:
    r = lp.client.get("/projects")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/geo+json")
    fc = r.json()
    assert [f["id"] for f in fc["features"]] == [LINKED, OUTLINED]
    linked = fc["features"][0]
    assert linked["geometry"]["type"] == "LineString"
    props = linked["properties"]
    assert props["plot_ids"] == ["OFFEN-1"]  # ZURUECK-6 was unpublished after linking
    assert props["municipalities"][0]["name"] == "Jena"
    assert props["municipalities"][0]["population"] > 100_000
    assert props["geometry_source"] == "project"
    outlined = fc["features"][1]
    assert outlined["properties"]["geometry_source"] == "municipalities"
    assert outlined["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert any("GeoBasis-DE" in a for a in fc["attribution"])
    assert "planner-tester" not in r.text and "ZURUECK-6" not in r.text


def test_filters_and_bad_filters(lp: SeededApi) -> None:
    assert [f["id"] for f in lp.client.get("/projects?topic=housing").json()["features"]] == [
        OUTLINED
    ]
    assert lp.client.get("/projects?status=done").json()["features"] == []
    assert len(lp.client.get("/projects?ags=Apolda").json()["features"]) == 1
    assert len(lp.client.get("/projects?ags=16053000").json()["features"]) == 2
    for query, word in (("topic=sport", "topic"), ("ags=Atlantis", "Atlantis"), ("x=1", "x")):
        r = lp.client.get(f"/projects?{query}")
        assert 400 <= r.status_code < 500 and word in r.text, (query, r.text)


def test_one_project_with_history_names_editors_only_for_staff(lp: SeededApi) -> None:
    public = lp.client.get(f"/projects/{LINKED}").json()
    assert [h["event"] for h in public["history"]] == ["created"]
    assert "actor" not in public["history"][0]
    assert public["history"][0]["changes"]["plot_ids"] == [None, ["OFFEN-1"]]
    planner = lp.client.get(f"/projects/{LINKED}", headers=lp.headers["planner"]).json()
    assert planner["history"][0]["actor"] == "planner-tester"
    r = lp.client.get("/projects/nope")
    assert r.status_code == 404 and "nope" in r.json()["detail"]


def test_ogc_collection_projects(lp: SeededApi) -> None:
    cols = [c["id"] for c in lp.client.get("/ogc/collections?f=json").json()["collections"]]
    assert "projects" in cols
    fc = lp.client.get("/ogc/collections/projects/items?f=json").json()
    assert fc["numberMatched"] == 2
    props = fc["features"][0]["properties"]
    assert props["plot_ids"] == "OFFEN-1" and props["municipality_names"] == "Jena"
    one = lp.client.get(f"/ogc/collections/projects/items/{OUTLINED}?f=json").json()
    assert one["properties"]["municipalities"] == "16071001, 16053000"
    hits = lp.client.get("/ogc/collections/projects/items?f=json&topic=housing").json()
    assert [f["id"] for f in hits["features"]] == [OUTLINED]


def test_a_plot_unpublished_later_leaves_every_output(lp: SeededApi) -> None:
    h = lp.headers
    before = lp.client.get(f"/projects/{LINKED}").json()["properties"]["plot_ids"]
    assert before == ["OFFEN-1"]
    # an edit keeps the hidden link (it returns if the plot is published again) ...
    status, _, body = post_form(
        lp.client,
        f"/forum/projects/{LINKED}",
        {**form(plot_ids="OFFEN-1, OFFEN-2"), "version": "1"},
        h["planner"],
    )
    assert status == 303, body[:500]
    after = lp.client.get(f"/projects/{LINKED}").json()
    assert after["properties"]["plot_ids"] == ["OFFEN-1", "OFFEN-2"]
    # ... and the history shows only public plots in what changed
    assert after["history"][1]["changes"]["plot_ids"] == [["OFFEN-1"], ["OFFEN-1", "OFFEN-2"]]
    assert "ZURUECK-6" not in lp.client.get(f"/projects/{LINKED}").text
    assert "ZURUECK-6" not in lp.client.get("/ogc/collections/projects/items?f=json").text


def test_project_edits_move_the_data_version_of_cached_maps(lp: SeededApi) -> None:
    first = lp.client.get("/maps/forum.html")
    assert "Wohnen am Bahnhof Apolda" in first.text
    status, _, body = post_form(
        lp.client,
        f"/forum/projects/{OUTLINED}",
        {
            **form(
                title="Wohnen am Bahnhof Apolda (neu)",
                topic="housing",
                status="idea",
                municipalities="Apolda, 16053000",
                plot_ids="",
                contributions="",
                geometry="",
            ),
            "version": "1",
        },
        lp.headers["planner"],
    )
    assert status == 303, body[:500]
    again = lp.client.get("/maps/forum.html")
    assert "Wohnen am Bahnhof Apolda (neu)" in again.text
