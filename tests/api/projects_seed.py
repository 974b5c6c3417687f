"""Cooperation projects on top of the seeded land pool (:mod:`tests.api.landpool_seed`).

:func:`seed_projects` runs after :func:`tests.api.landpool_seed.live`: as the planner it
creates a project linking the published OFFEN-1 and ZURUECK-6 while ZURUECK-6 is
published again, then ZURUECK-6 is unpublished (its state after ``live``): the plot must
vanish from every public output of the project. It also links an approved forum
contribution (its id in ``lp.made["linked_contribution"]``): only public contributions
can be linked. A second project has no geometry (the outline of its municipalities
stands in).
"""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.api.landpool_seed import PUBLISH_REASON, UNPUBLISH_REASON, SeededApi, publish
from tests.api.web.forum_helpers import client_at, contribution_id, moderate, submit

LINKED = "kooperation-saale"
OUTLINED = "wohnen-apolda"
PROJECT_IDS = [LINKED, OUTLINED]
LINE = '{"type": "LineString", "coordinates": [[11.585, 50.927], [11.60, 50.88]]}'


def csrf_of(c: TestClient, path: str, headers: dict[str, str]) -> str:
    """The CSRF token of ``c``'s browser, from a page's hidden form field or meta tag."""
    page = c.get(path, headers=headers)
    m = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
    assert m, page.text[:500]
    return m.group(1)


def post_form(
    c: TestClient, path: str, data: dict[str, str], headers: dict[str, str]
) -> tuple[int, str, str]:
    """Post a page form with a fresh CSRF token; (status, location, body)."""
    token = csrf_of(c, "/forum/projects", headers)
    r = c.post(path, data={"csrf_token": token, **data}, headers=headers, follow_redirects=False)
    return r.status_code, r.headers.get("location", ""), r.text


def form(**values: str) -> dict[str, str]:
    """A complete project form (defaults for what is not given)."""
    base = {
        "title": "Radverbindung Saalbahnhof – Lobeda",
        "topic": "traffic",
        "status": "agreed",
        "municipalities": "16053000",
        "description": "Eine durchgehende Radverbindung entlang der Saale.",
        "contributions": "",
        "plot_ids": "OFFEN-1",
        "geometry": LINE,
    }
    return {**base, **values}


def seed_projects(lp: SeededApi) -> None:
    """Create the two projects through the planner's pages (see the module text)."""
    c, h = lp.client, lp.headers
    cid = contribution_id(submit(client_at(lp, "10.40.0.1"), title="Radverbindung gewünscht"))
    assert moderate(lp, cid, "approve").status_code == 303
    lp.made["linked_contribution"] = cid
    publish(c, h, "ZURUECK-6", PUBLISH_REASON)
    data = form(project_id=LINKED, plot_ids="OFFEN-1, ZURUECK-6", contributions=cid)
    status, _, body = post_form(c, "/forum/projects", data, h["planner"])
    assert status == 303, body[:800]
    version = c.get("/plots/ZURUECK-6", headers=h["landpool"]).json()["properties"]["version"]
    r = c.post(
        "/plots/ZURUECK-6/unpublish",
        json={"reason": UNPUBLISH_REASON, "version": version},
        headers=h["landpool"],
    )
    assert r.status_code == 200, r.text
    data = form(
        project_id=OUTLINED,
        title="Wohnen am Bahnhof Apolda",
        topic="housing",
        status="idea",
        municipalities="Apolda, 16053000",
        plot_ids="",
        contributions="",
        geometry="",
    )
    status, _, body = post_form(c, "/forum/projects", data, h["planner"])
    assert status == 303, body[:800]
