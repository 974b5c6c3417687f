"""Forum contributions in headless Chromium: submit, moderate, see, and a flood throttled.

A server of its own (a fresh land pool with a published plot and the planner account
``mia``; 3 contributions per client and hour) on 127.0.0.1. The visitor is the browser
(127.0.0.1); the flood comes from another loopback address (127.0.0.9), so the server
tells the two clients apart by the keyed hash of their address.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from geo.access.accounts import Accounts
from geo.settings import Settings
from tests.browser.conftest import LiveServer, start_server
from tests.browser.pages import shoot

PASSWORD = "correct horse battery staple"
EMAIL = "visitor.one@example.org"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def forum_server(
    settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    folder = Path(tmp_path_factory.mktemp("browser-forum"))
    s = settings.model_copy(
        update={"landpool_gpkg": folder / "lp.gpkg", "contributions_per_client_hour": 3}
    )
    with Accounts.open(s) as accounts:
        accounts.users.create("mia", "planner", PASSWORD, display_name="Mia Moderation")
    srv = start_server(s)
    yield srv
    srv.server.should_exit = True
    srv.thread.join(timeout=10)


def _flood(base: str, n: int) -> list[int]:
    transport = httpx.HTTPTransport(local_address="127.0.0.9")
    codes = []
    with httpx.Client(base_url=base, transport=transport, timeout=30) as c:
        for i in range(n):
            token = CSRF.search(c.get("/forum/contribute").text)
            assert token
            r = c.post(
                "/forum/contribute",
                data={
                    "csrf_token": token.group(1),
                    "ags": "16053000",
                    "topic": "other",
                    "title": f"Werbung {i}",
                    "text": f"Billige Angebote Nummer {i} hier.",
                },
                follow_redirects=False,
            )
            codes.append(r.status_code)
    return codes


def _contribute(page: Any, base: str, title: str, text: str, email: str | None = None) -> None:
    page.goto(f"{base}/forum/contribute")
    page.locator(".sr-map").click(position={"x": 300, "y": 200})
    assert page.locator("#c-lat").input_value() != ""
    page.select_option("#c-topic", "traffic")
    page.fill("#c-title", title)
    page.fill("#c-text", text)
    if email:
        page.fill("#c-email", email)
    page.click("#contribute-form button[type=submit]")
    page.wait_for_selector("#thanks")


def _shoot(page: Any, out: Path, name: str) -> None:
    shoot(page, out / f"{name}.png")


def test_submit_moderate_publish_and_flood(
    browser: Any, forum_server: LiveServer, output_dir: Path
) -> None:
    base = forum_server.base_url
    visitor = browser.new_context(viewport=DESKTOP)
    page = visitor.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    _contribute(
        page, base, "Radweg an der Saale", "Bitte den Radweg bis Dornburg schließen.", EMAIL
    )
    assert "wartet auf die Moderation" in page.inner_text("#thanks")
    assert page.locator("#forget-link").count() == 1
    _shoot(page, output_dir, "forum-thanks-de")
    page.goto(f"{base}/forum/contributions")
    assert "Radweg an der Saale" not in page.content()

    # a flood from another client: throttled after 3, while the visitor still gets through
    assert _flood(base, 6) == [303, 303, 303, 429, 429, 429]
    _contribute(page, base, "Seilbahn auf den Jenzig", "Eine Seilbahn vom Zentrum hinauf.")

    # the moderator logs in (session) and decides
    mod = browser.new_context(viewport=DESKTOP).new_page()
    mod.goto(f"{base}/login?next=/forum/moderation")
    mod.fill("input[name=username]", "mia")
    mod.fill("input[name=password]", PASSWORD)
    mod.click("form button[type=submit]")
    mod.wait_for_selector("#queue")
    queue = mod.inner_text("#queue")
    assert "Radweg an der Saale" in queue and "Seilbahn auf den Jenzig" in queue
    assert "3 wartend von diesem Absender" in queue
    assert EMAIL not in mod.content()
    # round-robin: both of the visitor's contributions come before the flood's third
    order = [mod.locator("#queue article h3").nth(i).inner_text() for i in range(5)]
    assert order.index("Seilbahn auf den Jenzig") < order.index("Werbung 2")
    _shoot(mod, output_dir, "forum-moderation-de")
    radweg = mod.locator("article", has_text="Radweg an der Saale")
    radweg.locator("button[value=approve]").click()
    mod.wait_for_selector("#mod-notice")
    seil = mod.locator("article", has_text="Seilbahn auf den Jenzig")
    seil.locator("input[name=reason]").fill("Nicht Aufgabe des Forums")
    seil.locator("button[value=reject]").click()
    mod.wait_for_selector("#mod-notice")

    # the public sees the approved one on the list and the map, the rejected with its reason
    page.goto(f"{base}/forum/contributions")
    page.wait_for_selector(".leaflet-interactive")
    text = page.inner_text("#contributions")
    assert "Radweg an der Saale" in text and "abgelehnt: Nicht Aufgabe des Forums" in text
    assert "Werbung" not in page.content() and EMAIL not in page.content()
    assert page.locator(".sr-map .leaflet-interactive").count() >= 1
    _shoot(page, output_dir, "forum-list-de")
    page.click("text=Radweg an der Saale")
    page.wait_for_selector("#history")
    assert "freigegeben" in page.inner_text("#history")
    assert "mia" not in page.inner_text("main")
    _shoot(page, output_dir, "forum-item-de")
    page.goto(f"{base}/maps/forum.html")
    page.wait_for_selector(".leaflet-container")
    assert "Radweg an der Saale" in page.content()
    assert not errors, errors


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
@pytest.mark.parametrize("lang", ["de", "en"])
def test_screenshots_of_the_forum_pages(
    browser: Any, forum_server: LiveServer, output_dir: Path, viewport: str, lang: str
) -> None:
    base = forum_server.base_url
    page = browser.new_context(viewport=PHONE if viewport == "phone" else DESKTOP).new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    suffix = "" if lang == "de" else "?lang=en"
    for path, name in (
        ("/forum/contribute", "contribute"),
        ("/forum/contributions", "list"),
        ("/forum", "forum"),
        ("/privacy", "privacy"),
    ):
        r = page.goto(base + path + suffix)
        assert r is not None and r.status == 200
        page.wait_for_timeout(200)
        _shoot(page, output_dir, f"forum-{name}-{lang}-{viewport}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= page.viewport_size["width"] + 1, f"{path} scrolls sideways ({width})"
    assert not errors, errors
