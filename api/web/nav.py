"""The pages each role may open: the header's navigation and the start page's list.

One table, :data:`PAGES`, says where each page lives, its words and which roles see it;
the header, the start page and the map pages' header all read it, so no page links to
what its reader may not open.
"""

from __future__ import annotations

from dataclasses import dataclass

from geo.access.roles import ADMIN_ROLES, INTERNAL_ROLES, WRITE_ROLES, Role, Viewer

EVERYONE = frozenset(Role)


@dataclass(frozen=True)
class PageLink:
    """A page of the web app.

    Parameters
    ----------
    key
        Word key (group ``web``) of its name; ``<key>_text`` is its description.
    href
        Its path.
    roles
        Roles that may open it.
    in_nav
        Whether the header links it (maps are linked from the start and forum pages).
    """

    key: str
    href: str
    roles: frozenset[Role] = EVERYONE
    in_nav: bool = True


PAGES: tuple[PageLink, ...] = (
    PageLink("nav_start", "/"),
    PageLink("nav_forum", "/forum"),
    PageLink("nav_projects", "/forum/projects"),
    PageLink("nav_reach", "/reachability"),
    PageLink("nav_register", "/register", INTERNAL_ROLES),
    PageLink("nav_screening", "/screening", WRITE_ROLES),
    PageLink("nav_admin", "/admin/users", ADMIN_ROLES),
    PageLink("page_region", "/maps/region.html", in_nav=False),
    PageLink("page_forum", "/maps/forum.html", in_nav=False),
    PageLink("page_transit", "/transit/map.html", in_nav=False),
    PageLink("page_plots_map", "/maps/plots.html", WRITE_ROLES, in_nav=False),
    PageLink("nav_validation", "/validation?f=html", in_nav=False),
    PageLink("page_ogc", "/ogc?f=html", in_nav=False),
    PageLink("nav_api", "/docs", in_nav=False),
)


def pages_for(viewer: Viewer, *, nav: bool | None = None) -> list[PageLink]:
    """The pages ``viewer`` may open (only header links with ``nav=True``)."""
    return [p for p in PAGES if viewer.role in p.roles and (nav is None or p.in_nav == nav)]


def staff_pages() -> list[PageLink]:
    """Pages only staff may open (listed on the start page for visitors, as what login gives)."""
    return [p for p in PAGES if Role.PUBLIC not in p.roles]
