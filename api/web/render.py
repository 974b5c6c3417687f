"""Rendering a web page: the Jinja2 templates, the context every page gets, the CSP nonce.

Pages are server-rendered HTML that works without JavaScript where it reasonably can.
:func:`page` renders a template of ``api/web/templates`` with the context every page
needs (language, words, navigation, the viewer, the CSRF token and field, a CSP nonce)
and hands the nonce to :class:`api.middleware.SecurityHeadersMiddleware` through
``request.state``, which then sends the strict policy (no inline code without the
nonce) instead of the one the Folium map pages need.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import Depends, Query, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from api.web import csrf
from api.web.nav import pages_for, staff_pages
from geo.access.roles import Viewer
from geo.settings import Settings
from geo.sources import ATTRIBUTIONS
from geo.vocabulary import number, word

TEMPLATE_DIR = Path(__file__).parent / "templates"

ENV = Environment(
    loader=FileSystemLoader(TEMPLATE_DIR),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def page_lang(
    lang: Annotated[
        Literal["de", "en"], Query(description="Language of the page (German default).")
    ] = "de",
) -> str:
    """The ``lang`` query parameter of a page (``de`` or ``en``; anything else is a 400)."""
    return lang


#: Dependency of every page route: its language.
PageLang = Annotated[str, Depends(page_lang)]


def href_for(lang: str, path: str, **params: Any) -> str:
    """``path`` with ``params`` (``None`` values left out) and, for English, ``lang=en``."""
    query = {k: v for k, v in params.items() if v is not None and v != ""}
    if lang == "en":
        query["lang"] = "en"
    if not query:
        return path
    sep = "&" if "?" in path else "?"
    return f"{path}{sep}{urlencode(query, doseq=True)}"


def nonce(request: Request) -> str:
    """The CSP nonce of this answer (one per request)."""
    value = getattr(request.state, "csp_nonce", None)
    if value is None:
        value = secrets.token_urlsafe(16)
        request.state.csp_nonce = value
    return str(value)


def context(request: Request, viewer: Viewer, lang: str, **extra: Any) -> dict[str, Any]:
    """What every template sees, plus ``extra``."""
    settings: Settings = request.app.state.settings
    token = csrf.csrf_token(request)
    here = request.url.path

    def t(group: str, key: str) -> str:
        return word(group, key, lang)

    def href(path: str, **params: Any) -> str:
        return href_for(lang, path, **params)

    def csrf_field() -> Markup:
        return Markup('<input type="hidden" name="{}" value="{}">').format(csrf.FIELD, token)

    def num(value: float | None, decimals: int = 0) -> str:
        return number(value, decimals, lang)

    other = "en" if lang == "de" else "de"
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    if other == "en":
        query.append(("lang", "en"))
    lang_switch = here + ("?" + urlencode(query) if query else "")
    return {
        "request": request,
        "settings": settings,
        "viewer": viewer,
        "lang": lang,
        "t": t,
        "href": href,
        "num": num,
        "csrf_token": token,
        "csrf_field": csrf_field,
        "csp_nonce": nonce(request),
        "nav": [
            {"href": href(p.href), "label": t("web", p.key), "active": p.href == here}
            for p in pages_for(viewer, nav=True)
        ],
        "lang_switch": lang_switch,
        "here": here,
        # a session (not a token) says who is signed in: the header then offers logout
        "viewer_via_session": getattr(request.state, "session_id", None) is not None,
        "staff_pages": staff_pages(),
        "attributions": extra.pop("attributions", None) or default_attributions(),
        **extra,
    }


def default_attributions() -> list[str]:
    """The sources every page names in its footer: boundaries, population, OSM."""
    keys = ("vg250_thueringen_2016.gpkg", "population_destatis_thueringen.csv", "osm")
    return [ATTRIBUTIONS[k] for k in keys]


def render(name: str, ctx: dict[str, Any]) -> str:
    """Render template ``name`` with ``ctx``."""
    return ENV.get_template(name).render(ctx)


def page(
    request: Request,
    viewer: Viewer,
    template: str,
    lang: str,
    *,
    title: str,
    status: int = 200,
    **extra: Any,
) -> HTMLResponse:
    """Render a page for ``viewer`` in ``lang``; ``title`` goes into ``<title>`` and ``<h1>``."""
    ctx = context(request, viewer, lang, title=title, http_status=status, **extra)
    response = HTMLResponse(render(template, ctx), status_code=status)
    csrf.set_cookie(request, response)
    response.headers["cache-control"] = "no-store"
    return response


def header_html(request: Request, viewer: Viewer, lang: str, title: str) -> Markup:
    """The page header (site name and navigation) alone, for the Folium map pages."""
    ctx = context(request, viewer, lang, title=title)
    return Markup(ENV.get_template("_header.html").render(ctx))


def text(value: object) -> Markup:
    """``value`` HTML-escaped (for the few places that build markup in Python)."""
    return escape(str(value))


#: Page title word (group ``web``) of each map page.
MAP_TITLES = {
    "region": "page_region",
    "forum": "page_forum",
    "plots": "page_plots_map",
    "reachable": "nav_reach",
    "transit": "page_transit",
}


def with_header(html: str, request: Request, viewer: Viewer, lang: str, map_name: str) -> str:
    """A Folium map page with the web app's header, a ``<title>`` and the page stylesheet.

    The map's own furniture (title box, legend) and the map are wrapped in one
    positioned box below the header, so they keep their places on the map. The header
    offers logout as a link (the map page may come from the answer cache, which must
    hold no per-browser CSRF token).
    """
    title = word("web", MAP_TITLES.get(map_name, "site"), lang)
    ctx = context(request, viewer, lang, title=title, cacheable=True)
    header = ENV.get_template("_header.html").render(ctx)
    # Folium writes inline script: this page keeps the map pages' policy, not the nonce one
    request.state.csp_nonce = None
    head = (
        f"<title>{escape(title)} · stadtregion</title>\n"
        '<link rel="stylesheet" href="/static/web/web.css"/>\n'
    )
    html = html.replace("<head>", "<head>\n" + head, 1)
    html = html.replace(
        "<body>", f'<body class="sr-has-header">\n{header}\n<div class="sr-map-page">', 1
    )
    return html.replace("</body>", "</div>\n</body>", 1)
