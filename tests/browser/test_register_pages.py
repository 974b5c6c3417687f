"""The land-pool register pages in headless Chromium, against a server on a real store.

A land-pool user edits a plot, changes its status and sees the history rows; two
browsers edit the same plot and the second is told of the conflict (nothing
overwritten); a bad import shows its report and leaves the store unchanged; an update
import changes exactly the plots it lists; publishing puts a plot on the forum map and
unpublishing takes it off. Every page is screenshotted in German and English, on a
desktop and a 390 px phone (``test-output/``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest

from geo.landpool.io import open_store
from geo.landpool.store import Store
from geo.settings import WEB_CRS, WORK_CRS, Settings
from tests.api.web.register_seed import LANDPOOL, SECRET, RegisterStore, lonlat_box, seed_register
from tests.browser.conftest import LiveServer, start_server
from tests.browser.pages import shoot
from tests.geo.conftest import fingerprint

DESKTOP = {"width": 1300, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def reg_server(
    settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[LiveServer, RegisterStore]]:
    """A server of its own on the register's land pool (these tests write to it)."""
    seeded = seed_register(settings, Path(tmp_path_factory.mktemp("browser-register")))
    seeded.store.close()
    srv = start_server(seeded.settings)
    yield srv, seeded
    srv.server.should_exit = True
    srv.thread.join(timeout=10)


@pytest.fixture
def store(reg_server: tuple[LiveServer, RegisterStore]) -> Iterator[Store]:
    """A second connection to the server's store, to check what was stored."""
    s = open_store(reg_server[1].settings)
    yield s
    s.close()


def _context(
    browser: Any, seeded: RegisterStore, role: str, viewport: dict[str, int] = DESKTOP
) -> Any:
    ctx = browser.new_context(viewport=viewport, extra_http_headers=seeded.headers(role))
    ctx.set_default_timeout(20_000)
    return ctx


def _open(ctx: Any, url: str) -> tuple[Any, list[str]]:
    page = ctx.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url, wait_until="load")
    return page, errors


def test_every_register_page_looks_right_in_both_languages_and_on_a_phone(
    browser: Any, reg_server: tuple[LiveServer, RegisterStore], output_dir: Path
) -> None:
    srv, seeded = reg_server
    paths = {
        "list": "/register",
        "plot": "/register/REG-B",
        "secret": f"/register/{SECRET['plot_id']}",
        "import": "/register/import",
    }
    for role in ("landpool", "planner"):
        for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
            ctx = _context(browser, seeded, role, viewport)
            for name, path in paths.items():
                for lang in ("de", "en"):
                    page, errors = _open(ctx, f"{srv.base_url}{path}?lang={lang}")
                    expected = 200
                    if role == "planner" and name == "import":
                        expected = 403
                    elif role == "planner" and name == "secret":
                        expected = 404
                    title = page.title()
                    assert title.endswith("· stadtregion"), title
                    if name == "plot":
                        page.wait_for_selector(".sr-map .leaflet-overlay-pane path")
                    # no horizontal scrolling of the page itself (wide tables scroll in place)
                    width = page.evaluate("document.documentElement.scrollWidth")
                    assert width <= viewport["width"] + 1, (name, size, width)
                    shot = output_dir / f"{name}_{role}_{size}_{lang}.png"
                    shoot(page, shot)
                    if expected == 200:
                        assert errors == [], (name, errors)
                    page.close()
            ctx.close()
    assert len(list(output_dir.glob("*.png"))) == 2 * 2 * len(paths) * 2


def test_landpool_user_edits_changes_status_and_sees_the_history(
    browser: Any, reg_server: tuple[LiveServer, RegisterStore], store: Store, output_dir: Path
) -> None:
    srv, seeded = reg_server
    ctx = _context(browser, seeded, "landpool")
    page, errors = _open(ctx, f"{srv.base_url}/register?status=identified&category=vacant_lot")
    page.get_by_role("link", name="Citygrund").click()
    page.wait_for_url("**/register/REG-C")
    page.get_by_label("Eigentümer").select_option("city")
    page.get_by_label("Altlasten").select_option("suspected")
    page.get_by_label("Vorgesehene Nutzung").fill("Wohnen (WA)")
    reason = page.locator("#e-reason")
    reason.fill("Grundbuchauszug vom Amt")
    reason.press("Enter")  # the keyboard sends the form
    page.wait_for_url("**/register/REG-C?notice=saved")
    assert "Gespeichert" in page.locator("#sr-notice").inner_text()
    assert page.locator('[data-field="owner_type"] dd').inner_text() == "Stadt"
    row = page.locator("#sr-history tbody tr").first.inner_text()
    assert "Eigentümer: unbekannt → Stadt" in row and "Grundbuchauszug vom Amt" in row
    assert "landpool-tester" in row
    # the status form offers only the next steps of the workflow
    options = page.locator("#s-status option").evaluate_all("os => os.map(o => o.value)")
    assert options == ["assessed", "withdrawn"]
    page.locator("#s-status").select_option("assessed")
    page.locator("#s-reason").fill("Bewertung abgeschlossen")
    page.get_by_role("button", name="Status ändern").click()
    page.wait_for_url("**/register/REG-C?notice=status")
    row = page.locator("#sr-history tbody tr").first.inner_text()
    assert "erfasst → bewertet" in row and "Bewertung abgeschlossen" in row
    shoot(page, output_dir / "after_edit_and_status.png")
    plot = store.get(LANDPOOL, "REG-C")
    assert (plot.owner_type, plot.contamination, plot.status) == ("city", "suspected", "assessed")
    assert plot.intended_use == "Wohnen (WA)"
    assert errors == []
    ctx.close()


def test_two_browsers_edit_the_same_plot_and_the_second_is_told_of_the_conflict(
    browser: Any, reg_server: tuple[LiveServer, RegisterStore], store: Store, output_dir: Path
) -> None:
    srv, seeded = reg_server
    url = f"{srv.base_url}/register/REG-B"
    first_ctx, second_ctx = (
        _context(browser, seeded, "landpool"),
        _context(browser, seeded, "admin"),
    )
    first, _ = _open(first_ctx, url)
    second, _ = _open(second_ctx, url)
    version = store.get(LANDPOOL, "REG-B").version
    first.get_by_label("Name").fill("Bahnhofsareal Kahla Süd")
    first.get_by_role("button", name="Speichern").click()
    first.wait_for_url("**notice=saved")
    second.get_by_label("Eigentümer").select_option("private")
    second.locator("#e-reason").fill("Kaufvertrag liegt vor")
    second.get_by_role("button", name="Speichern").click()
    second.wait_for_selector("#sr-conflict")
    conflict = second.locator("#sr-conflict").inner_text()
    assert f"Sie haben Version {version} bearbeitet" in conflict
    # what changed since: the name, the value of their version and the stored one
    row = second.locator("#sr-conflict tbody tr").first.inner_text()
    assert row.split("\t")[:3] == ["Name", "Bahnhofsareal Kahla", "Bahnhofsareal Kahla Süd"]
    shoot(second, output_dir / "conflict.png")
    # nothing overwritten: the first edit stands, the second is not stored
    plot = store.get(LANDPOOL, "REG-B")
    assert (plot.name, plot.owner_type, plot.version) == (
        "Bahnhofsareal Kahla Süd",
        "city",
        version + 1,
    )
    # the second browser keeps its entries, now based on the stored version, and redoes it
    assert second.get_by_label("Eigentümer").input_value() == "private"
    assert second.locator("#e-reason").input_value() == "Kaufvertrag liegt vor"
    assert second.locator('#sr-edit-form input[name="version"]').input_value() == str(version + 1)
    second.get_by_label("Name").fill("Bahnhofsareal Kahla Süd")
    second.get_by_role("button", name="Speichern").click()
    second.wait_for_url("**notice=saved")
    plot = store.get(LANDPOOL, "REG-B")
    assert (plot.name, plot.owner_type) == ("Bahnhofsareal Kahla Süd", "private")
    first_ctx.close()
    second_ctx.close()


def _bad_file(folder: Path) -> Path:
    frame = gpd.GeoDataFrame(
        pd.DataFrame(
            [
                {"plot_id": "NEU-1", "category": "brownfield"},
                {"plot_id": "REG-A", "category": "reserve"},
                {"plot_id": "NEU-3", "category": "castle"},
            ]
        ),
        geometry=[lonlat_box(11.59, 50.93, 40)] * 3,
        crs=WORK_CRS,
    ).to_crs(WEB_CRS)
    path = folder / "neue flaechen.geojson"
    path.write_text(frame.to_json())
    return path


def test_bad_import_shows_its_report_and_leaves_the_store_unchanged(
    browser: Any,
    reg_server: tuple[LiveServer, RegisterStore],
    store: Store,
    output_dir: Path,
    tmp_path: Path,
) -> None:
    srv, seeded = reg_server
    ctx = _context(browser, seeded, "landpool")
    page, errors = _open(ctx, f"{srv.base_url}/register/import")
    before = fingerprint(store)
    page.get_by_label("Datei").set_input_files(str(_bad_file(tmp_path)))
    page.get_by_role("button", name="Prüfen und importieren").click()
    page.wait_for_selector("#sr-import-refused")
    refused = page.locator("#sr-import-refused").inner_text()
    assert "2 von 3 Zeilen sind fehlerhaft. Nichts wurde gespeichert." in refused
    rows = page.locator("#sr-import-problems tbody tr").evaluate_all(
        "rs => rs.map(r => r.dataset.row)"
    )
    assert rows == ["2", "3"]
    assert "Kennung doppelt" in refused and "castle" in refused
    shoot(page, output_dir / "import_refused.png")
    assert fingerprint(store) == before
    # the page answered 422 (the refusal) and Chromium logs that; nothing else went wrong
    assert [e for e in errors if "status of 422" not in e] == []
    ctx.close()


def test_update_import_changes_exactly_the_listed_plots(
    browser: Any,
    reg_server: tuple[LiveServer, RegisterStore],
    store: Store,
    output_dir: Path,
    tmp_path: Path,
) -> None:
    srv, seeded = reg_server
    ctx = _context(browser, seeded, "landpool")
    ctx_page, _ = _open(ctx, f"{srv.base_url}/register?category=other")
    # the GeoPackage button, fetched as the browser's context (Chromium does not send
    # the stand-in bearer header with a download; a session cookie will go with it)
    href = ctx_page.locator('a[data-format="gpkg"]').get_attribute("href")
    assert href == "/register/export?format=gpkg&category=other"
    response = ctx.request.get(srv.base_url + href)
    assert response.status == 200 and "geopackage" in response.headers["content-type"]
    exported = tmp_path / "fillers.gpkg"
    exported.write_bytes(response.body())
    frame = gpd.read_file(exported, layer="plots")
    assert len(frame) == 30 and set(frame["category"]) == {"other"}
    frame.loc[frame["plot_id"] == "REG-F03", "owner_type"] = "federal"
    frame.loc[frame["plot_id"] == "REG-F07", "notes"] = "Bund prüft Abgabe"
    edited = tmp_path / "fillers edited.gpkg"
    frame.to_file(edited, layer="plots", driver="GPKG")
    versions = {p.plot_id: p.version for p in store.list(LANDPOOL)}
    page, errors = _open(ctx, f"{srv.base_url}/register/import")
    page.get_by_label("Datei").set_input_files(str(edited))
    page.locator("#i-update").check()
    page.get_by_label("Grund").fill("Abgleich mit QGIS")
    page.get_by_role("button", name="Prüfen und importieren").click()
    page.wait_for_selector("#sr-import-report")
    listed = page.locator("#sr-import-changed tbody tr").evaluate_all(
        "rs => rs.map(r => r.dataset.plotId)"
    )
    assert listed == ["REG-F03", "REG-F07"]
    assert "28 unverändert" in page.locator("#sr-import-report").inner_text()
    shoot(page, output_dir / "import_update.png")
    after = {p.plot_id: p.version for p in store.list(LANDPOOL)}
    assert {k for k in after if after[k] != versions[k]} == {"REG-F03", "REG-F07"}
    assert store.get(LANDPOOL, "REG-F03").owner_type == "federal"
    assert errors == []
    ctx.close()


def _forum_names(browser: Any, srv: LiveServer) -> str:
    ctx = browser.new_context(viewport=DESKTOP)
    page = ctx.new_page()
    page.goto(f"{srv.base_url}/maps/forum.html", wait_until="load")
    page.wait_for_selector(".leaflet-overlay-pane path")
    html = str(page.content())
    ctx.close()
    return html


def test_publish_puts_a_plot_on_the_forum_map_and_unpublish_takes_it_off(
    browser: Any, reg_server: tuple[LiveServer, RegisterStore], output_dir: Path
) -> None:
    srv, seeded = reg_server
    assert "Angebot Zwoelf" not in _forum_names(browser, srv)
    ctx = _context(browser, seeded, "landpool")
    page, errors = _open(ctx, f"{srv.base_url}/register/REG-F12")
    # another category so that the forum counts it as a development offer
    page.get_by_label("Kategorie").select_option("brownfield")
    page.get_by_label("Name", exact=True).fill("Angebot Zwoelf")
    page.get_by_role("button", name="Speichern").click()
    page.wait_for_url("**notice=saved")
    page.locator("#p-reason").fill("Angebot für das Forum")
    page.get_by_role("button", name="Veröffentlichen").click()
    page.wait_for_url("**notice=published")
    assert "erscheint auf der Forumskarte" in page.locator("#sr-notice").inner_text()
    assert "Angebot Zwoelf" in _forum_names(browser, srv)
    page.locator("#p-reason").fill("Eigentümer zieht zurück")
    page.get_by_role("button", name="Veröffentlichung zurücknehmen").click()
    page.wait_for_url("**notice=unpublished")
    shoot(page, output_dir / "unpublished.png")
    assert "Angebot Zwoelf" not in _forum_names(browser, srv)
    assert errors == []
    ctx.close()


def test_planner_sees_no_forms_and_a_post_answers_the_403_page(
    browser: Any, reg_server: tuple[LiveServer, RegisterStore], store: Store
) -> None:
    srv, seeded = reg_server
    ctx = _context(browser, seeded, "planner")
    page, _ = _open(ctx, f"{srv.base_url}/register/REG-A")
    assert page.locator("main form").count() == 0
    assert "Nur lesen" in page.locator("main").inner_text()
    before = fingerprint(store)
    # a forged form post from the planner's own browser (token included) is refused
    token = page.evaluate("document.cookie")  # HttpOnly: the page's script cannot read it
    assert "sr_csrf" not in token
    response = page.request.post(
        f"{srv.base_url}/register/REG-A/unpublish",
        multipart={"reason": "x", "version": "2"},
        headers={"accept": "text/html"},
    )
    assert response.status == 403 and "text/html" in response.headers["content-type"]
    assert fingerprint(store) == before
    ctx.close()
