"""Login, logout, the admins' user page and CSRF in headless Chromium, on servers the test
starts (each on its own land pool with its own accounts, so throttling here locks out no
other test). Screenshots of each page in German and English, desktop and phone width,
go to test-output/."""

from __future__ import annotations

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
ACCOUNTS = (
    ("pia", "planner", "Pia Planerin"),
    ("lars", "landpool", "Lars Flächenpool"),
    ("ada", "admin", "Ada Verwaltung"),
)
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def _server(settings: Settings, folder: Path) -> Iterator[LiveServer]:
    app_settings = settings.model_copy(update={"landpool_gpkg": folder / "lp.gpkg"})
    with Accounts.open(app_settings) as accounts:
        for name, role, display in ACCOUNTS:
            accounts.users.create(name, role, PASSWORD, display_name=display)
    srv = start_server(app_settings)
    yield srv
    srv.server.should_exit = True
    srv.thread.join(timeout=10)


@pytest.fixture(scope="module")
def server(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server with one account per role."""
    yield from _server(settings, tmp_path_factory.mktemp("login"))


@pytest.fixture(scope="module")
def throttle_server(
    settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """A server of its own for the throttling test (it locks out 127.0.0.1)."""
    yield from _server(settings, tmp_path_factory.mktemp("throttle"))


def _page(browser: Any, viewport: dict[str, int] = DESKTOP) -> tuple[Any, Any, list[str]]:
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return context, page, errors


def _log_in(page: Any, base: str, name: str, password: str = PASSWORD, lang: str = "de") -> Any:
    """Fill the login form with the keyboard, as a user does; return the answer."""
    page.goto(f"{base}/login" + ("?lang=en" if lang == "en" else ""))
    label = ("Benutzername", "Passwort") if lang == "de" else ("Username", "Password")
    page.get_by_label(label[0]).fill(name)
    page.get_by_label(label[1]).fill(password)
    with page.expect_navigation() as nav:
        page.get_by_label(label[1]).press("Enter")
    return nav.value


def test_log_in_and_out(browser: Any, server: LiveServer, output_dir: Path) -> None:
    base = server.base_url
    context, page, errors = _page(browser)
    page.goto(f"{base}/login?next=/forum")
    # keyboard: the username field has the focus, Tab leads to the password and the button
    assert page.evaluate("document.activeElement.id") == "username"
    page.keyboard.type("lars")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.type") == "submit"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{base}/forum"
    assert "Angemeldet als lars" in page.locator(".sr-account").inner_text()
    cookie = next(c for c in context.cookies() if c["name"] == "sr_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and cookie["path"] == "/"
    assert "sr_session" not in page.evaluate("document.cookie")  # no script can read it
    shoot(page, output_dir / "signed_in_forum_de.png")
    # the map pages' header links to the logout page
    page.goto(f"{base}/maps/forum.html")
    page.wait_for_selector(".leaflet-container", timeout=30_000)
    assert "lars" in page.locator(".sr-account").inner_text()
    page.screenshot(path=str(output_dir / "map_header_signed_in.png"))
    page.locator(".sr-account").get_by_role("link", name="Abmelden").click()
    page.wait_for_url(f"{base}/logout")
    for lang in ("de", "en"):
        for width, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
            page.set_viewport_size(viewport)
            page.goto(f"{base}/logout" + ("?lang=en" if lang == "en" else ""))
            shoot(page, output_dir / f"logout_{lang}_{width}.png")
    page.set_viewport_size(DESKTOP)
    page.goto(f"{base}/logout")
    with page.expect_navigation():
        page.get_by_role("button", name="Jetzt abmelden").click()
    assert page.url == f"{base}/logout?done=1"
    assert "Sie sind abgemeldet" in page.locator("main").inner_text()
    assert "Anmelden" in page.locator(".sr-account").inner_text()
    page.screenshot(path=str(output_dir / "logged_out_de.png"))
    # the old cookie is worth nothing now: the session ended on the server
    r = httpx.get(f"{base}/whoami", cookies={"sr_session": cookie["value"]})
    assert r.json()["role"] == "public"
    assert errors == []
    context.close()


def test_login_page_looks_right(browser: Any, server: LiveServer, output_dir: Path) -> None:
    for lang in ("de", "en"):
        for width, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
            context, page, errors = _page(browser, viewport)
            page.goto(f"{server.base_url}/login" + ("?lang=en" if lang == "en" else ""))
            shot = output_dir / f"login_{lang}_{width}.png"
            shoot(page, shot)
            assert page.title() == ("Anmelden" if lang == "de" else "Log in") + " · stadtregion"
            # nothing runs off the side of a phone
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
            assert errors == [] and shot.stat().st_size > 10_000
            context.close()


def test_a_wrong_password_is_refused(browser: Any, server: LiveServer, output_dir: Path) -> None:
    context, page, _ = _page(browser)
    answer = _log_in(page, server.base_url, "pia", "not the right password")
    assert answer.status == 401
    assert "Anmeldung fehlgeschlagen" in page.locator("[role=alert]").inner_text()
    assert page.get_by_label("Benutzername").input_value() == "pia"
    assert page.get_by_label("Passwort").input_value() == ""
    shoot(page, output_dir / "login_refused_de.png")
    answer = _log_in(page, server.base_url, "pia", "still not it", lang="en")
    assert answer.status == 401 and "Login failed" in page.locator("[role=alert]").inner_text()
    shoot(page, output_dir / "login_refused_en.png")
    assert not [c for c in context.cookies() if c["name"] == "sr_session"]
    context.close()


def test_repeated_failures_are_throttled(
    browser: Any, throttle_server: LiveServer, output_dir: Path
) -> None:
    context, page, _ = _page(browser)
    base = throttle_server.base_url
    for _ in range(5):
        assert _log_in(page, base, "lars", "a wrong guess here").status == 401
    answer = _log_in(page, base, "lars")  # the right password, too late
    assert answer.status == 429 and int(answer.headers["retry-after"]) > 800
    text = page.locator("[role=alert]").inner_text()
    assert "Zu viele fehlgeschlagene Anmeldungen" in text and "Minuten" in text
    shoot(page, output_dir / "login_throttled_de.png")
    answer = _log_in(page, base, "ada", lang="en")  # the client is locked, too
    assert answer.status == 429
    assert "Too many failed logins" in page.locator("[role=alert]").inner_text()
    shoot(page, output_dir / "login_throttled_en.png")
    context.close()


def test_a_planner_opening_the_admin_page_gets_the_403_page(
    browser: Any, server: LiveServer, output_dir: Path
) -> None:
    context, page, errors = _page(browser)
    assert _log_in(page, server.base_url, "pia").status == 200
    answer = page.goto(f"{server.base_url}/admin/users")
    assert answer.status == 403 and page.title().startswith("Kein Zugriff")
    assert "admin" in page.locator(".sr-error").inner_text()
    assert "Ada Verwaltung" not in page.content()
    assert "Benutzer" not in page.locator(".sr-nav").inner_text()  # not offered either
    shoot(page, output_dir / "admin_403_planner.png")
    # the browser reports the page's own 403; nothing else failed
    assert [e for e in errors if "status of 403" not in e] == []
    context.close()


def test_admin_page(browser: Any, server: LiveServer, output_dir: Path) -> None:
    base = server.base_url
    context, page, errors = _page(browser)
    _log_in(page, base, "ada")
    page.goto(f"{base}/admin/users")
    assert "Benutzer" in page.locator(".sr-nav").inner_text()
    assert page.locator("tbody tr").count() == len(ACCOUNTS)
    # create an account with a generated password, with labels and the keyboard
    page.get_by_label("Benutzername").fill("neu.kollegin")
    page.get_by_label("Anzeigename").fill("Neue Kollegin")
    page.get_by_label("Rolle").select_option("landpool")
    with page.expect_navigation():
        page.get_by_role("button", name="Anlegen").press("Enter")
    password = page.locator("#generated-password").inner_text()
    assert len(password) == 24
    shoot(page, output_dir / "admin_generated_password_de.png")
    # the new colleague logs in elsewhere; disabling her ends that session
    other, other_page, _ = _page(browser)
    assert _log_in(other_page, base, "neu.kollegin", password).status == 200
    page.goto(f"{base}/admin/users")
    row = page.locator("#user-neu\\.kollegin")
    assert "Neue Kollegin" in row.inner_text() and "landpool" in row.inner_text()
    with page.expect_navigation():
        row.get_by_role("button", name="Sperren: neu.kollegin").click()
    assert "gesperrt" in page.locator(".sr-notice").inner_text()
    other_page.goto(f"{base}/")
    assert "Anmelden" in other_page.locator(".sr-account").inner_text()
    other.close()
    for lang in ("de", "en"):
        for width, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
            page.set_viewport_size(viewport)
            page.goto(f"{base}/admin/users" + ("?lang=en" if lang == "en" else ""))
            shoot(page, output_dir / f"admin_{lang}_{width}.png")
            wide = page.evaluate(
                """() => [...document.querySelectorAll('body *')].filter(e =>
                  e.getBoundingClientRect().right > window.innerWidth + 1 &&
                  !e.closest('.sr-scroll')).map(e => e.tagName + '.' + e.className)"""
            )
            assert wide == [], wide  # only the table scrolls sideways, in its own box
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert errors == []
    context.close()


def test_a_form_posted_without_its_csrf_token_is_refused(
    browser: Any, server: LiveServer, output_dir: Path
) -> None:
    base = server.base_url
    context, page, _ = _page(browser)
    _log_in(page, base, "ada")
    page.goto(f"{base}/admin/users")
    page.evaluate(
        "document.querySelectorAll('form.sr-create-user input[name=csrf_token]')"
        ".forEach(e => e.remove())"
    )
    page.get_by_label("Benutzername").fill("eingeschleust")
    page.get_by_label("Passwort", exact=True).fill(PASSWORD)
    with page.expect_navigation() as nav:
        page.get_by_role("button", name="Anlegen").click()
    assert nav.value.status == 403 and "csrf_token" in page.locator(".sr-error").inner_text()
    shoot(page, output_dir / "csrf_refused.png")
    page.goto(f"{base}/admin/users")
    assert "eingeschleust" not in page.content()
    # a page of another site posting to our logout with a made-up token: refused, the
    # session lives on
    evil = context.new_page()
    evil.set_content(
        f'<form method="post" action="{base}/logout"><input name="csrf_token" value="guess">'
        "<button>go</button></form>"
    )
    with evil.expect_navigation() as nav:
        evil.click("button")
    assert nav.value.status == 403
    page.goto(f"{base}/logout")
    assert "ada" in page.locator(".sr-account").inner_text()
    context.close()
