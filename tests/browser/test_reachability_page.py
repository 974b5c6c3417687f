"""The reachability page in headless Chromium: the question asked through the form."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.browser.conftest import LiveServer
from tests.browser.pages import shoot

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _open(browser: Any, viewport: dict[str, int]) -> tuple[Any, Any, list[str], list[str]]:
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    return context, page, errors, requests


def _drawn(page: Any) -> int:
    page.wait_for_function(
        "document.querySelectorAll('.leaflet-overlay-pane path').length > 0", timeout=20_000
    )
    return int(page.evaluate("document.querySelectorAll('.leaflet-overlay-pane path').length"))


def test_kahla_by_rail_in_45_minutes_through_the_form(
    browser: Any, live_server: LiveServer, output_dir: Path
) -> None:
    """Typing Kahla, choosing rail and 45 with the keyboard answers with map, table, sums."""
    base = live_server.base_url
    context, page, errors, requests = _open(browser, DESKTOP)
    page.goto(f"{base}/reachability", wait_until="load")
    assert _drawn(page) > 10  # the municipalities around Jena, to click on
    assert page.locator("#reach-table").count() == 0  # nothing asked, nothing computed
    # the suggestions the browser offers while typing (a datalist: works without script)
    assert page.locator('#sr-municipalities option[value="Kahla"]').count() == 1
    assert page.locator("#sr-rail-options").evaluate("f => f.disabled")  # car is preset
    page.focus("#f-from")
    page.keyboard.type("Kahla")
    page.focus('input[name="mode"][value="car"]')
    page.keyboard.press("ArrowDown")  # the radio group moves to rail
    assert page.locator('input[name="mode"][value="rail"]').is_checked()
    assert not page.locator("#sr-rail-options").evaluate("f => f.disabled")
    assert page.locator("#f-date").input_value() == "2019-05-15"
    page.focus("#f-max_minutes")
    page.keyboard.type("45")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "from=Kahla" in page.url and "mode=rail" in page.url and "max_minutes=45" in page.url
    paths = _drawn(page)
    page.wait_for_timeout(300)
    shoot(page, output_dir / "reach_kahla_rail_de.png")
    api = httpx.get(
        f"{base}/reachable",
        params={"from": "Kahla", "mode": "rail", "max_minutes": "45"},
        timeout=120,
    ).json()
    rows = page.locator("#reach-table tbody tr")
    assert rows.count() == len(api["features"]) >= 1
    assert rows.first.get_attribute("data-ags") == api["features"][0]["properties"]["ags"]
    assert paths >= len(api["features"]) + 1  # the reached areas, the origin and more
    population = f"{api['summary']['population_reached']:,}".replace(",", ".")
    assert population in page.locator(".sr-sums").inner_text()
    notes = page.locator(".sr-data-notes").inner_text()
    assert "db_fv_gtfs_2019.zip" in notes and "keine Regionalzüge" in notes
    assert page.locator(".sr-warning").count() >= 1
    assert page.locator('a[href^="/reachability/reachable.csv"]').count() == 1
    assert errors == [], errors
    assert all(u.startswith(base) for u in requests), requests
    context.close()


def test_a_click_on_the_map_picks_a_point_and_the_car(
    browser: Any, live_server: LiveServer, output_dir: Path
) -> None:
    base = live_server.base_url
    context, page, errors, _ = _open(browser, DESKTOP)
    page.goto(f"{base}/reachability", wait_until="load")
    _drawn(page)
    page.fill("#f-from", "Kahla")
    page.check('input[name="mode"][value="rail"]')
    box = page.locator(".sr-map").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    lat, lon = page.input_value("#f-lat"), page.input_value("#f-lon")
    assert 50.6 < float(lat) < 51.2 and 11.2 < float(lon) < 12.0
    assert page.input_value("#f-from") == ""  # a point replaces the municipality
    assert page.locator('input[name="mode"][value="car"]').is_checked()  # points: car only
    page.fill("#f-max_minutes", "15")
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert f"lat={lat}" in page.url and "mode=car" in page.url and "date=" not in page.url
    _drawn(page)
    shoot(page, output_dir / "reach_point_car_de.png")
    if page.locator("#problems").count():  # a point off the loaded roads: named, not hidden
        assert "road network" in page.locator("#problems").inner_text()
    else:
        assert page.locator("#reach-table tbody tr").count() >= 1
        assert "jena_roads_osm2014" in page.locator(".sr-data-notes").inner_text()
    assert errors == [], errors
    context.close()


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_screenshots_and_a_clean_console(
    browser: Any, live_server: LiveServer, output_dir: Path, lang: str, viewport: dict[str, int]
) -> None:
    base = live_server.base_url
    width = "phone" if viewport is PHONE else "desktop"
    for name, query in (("form", ""), ("rail_jena", "&from=Jena&mode=rail&max_minutes=90")):
        context, page, errors, _ = _open(browser, viewport)
        page.goto(f"{base}/reachability?lang={lang}{query}", wait_until="load")
        _drawn(page)
        page.wait_for_timeout(300)
        shot = output_dir / f"reach_{name}_{lang}_{width}.png"
        shoot(page, shot)
        assert errors == [], (name, errors)
        # labelled fields; nothing wider than the window on a phone
        for field in ("f-from", "f-lat", "f-lon", "f-max_minutes", "f-date", "f-window"):
            assert page.locator(f'label[for="{field}"]').count() == 1, field
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert not overflow, (name, lang, width)
        assert shot.stat().st_size > 20_000
        context.close()
