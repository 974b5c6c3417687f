"""Which paths are web pages (answered with HTML, errors included) rather than API routes.

Error handlers (:mod:`api.errors`) answer an HTML error page on these paths and JSON
elsewhere, so a browser never shows a JSON error and an API client never gets HTML.
Every page router adds its prefixes here.
"""

from __future__ import annotations

#: Exact page paths.
PAGE_PATHS = frozenset({"/", "/forum", "/privacy"})
#: Path prefixes of page areas (a prefix matches itself and everything under ``prefix/``).
PAGE_PREFIXES: tuple[str, ...] = (
    "/login",
    "/logout",
    "/admin",
    "/register",
    "/screening",
    "/reachability",
    "/forum",  # contributions (api/web/forum_*.py) and projects (api/web/projects.py)
)


def is_page(path: str) -> bool:
    """Whether ``path`` is a web page (or a map page, ``*.html``)."""
    if path in PAGE_PATHS or path.endswith(".html"):
        return True
    return any(path == p or path.startswith(p + "/") for p in PAGE_PREFIXES)


#: Prefixes of API routes: never answered with an HTML error page.
API_PREFIXES = (
    "/municipalities",
    "/reachable",
    "/isochrones",
    "/plots",
    "/transit/reachable",
    "/transit/feed",
    "/ogc",
    "/whoami",
    "/tokens",
    "/validation",
    "/health",
    "/openapi.json",
    "/static",
    "/projects",
)


def wants_page(path: str, accept: str) -> bool:
    """Whether an error on ``path`` is answered with an HTML page.

    Page paths always; other paths that are no API route when a browser asks
    (``Accept`` names ``text/html``), so a mistyped address shows a page, not JSON.
    """
    if is_page(path):
        return True
    if any(path == p or path.startswith(p + "/") or path.startswith(p + "?") for p in API_PREFIXES):
        return False
    return "text/html" in accept
