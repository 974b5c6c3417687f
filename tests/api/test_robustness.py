"""Guards of every route: body size and type, security headers on HTML, CORS."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from api.app import create_app
from api.middleware import RequestBodyMiddleware, content_security_policy
from geo.settings import Settings


@pytest.fixture()
def small(settings: Settings) -> TestClient:
    """An app that takes bodies of at most 100 bytes, with CORS for one origin."""
    s = settings.model_copy(
        update={"max_body_bytes": 100, "cors_origins": "https://forum.example.org, "}
    )
    return TestClient(create_app(s))


def test_oversized_body_answers_413(small: TestClient) -> None:
    r = small.post(
        "/whoami", content=b"{" + b" " * 200 + b"}", headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 413
    assert "100 bytes" in r.json()["detail"] and "STADTREGION_MAX_BODY_BYTES" in r.json()["detail"]
    assert r.headers["x-content-type-options"] == "nosniff"


def test_oversized_chunked_body_answers_413() -> None:
    """A body without Content-Length is counted as it arrives and cut off at the limit."""

    async def echo(request: Request) -> PlainTextResponse:
        return PlainTextResponse(str(len(await request.body())))

    inner = Starlette(routes=[Route("/echo", echo, methods=["POST"])])
    guarded = TestClient(RequestBodyMiddleware(inner, max_bytes=100))

    def chunks(n: int) -> Iterator[bytes]:
        for _ in range(n):
            yield b"x" * 50

    headers = {"Content-Type": "application/json"}
    assert guarded.post("/echo", content=chunks(2), headers=headers).text == "100"
    r = guarded.post("/echo", content=chunks(3), headers=headers)
    assert r.status_code == 413 and "STADTREGION_MAX_BODY_BYTES" in r.text


def test_chunked_413_of_the_app_carries_nosniff(small: TestClient) -> None:
    r = small.post(
        "/plots",
        content=iter([b"{" + b" " * 99, b" " * 99]),
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 413 and r.headers["x-content-type-options"] == "nosniff"


def test_small_body_passes_the_guard(small: TestClient) -> None:
    r = small.post("/whoami", json={"a": 1})
    assert r.status_code == 405  # the guard let it through; the route takes GET only


@pytest.mark.parametrize("ctype", ["text/plain", "application/xml", None])
def test_wrong_content_type_answers_415(small: TestClient, ctype: str | None) -> None:
    headers = {"Content-Type": ctype} if ctype else {}
    r = small.post("/whoami", content=b"a=1", headers=headers)
    assert r.status_code == 415
    assert "application/json" in r.json()["detail"]
    assert r.headers["x-content-type-options"] == "nosniff"


def test_bad_content_length_answers_400(small: TestClient) -> None:
    r = small.post(
        "/whoami",
        content=b"{}",
        headers={"Content-Length": "x", "Content-Type": "application/json"},
    )
    assert r.status_code == 400


def test_html_pages_carry_security_headers(client: TestClient) -> None:
    for path in ("/ogc?f=html", "/maps/region.html?tiles=none"):
        r = client.get(path)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
        csp = r.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "object-src 'none'" in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    js = client.get("/ogc/conformance")
    assert "content-security-policy" not in js.headers
    assert js.headers["x-content-type-options"] == "nosniff"


def test_csp_allows_the_configured_tile_host(settings: Settings) -> None:
    s = settings.model_copy(update={"tiles_url": "https://{s}.tile.example.org/{z}/{x}/{y}.png"})
    csp = content_security_policy(s, "/maps/region.html")
    assert "img-src 'self' data: https://*.tile.example.org" in csp
    assert "cdn" not in csp
    for docs in ("/docs", "/redoc"):  # served from our own assets: no CDN either
        csp = content_security_policy(s, docs)
        assert "cdn" not in csp and "worker-src 'self' blob:" in csp


def test_map_page_loads_nothing_the_csp_blocks(client: TestClient) -> None:
    page = client.get("/maps/region.html?tiles=none").text
    assert 'src="http' not in page and 'href="http' not in page.replace(
        'href="http://www.w3.org', ""
    )


def test_cors_allows_only_configured_origins(small: TestClient, client: TestClient) -> None:
    pre = small.options(
        "/ogc/collections",
        headers={
            "Origin": "https://forum.example.org",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "Authorization",
        },
    )
    assert pre.status_code == 200
    assert pre.headers["access-control-allow-origin"] == "https://forum.example.org"
    got = small.get("/ogc", headers={"Origin": "https://evil.example.com"})
    assert "access-control-allow-origin" not in got.headers
    default = client.get("/ogc", headers={"Origin": "https://forum.example.org"})
    assert "access-control-allow-origin" not in default.headers


def test_unknown_routes_and_methods_answer_json_4xx(client: TestClient) -> None:
    for r, status, error, words in (
        (client.get("/nope"), 404, "HTTPError", "Not Found"),
        (client.delete("/ogc"), 405, "HTTPError", "Method Not Allowed"),
        (client.get("/ogc/collections/" + "x" * 500), 400, "InputError", "at most 100 characters"),
    ):
        assert r.status_code == status, r.text
        assert r.headers["content-type"].startswith("application/json")
        body = r.json()
        assert body["error"] == error and words in body["detail"], body
