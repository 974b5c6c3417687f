"""Login, logout, sessions and CSRF over HTTP: the cookie, the refusals, the revocations."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from geo.access.accounts import Accounts
from geo.access.tokens import TokenStore
from geo.settings import Settings

PASSWORD = "correct horse battery staple"
HTML = {"accept": "text/html"}
RING = [[11.5850, 50.9270], [11.5864, 50.9270], [11.5864, 50.9288], [11.5850, 50.9288]]


class Site:
    """An app on its own land pool (a copy of ``template``: one account per role)."""

    def __init__(self, settings: Settings, tmp: Path, template: Path) -> None:
        shutil.copyfile(template, tmp / "lp.gpkg")
        self.settings = settings.model_copy(update={"landpool_gpkg": tmp / "lp.gpkg"})
        self.app: FastAPI = create_app(self.settings)

    def client(self, ip: str = "10.1.0.1", *, https: bool = False) -> TestClient:
        base = "https://testserver" if https else "http://testserver"
        return TestClient(self.app, base_url=base, client=(ip, 50000), follow_redirects=False)

    def accounts(self) -> Accounts:
        return Accounts.open(self.settings)

    def close(self) -> None:
        for name in ("store", "accounts", "token_store"):
            obj = getattr(self.app.state, name, None)
            if obj is not None:
                obj.close()


@pytest.fixture(scope="module")
def template(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A land pool with the accounts pia (planner), lars (landpool), ada (admin)."""
    path = tmp_path_factory.mktemp("auth") / "lp.gpkg"
    with Accounts.open(settings.model_copy(update={"landpool_gpkg": path})) as accounts:
        for name, role in (("pia", "planner"), ("lars", "landpool"), ("ada", "admin")):
            accounts.users.create(name, role, PASSWORD, display_name=f"{name.title()} Test")
    return path


@pytest.fixture
def site(settings: Settings, tmp_path: Path, template: Path) -> Iterator[Site]:
    s = Site(settings, tmp_path, template)
    yield s
    s.close()


class _tokens:  # noqa: N801
    """TokenStore as a context manager."""

    def __init__(self, site: Site) -> None:
        self.store = TokenStore.open(site.settings)

    def __enter__(self) -> TokenStore:
        return self.store

    def __exit__(self, *exc: object) -> None:
        self.store.close()


def csrf_of(c: TestClient, path: str = "/login") -> str:
    """The CSRF token of ``c``'s browser, from the hidden field of a page's form."""
    page = c.get(path)
    m = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert m, page.text[:500]
    return m.group(1)


def login(
    c: TestClient, name: str, password: str = PASSWORD, next_path: str = "/", **extra: str
) -> httpx.Response:
    form = {"csrf_token": csrf_of(c), "username": name, "password": password, "next": next_path}
    return c.post("/login", data={**form, **extra})


def session_cookie(r: httpx.Response) -> str:
    for value in r.headers.get_list("set-cookie"):
        if value.startswith("sr_session="):
            return value
    raise AssertionError(f"no session cookie in {r.headers.get_list('set-cookie')}")


# -- login ---------------------------------------------------------------------------------
def test_login_page_has_labelled_fields_and_speaks_both_languages(site: Site) -> None:
    c = site.client()
    de = c.get("/login")
    assert de.status_code == 200 and "<title>Anmelden · stadtregion</title>" in de.text
    for field in ("username", "password"):
        assert f'<label for="{field}">' in de.text and f'id="{field}" name="{field}"' in de.text
    assert 'autocomplete="current-password"' in de.text and 'name="csrf_token"' in de.text
    assert "Benutzername" in de.text and "8 Stunden" in de.text
    en = c.get("/login?lang=en")
    assert "<title>Log in · stadtregion</title>" in en.text and "Username" in en.text
    assert 'action="/login?lang=en"' in en.text


def test_login_sets_an_httponly_samesite_session_cookie(site: Site) -> None:
    c = site.client()
    r = login(c, "Pia", next_path="/forum")
    assert r.status_code == 303 and r.headers["location"] == "/forum"
    cookie = session_cookie(r)
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert "Max-Age=28800" in cookie and "Secure" not in cookie
    assert c.get("/whoami").json()["name"] == "pia"
    # over HTTPS the cookie is Secure
    s = site.client(https=True)
    assert "Secure" in session_cookie(login(s, "pia"))


def test_header_shows_the_name_only_to_the_signed_in_user(site: Site) -> None:
    c = site.client()
    login(c, "lars")
    page = c.get("/").text
    assert "Angemeldet als" in page and "<strong>lars</strong>" in page
    assert 'action="/logout"' in page  # the logout button (a form with the CSRF token)
    stranger = site.client("10.1.0.2").get("/").text
    assert "lars" not in stranger and "Lars Test" not in stranger and 'href="/login' in stranger


def test_wrong_password_and_unknown_user_get_the_same_401_page(site: Site) -> None:
    c = site.client()
    wrong = login(c, "pia", "not the password")
    unknown = login(c, "nobody", "not the password")
    for r in (wrong, unknown):
        assert r.status_code == 401 and r.headers["content-type"].startswith("text/html")
        assert "Anmeldung fehlgeschlagen" in r.text and 'id="password"' in r.text
        assert "sr_session" not in r.headers.get("set-cookie", "")

    def message(r: httpx.Response) -> str:
        m = re.search(r'<div class="sr-error".*?</div>', r.text, re.S)
        assert m
        return m.group(0)

    assert message(wrong) == message(unknown)
    en = c.post(
        "/login?lang=en",
        data={"csrf_token": csrf_of(c), "username": "pia", "password": "nope nope nope"},
    )
    assert en.status_code == 401 and "Login failed" in en.text


def test_empty_fields_are_asked_for_not_counted(site: Site) -> None:
    c = site.client()
    for _ in range(6):
        r = c.post("/login", data={"csrf_token": csrf_of(c), "username": "pia", "password": ""})
        assert r.status_code == 422 and "Benutzername und Passwort" in r.text
    assert login(c, "pia").status_code == 303


def test_five_failures_per_user_are_throttled_with_429(site: Site) -> None:
    for i in range(5):
        r = login(site.client(f"10.2.0.{i}"), "pia", "wrong password")
        assert r.status_code == 401
    c = site.client("10.2.0.99")  # another client, the right password: still refused
    r = login(c, "pia")
    assert r.status_code == 429 and "Zu viele fehlgeschlagene Anmeldungen" in r.text
    assert re.search(r"ab \d\d:\d\d Uhr angenommen \(in 15 Minuten\)", r.text)
    assert 840 < int(r.headers["retry-after"]) <= 900
    en = c.post(
        "/login?lang=en", data={"csrf_token": csrf_of(c), "username": "pia", "password": "x"}
    )
    assert en.status_code == 429 and "Too many failed logins" in en.text
    assert login(site.client("10.2.0.98"), "lars").status_code == 303  # others log in


def test_five_failures_per_client_are_throttled_with_429(site: Site) -> None:
    c = site.client("10.3.0.1")
    for name in ("anna", "bert", "carl", "dora", "pia"):
        assert login(c, name, "wrong password").status_code == 401
    assert login(c, "lars").status_code == 429  # a valid login from the same client
    assert login(site.client("10.3.0.2"), "lars").status_code == 303


def test_next_is_a_local_path_only(site: Site) -> None:
    c = site.client()
    for bad in (
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "javascript:alert(1)",
        "/ /evil",
        "/login",
        "/logout?x=1",
        "",
    ):
        r = login(c, "pia", next_path=bad)
        assert r.status_code == 303 and r.headers["location"] == "/", bad
    assert login(c, "pia", next_path="/forum?lang=en").headers["location"] == "/forum?lang=en"
    r = c.post(
        "/login?lang=en",
        data={"csrf_token": csrf_of(c), "username": "pia", "password": PASSWORD, "next": "/forum"},
    )
    assert r.headers["location"] == "/forum?lang=en"
    page = c.get("/login", params={"next": "https://evil.example/"}).text
    assert 'name="next" value="/"' in page and not re.search(r'(href|action)="[^/"]*//evil', page)


def test_every_login_gets_a_new_session_id_and_ends_the_old_one(site: Site) -> None:
    c = site.client()
    login(c, "pia")
    first = c.cookies["sr_session"]
    csrf_before = c.cookies["sr_csrf"]
    login(c, "lars")
    second = c.cookies["sr_session"]
    assert first != second and c.cookies["sr_csrf"] != csrf_before
    assert c.get("/whoami").json()["name"] == "lars"
    other = site.client("10.4.0.1")
    other.cookies.set(domain="testserver.local", name="sr_session", value=first)
    assert other.get("/whoami").json()["role"] == "public"  # the old session ended
    # a session id planted before login (fixation) is never taken on
    victim = site.client("10.4.0.2")
    planted = "planted-by-an-attacker-" + "x" * 30
    victim.cookies.set(domain="testserver.local", name="sr_session", value=planted)
    login(victim, "ada")
    assert victim.cookies["sr_session"] != planted


# -- logout, revocation, expiry --------------------------------------------------------------
def test_logout_ends_the_session_on_the_server(site: Site) -> None:
    c = site.client()
    login(c, "lars")
    token = c.cookies["sr_session"]
    page = c.get("/logout")
    assert page.status_code == 200 and "Jetzt abmelden" in page.text
    r = c.post("/logout", data={"csrf_token": csrf_of(c, "/logout")})
    assert r.status_code == 303 and r.headers["location"] == "/logout?done=1"
    assert 'sr_session=""' in r.headers["set-cookie"] and "Max-Age=0" in r.headers["set-cookie"]
    assert "Sie sind abgemeldet" in c.get("/logout?done=1").text
    replay = site.client("10.5.0.1")
    replay.cookies.set(domain="testserver.local", name="sr_session", value=token)
    assert replay.get("/whoami").json()["role"] == "public"


def test_logout_needs_the_csrf_token(site: Site) -> None:
    c = site.client()
    login(c, "lars")
    r = c.post("/logout", data={})
    assert r.status_code == 403 and "csrf_token" in r.text
    assert c.get("/whoami").json()["name"] == "lars"  # a forged logout ends nothing


def test_logout_page_without_a_session(site: Site) -> None:
    c = site.client()
    assert "Sie sind nicht angemeldet" in c.get("/logout").text
    with _tokens(site) as tokens:
        token, _ = tokens.create("machine", "planner")
    r = c.get("/logout", headers={"Authorization": f"Bearer {token}"})
    assert "API-Token" in r.text and "Jetzt abmelden" not in r.text


def test_an_ended_session_is_public_and_its_cookie_is_cleared(site: Site) -> None:
    c = site.client()
    login(c, "pia")
    with site.accounts() as accounts:
        accounts.users.disable("pia")
    r = c.get("/", headers=HTML)
    assert r.status_code == 200 and "Angemeldet als" not in r.text
    assert 'sr_session=""' in r.headers["set-cookie"]
    assert "sr_session" not in c.cookies
    assert login(c, "pia").status_code == 401  # a disabled user cannot log in


def test_an_expired_session_is_public_and_the_cookie_cleared_on_api_answers(site: Site) -> None:
    c = site.client()
    login(c, "lars")
    with site.accounts() as accounts, accounts.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE sessions SET expires_at = '2000-01-01 00:00:00'")
    r = c.get("/whoami")
    assert r.json()["role"] == "public" and 'sr_session=""' in r.headers["set-cookie"]


def test_a_password_reset_ends_the_sessions(site: Site) -> None:
    c = site.client()
    login(c, "lars")
    with site.accounts() as accounts:
        accounts.users.set_password("lars", "another pass phrase here")
    assert c.get("/whoami").json()["role"] == "public"


def test_a_bad_token_still_answers_401_and_a_token_wins_over_the_cookie(site: Site) -> None:
    c = site.client()
    login(c, "ada")
    assert c.get("/whoami", headers={"Authorization": "Bearer nope"}).status_code == 401
    with _tokens(site) as tokens:
        token, _ = tokens.create("robot", "planner")
    r = c.get("/whoami", headers={"Authorization": f"Bearer {token}"})
    assert r.json() == {**r.json(), "role": "planner", "name": "robot"}


# -- CSRF of cookie-authenticated API writes ----------------------------------------------------
def _feature(plot_id: str) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [[*RING, RING[0]]]},
        "properties": {"plot_id": plot_id, "name": "Brache am Saalbahnhof"},
    }


def test_cookie_only_api_writes_need_the_csrf_header(site: Site) -> None:
    c = site.client()
    login(c, "lars")
    token = csrf_of(c, "/")
    meta = re.search(r'<meta name="csrf-token" content="([^"]+)">', c.get("/").text)
    assert meta and meta.group(1) == token == c.cookies["sr_csrf"]
    r = c.post("/plots", json=_feature("AUTH-1"))
    assert r.status_code == 403 and "X-CSRF-Token" in r.json()["detail"]
    csrf = {"X-CSRF-Token": token}
    assert c.post("/plots", json=_feature("AUTH-1"), headers=csrf).status_code == 201
    version = int(c.get("/plots/AUTH-1").headers["etag"].strip('"'))
    patch: dict[str, Any] = {"version": version, "properties": {"current_use": "Brache"}}
    r = c.patch("/plots/AUTH-1", json=patch)
    assert r.status_code == 403 and r.headers["content-type"].startswith("application/json")
    wrong = {"X-CSRF-Token": token[::-1]}
    assert c.patch("/plots/AUTH-1", json=patch, headers=wrong).status_code == 403
    elsewhere = {**csrf, "Origin": "https://evil.example"}
    assert c.patch("/plots/AUTH-1", json=patch, headers=elsewhere).status_code == 403
    assert c.get("/plots/AUTH-1").json()["properties"]["version"] == version  # unchanged
    r = c.patch("/plots/AUTH-1", json=patch, headers=csrf)
    assert r.status_code == 200, r.text
    # the history names the account that made each change
    rows = c.get("/plots/AUTH-1/history").json()
    rows = rows.get("history", rows) if isinstance(rows, dict) else rows
    assert [row["actor"] for row in rows] == ["lars", "lars"]


def test_token_writes_need_no_csrf_header(site: Site) -> None:
    with _tokens(site) as tokens:
        token, _ = tokens.create("machine", "landpool")
    c = site.client()
    r = c.post("/plots", json=_feature("AUTH-2"), headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 201


def test_page_forms_without_their_csrf_token_are_refused(site: Site) -> None:
    c = site.client()
    r = c.post("/login", data={"username": "pia", "password": PASSWORD})
    assert r.status_code == 403 and r.headers["content-type"].startswith("text/html")
    assert "sr_session" not in r.headers.get("set-cookie", "")
    r = c.post(
        "/login",
        data={"csrf_token": csrf_of(c), "username": "pia", "password": PASSWORD},
        headers={"Origin": "https://evil.example"},
    )
    assert r.status_code == 403
    login(c, "ada")
    r = c.post("/admin/users", data={"username": "eve", "role": "admin", "password": PASSWORD})
    assert r.status_code == 403
    with site.accounts() as accounts:
        assert "eve" not in [u.username for u in accounts.users.list()]


def test_a_urlencoded_body_is_refused_on_api_routes(site: Site) -> None:
    c = site.client()
    login(c, "lars")
    r = c.post("/plots", data={"a": "1"}, headers={"X-CSRF-Token": csrf_of(c, "/")})
    assert r.status_code == 415


# -- the answer cache ------------------------------------------------------------------------
def test_cached_map_pages_never_cross_from_a_session_to_anyone_else(site: Site) -> None:
    c = site.client()
    login(c, "lars")
    mine = c.get("/maps/forum.html")
    assert mine.status_code == 200 and "<strong>lars</strong>" in mine.text
    assert "Cookie" in mine.headers["vary"] and mine.headers["cache-control"].startswith("private")
    assert c.get("/maps/forum.html").headers["x-cache"] == "hit"
    public = site.client("10.6.0.1").get("/maps/forum.html")
    assert "lars" not in public.text and public.headers["cache-control"] == "no-cache"
    with _tokens(site) as tokens:
        token, _ = tokens.create("lars-robot", "landpool")
    robot = site.client("10.6.0.2").get(
        "/maps/forum.html", headers={"Authorization": f"Bearer {token}"}
    )
    assert "<strong>lars</strong>" not in robot.text and robot.headers["x-cache"] == "miss"
    # after logout the old cookie gets the public page (and the cookie cleared)
    old = c.cookies["sr_session"]
    c.post("/logout", data={"csrf_token": csrf_of(c, "/logout")})
    replay = site.client("10.6.0.3")
    replay.cookies.set(domain="testserver.local", name="sr_session", value=old)
    r = replay.get("/maps/forum.html")
    assert "lars" not in r.text and 'sr_session=""' in r.headers["set-cookie"]


# -- the admin page ----------------------------------------------------------------------------
def _admin(site: Site) -> TestClient:
    c = site.client("10.7.0.1")
    assert login(c, "ada").status_code == 303
    return c


def test_only_admins_open_the_user_page(site: Site) -> None:
    assert site.client().get("/admin/users").status_code == 403
    for name in ("pia", "lars"):
        c = site.client("10.7.0.9")
        login(c, name)
        r = c.get("/admin/users")
        assert r.status_code == 403 and "Kein Zugriff" in r.text and "Pia Test" not in r.text
    r = _admin(site).get("/admin/users")
    assert r.status_code == 200 and "Pia Test" in r.text and "Lars Test" in r.text
    assert "ada (Sie)" in r.text and r.text.count('name="csrf_token"') >= 6


def test_admin_creates_an_account_with_a_generated_password_shown_once(site: Site) -> None:
    c = _admin(site)
    form = {"csrf_token": csrf_of(c, "/admin/users"), "username": "Neu.Nutzer", "role": "planner"}
    r = c.post("/admin/users", data={**form, "display_name": "Neu Nutzer", "password": ""})
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    m = re.search(r'<code class="sr-secret" id="generated-password">([^<]+)</code>', r.text)
    assert m and "neu.nutzer" in r.text
    assert m.group(1) not in c.get("/admin/users").text
    assert login(site.client("10.7.0.2"), "neu.nutzer", m.group(1)).status_code == 303


def test_admin_creates_with_a_typed_password_and_sees_bad_input(site: Site) -> None:
    c = _admin(site)
    token = csrf_of(c, "/admin/users")
    base = {"csrf_token": token, "display_name": "Zweite Person", "role": "landpool"}
    r = c.post("/admin/users", data={**base, "username": "zweite", "password": "kurz"})
    assert r.status_code == 422 and "too short" in r.text
    assert 'value="zweite"' in r.text and 'value="Zweite Person"' in r.text  # kept
    r = c.post("/admin/users", data={**base, "username": "pia", "password": PASSWORD})
    assert r.status_code == 409 and "exists" in r.text
    r = c.post("/admin/users", data={**base, "username": "zweite", "password": PASSWORD})
    assert r.status_code == 303
    assert r.headers["location"] == "/admin/users?done=created&user=zweite"
    assert "Konto zweite angelegt" in c.get(r.headers["location"]).text
    assert "Konto pia" not in c.get("/admin/users?done=created&user=ghost").text


def test_admin_disables_enables_and_resets(site: Site) -> None:
    c = _admin(site)
    pia = site.client("10.7.0.3")
    login(pia, "pia")
    token = csrf_of(c, "/admin/users")
    r = c.post("/admin/users/pia/disable", data={"csrf_token": token})
    assert r.status_code == 303 and "gesperrt" in c.get(r.headers["location"]).text
    assert pia.get("/whoami").json()["role"] == "public"
    assert c.post("/admin/users/pia/enable", data={"csrf_token": token}).status_code == 303
    login(pia, "pia")
    r = c.post("/admin/users/pia/password", data={"csrf_token": token, "password": ""})
    assert r.status_code == 200 and 'id="generated-password"' in r.text
    assert pia.get("/whoami").json()["role"] == "public"
    r = c.post("/admin/users/pia/password", data={"csrf_token": token, "password": "pia"})
    assert r.status_code == 422
    r = c.post("/admin/users/nobody/disable", data={"csrf_token": token})
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    r = c.post("/admin/users/ada/disable", data={"csrf_token": token})
    assert r.status_code == 409 and "own account" in r.text
    assert c.get("/whoami").json()["name"] == "ada"


@pytest.mark.parametrize("lang", ["de", "en"])
def test_admin_page_words(site: Site, lang: str) -> None:
    c = _admin(site)
    text = c.get("/admin/users", params={"lang": lang} if lang == "en" else None).text
    words: Callable[[str, str], str] = lambda de, en: de if lang == "de" else en  # noqa: E731
    assert words("Benutzerkonten", "User accounts") in text
    assert words("Konto anlegen", "Create an account") in text
    assert words("Letzte Anmeldung", "Last login") in text
