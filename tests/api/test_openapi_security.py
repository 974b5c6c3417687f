"""The OpenAPI document declares the bearer-token and session-cookie schemes and which
operations read them."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_bearer_scheme_is_declared(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    scheme = doc["components"]["securitySchemes"]["bearerToken"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"


def test_session_cookie_scheme_is_declared(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    scheme = doc["components"]["securitySchemes"]["sessionCookie"]
    assert scheme == {**scheme, "type": "apiKey", "in": "cookie", "name": "sr_session"}
    assert "X-CSRF-Token" in scheme["description"]


def test_operations_that_read_the_caller_list_token_and_cookie_as_optional(
    client: TestClient,
) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    optional = [{}, {"bearerToken": []}, {"sessionCookie": []}]
    for path in (
        "/plots",
        "/plots/{plot_id}",
        "/ogc/collections",
        "/ogc/collections/{collection_id}/items",
        "/ogc/collections/{collection_id}/queryables",
    ):
        assert paths[path]["get"]["security"] == optional, path
    assert paths["/plots"]["post"]["security"] == optional
    assert paths["/plots/{plot_id}"]["patch"]["security"] == optional
    assert paths["/whoami"]["get"]["security"] == optional
    # routes that never ask who calls carry no security entry
    for path in ("/health", "/ogc/conformance", "/municipalities"):
        assert "security" not in paths[path]["get"], path


def test_docs_page_is_served(client: TestClient) -> None:
    r = client.get("/docs")
    assert r.status_code == 200 and "openapi.json" in r.text
