"""The public contributions in the OGC API, on the forum map and in the answer cache."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from geo.settings import Settings
from tests.api.landpool_seed import SeededApi
from tests.api.web.forum_helpers import client_at, contribution_id, forum_site, moderate, submit


@pytest.fixture(scope="module")
def lp(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeededApi]:
    yield forum_site(settings, Path(tmp_path_factory.mktemp("forum-ogc")))


def test_ogc_collection_holds_public_fields_of_public_contributions_only(lp: SeededApi) -> None:
    c = client_at(lp, "10.5.0.1")
    shown = contribution_id(submit(c, title="Querungshilfe Lobeda", email="x@example.org"))
    waiting = contribution_id(submit(client_at(lp, "10.5.0.2"), title="Wartet noch hier"))
    items = "/ogc/collections/contributions/items"
    before = c.get(items).json()  # cached answer must not survive the approval
    assert shown not in [f["id"] for f in before["features"]]
    assert moderate(lp, shown, "approve").status_code == 303
    answer = c.get(items).json()
    ids = [f["id"] for f in answer["features"]]
    assert shown in ids and waiting not in ids
    props = answer["features"][0]["properties"]
    assert "email" not in props and "client_hash" not in props and "version" not in props
    assert "x@example.org" not in c.get(items).text
    one = c.get(f"/ogc/collections/contributions/items/{shown}")
    assert one.status_code == 200
    assert c.get(f"/ogc/collections/contributions/items/{waiting}").status_code == 404


def test_forum_map_draws_approved_contributions(lp: SeededApi) -> None:
    c = client_at(lp, "10.5.0.3")
    cid = contribution_id(submit(c, title="Bank am Paradies"))
    moderate(lp, cid, "approve")
    html = c.get("/maps/forum.html").text
    assert "Bank am Paradies" in html
