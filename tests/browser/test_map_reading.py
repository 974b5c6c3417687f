"""Maps that read right, in headless Chromium: the legend follows the layers, offers open
their popup at the default zoom, popups fit the window, a phone keeps the map usable."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from maps.forum import KIND_COLOURS
from tests.browser.conftest import LiveServer
from tests.browser.seed import PUBLIC_OFFERS

PHONE = {"width": 390, "height": 780}
DESKTOP = {"width": 1400, "height": 1000}
RAIL_LAYER = "Mit der Bahn ab Jena erreichbar"
CAR_LAYER = "Auto ab Jena (geladenes Straßennetz)"


def _open(browser: Any, url: str, viewport: dict[str, int]) -> tuple[Any, Any]:
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url, wait_until="load")
    page.wait_for_selector(".leaflet-container", timeout=20_000)
    page.wait_for_function(
        "document.querySelectorAll('.leaflet-overlay-pane path').length > 0", timeout=20_000
    )
    page.wait_for_timeout(400)
    assert errors == []
    return context, page


def _section(page: Any, layer: str) -> Any:
    return page.locator(f'#sr-legend [data-layer="{layer}"]')


def _toggle(page: Any, layer: str, on: bool) -> None:
    box = page.locator(".leaflet-control-layers-overlays label", has_text=layer).locator("input")
    box.check() if on else box.uncheck()
    page.wait_for_timeout(200)


def test_forum_legend_follows_the_layers(
    browser: Any, live_server: LiveServer, output_dir: Path
) -> None:
    context, page = _open(browser, f"{live_server.base_url}/maps/forum.html", DESKTOP)
    # the car layer starts off: its minute classes are not in the legend
    assert _section(page, CAR_LAYER).is_hidden()
    assert _section(page, RAIL_LAYER).is_visible()
    _toggle(page, CAR_LAYER, True)
    assert _section(page, CAR_LAYER).is_visible()
    assert "Auto ab Jena" in _section(page, CAR_LAYER).inner_text()
    _toggle(page, RAIL_LAYER, False)
    assert _section(page, RAIL_LAYER).is_hidden()
    page.screenshot(path=str(output_dir / "forum_car_layer.png"))
    _toggle(page, CAR_LAYER, False)
    _toggle(page, RAIL_LAYER, True)
    assert _section(page, CAR_LAYER).is_hidden() and _section(page, RAIL_LAYER).is_visible()
    context.close()


def test_region_legend_follows_the_layers(browser: Any, live_server: LiveServer) -> None:
    context, page = _open(browser, f"{live_server.base_url}/maps/region.html", DESKTOP)
    trend = "Gemeinden (Trend)"
    assert _section(page, trend).is_visible()
    assert "wachsend" in _section(page, trend).inner_text()
    _toggle(page, trend, False)
    assert _section(page, trend).is_hidden()
    assert _section(page, "Bahnstrecken").is_visible()
    context.close()


def test_offers_open_their_popup_at_the_default_zoom(
    browser: Any, live_server: LiveServer, output_dir: Path
) -> None:
    """A click on an offer's dot at the zoom the page opens with shows its popup, with the
    category in German."""
    context, page = _open(browser, f"{live_server.base_url}/maps/forum.html", DESKTOP)
    zoom = page.evaluate("Object.values(window).find(v => v instanceof L.Map).getZoom()")
    colours = sorted(set(KIND_COLOURS.values()))
    dots = page.evaluate(
        """(colours) => Array.from(document.querySelectorAll(
              '.leaflet-overlay-pane path.leaflet-interactive'))
            .filter(p => colours.includes(p.getAttribute('fill'))
                         && (p.getAttribute('d') || '').includes('a7,7'))
            .map(p => { const r = p.getBoundingClientRect();
                        return [r.x + r.width / 2, r.y + r.height / 2]; })""",
        colours,
    )
    assert len(dots) >= len(PUBLIC_OFFERS)
    texts = []
    for x, y in dots:
        page.mouse.click(x, y)
        popup = page.locator(".leaflet-popup-content")
        popup.wait_for(state="visible", timeout=3_000)
        texts.append(popup.inner_text())
        page.keyboard.press("Escape")
        page.mouse.click(5, 990)  # close it on the empty corner
        page.wait_for_timeout(100)
    assert page.evaluate("Object.values(window).find(v => v instanceof L.Map).getZoom()") == zoom
    joined = "\n".join(texts)
    assert "Kategorie" in joined and "Brachfläche" in joined and "Baulücke" in joined
    assert "brownfield" not in joined and "vacant_lot" not in joined
    assert any(p["name"] in joined for p in PUBLIC_OFFERS)
    page.mouse.click(*dots[0])
    page.screenshot(path=str(output_dir / "forum_offer_popup.png"))
    context.close()


def test_phone_keeps_the_map_usable(
    browser: Any, live_server: LiveServer, output_dir: Path
) -> None:
    """On a phone the legend and the layer list start folded, cover little of the map, and
    open on a tap; a municipality's popup fits the window and scrolls inside."""
    for name in ("region", "forum", "reachable"):
        context, page = _open(browser, f"{live_server.base_url}/maps/{name}.html", PHONE)
        assert page.evaluate("document.getElementById('sr-legend').open") is False
        layers = page.locator(".leaflet-control-layers")
        assert "leaflet-control-layers-expanded" not in (layers.get_attribute("class") or "")
        covered = 0.0
        for sel in ("#sr-legend", ".leaflet-control-layers"):
            b = page.locator(sel).bounding_box()
            covered += b["width"] * b["height"]
        assert covered < 0.12 * PHONE["width"] * PHONE["height"], (name, covered)
        page.screenshot(path=str(output_dir / f"{name}_phone.png"))
        page.locator("#sr-legend > summary").click()
        assert page.evaluate("document.getElementById('sr-legend').open") is True
        b = page.locator("#sr-legend").bounding_box()
        assert b["x"] >= 0 and b["x"] + b["width"] <= PHONE["width"]
        page.locator("#sr-legend > summary").click()  # fold it again
        if name == "region":
            # Jena, off its label: the popup lists the whole municipality record
            page.evaluate(
                "Object.values(window).find(v => v instanceof L.Map)"
                ".setView([50.915, 11.585], 11, {animate: false})"
            )
            page.wait_for_timeout(300)
            m = page.locator(".folium-map").bounding_box()  # below the page header
            page.mouse.click(m["x"] + m["width"] / 2, m["y"] + m["height"] / 2 + 60)
            popup = page.locator(".leaflet-popup-content")
            popup.wait_for(state="visible", timeout=3_000)
            page.wait_for_timeout(700)  # fade-in and auto-pan
            box = popup.bounding_box()
            assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"]
            assert box["height"] <= PHONE["height"] - 100
            assert box["width"] <= PHONE["width"] - 40
            overflow = popup.evaluate("e => getComputedStyle(e).overflowY")
            assert overflow == "auto"
            page.screenshot(path=str(output_dir / "region_phone_popup.png"))
        context.close()
