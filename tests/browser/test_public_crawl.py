"""A public visitor in Chromium follows every page and link: nothing internal shows.

The app runs on its own seeded land pool (confidential plots, internal demo plots, staff
accounts, a pending contribution with an e-mail, a project edited by a named planner).
The visitor starts at ``/`` and follows every same-site link breadth first, as a browser
does: web and map pages are opened and read after their scripts ran (the DOM, so what a
Folium map draws from its embedded data counts too); links to downloads (CSV, GeoJSON,
GeoPackage, JSON) are fetched with the browser's own request context. Every answer is
searched for the confidential plots' ids, names, addresses, notes and vertices, the ids
of unpublished plots, staff names and the contact e-mail.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from shapely.geometry import Point

from geo.access.accounts import Accounts
from geo.access.roles import Role, Viewer
from geo.forum.model import Target, check_draft
from geo.landpool.io import open_store
from geo.settings import Settings
from geo.usecases import forum as forum_uc
from geo.usecases.projects import create_project
from tests.api.landpool_seed import secret_coordinate_patterns, secret_strings
from tests.browser.conftest import LiveServer, start_server
from tests.browser.pages import shoot
from tests.browser.seed import LANDPOOL, SeededStore, seed_store

#: Staff accounts (username, display name, role) and the planner who edits a project.
STAFF = [("kuehn.s", "Sabine Kühnemund", "landpool"), ("brandt.o", "Olaf Brandtner", "planner")]
EMAIL = "kontakt.crawler@example.org"
PENDING_TITLE = "Unmoderierter Beitrag Zebrastreifen"
#: How many answers the crawl reads at most, and how many query variants of one path.
MAX_ANSWERS = 160
MAX_VARIANTS = 4
#: Paths the visitor does not follow: assets and the API's own documents.
SKIP = ("/static/", "/openapi.json", "/docs", "/redoc", "/logout")
_DOWNLOAD = re.compile(r"\.(csv|geojson|gpkg|json|zip)$|/items|/export/|[?&]f=json")


@pytest.fixture(scope="module")
def site(
    settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[SeededStore, LiveServer]]:
    seeded = seed_store(settings, Path(tmp_path_factory.mktemp("browser-crawl")))
    s = seeded.settings
    with Accounts.open(s) as accounts:
        for user, name, role in STAFF:
            accounts.users.create(user, role, "a long pass phrase for the crawl", display_name=name)
    with forum_uc.open_contributions(s) as store:
        keys = store.topic_keys()
        jena = Target("point", Point(681000.0, 5644000.0), "16053000", "Jena")
        pending = check_draft("traffic", PENDING_TITLE, "Bitte einen Zebrastreifen.", EMAIL, keys)
        store.submit(jena, pending, "192.0.2.61")
        shown = check_draft("traffic", "Radweg Saale", "Ein Radweg an der Saale.", EMAIL, keys)
        approved = store.moderate(
            store.submit(jena, shown, "192.0.2.62").id, "approved", "brandt.o"
        )
    with open_store(s) as land:
        values = {
            "title": "Radweg im Saaletal",
            "topic": "traffic",
            "status": "agreed",
            "municipalities": "Jena, Kahla",
            "contributions": approved.id,
            "plot_ids": "FORUM-W1",
        }
        create_project(s, land, Viewer(Role.PLANNER, "brandt.o"), "radweg-saaletal", values)
    srv = start_server(s)
    yield seeded, srv
    srv.server.should_exit = True
    srv.thread.join(timeout=10)


def _internal_ids(s: Settings) -> list[str]:
    """Ids of the plots the public may not see (unpublished or confidential)."""
    with open_store(s) as store:
        every = store.list(LANDPOOL)
        public = {p.plot_id for p in store.list(Viewer("public", "crawler"))}
    return [p.plot_id for p in every if p.plot_id not in public]


def _secrets(s: Settings) -> list[re.Pattern[str]]:
    words = [*secret_strings(), EMAIL, PENDING_TITLE, LANDPOOL.name, "browser-landpool"]
    words += ["browser-planner", *(x for user, name, _ in STAFF for x in (user, name))]
    out = [re.compile(re.escape(w)) for w in words]
    out += [re.compile(rf"(?<![\w-]){re.escape(i)}(?![\w-])") for i in _internal_ids(s)]
    return [*out, *secret_coordinate_patterns()]


def _same_site(base: str, here: str, href: str) -> str | None:
    url = urljoin(here, href)
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != base or parts.path.startswith(SKIP):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_a_public_visitor_following_every_link_finds_nothing_internal(
    browser: Any, site: tuple[SeededStore, LiveServer], output_dir: Path
) -> None:
    seeded, srv = site
    base = srv.base_url
    secrets = _secrets(seeded.settings)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    queue, seen, variants = ["/"], dict[str, int](), Counter[str]()
    found: list[str] = []
    while queue and len(seen) < MAX_ANSWERS:
        url = queue.pop(0)
        path = urlsplit(url).path
        if url in seen or variants[path] >= MAX_VARIANTS:
            continue
        variants[path] += 1
        if _DOWNLOAD.search(url):
            r = context.request.get(base + url)
            seen[url], text, links = r.status, r.text(), []
        else:
            r = page.goto(base + url, wait_until="load")
            assert r is not None
            seen[url], text = r.status, page.content()
            links = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
        assert seen[url] < 500, (url, seen[url])
        found += [f"{url}: {p.pattern}" for p in secrets if p.search(text)]
        for href in links:
            nxt = _same_site(base, base + url, href)
            if nxt and nxt not in seen:
                queue.append(nxt)
    page.goto(base + "/")
    shoot(page, output_dir / "crawl_start.png")
    context.close()
    assert not found, "\n".join(found[:30])
    # the crawl reached the parts of the site a visitor can: pages, maps, downloads
    for must in (
        "/",
        "/forum",
        "/privacy",
        "/maps/forum.html",
        "/maps/region.html",
        "/forum/projects/radweg-saaletal",
        "/forum/contributions",
        "/reachability",
    ):
        assert seen.get(must) == 200, (must, sorted(seen)[:50])
    assert any(_DOWNLOAD.search(u) for u in seen), sorted(seen)
    assert any(u.startswith("/forum/contributions/") for u in seen)
    assert len(seen) >= 30, sorted(seen)
