"""Cooperation projects in headless Chromium: a planner creates one, the public sees it.

Runs its own server on its own seeded land pool (the session's server keeps its forum
map as the other browser tests count it). Screenshots of every project page, German and
English, desktop and phone, go to ``test-output/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from shapely.geometry import Point

from geo.forum.model import Target, check_draft
from geo.settings import Settings
from geo.usecases import forum as forum_uc
from tests.browser.conftest import LiveServer, start_server
from tests.browser.pages import shoot, visit
from tests.browser.seed import SeededStore, seed_store

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1400, "height": 1000}
LINE = '{"type": "LineString", "coordinates": [[11.5870, 50.8050], [11.5864, 50.9271]]}'


@pytest.fixture(scope="module")
def own(
    settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[SeededStore, LiveServer]]:
    seeded = seed_store(settings, Path(tmp_path_factory.mktemp("browser-projects")))
    srv = start_server(seeded.settings)
    yield seeded, srv
    srv.server.should_exit = True
    srv.thread.join(timeout=10)


def _approved_contribution(settings: Settings) -> str:
    """A contribution approved in the forum of ``settings`` (a project may link it)."""
    with forum_uc.open_contributions(settings) as store:
        draft = check_draft(
            "traffic",
            "Radweg im Saaletal",
            "Bitte den Radweg durchgehend bauen.",
            None,
            store.topic_keys(),
        )
        target = Target("point", Point(681000.0, 5644000.0), "16053000", "Jena")
        c = store.submit(target, draft, "192.0.2.40")
        return store.moderate(c.id, "approved", "browser-planner").id


def _page(browser: Any, viewport: dict[str, int], headers: dict[str, str] | None = None) -> Any:
    context = browser.new_context(viewport=viewport, extra_http_headers=headers or {})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.errors = errors
    return page


def test_planner_creates_a_project_the_public_then_sees(
    browser: Any, own: tuple[SeededStore, LiveServer], output_dir: Path
) -> None:
    seeded, srv = own
    base = srv.base_url
    cid = _approved_contribution(seeded.settings)
    planner = {"Authorization": f"Bearer {seeded.tokens['planner']}"}
    page = _page(browser, DESKTOP, planner)
    page.goto(f"{base}/forum/projects/new")
    page.fill("#p-id", "radweg-kahla-jena")
    page.fill("#p-title", "Radweg Kahla – Jena")
    page.select_option("#p-topic", "traffic")
    page.select_option("#p-status", "agreed")
    page.fill("#p-mun", "Kahla, Jena")
    page.fill("#p-desc", "Ein durchgehender Radweg im Saaletal.\nAbschnitte in beiden Gemeinden.")
    page.fill("#p-plots", "FORUM-W1")
    page.fill("#p-contrib", "B-1")
    page.fill("#p-geom", LINE)
    shoot(page, output_dir / "project_form_de_desktop.png")
    page.click("button[type=submit]")
    # a link to a contribution the forum does not show is refused; the entries stay
    page.wait_for_selector(".sr-error")
    assert "'B-1' is not a public contribution" in page.inner_text(".sr-error")
    assert page.input_value("#p-title") == "Radweg Kahla – Jena"
    assert len(page.errors) == 1 and "status of 422" in page.errors[0], page.errors
    page.errors.clear()
    page.fill("#p-contrib", cid)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/forum/projects/radweg-kahla-jena?done=created")
    assert "angelegt" in page.inner_text(".sr-notice")
    page.wait_for_selector("#content .leaflet-overlay-pane path", state="attached")
    assert page.errors == []
    # a second, map-less project: the municipalities' outline stands in
    page.goto(f"{base}/forum/projects/new?lang=en")
    page.fill("#p-id", "wohnen-apolda")
    page.fill("#p-title", "Housing at Apolda station")
    page.select_option("#p-topic", "housing")
    page.fill("#p-mun", "Apolda")
    shoot(page, output_dir / "project_form_en_desktop.png")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/forum/projects/wohnen-apolda?done=created&lang=en")
    page.context.close()

    for lang in ("de", "en"):
        for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
            pub = _page(browser, viewport)
            q = "?lang=en" if lang == "en" else ""
            pub.goto(f"{base}/forum/projects{q}")
            pub.wait_for_selector("#content .leaflet-overlay-pane path", state="attached")
            text = pub.inner_text("#content")
            assert "Radweg Kahla – Jena" in text and "Housing at Apolda station" in text
            assert "/forum/projects/new" not in pub.content()
            shoot(pub, output_dir / f"projects_{lang}_{name}.png")
            pub.goto(f"{base}/forum/projects/radweg-kahla-jena{q}")
            pub.wait_for_selector("#content .leaflet-overlay-pane path", state="attached")
            text = pub.inner_text("#content")
            assert "Kahla" in text and "FORUM-W1" in text and cid in text
            assert "browser-planner" not in pub.content()
            shoot(pub, output_dir / f"project_{lang}_{name}.png")
            assert pub.errors == [], pub.errors
            pub.context.close()

    # the first build of a map page reads the minutes from Jena (slow on a busy machine):
    # built here once, the browser then gets the cached page
    built = {
        path: httpx.get(base + path, timeout=600)
        for path in ("/maps/forum.html", "/maps/region.html")
    }
    assert all(r.status_code == 200 for r in built.values())
    v = visit(browser, f"{base}/maps/forum.html", output_dir / "forum_projects_de.png")
    assert v.errors == []
    assert "Kooperationsprojekte des Forums" in [x.strip() for x in v.layers]
    assert "Kooperationsprojekte des Forums" in v.legend and "Verkehr" in v.legend
    assert "Radweg Kahla" in v.html and "browser-planner" not in v.html
    (output_dir / "region.html").write_text(built["/maps/region.html"].text, encoding="utf-8")
    region = built["/maps/region.html"].text
    assert "Radweg Kahla" in region and "Ver\\u00f6ffentlichte Fl\\u00e4chen" in region
    v = visit(browser, f"{base}/maps/region.html", output_dir / "region_projects_de.png")
    assert v.errors == []
