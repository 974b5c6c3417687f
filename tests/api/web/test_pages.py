"""The public pages of the web app: start, forum, privacy, error pages, map headers, CSP."""

from __future__ import annotations

import re

import pytest
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.testclient import TestClient

from api.errors import install_error_handlers
from api.web.forms import read_form
from api.web.paths import is_page, wants_page
from geo.settings import Settings
from geo.vocabulary import word
from geo.vocabulary_web import page_words

HTML = {"accept": "text/html"}


@pytest.mark.parametrize("path", ["/", "/forum", "/privacy"])
@pytest.mark.parametrize("lang", ["de", "en"])
def test_public_pages_render_with_title_nav_and_strict_csp(
    client: TestClient, path: str, lang: str
) -> None:
    r = client.get(path, params={"lang": lang} if lang == "en" else None)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert f'<html lang="{lang}">' in r.text
    assert re.search(r"<title>[^<]+ · stadtregion</title>", r.text)
    assert 'class="sr-nav"' in r.text
    csp = r.headers["content-security-policy"]
    assert "'unsafe-inline'" not in csp
    assert re.search(r"script-src 'self' 'nonce-[\w-]+'", csp)
    # no inline script or style anywhere on the page (data blocks are not scripts)
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", r.text)
    assert " style=" not in r.text


def test_start_page_names_sources_and_the_pages_of_the_role(client: TestClient) -> None:
    de = client.get("/").text
    assert "GeoBasis-DE / BKG (2016)" in de and "Destatis" in de and "INKAR 2021" in de
    assert 'href="/reachability"' in de and 'href="/maps/forum.html"' in de
    # staff pages are described, not linked, for a public visitor
    assert 'href="/register"' not in de and "Flächenregister" in de
    en = client.get("/?lang=en").text
    assert "Data sources" in en and 'href="/reachability?lang=en"' in en


def test_every_public_link_of_the_start_page_resolves(client: TestClient) -> None:
    page = client.get("/").text
    links = sorted(set(re.findall(r'href="(/[^"#]*)"', page)))
    assert len(links) >= 8
    for link in links:
        if link.startswith("/static/"):
            continue
        r = client.get(link.replace("&amp;", "&"), headers=HTML, follow_redirects=False)
        # pages built by later page areas may not exist yet in this app: never a JSON error
        assert r.status_code in (200, 404), (link, r.status_code)
        assert r.headers["content-type"].startswith("text/html"), link


def test_unknown_page_and_forbidden_map_answer_html_error_pages(client: TestClient) -> None:
    r = client.get("/no-such-page", headers=HTML)
    assert r.status_code == 404 and "<title>Nicht gefunden" in r.text
    r = client.get("/maps/plots.html")
    assert r.status_code == 403 and r.headers["content-type"].startswith("text/html")
    assert "landpool" in r.text and 'href="/login' in r.text
    # the alert names the status, and a visitor is offered the login with the way back
    assert "<strong>403</strong>" in r.text
    assert word("web", "error_login_hint", "de") in r.text
    assert 'href="/login?next=%2Fmaps%2Fplots.html"' in r.text
    r = client.get("/?lang=en&nope=1")
    assert r.status_code == 400 and "nope" in r.text and "<title>Bad request" in r.text
    r = client.get("/?lang=fr")
    assert r.status_code == 400 and r.headers["content-type"].startswith("text/html")
    # API clients keep their JSON errors
    r = client.get("/plots/does-not-exist", headers=HTML)
    assert r.headers["content-type"].startswith("application/json")
    assert client.get("/no-such-route").json()["error"] == "HTTPError"


def test_map_pages_get_the_header_a_title_and_keep_their_policy(client: TestClient) -> None:
    r = client.get("/maps/forum.html")
    assert r.status_code == 200
    assert "<title>Forumskarte · stadtregion</title>" in r.text
    assert 'class="sr-header"' in r.text and 'class="sr-map-page"' in r.text
    assert "'unsafe-inline'" in r.headers["content-security-policy"]  # Folium's inline map
    assert "csrf_token" not in r.text  # cached pages hold no per-browser token
    en = client.get("/maps/region.html?lang=en").text
    assert "<title>Region map · stadtregion</title>" in en


def test_page_paths() -> None:
    assert is_page("/") and is_page("/register/p-1") and is_page("/maps/x.html")
    assert not is_page("/plots") and not is_page("/registers")
    assert wants_page("/nowhere", "text/html,*/*") and not wants_page("/plots/x", "text/html")
    assert not wants_page("/nowhere", "application/json")


def test_page_word_groups_are_unique_and_bilingual() -> None:
    for group, table in page_words().items():
        for key, pair in table.items():
            assert len(pair) == 2 and all(pair), (group, key)


# -- forms: CSRF and unknown fields ----------------------------------------------------------
@pytest.fixture(scope="module")
def form_client(settings: Settings) -> TestClient:
    app = FastAPI()
    app.state.settings = settings
    install_error_handlers(app)
    router = APIRouter()

    @router.get("/register/form", response_class=HTMLResponse)
    def show(request: Request) -> HTMLResponse:
        from api.web.csrf import csrf_token, set_cookie  # the page side of the form

        response = HTMLResponse(f'<input name="csrf_token" value="{csrf_token(request)}">')
        set_cookie(request, response)
        return response

    @router.post("/register/form", response_class=HTMLResponse)
    async def post(request: Request) -> HTMLResponse:
        form = await read_form(request, {"name"}, repeated={"tag"})
        return HTMLResponse(f"ok {form.get('name')}")

    app.include_router(router)
    return TestClient(app)


def _token(c: TestClient) -> str:
    page = c.get("/register/form").text
    m = re.search(r'value="([^"]+)"', page)
    assert m
    return m.group(1)


def test_form_with_its_token_is_accepted(form_client: TestClient) -> None:
    token = _token(form_client)
    r = form_client.post("/register/form", data={"csrf_token": token, "name": "Kahla"})
    assert r.status_code == 200 and r.text == "ok Kahla"


def test_form_without_or_with_a_wrong_token_is_refused(form_client: TestClient) -> None:
    token = _token(form_client)
    r = form_client.post("/register/form", data={"name": "x"})
    assert r.status_code == 403 and "csrf_token" in r.text
    assert r.headers["content-type"].startswith("text/html")
    r = form_client.post("/register/form", data={"csrf_token": token[::-1], "name": "x"})
    assert r.status_code == 403
    r = form_client.post(
        "/register/form",
        data={"csrf_token": token, "name": "x"},
        headers={"origin": "https://evil.example"},
    )
    assert r.status_code == 403 and "another site" in r.text


def test_form_with_an_unknown_or_doubled_field_is_refused(form_client: TestClient) -> None:
    token = _token(form_client)
    r = form_client.post("/register/form", data={"csrf_token": token, "nme": "x"})
    assert r.status_code == 400 and "nme" in r.text
    r = form_client.post("/register/form", data={"csrf_token": token, "name": ["a", "b"]})
    assert r.status_code == 400 and "twice" in r.text
