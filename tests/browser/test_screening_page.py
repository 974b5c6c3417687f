"""The screening page in headless Chromium, as the land-pool team uses it."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.browser.conftest import LiveServer
from tests.browser.pages import shoot
from tests.browser.seed import SeededStore

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _open(browser: Any, viewport: dict[str, int], token: str | None) -> tuple[Any, Any, list[str]]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    context = browser.new_context(viewport=viewport, extra_http_headers=headers)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return context, page, errors


def _drawn(page: Any) -> int:
    page.wait_for_function(
        "document.querySelectorAll('.leaflet-overlay-pane path').length > 0", timeout=20_000
    )
    return int(page.evaluate("document.querySelectorAll('.leaflet-overlay-pane path').length"))


def _api(base: str, token: str, profile: Any) -> dict[str, Any]:
    r = httpx.post(
        f"{base}/plots/screen",
        json={"profile": profile},
        headers={"Authorization": f"Bearer {token}"},
        timeout=120,
    )
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def test_run_a_profile_and_read_the_ranked_table_and_map(
    browser: Any, live_server: LiveServer, seeded: SeededStore, output_dir: Path
) -> None:
    base, token = live_server.base_url, seeded.tokens["landpool"]
    context, page, errors = _open(browser, DESKTOP, token)
    page.goto(f"{base}/screening", wait_until="load")
    page.select_option("#f-profile", "commerce")
    with page.expect_navigation():
        page.click("text=Prüfen >> nth=0")
    assert page.url.endswith("/screening?profile=commerce")
    paths = _drawn(page)
    page.wait_for_timeout(300)
    shoot(page, output_dir / "screening_commerce_de.png")
    api = _api(base, token, "commerce")
    rows = page.locator("#screening-table tbody tr")
    assert rows.count() == api["summary"]["total"] == len(api["features"]) > 0
    ids = rows.evaluate_all("rs => rs.map(r => r.getAttribute('data-plot-id'))")
    assert ids == [f["properties"]["plot_id"] for f in api["features"]]
    assert paths >= len(api["features"])  # every plot drawn (and the borders around)
    legend = page.locator(".sr-legend").inner_text()
    for outcome, n in (("geeignet", "passes"), ("offen", "open"), ("ungeeignet", "fails")):
        assert f"{outcome} ({api['summary'][n]})" in legend
    # keyboard: the table scrolls sideways from the keyboard, the exports are links
    assert page.locator(".sr-scroll[tabindex='0']").count() == 1
    assert page.locator('a[href="/screening/result.csv?profile=commerce"]').count() == 1
    assert errors == [], errors
    context.close()


def test_edit_run_and_save_a_profile(
    browser: Any, live_server: LiveServer, seeded: SeededStore, output_dir: Path
) -> None:
    base, token = live_server.base_url, seeded.tokens["landpool"]
    context, page, errors = _open(browser, DESKTOP, token)
    page.goto(f"{base}/screening/edit?profile=housing", wait_until="load")
    shoot(page, output_dir / "screening_edit_de.png")
    page.fill("#f-filters-min_area_ha", "2")
    page.fill("#f-weights-area_ha-weight", "4")
    with page.expect_navigation():
        page.click("text=Dieses Profil prüfen")
    assert page.url.endswith("/screening/run")
    _drawn(page)
    shoot(page, output_dir / "screening_edited_run_de.png")
    rows = page.locator("#screening-table tbody tr")
    api = _api(base, token, "housing")
    assert rows.count() == api["summary"]["total"]
    assert "min. 2,00 ha" in page.locator("#screening-table").inner_text()
    # a weight the server refuses (no default range): the form again, named at its field
    # (numbers out of range the browser refuses itself: type=number with min and max)
    page.fill("#f-weights-elev_mean_m-weight", "1")
    with page.expect_navigation():
        page.click("text=Dieses Profil prüfen")
    problem = page.locator("#err-weights-elev_mean_m-weight")
    assert problem.is_visible() and "best and worst" in problem.inner_text()
    assert page.locator("#f-weights-elev_mean_m-weight").get_attribute("aria-invalid") == "true"
    assert page.input_value("#f-filters-min_area_ha") == "2"  # the form as sent
    shoot(page, output_dir / "screening_problem_de.png")
    page.fill("#f-weights-elev_mean_m-weight", "")
    name = f"housing_2ha_{int(time.time())}"
    page.fill("#f-save_as", name)
    with page.expect_navigation():
        page.click("text=Profil speichern")
    assert page.url.endswith(f"/screening?profile={name}&saved=1")
    assert "gespeichert (Version 1)" in page.locator("main").inner_text()
    assert page.locator("#screening-table tbody tr").count() == api["summary"]["total"]
    # the 422 page of the bad threshold is the only error the browser saw
    assert all("422" in e for e in errors), errors
    context.close()


@pytest.mark.parametrize("role", [None, "planner"])
def test_others_get_the_403_page(
    browser: Any, live_server: LiveServer, seeded: SeededStore, role: str | None
) -> None:
    token = seeded.tokens[role] if role else None
    context, page, _ = _open(browser, DESKTOP, token)
    response = page.goto(f"{live_server.base_url}/screening?profile=housing", wait_until="load")
    assert response is not None and response.status == 403
    assert page.title().startswith("Kein Zugriff")
    assert page.locator("#screening-table").count() == 0
    assert page.locator(".sr-nav a[href='/screening']").count() == 0  # not offered either
    context.close()


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_screenshots_and_a_clean_console(
    browser: Any,
    live_server: LiveServer,
    seeded: SeededStore,
    output_dir: Path,
    lang: str,
    viewport: dict[str, int],
) -> None:
    token = seeded.tokens["landpool"]
    width = "phone" if viewport is PHONE else "desktop"
    for name, path in (
        ("pick", "/screening"),
        ("housing", "/screening?profile=housing"),
        ("edit", "/screening/edit?profile=quick_wins"),
    ):
        context, page, errors = _open(browser, viewport, token)
        sep = "&" if "?" in path else "?"
        page.goto(f"{live_server.base_url}{path}{sep}lang={lang}", wait_until="load")
        if name == "housing":
            _drawn(page)
            page.wait_for_timeout(300)
        shot = output_dir / f"screening_{name}_{lang}_{width}.png"
        shoot(page, shot)
        assert errors == [], (name, errors)
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert not overflow, (name, lang, width)
        unlabelled = page.evaluate(
            """() => [...document.querySelectorAll(
                 'main input:not([type=hidden]), main select, main textarea')]
               .filter(e => !(e.id && document.querySelector(`label[for="${e.id}"]`))
                            && !e.closest('label'))
               .map(e => e.name)"""
        )
        assert unlabelled == [], unlabelled
        context.close()
