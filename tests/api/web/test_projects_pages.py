"""The project pages: public list and page, planner forms, conflicts, refusals."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from geo.settings import Settings
from tests.api.landpool_seed import SeededApi, live, seed
from tests.api.projects_seed import LINKED, OUTLINED, csrf_of, form, post_form, seed_projects

HTML = {"accept": "text/html"}


@pytest.fixture(scope="module")
def lp(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeededApi]:
    seeded = seed(settings, Path(tmp_path_factory.mktemp("project-pages")))
    live(seeded)
    seed_projects(seeded)
    yield seeded
    store = getattr(seeded.client.app.state, "store", None)  # type: ignore[attr-defined]
    if store is not None:
        store.close()


@pytest.mark.parametrize("lang", ["de", "en"])
def test_public_list_with_filters_and_strict_csp(lp: SeededApi, lang: str) -> None:
    q = "?lang=en" if lang == "en" else ""
    r = lp.client.get(f"/forum/projects{q}")
    assert r.status_code == 200 and f'<html lang="{lang}">' in r.text
    assert "Radverbindung Saalbahnhof" in r.text and "Wohnen am Bahnhof Apolda" in r.text
    assert ("Cooperation projects" if lang == "en" else "Kooperationsprojekte") in r.text
    assert "'unsafe-inline'" not in r.headers["content-security-policy"]
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", r.text)
    assert " style=" not in r.text
    assert "/forum/projects/new" not in r.text  # no create link for the public
    only = lp.client.get("/forum/projects?topic=housing&status=&ags=Apolda").text
    assert "Wohnen am Bahnhof Apolda" in only and "Radverbindung" not in only
    bad = lp.client.get("/forum/projects?ags=Atlantis")
    assert bad.status_code == 422 and "Atlantis" in bad.text
    assert bad.headers["content-type"].startswith("text/html")


def test_project_page_shows_map_municipalities_plots_contributions(lp: SeededApi) -> None:
    r = lp.client.get(f"/forum/projects/{LINKED}")
    assert r.status_code == 200
    text = r.text
    assert 'data-map-id="project-map"' in text and '"LineString"' in text
    assert "Jena" in text and "16053000" in text
    assert re.search(r'class="sr-num">1\d\d\.\d\d\d<', text)  # population, German digits
    assert 'href="/ogc/collections/plots/items/OFFEN-1?f=html"' in text
    cid = lp.made["linked_contribution"]
    assert f'href="/forum/contributions/{cid}"' in text
    assert "ZURUECK-6" not in text and "planner-tester" not in text
    outlined = lp.client.get(f"/forum/projects/{OUTLINED}?lang=en").text
    assert "outline of the municipalities involved" in outlined and "Apolda" in outlined
    missing = lp.client.get("/forum/projects/nope", headers=HTML)
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/html")


def test_staff_see_who_edited(lp: SeededApi) -> None:
    r = lp.client.get(f"/forum/projects/{LINKED}", headers=lp.headers["planner"])
    assert "planner-tester" in r.text and f"/forum/projects/{LINKED}/edit" in r.text


@pytest.mark.parametrize("path", ["/forum/projects/new", f"/forum/projects/{LINKED}/edit"])
def test_public_and_landpool_cannot_open_the_forms(lp: SeededApi, path: str) -> None:
    for role in ("public", "landpool"):
        r = lp.client.get(path, headers=lp.headers[role])
        assert r.status_code == 403 and r.headers["content-type"].startswith("text/html")
        assert "planner" in r.text


def test_public_cannot_write_html_403(lp: SeededApi) -> None:
    token = csrf_of(lp.client, "/forum/projects", {})
    r = lp.client.post("/forum/projects", data={"csrf_token": token, **form(project_id="frech")})
    assert r.status_code == 403 and r.headers["content-type"].startswith("text/html")
    assert lp.client.get("/projects/frech").status_code == 404


def test_planner_creates_and_edits(lp: SeededApi) -> None:
    h = lp.headers["planner"]
    status, where, _ = post_form(
        lp.client, "/forum/projects", form(project_id="gruenzug-ost", topic="landscape"), h
    )
    assert status == 303 and where == "/forum/projects/gruenzug-ost?done=created"
    page = lp.client.get(where).text
    assert "angelegt" in page and "Landschaft" in page
    edit = lp.client.get("/forum/projects/gruenzug-ost/edit", headers=h).text
    assert 'name="version" value="1"' in edit and "OFFEN-1" in edit
    data = {**form(topic="landscape", status="in_progress"), "version": "1"}
    status, where, _ = post_form(lp.client, "/forum/projects/gruenzug-ost", data, h)
    assert status == 303 and where.endswith("done=updated")
    assert lp.client.get("/projects/gruenzug-ost").json()["properties"]["status"] == "in_progress"
    # the same form again: nothing to change, no new version
    data = {**form(topic="landscape", status="in_progress"), "version": "2"}
    status, where, _ = post_form(lp.client, "/forum/projects/gruenzug-ost", data, h)
    assert where.endswith("done=nothing")
    assert lp.client.get("/projects/gruenzug-ost").json()["properties"]["version"] == 2


def test_a_stale_edit_is_a_conflict_and_overwrites_nothing(lp: SeededApi) -> None:
    h = lp.headers["planner"]
    post_form(lp.client, "/forum/projects", form(project_id="stale-test"), h)
    first = {**form(title="Erste Fassung"), "version": "1"}
    assert post_form(lp.client, "/forum/projects/stale-test", first, h)[0] == 303
    late = {**form(title="Späte Fassung"), "version": "1"}
    status, _, body = post_form(lp.client, "/forum/projects/stale-test", late, lp.headers["admin"])
    assert status == 409 and 'id="project-conflict"' in body
    assert "Erste Fassung" in body and "Späte Fassung" in body
    assert 'name="version" value="2"' in body  # saving again is a conscious choice
    assert lp.client.get("/projects/stale-test").json()["properties"]["title"] == "Erste Fassung"


def test_unknown_fields_and_missing_csrf_are_refused(lp: SeededApi) -> None:
    h = lp.headers["planner"]
    status, _, body = post_form(
        lp.client, "/forum/projects", {**form(project_id="x-1"), "owner": "Quastwitz"}, h
    )
    assert status == 400 and "owner" in body
    r = lp.client.post("/forum/projects", data=form(project_id="x-2"), headers=h)
    assert r.status_code == 403
    assert lp.client.get("/projects/x-1").status_code == 404
    assert lp.client.get("/projects/x-2").status_code == 404


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({"municipalities": "16053000, 16999999"}, "16999999"),
        ({"municipalities": "Atlantis"}, "Atlantis"),
        ({"plot_ids": "NOPE-1"}, "NOPE-1"),
        ({"plot_ids": "INTERN-5"}, "INTERN-5"),
        ({"plot_ids": "GEHEIM-7731"}, "GEHEIM-7731"),
        ({"topic": "Sport"}, "Sport"),
        ({"description": "x" * 4001}, "4000"),
    ],
)
def test_bad_values_re_render_the_form_naming_them(
    lp: SeededApi, values: dict[str, str], named: str
) -> None:
    h = lp.headers["planner"]
    status, _, body = post_form(
        lp.client, "/forum/projects", form(project_id="bad-values", **values), h
    )
    assert status == 422 and named in body and 'id="project-error"' in body
    assert lp.client.get("/projects/bad-values").status_code == 404


def test_unpublished_and_missing_plots_are_refused_alike(lp: SeededApi) -> None:
    """Linking an internal or confidential plot answers like a plot that does not exist."""
    h = lp.headers["planner"]
    answers = {}
    for pid in ("NOPE-1", "INTERN-5", "GEHEIM-7731"):
        status, _, body = post_form(
            lp.client, "/forum/projects", form(project_id="alike", plot_ids=pid), h
        )
        error = re.search(r'id="project-error"><p>(.*?)</p>', body)
        assert error is not None
        answers[pid] = (status, error.group(1).replace(pid, "X"))
    assert len(set(answers.values())) == 1, answers
