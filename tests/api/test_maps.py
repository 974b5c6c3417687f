"""``/maps/region.html`` is served with self-hosted assets only."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient


def shows(page: str, text: str) -> bool:
    """Whether ``text`` is in the page, as HTML or as a JSON-escaped string in a script."""
    return text in page or json.dumps(text)[1:-1] in page


def test_region_map_page(client: TestClient) -> None:
    r = client.get("/maps/region.html")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    page = r.text
    for text in (
        "Gemeinden (Trend)",
        "ISEK-Nachbarstädte",
        "Bahnstrecken",
        "Bahnhöfe",
        "GeoBasis-DE / BKG (2016)",
        "Statistisches Bundesamt (Destatis)",
        "Deutsche Bahn AG",
        "OffenesThueringen",
        "Lenkungsrunde Nr. 3",
    ):
        assert shows(page, text), text
    # Every script and stylesheet comes from our own server.
    urls = [
        u
        for u in re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', page)
        if not u.startswith("data:")
    ]
    assert urls and all(u.startswith("/static/") for u in urls), urls
    for u in urls:
        assert client.get(u).status_code == 200, u
    assert len(r.content) < 2_000_000


def test_region_map_in_english(client: TestClient) -> None:
    page = client.get("/maps/region.html", params={"lang": "en"}).text
    assert shows(page, "Municipalities (trend)") and not shows(page, "Gemeinden (Trend)")


def test_unknown_map_and_bad_lang(client: TestClient) -> None:
    r = client.get("/maps/nope.html")
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert "region" in r.text  # names the maps there are
    r = client.get("/maps/region.html", params={"lang": "fr"})
    assert r.status_code == 400 and "lang" in r.text  # a page: an HTML error page
