"""Leak crawler: no trace of a confidential plot reaches a public or planner caller.

The store holds public (published), confidential, internal (never published) and
unpublished plots, a plot declassified and then published, and a land-pool note on a
published plot (:func:`tests.api.landpool_seed.live`): the crawl runs after
declassification and after publish/unpublish. The crawler requests every GET operation of the
OpenAPI spec (path parameters filled from every known id, confidential ids included),
every map page, and every link it finds in the answers, as ``public`` and as
``planner``. No body, header, count or link may carry a confidential plot's id, name,
address, notes or a vertex coordinate. The same crawl as ``landpool`` must find them, so
the crawler is shown able to see a leak.
"""

from __future__ import annotations

import functools
import html
import itertools
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from pyproj import Transformer

from geo.access.accounts import Accounts
from geo.landpool.plots import Status
from geo.landpool.store_reads import SORT_KEYS
from geo.ogc import catalog
from geo.screening.io import shipped_profile_names
from geo.settings import Settings
from maps.registry import MAPS
from tests.api.landpool_seed import (
    CONFIDENTIAL_PLOTS,
    LIFECYCLE_PLOTS,
    SeededApi,
    hidden_ids,
    hidden_strings,
    live,
    secret_coordinate_patterns,
    secret_strings,
    seed,
    visible_count,
)
from tests.api.projects_seed import LINKED, PROJECT_IDS, seed_projects

#: Bound on requests per crawl (it stops by itself).
MAX_REQUESTS = 1500
#: Links into these are not followed (self-hosted script libraries).
SKIP_PREFIXES = ("/static/",)
_HREF = re.compile(r"""(?:href|src)=["']([^"']+)["']""")


#: Staff accounts of the web app (username, display name, role): personal data that no
#: public or planner page may show (only the admins' page lists them).
STAFF_ACCOUNTS = [
    ("hagedorn.m", "Mechthild Hagedorn", "admin"),
    ("ostwald.k", "Konrad Ostwald", "landpool"),
    ("pfeffer.l", "Liane Pfefferkorn", "planner"),
]
STAFF_PASSWORD = "a long pass phrase for the crawler"


def staff_strings(role: str, me: str | None = None) -> list[str]:
    """Usernames and display names ``role`` must never read (none for admins); a signed-in
    user ``me`` reads their own username in the page header."""
    if role == "admin":
        return []
    return [s for user, name, _ in STAFF_ACCOUNTS for s in (user, name) if s != me]


@pytest.fixture(scope="module")
def lp(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeededApi]:
    # each role's crawl caches about 48 MB (bodies and gzip copies): room for all three,
    # so test_cached_answers_never_cross_roles sees hits, not LRU evictions
    roomy = settings.model_copy(update={"cache_max_bytes": 400_000_000})
    seeded = seed(roomy, Path(tmp_path_factory.mktemp("leaks")))
    live(seeded)
    with Accounts.open(seeded.settings) as accounts:
        for user, name, role in STAFF_ACCOUNTS:
            accounts.users.create(user, role, STAFF_PASSWORD, display_name=name)
    # a signed-in planner: the session cookie (of another browser) as a header
    browser = TestClient(seeded.client.app, follow_redirects=False)
    page = browser.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    form = {"csrf_token": token.group(1), "username": "pfeffer.l", "password": STAFF_PASSWORD}
    assert browser.post("/login", data=form).status_code == 303
    session, csrf = browser.cookies["sr_session"], browser.cookies["sr_csrf"]
    seeded.headers["planner-session"] = {  # the header also lets its read-only POSTs pass
        "Cookie": f"sr_session={session}; sr_csrf={csrf}",
        "X-CSRF-Token": csrf,
    }
    seed_projects(seeded)  # links ZURUECK-6 while published, then it is unpublished
    yield seeded
    for name in ("store", "accounts", "token_store"):
        obj = getattr(seeded.client.app.state, name, None)  # type: ignore[attr-defined]
        if obj is not None:
            obj.close()


def _path_values(lp: SeededApi) -> dict[str, list[str]]:
    """Every value worth trying for each path parameter name."""
    ids = lp.public_ids + lp.secret_ids + [p["plot_id"] for p in LIFECYCLE_PLOTS] + ["NOPE-1"]
    return {
        "collection_id": [*catalog.COLLECTIONS, "nope"],
        "feature_id": [*ids, "16053000", "8011956"],
        "plot_id": ids,
        "ags": ["16053000", "Jena"],
        "name": [*MAPS, "nope"],
        "project_id": [*PROJECT_IDS, "nope"],
    }


def _query_variants(params: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Default query, and variants that widen answers (big pages, HTML, filters)."""
    names = {p["name"] for p in params if p.get("in") == "query"}
    variants: list[dict[str, str]] = [{}]
    if "limit" in names:
        variants.append({"limit": "10000"})
    if "f" in names:
        variants.append({"f": "html", "limit": "10000"} if "limit" in names else {"f": "html"})
    if "status" in names:
        variants.append({"status": "identified"})
    if "category" in names:
        variants.append({"category": "brownfield"})
    if "ags" in names:
        variants.append({"ags": "16053000"})
    if "bbox" in names:
        variants.append({"bbox": "11.5,50.8,11.7,51.0"})
    variants += _ogc_variants(names)
    return variants


#: CRS of the OGC API besides the default CRS84 (Part 2).
OGC_CRS = [f"http://www.opengis.net/def/crs/EPSG/0/{c}" for c in (4326, 25832, 3035)]
#: Fields of a plot no public or planner caller may read (all but the public projection).
HIDDEN_PLOT_FIELDS = ("notes", "confidential", "published", "created_by", "updated_by")


def _ogc_variants(names: set[str]) -> list[dict[str, str]]:
    """OGC Part 2 and 3 variants: every CRS, CQL2 filters (text and JSON) that widen the
    answer to everything, filters on hidden fields, and both together."""
    out: list[dict[str, str]] = []
    if "crs" in names:
        out += [{"crs": c, **({"limit": "10000"} if "limit" in names else {})} for c in OGC_CRS]
    if "filter" in names:
        everything = "S_INTERSECTS(geometry, BBOX(9.0,49.0,14.0,53.0))"
        out += [
            {"filter": everything, "limit": "10000"},
            {"filter": "plot_id LIKE '%' OR plot_id IS NULL", "limit": "10000"},
            {"filter": f"{everything} AND category <> 'x'", "crs": OGC_CRS[1], "limit": "10000"},
            {
                "filter": json.dumps(
                    {
                        "op": "s_intersects",
                        "args": [{"property": "geometry"}, {"bbox": [9, 49, 14, 53]}],
                    }
                ),
                "filter-lang": "cql2-json",
                "crs": OGC_CRS[2],
                "limit": "10000",
            },
            {"bbox": "600000,5500000,800000,5800000", "bbox-crs": OGC_CRS[1], "limit": "10000"},
            *({"filter": f"{f} IS NOT NULL"} for f in HIDDEN_PLOT_FIELDS),
        ]
    return out


#: The pages of the web app (not in the OpenAPI document); each page area adds its own.
WEB_PAGES = ["/", "/?lang=en", "/forum", "/privacy"]
#: The cooperation projects (api/web/projects.py): list, filters, each project's page.
PROJECT_PAGES = [
    "/forum/projects",
    "/forum/projects?lang=en",
    "/forum/projects?topic=traffic&status=agreed&ags=16053000",
    *(f"/forum/projects/{pid}" for pid in PROJECT_IDS),
]
WEB_PAGES += PROJECT_PAGES

#: Web pages outside the OpenAPI document, with queries that fill them: the screening
#: page (the land-pool team's: public and planner get a 403 page, nothing of a plot) and
#: the reachability page (everyone's: it holds no plot data at all).
SCREENING_PAGES = [
    "/screening",
    "/screening?profile=housing",
    "/screening/edit?profile=housing",
    "/screening/result.csv?profile=housing",
    "/screening/result.geojson?profile=commerce",
]
REACH_PAGES = [
    "/reachability",
    "/reachability?from=Jena&mode=car",
    "/reachability?from=Jena&mode=rail&max_minutes=120",
    "/reachability?lat=50.9415&lon=11.6045&mode=car&max_minutes=10",
    "/reachability/reachable.csv?from=Jena&mode=car",
]

#: The forum's contribution pages and exports (item pages are reached by their links).
WEB_PAGES += [
    "/forum/contribute",
    "/forum/contribute?lang=en",
    "/forum/contribute/thanks",
    "/forum/contributions",
    "/forum/contributions?status=rejected",
    "/forum/contributions?status=taken_up&lang=en",
    "/forum/export/contributions.geojson",
    "/forum/export/contributions.csv",
    "/forum/moderation",
]


def start_urls(lp: SeededApi) -> list[str]:
    """Every GET operation of the spec with every path value, plus the map and web pages."""
    spec = lp.client.get("/openapi.json").json()
    values = _path_values(lp)
    urls = ["/openapi.json", "/docs", "/redoc", *(f"/maps/{name}.html" for name in MAPS)]
    urls += [*WEB_PAGES, *SCREENING_PAGES, *REACH_PAGES]
    # the pages of the web app: login, logout, the admins' user accounts
    urls += [
        *(p + q for p in ("/login", "/logout", "/admin/users") for q in ("", "?lang=en")),
        "/login?next=/admin/users",
        "/logout?done=1",
        "/admin/users?done=created&user=nobody",
    ]
    urls += register_urls(values["plot_id"])
    for template, item in spec["paths"].items():
        op = item.get("get")
        if op is None:
            continue
        params = op.get("parameters", [])
        names = [p["name"] for p in params if p["in"] == "path"]
        missing = [n for n in names if n not in values]
        assert not missing, f"crawler has no values for {missing} of {template}; add them"
        for combo in itertools.product(*(values[n] for n in names)):
            path = template
            for n, v in zip(names, combo, strict=True):
                path = path.replace("{" + n + "}", v)
            for query in _query_variants(params):
                urls.append(path + (f"?{urlencode(query)}" if query else ""))
    return urls


def register_urls(plot_ids: list[str]) -> list[str]:
    """The register pages (not in the OpenAPI document): the table with filters that widen
    it, every plot's page, the import page and the exports."""
    urls = ["/register", "/register/import"]
    queries: list[dict[str, str]] = [
        {"page_size": "200"},
        {"published": "no", "page_size": "200"},
        {"published": "yes", "lang": "en"},
        {"confidential": "yes", "page_size": "200"},
        {"confidential": "no", "category": "brownfield", "ags": "16053000"},
        {"page": "2", "page_size": "2"},
    ]
    queries += [{"status": s.value} for s in Status]
    queries += [{"sort": k, "order": "desc"} for k in SORT_KEYS]
    urls += [f"/register?{urlencode(q)}" for q in queries]
    for fmt in ("gpkg", "geojson", "csv"):
        urls += [
            f"/register/export?format={fmt}",
            f"/register/export?format={fmt}&confidential=yes",
        ]
    urls += [f"/register/{pid}" for pid in plot_ids]
    return urls


def _links(response: httpx.Response) -> list[str]:
    """Same-site links in a JSON or HTML answer (``href`` members, href/src attributes)."""
    found: list[str] = []
    ctype = response.headers.get("content-type", "")
    if "json" in ctype:

        def walk(o: Any) -> None:
            if isinstance(o, dict):
                for k, v in o.items():
                    if k == "href" and isinstance(v, str):
                        found.append(v)
                    else:
                        walk(v)
            elif isinstance(o, list):
                for v in o:
                    walk(v)

        walk(response.json())
    elif "html" in ctype:  # attribute values as a browser reads them (&amp; is &)
        found = [html.unescape(h) for h in _HREF.findall(response.text)]
    out = []
    for href in found:
        parts = urlsplit(href)
        if parts.netloc not in ("", "testserver") or not parts.path.startswith("/"):
            continue
        if parts.path.startswith(SKIP_PREFIXES):
            continue
        if "/items" in parts.path and "plots" not in parts.path:
            continue  # the pages and features of the 849 municipalities etc. hold no plots
        if parts.path == "/register" and parts.query:
            continue  # sort, filter and page variants: the start URLs hold one of each
        # the login link of each page's header differs only in where it returns to; a map
        # page in English (its header's language switch) shows the same data as in German;
        # German is the default, so "lang=de" asks for the page already crawled without it
        drop = {"next", "lang"} if parts.path.endswith(".html") else {"next"}
        query = urlencode(
            [
                (k, v)
                for k, v in parse_qsl(parts.query)
                if k not in drop and (k, v) != ("lang", "de")
            ]
        )
        out.append(parts.path + (f"?{query}" if query else ""))
    return out


#: POST routes that only read (they compute over the register): crawled with these bodies.
READ_POSTS: list[tuple[str, dict[str, Any]]] = [
    ("/plots/screen", {"profile": name}) for name in shipped_profile_names()
]


def crawl(lp: SeededApi, role: str) -> dict[str, httpx.Response]:
    """GET every start URL and every link found, breadth first, as ``role``; then the
    read-only POST routes."""
    queue = start_urls(lp)
    seen: dict[str, httpx.Response] = {}
    while queue and len(seen) < MAX_REQUESTS:
        url = queue.pop(0)
        if url in seen:
            continue
        r = lp.client.get(url, headers=lp.headers[role])
        seen[url] = r
        assert r.status_code < 500, f"{role} GET {url}: {r.status_code} {r.text[:300]}"
        queue += [u for u in _links(r) if u not in seen]
    for url, body in READ_POSTS:
        r = lp.client.post(url, json=body, headers=lp.headers[role])
        assert r.status_code == 200, f"{role} POST {url} {body}: {r.status_code} {r.text[:300]}"
        seen[f"POST {url} {json.dumps(body)}"] = r
    return seen


def refetch(
    lp: SeededApi, role: str, answers: dict[str, httpx.Response]
) -> dict[str, httpx.Response]:
    """GET again, as ``role``, every URL of a crawl whose answer the cache kept (it
    carries ``x-cache``): the answers the cache now serves."""
    again = {}
    for url, r in answers.items():
        if "x-cache" in r.headers and not url.startswith("POST "):
            again[url] = lp.client.get(url, headers=lp.headers[role])
    return again


_NONCE = re.compile(r"'nonce-[^']+'")


def _headers(r: httpx.Response) -> dict[str, str]:
    """Headers to compare (the CSP nonce of a web page is new on every answer)."""
    return {
        k: _NONCE.sub("'nonce-X'", v)
        for k, v in r.headers.items()
        if k not in ("date", "content-length")
    }


def leaks(
    lp: SeededApi,
    role: str,
    url: str,
    r: httpx.Response,
    rules: str | None = None,
    me: str | None = None,
) -> list[str]:
    """What of a hidden plot, field or history row this answer reveals (empty when nothing).

    ``rules``: whose rules to apply (default ``role``'s; the land-pool crawl is checked
    against the public rules to show the check can fail). ``me``: the username of a
    signed-in crawler (its page header names it).

    An answer to a URL that names a confidential id may echo that id (the caller sent
    it), but must otherwise be the answer for an id that does not exist.
    """
    text = "\n".join(f"{k}: {v}" for k, v in r.headers.items()) + "\n" + r.text
    found: list[str] = []
    rules = rules or role
    asked = [pid for pid in hidden_ids(rules) if pid in url]
    for pid in asked:
        twin = lp.client.get(url.replace(pid, "NOPE-1"), headers=lp.headers[role])
        if (
            r.status_code != twin.status_code
            or r.text.replace(pid, "X") != twin.text.replace("NOPE-1", "X")
            or _headers(r) != _headers(twin)
        ):
            found.append(f"{url}: answers unlike a missing id ({r.status_code} {r.text[:120]})")
        text = text.replace(pid, "")
    found += [f"{url}: contains {s!r}" for s in hidden_strings(rules) if s in text]
    found += [f"{url}: names staff account {s!r}" for s in staff_strings(rules, me) if s in text]
    found += [
        f"{url}: coordinate {p.pattern}"
        for p in [*secret_coordinate_patterns(), *_axis_swapped_patterns()]
        if p.search(text)
    ]
    if "json" in r.headers.get("content-type", "") and "plots" in url:
        body = r.json()
        for key in ("numberMatched", "numberReturned"):
            n = body.get(key) if isinstance(body, dict) else None
            limit = visible_count(rules)
            if isinstance(n, int) and n > limit:
                found.append(f"{url}: {key} counts {n} plots, {rules} may see {limit}")
    return found


@functools.cache
def _axis_swapped_patterns() -> tuple[re.Pattern[str], ...]:
    """A confidential vertex as OGC Part 2 writes it latitude first (EPSG:4326) or
    northing first (EPSG:3035, to the metre)."""
    to_laea = Transformer.from_crs("EPSG:4326", "EPSG:3035", always_xy=True)
    patterns = []
    for plot in CONFIDENTIAL_PLOTS:
        x0, y0, x1, y1 = plot["box"]
        for lon, lat in ((x0, y0), (x1, y0), (x1, y1), (x0, y1)):
            lon5, lat5 = f"{lon:.6f}"[:-1], f"{lat:.6f}"[:-1]
            patterns.append(re.compile(rf"{re.escape(lat5)}\d*[\s,;\"\]\[]+{re.escape(lon5)}"))
            e, n = to_laea.transform(lon, lat)
            patterns.append(re.compile(rf"{int(n) // 10}\d(\.\d+)?[\s,;]+{int(e) // 10}\d"))
    return tuple(patterns)  # built once: a Transformer costs ~30 ms


@pytest.mark.slow
@pytest.mark.parametrize("role", ["public", "planner"])
def test_ogc_filters_on_hidden_fields_answer_like_unknown_fields(lp: SeededApi, role: str) -> None:
    """A CQL2 filter naming a field the role may not read gets the answer of a field that
    does not exist (name aside), on every collection the role sees."""
    headers = lp.headers[role]
    for collection in ("plots", "municipalities", "stations"):
        url = f"/ogc/collections/{collection}/items"
        twin = lp.client.get(url, params={"filter": "no_such_field IS NOT NULL"}, headers=headers)
        assert twin.status_code == 400
        for field in HIDDEN_PLOT_FIELDS:
            r = lp.client.get(url, params={"filter": f"{field} IS NOT NULL"}, headers=headers)
            assert r.status_code == twin.status_code, (url, field)
            assert r.text.replace(field, "X") == twin.text.replace("no_such_field", "X")
        # the same for a property filter parameter (?notes=x), Part 1 style
        twin = lp.client.get(url, params={"no_such_field": "x"}, headers=headers)
        assert twin.status_code == 400
        for field in HIDDEN_PLOT_FIELDS:
            r = lp.client.get(url, params={field: "x"}, headers=headers)
            assert r.status_code == twin.status_code, (url, field)
            assert r.text.replace(field, "X") == twin.text.replace("no_such_field", "X")
    # the land-pool team may filter by them, in its own collection
    r = lp.client.get(
        "/ogc/collections/plots-all/items",
        params={"filter": "confidential = TRUE", "limit": "1000"},
        headers=lp.headers["landpool"],
    )
    assert r.status_code == 200 and r.json()["numberMatched"] >= len(CONFIDENTIAL_PLOTS)


@pytest.mark.slow
@pytest.mark.parametrize("role", ["public", "planner"])
def test_ogc_counts_in_every_crs_and_filter_are_what_the_role_sees(
    lp: SeededApi, role: str
) -> None:
    url = "/ogc/collections/plots/items"
    headers = lp.headers[role]
    base = lp.client.get(url, params={"limit": "10000"}, headers=headers).json()
    for crs in OGC_CRS:
        fc = lp.client.get(url, params={"crs": crs, "limit": "10000"}, headers=headers).json()
        assert fc["numberMatched"] == base["numberMatched"] <= visible_count(role)
        assert [f["id"] for f in fc["features"]] == [f["id"] for f in base["features"]]
    everything = lp.client.get(
        url,
        params={"filter": "S_INTERSECTS(geometry, BBOX(9,49,14,53))", "limit": "10000"},
        headers=headers,
    ).json()
    assert everything["numberMatched"] == base["numberMatched"]
    for secret in secret_strings():
        r = lp.client.get(url, params={"filter": f"name = '{secret}'"}, headers=headers)
        assert r.status_code == 200 and r.json()["numberMatched"] == 0


@pytest.mark.slow
@pytest.mark.parametrize("role", ["public", "planner"])
def test_no_confidential_trace_for_role(lp: SeededApi, role: str) -> None:
    answers = crawl(lp, role)
    assert len(answers) < MAX_REQUESTS, "crawl hit its bound; raise MAX_REQUESTS"
    # The crawl reached the land-pool routes and the public plots through them.
    ok = {u for u, r in answers.items() if r.status_code == 200}
    assert {
        "/plots",
        "/plots/OFFEN-1",
        "/ogc/collections/plots/items/OFFEN-1",
        "/plots/OFFEN-1/history",
        "/maps/region.html",
        "/validation",
        "/validation?f=html",
    } <= ok
    assert any("OFFEN-2" in answers[u].text for u in ok)
    # ... and the register pages: staff read them, the public gets the 403 page
    register = {u: r.status_code for u, r in answers.items() if u.startswith("/register")}
    if role == "planner":
        assert {"/register", "/register/OFFEN-1", "/register/INTERN-5"} <= ok
        assert "/register/export?format=csv" in ok
        assert register["/register/GEHEIM-7731"] == 404
        assert any("sort=area_ha" in u and r.status_code == 200 for u, r in answers.items())
    else:
        assert set(register.values()) == {403}, register
    # ... and the declassified, published plot with its history (without the past)
    assert {"/plots/FREI-4", "/plots/FREI-4/history"} <= ok
    if role == "planner":
        assert {"/plots/INTERN-5", "/plots/ZURUECK-6/history"} <= ok
    # ... and followed links (start URLs carry no f=json; self links do) and screened.
    assert "/ogc/collections/plots?f=json" in ok
    assert len([u for u in ok if u.startswith("POST /plots/screen")]) == len(READ_POSTS) >= 1
    # the screening page answers nothing but its 403 page; the reachability page holds no
    # plot at all (not even a public one)
    for url in SCREENING_PAGES:
        assert answers[url].status_code == 403, url
        assert 'id="screening-table"' not in answers[url].text
    plot_ids = [*lp.public_ids, *lp.secret_ids, *(p["plot_id"] for p in LIFECYCLE_PLOTS)]
    for url in REACH_PAGES:
        assert answers[url].status_code == 200, url
        assert not [pid for pid in plot_ids if pid in answers[url].text], url
        assert "plot_id" not in answers[url].text, url
    # the login pages open; the admins' page is a 403 page
    assert {"/login", "/login?lang=en", "/logout", "/logout?done=1"} <= ok
    assert answers["/admin/users"].status_code == 403
    problems = [p for url, r in answers.items() for p in leaks(lp, role, url, r)]
    assert not problems, "\n".join(problems[:30])


@pytest.mark.slow
def test_no_confidential_trace_or_other_staff_name_for_a_signed_in_planner(
    lp: SeededApi,
) -> None:
    """The same crawl with a planner's login session (cookie, not token): the planner's
    rules, and no staff name but the planner's own username, in the header only."""
    answers = crawl(lp, "planner-session")
    ok = {u for u, r in answers.items() if r.status_code == 200}
    assert {"/plots/INTERN-5", "/maps/region.html", "/logout"} <= ok
    assert answers["/admin/users"].status_code == 403
    assert "<strong>pfeffer.l</strong>" in answers["/logout"].text  # signed in all along
    problems = [
        p
        for url, r in answers.items()
        for p in leaks(lp, "planner-session", url, r, rules="planner", me="pfeffer.l")
    ]
    assert not problems, "\n".join(problems[:30])
    # the own username appears only as the header's "signed in as" (and in /whoami, the
    # answer to "who am I" for the caller itself)
    elsewhere = [
        u
        for u, r in answers.items()
        if r.text.count("pfeffer.l") != r.text.count("<strong>pfeffer.l</strong>")
    ]
    assert elsewhere == ["/whoami"], elsewhere[:5]
    assert answers["/whoami"].json()["name"] == "pfeffer.l"


@pytest.mark.slow
def test_crawler_finds_staff_accounts_as_admin(lp: SeededApi) -> None:
    """The admins' page lists every account: the staff-name check can fail."""
    answers = crawl(lp, "admin")
    assert answers["/admin/users"].status_code == 200
    text = "\n".join(
        p for u, r in answers.items() for p in leaks(lp, "admin", u, r, rules="public")
    )
    for s in staff_strings("public"):
        assert f"names staff account {s!r}" in text


@pytest.mark.slow
def test_crawler_sees_confidential_plots_as_landpool(lp: SeededApi) -> None:
    """The same crawl as the land-pool team finds every kind of trace: the check can fail."""
    answers = crawl(lp, "landpool")
    problems = [
        p for url, r in answers.items() for p in leaks(lp, "landpool", url, r, rules="public")
    ]
    text = "\n".join(problems)
    for s in hidden_strings("public"):
        assert repr(s) in text
    assert "coordinate" in text and f"numberMatched counts {visible_count('landpool')}" in text
    assert "/plots/GEHEIM-7731: answers unlike a missing id (200" in text
    assert "POST /plots/screen" in text
    assert "/screening?profile=housing: contains" in text
    assert "/screening/result.csv?profile=housing: contains" in text


@pytest.mark.slow
def test_cached_answers_never_cross_roles(lp: SeededApi) -> None:
    """The answer cache (api/cache.py) keys pages by viewer class: after the land-pool
    team has filled it, the public and planner crawls still find no trace, and they are
    served from their own cached answers; after them, the land pool still sees its own."""
    # a write moves the data version, so every answer below is built anew
    plot = lp.client.get("/plots/OFFEN-3", headers=lp.headers["landpool"])
    version = int(plot.headers["etag"].strip('"'))
    r = lp.client.patch(
        "/plots/OFFEN-3",
        json={"version": version, "properties": {"current_use": "Brache"}},
        headers=lp.headers["landpool"],
    )
    assert r.status_code == 200, r.text
    landpool = crawl(lp, "landpool")
    for role in ("public", "planner"):
        first = crawl(lp, role)
        again = refetch(lp, role, first)
        hits = [u for u, r in again.items() if r.headers.get("x-cache") == "hit"]
        assert "/maps/forum.html" in hits and "/plots" in hits
        for answers in (first, again):
            problems = [p for url, r in answers.items() for p in leaks(lp, role, url, r)]
            assert not problems, "\n".join(problems[:30])
    # the public crawls may have pushed the land pool's answers out of the bounded cache
    # (least recently used first); asked again, it is served its own answers
    refetch(lp, "landpool", landpool)
    answers = refetch(lp, "landpool", landpool)
    assert any(r.headers.get("x-cache") == "hit" for r in answers.values())
    text = "\n".join(
        p for url, r in answers.items() for p in leaks(lp, "landpool", url, r, rules="public")
    )
    for s in secret_strings():
        assert repr(s) in text


@pytest.mark.slow
def test_project_pages_show_no_staff_name_and_no_unpublished_plot(lp: SeededApi) -> None:
    """ZURUECK-6 was linked while published and unpublished later: gone from every public
    project output; the planner's name appears on no public one (staff see it)."""
    urls = [
        *PROJECT_PAGES,
        f"/forum/projects/{LINKED}?lang=en",
        "/projects",
        *(f"/projects/{pid}" for pid in PROJECT_IDS),
        "/ogc/collections/projects/items?f=json",
        "/ogc/collections/projects/items?f=html",
        f"/ogc/collections/projects/items/{LINKED}?f=json",
        "/maps/forum.html",
        "/maps/region.html",
    ]
    for url in urls:
        r = lp.client.get(url)
        assert r.status_code == 200, url
        for secret in ("planner-tester", "ZURUECK-6", "INTERN-5", *hidden_ids("public")):
            assert secret not in r.text, (url, secret)
    staff = lp.client.get(f"/forum/projects/{LINKED}", headers=lp.headers["planner"])
    assert "planner-tester" in staff.text


#: What only a moderator may learn about the contributions the forum test seeds.
FORUM_SECRETS = ("leak.test@example.org", "Wartet auf Moderation XY", "Verborgener Spam XY")


def _seed_forum(lp: SeededApi) -> None:
    """Contributions with e-mails: approved, rejected, taken up, pending, hidden."""
    from tests.api.web.forum_helpers import client_at, contribution_id, moderate, submit

    def one(ip: str, title: str) -> str:
        r = submit(client_at(lp, ip), title=title, email="leak.test@example.org")
        return contribution_id(r)

    moderate(lp, one("10.30.0.1", "Freigegeben mit Kontakt"), "approve")
    moderate(lp, one("10.30.0.2", "Abgelehnt mit Kontakt"), "reject", reason="Doppelt")
    taken = one("10.30.0.3", "Aufgegriffen mit Kontakt")
    moderate(lp, taken, "approve")
    assert moderate(lp, taken, "take_up", project=LINKED).status_code == 303
    one("10.30.0.4", FORUM_SECRETS[1])
    moderate(lp, one("10.30.0.5", FORUM_SECRETS[2]), "hide")


@pytest.mark.slow
def test_forum_contact_and_unmoderated_contributions_never_reach_the_public(
    lp: SeededApi,
) -> None:
    _seed_forum(lp)
    answers = crawl(lp, "public")
    ok = {u for u, r in answers.items() if r.status_code == 200}
    assert {"/forum/contributions", "/forum/export/contributions.csv"} <= ok
    items = [u for u in ok if re.fullmatch(r"/forum/contributions/[a-z2-7]+", u)]
    assert len(items) >= 3, "the crawler did not reach the contributions' pages"
    assert any("contributions" in u and u.startswith("/ogc/") for u in ok)
    found = [
        f"{url}: contains {s!r}"
        for url, r in answers.items()
        for s in (*FORUM_SECRETS, "planner-tester")
        if s in r.text
    ]
    assert not found, "\n".join(found[:20])
