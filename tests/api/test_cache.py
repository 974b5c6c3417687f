"""The answer cache (api/cache.py): per data version and viewer class, gzip, ETag/304.

Two apps on one store stand for two worker processes: a write through one must
invalidate the pages the other cached. A page cached for one viewer class is never
served to another (land pool → public, public → land pool), and a revoked token never
reaches a cached page.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from geo.access.tokens import TokenStore
from geo.settings import Settings

RING = [[11.5850, 50.9270], [11.5864, 50.9270], [11.5864, 50.9288], [11.5850, 50.9288]]
SECRET = "Geheimer Ankauf Ziegenhain"


def _feature(plot_id: str, **props: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [[*RING, RING[0]]]},
        "properties": {"plot_id": plot_id, **props},
    }


class Workers:
    """Two apps (two 'worker processes') on one land-pool store, and the tokens."""

    def __init__(self, settings: Settings, tmp: Path) -> None:
        self.settings = settings.model_copy(update={"landpool_gpkg": tmp / "lp.gpkg"})
        tokens = TokenStore.open(self.settings)
        lp_token, _ = tokens.create("landpool-team", "landpool")
        pl_token, _ = tokens.create("planner-team", "planner")
        self.tokens = tokens
        self.lp = {"Authorization": f"Bearer {lp_token}"}
        self.planner = {"Authorization": f"Bearer {pl_token}"}
        self.a = TestClient(create_app(self.settings))
        self.b = TestClient(create_app(self.settings))

    def close(self) -> None:
        self.tokens.close()
        for c in (self.a, self.b):
            store = getattr(c.app.state, "store", None)  # type: ignore[attr-defined]
            if store is not None:
                store.close()


@pytest.fixture
def w(settings: Settings, tmp_path: Path) -> Iterator[Workers]:
    workers = Workers(settings, tmp_path)
    r = workers.a.post("/plots", json=_feature("OFFEN-1", name="Brache"), headers=workers.lp)
    assert r.status_code == 201, r.text
    # new plots are internal until published (public pages show only published ones)
    r = workers.a.post("/plots/OFFEN-1/publish", json={"reason": "Angebot"}, headers=workers.lp)
    assert r.status_code == 200, r.text
    r = workers.a.post(
        "/plots",
        json=_feature("GEHEIM-1", name=SECRET, confidential=True),
        headers=workers.lp,
    )
    assert r.status_code == 201, r.text
    yield workers
    workers.close()


def test_second_request_is_a_hit_gzip_and_etag(w: Workers) -> None:
    first = w.a.get("/maps/forum.html", headers={"Accept-Encoding": "gzip"})
    assert first.status_code == 200 and first.headers["x-cache"] == "miss"
    second = w.a.get("/maps/forum.html", headers={"Accept-Encoding": "gzip"})
    assert second.headers["x-cache"] == "hit"
    assert second.headers["content-encoding"] == "gzip"
    assert second.text == first.text
    assert second.headers["etag"] == first.headers["etag"]
    assert "Authorization" in second.headers["vary"]
    # the security headers are still there on cached answers
    assert second.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors" in second.headers["content-security-policy"]
    # the compressed body is much smaller, and decompresses to the page
    assert second.num_bytes_downloaded < len(second.content) / 3
    plain = w.a.get("/maps/forum.html", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.text == first.text


def test_if_none_match_answers_304(w: Workers) -> None:
    r = w.a.get("/ogc/collections/municipalities/items?limit=100")
    etag = r.headers["etag"]
    again = w.a.get(
        "/ogc/collections/municipalities/items?limit=100", headers={"If-None-Match": etag}
    )
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    other = w.a.get(
        "/ogc/collections/municipalities/items?limit=100", headers={"If-None-Match": '"nope"'}
    )
    assert other.status_code == 200


def test_an_edit_in_one_worker_invalidates_the_other(w: Workers) -> None:
    for url in ("/plots", "/ogc/collections/plots/items", "/maps/forum.html"):
        assert w.a.get(url).status_code == 200
        assert w.a.get(url).headers["x-cache"] == "hit"
    before = w.a.get("/plots").headers["etag"]
    version = int(w.b.get("/plots/OFFEN-1", headers=w.lp).headers["etag"].strip('"'))
    r = w.b.patch(
        "/plots/OFFEN-1",
        json={"version": version, "properties": {"name": "Brache am Saalbahnhof (neu)"}},
        headers=w.lp,
    )
    assert r.status_code == 200, r.text
    after = w.a.get("/plots")
    assert after.headers["x-cache"] == "miss" and after.headers["etag"] != before
    assert "Brache am Saalbahnhof (neu)" in after.text
    assert "Brache am Saalbahnhof (neu)" in w.a.get("/ogc/collections/plots/items").text
    # a status change moves the data version too
    etag = w.a.get("/plots").headers["etag"]
    r = w.b.post("/plots/OFFEN-1/status", json={"status": "assessed"}, headers=w.lp)
    assert r.status_code == 200, r.text
    changed = w.a.get("/plots")
    assert changed.headers["x-cache"] == "miss" and changed.headers["etag"] != etag


def test_a_refused_write_keeps_the_cache(w: Workers) -> None:
    w.a.get("/plots")
    r = w.b.patch("/plots/OFFEN-1", json={"version": 99, "properties": {"name": "x"}}, headers=w.lp)
    assert r.status_code == 409
    assert w.a.get("/plots").headers["x-cache"] == "hit"


@pytest.mark.parametrize("url", ["/plots", "/plots?limit=5", "/maps/plots.html"])
def test_a_landpool_page_is_never_served_to_the_public(w: Workers, url: str) -> None:
    inner = w.a.get(url, headers=w.lp)
    assert inner.status_code == 200 and SECRET in inner.text
    assert w.a.get(url, headers=w.lp).headers["x-cache"] == "hit"
    for headers in ({}, w.planner):
        outer = w.a.get(url, headers=headers)
        assert SECRET not in outer.text
        assert outer.headers.get("etag") != inner.headers["etag"]


@pytest.mark.parametrize("url", ["/plots", "/plots?offset=0"])
def test_a_public_page_is_never_served_to_the_landpool(w: Workers, url: str) -> None:
    outer = w.a.get(url)
    assert w.a.get(url).headers["x-cache"] == "hit" and SECRET not in outer.text
    inner = w.a.get(url, headers=w.lp)
    assert SECRET in inner.text and inner.headers["x-cache"] == "miss"


def test_a_revoked_token_never_reaches_a_cached_page(w: Workers) -> None:
    assert w.a.get("/plots", headers=w.lp).status_code == 200
    assert w.a.get("/plots", headers=w.lp).headers["x-cache"] == "hit"
    info = next(i for i in w.tokens.list() if i.name == "landpool-team")
    w.tokens.revoke(info.id)
    r = w.a.get("/plots", headers=w.lp)
    assert r.status_code == 401 and SECRET not in r.text


def test_the_cache_can_be_switched_off(settings: Settings, tmp_path: Path) -> None:
    off = settings.model_copy(update={"landpool_gpkg": tmp_path / "lp.gpkg", "cache_max_bytes": 0})
    client = TestClient(create_app(off))
    client.get("/municipalities/16053000")
    r = client.get("/municipalities/16053000")
    assert r.status_code == 200 and "x-cache" not in r.headers


def test_the_host_is_part_of_the_key(w: Workers) -> None:
    """OGC answers hold absolute links: a page cached for one host is not sent to another."""
    first = w.a.get("/ogc/collections", headers={"Host": "a.example.org"})
    assert "http://a.example.org/ogc" in first.text
    second = w.a.get("/ogc/collections", headers={"Host": "b.example.org"})
    assert second.headers["x-cache"] == "miss"
    assert "http://b.example.org/ogc" in second.text and "a.example.org" not in second.text
