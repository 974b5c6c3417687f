"""Middleware of the API: body size limit, JSON content type, security headers, CORS.

Each is a plain ASGI middleware (no per-request thread hop), so it also guards routes
that read their body as a stream. Errors answer with the same JSON body shape as
:mod:`api.errors` (``{"error": ..., "detail": ...}``).
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from api.cache import CacheMiddleware
from api.web.paths import is_page
from geo.errors import InputError
from geo.settings import Settings

#: Content types accepted for request bodies (JSON, GeoJSON, and uploads of files).
BODY_TYPES = (
    "application/json",
    "application/geo+json",
    "application/merge-patch+json",
    "multipart/form-data",
)
#: The plain HTML forms of the web pages (api/web/forms.py checks their CSRF token): on
#: page paths only, so the API keeps refusing them.
FORM_TYPE = "application/x-www-form-urlencoded"
#: Methods whose body is checked.
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
#: The interactive API documentation pages (served from our own assets, api/routers/docs.py).
DOC_PATHS = ("/docs", "/redoc")


class BodyTooLargeError(HTTPException):
    """Raised inside the app when the request body grows past the limit.

    An HTTP exception, so the app's own handler answers 413 (never 500) even when a
    route reads the body itself.
    """

    def __init__(self, detail: str) -> None:
        super().__init__(status_code=413, detail=detail)


async def _send_error(send: Send, status: int, error: str, detail: str) -> None:
    body = json.dumps({"error": error, "detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                # answered before SecurityHeadersMiddleware runs: the same headers here
                (b"x-content-type-options", b"nosniff"),
                (b"referrer-policy", b"strict-origin-when-cross-origin"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class RequestBodyMiddleware:
    """Refuse bodies over ``max_bytes`` (413) and bodies that are not JSON or uploads (415).

    The declared ``Content-Length`` is checked before the app runs; a body sent in chunks
    is counted as it arrives and cut off at the limit.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def _refuse_body(self) -> Message:
        """A ``receive`` that refuses the body it was asked for (declared too large)."""
        raise BodyTooLargeError(self._too_large())

    def _too_large(self) -> str:
        return (
            f"request body is larger than {self.max_bytes} bytes; send less, or raise "
            "STADTREGION_MAX_BODY_BYTES on the server."
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        length_text = headers.get("content-length")
        if length_text is not None:
            try:
                length = int(length_text)
            except ValueError:
                await _send_error(send, 400, "InputError", "Content-Length is not a number.")
                return
            if length > self.max_bytes and is_page(scope["path"]):
                # a web page (an upload form): the app answers with its HTML 413 page
                await self.app(scope, self._refuse_body, send)
                return
            if length > self.max_bytes:
                await _send_error(send, 413, "BodyTooLargeError", self._too_large())
                return
        has_body = (length_text not in (None, "0")) or "transfer-encoding" in headers
        if scope["method"] in BODY_METHODS and has_body:
            media = headers.get("content-type", "").split(";")[0].strip().lower()
            if media not in BODY_TYPES and not (media == FORM_TYPE and is_page(scope["path"])):
                await _send_error(
                    send,
                    415,
                    "UnsupportedMediaTypeError",
                    f"Content-Type {media or '(none)'!r} is not accepted; send "
                    "application/json (or application/geo+json, or multipart/form-data "
                    "for file uploads).",
                )
                return

        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLargeError(self._too_large())
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLargeError:
            if not started:
                await _send_error(send, 413, "BodyTooLargeError", self._too_large())


def content_security_policy(settings: Settings, path: str, nonce: str | None = None) -> str:
    """The CSP of an HTML page: our own origin and tile hosts.

    With a ``nonce`` (the web pages of :mod:`api.web`), only scripts and styles of our
    origin or carrying the nonce run: no inline code. Without it (Folium map pages,
    documentation), inline code is allowed, as Folium writes its map as inline script.
    """
    img = ["'self'", "data:"]
    if settings.tiles_url:
        # "{s}" (sub-domain) becomes a wildcard label; other placeholders sit in the path.
        parts = urlsplit(settings.tiles_url.replace("{s}", "*"))
        if parts.scheme in ("http", "https") and parts.netloc:
            img.append(f"{parts.scheme}://{parts.netloc}")
    inline = f"'nonce-{nonce}'" if nonce else "'unsafe-inline'"
    script = ["'self'", inline]
    style = ["'self'", inline]
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {' '.join(script)}",
            # ReDoc runs its search index in a worker made from a blob: URL
            *(["worker-src 'self' blob:"] if path in DOC_PATHS else []),
            f"style-src {' '.join(style)}",
            f"img-src {' '.join(dict.fromkeys(img))}",
            "font-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class SecurityHeadersMiddleware:
    """Add security headers: ``nosniff`` and a referrer policy everywhere, CSP on HTML."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers: list[tuple[bytes, bytes]] = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                ctype = dict(headers).get(b"content-type", b"").lower()
                extra = [
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"strict-origin-when-cross-origin"),
                ]
                if ctype.startswith(b"text/html"):
                    state = scope.get("state") or {}
                    nonce = state.get("csp_nonce") if isinstance(state, dict) else None
                    csp = content_security_policy(self.settings, scope["path"], nonce)
                    extra += [
                        (b"content-security-policy", csp.encode()),
                        (b"x-frame-options", b"DENY"),
                    ]
                headers += [(k, v) for k, v in extra if k not in names]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def cors_origins(settings: Settings) -> list[str]:
    """The origins of ``STADTREGION_CORS_ORIGINS`` (comma-separated) as a list."""
    return [o.strip().rstrip("/") for o in settings.cors_origins.split(",") if o.strip()]


def install_middleware(app: FastAPI, settings: Settings) -> None:
    """Add the middleware of this module to ``app`` (CORS only when origins are set)."""
    origins: Iterable[str] = cors_origins(settings)
    app.add_middleware(CacheMiddleware, max_bytes=settings.cache_max_bytes)  # api/cache.py
    app.add_middleware(SecurityHeadersMiddleware, settings=settings)
    app.add_middleware(RequestBodyMiddleware, max_bytes=settings.max_body_bytes)
    if origins:
        options: dict[str, Any] = {
            "allow_origins": list(origins),
            "allow_methods": ["GET", "POST", "PUT", "PATCH", "DELETE"],
            "allow_headers": ["Authorization", "Content-Type", "If-Match"],
            "expose_headers": ["ETag", "Location"],
            "allow_credentials": False,
        }
        app.add_middleware(CORSMiddleware, **options)
    if settings.forwarded_allow_ips.strip():
        # outermost: behind a trusted reverse proxy every layer (forum rate limits, the
        # login throttle, secure cookies, CSRF origin) sees the visitor's address and scheme
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=trusted_proxies(settings))


def trusted_proxies(settings: Settings) -> list[str]:
    """The reverse proxies whose ``X-Forwarded-For`` / ``-Proto`` are believed.

    Raises
    ------
    InputError
        An entry that is neither an IP address, a CIDR network nor ``*``.
    """
    out = [p.strip() for p in settings.forwarded_allow_ips.split(",") if p.strip()]
    for entry in out:
        if entry == "*":
            continue
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise InputError(
                f"STADTREGION_FORWARDED_ALLOW_IPS: {entry!r} is no IP address or network "
                "(e.g. 127.0.0.1, 10.0.0.0/8, or * for any proxy)."
            ) from None
    return out
