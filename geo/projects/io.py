"""Reading the projects as the public sees them from an opened land-pool store.

The plot links are checked against the land pool's own public projection: the ids a
``public`` viewer may read through :meth:`geo.landpool.store.Store.list` (published, not
confidential), read anew on every call so an unpublished plot drops out at once. The
contribution links likewise against the forum's public statuses; contributions a
moderator marked as taken up by a project are listed with it.
"""

from __future__ import annotations

import geopandas as gpd

from geo.access.roles import PUBLIC
from geo.forum.store import PublicLinks, public_links
from geo.landpool.store import Store
from geo.projects.public import PublicProject, project_public
from geo.projects.store import ProjectStore


def project_store(store: Store) -> ProjectStore:
    """The project register on the land-pool store's database (already migrated)."""
    return ProjectStore(store.engine)


def public_plot_ids(store: Store) -> set[str]:
    """Ids of the plots a ``public`` viewer may see now."""
    return {p.plot_id for p in store.list(PUBLIC)}


def forum_links(store: Store) -> PublicLinks:
    """The forum's public contributions and which project took each up, read now."""
    return public_links(store.engine)


def public_projects(
    store: Store,
    region: gpd.GeoDataFrame,
    *,
    topic: str | None = None,
    status: str | None = None,
    ags: str | None = None,
) -> list[PublicProject]:
    """Every project (optionally filtered) as the public sees it, by id."""
    plots = public_plot_ids(store)
    links = forum_links(store)
    rows = project_store(store).list(topic=topic, status=status, ags=ags)
    return [
        project_public(
            p,
            region,
            plots,
            public_contributions=links.public,
            taken_up=links.taken_up.get(p.id, ()),
        )
        for p in rows
    ]


__all__ = ["forum_links", "project_store", "public_plot_ids", "public_projects"]
