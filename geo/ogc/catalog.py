"""The published feature collections: what each holds, where it comes from, who may see it.

``/ogc/collections`` serves exactly the collections registered here. Each entry names its
identifier column, its published properties, its attributions and a loader that returns
the collection as a GeoDataFrame in EPSG:4326 for a :class:`~geo.access.roles.Viewer`. Whether a
viewer sees a collection at all is decided by its ``visible_to`` rule (the rules of
:mod:`geo.access.roles`); what a viewer sees inside it is decided by the loader, which hands the
viewer on to the data source (the land-pool store filters confidential plots itself).
Later issues add their collections with :func:`register`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import geopandas as gpd

from geo import sources
from geo.access.roles import PUBLIC, Viewer
from geo.access.secret import server_secret
from geo.errors import NotFoundError
from geo.forum.clients import Limits
from geo.forum.model import PUBLIC_STATUSES
from geo.forum.public import PUBLIC_FIELDS as CONTRIBUTION_FIELDS
from geo.forum.public import public_frame as contributions_frame
from geo.forum.store import ContributionStore
from geo.landpool.public import ALL_FIELDS, PUBLIC_FIELDS, project_frame
from geo.landpool.store import Store
from geo.landpool.store_engine import default_url
from geo.projects.io import public_projects
from geo.projects.public import FRAME_FIELDS as PROJECT_FIELDS
from geo.projects.public import public_frame
from geo.region.build import load_region
from geo.region.model import REGION_SOURCES
from geo.region.published import INKAR_PROPERTIES
from geo.settings import WEB_CRS, Settings


@dataclass(frozen=True)
class LoadContext:
    """What a loader may read: the settings and, opened on demand, the land-pool store."""

    settings: Settings
    store: Callable[[], Store]


Loader = Callable[[LoadContext, Viewer], gpd.GeoDataFrame]


def _everyone(_: Viewer) -> bool:
    return True


@dataclass(frozen=True)
class CollectionSpec:
    """One published feature collection.

    Parameters
    ----------
    id
        Path segment of the collection (``/ogc/collections/{id}``).
    title, description
        Shown to people and GIS clients.
    id_field
        Column whose value is each feature's ``id``.
    properties
        Columns published as feature properties, in this order.
    load
        ``(context, viewer) -> GeoDataFrame`` in EPSG:4326, holding only what the viewer
        may see.
    attribution
        Attribution strings of the data the collection is made from.
    visible_to
        Whether a viewer may see that the collection exists.
    keywords
        Search keywords for catalogues.
    """

    id: str
    title: str
    description: str
    id_field: str
    properties: tuple[str, ...]
    load: Loader
    attribution: tuple[str, ...] = ()
    visible_to: Callable[[Viewer], bool] = _everyone
    keywords: tuple[str, ...] = field(default=())


#: Collection id → collection, in the order they are listed.
COLLECTIONS: dict[str, CollectionSpec] = {}


def register(spec: CollectionSpec) -> CollectionSpec:
    """Add ``spec`` to :data:`COLLECTIONS` (replacing one of the same id) and return it."""
    COLLECTIONS[spec.id] = spec
    return spec


def visible_collections(viewer: Viewer) -> list[CollectionSpec]:
    """The collections ``viewer`` may see, in registration order."""
    return [c for c in COLLECTIONS.values() if c.visible_to(viewer)]


def get_collection(collection_id: str, viewer: Viewer) -> CollectionSpec:
    """Return the collection ``collection_id`` if ``viewer`` may see it.

    Raises
    ------
    NotFoundError
        When there is no such collection, or the viewer may not see it (the same answer,
        so a hidden collection's existence is not revealed).
    """
    spec = COLLECTIONS.get(collection_id)
    if spec is None or not spec.visible_to(viewer):
        names = ", ".join(c.id for c in visible_collections(viewer))
        raise NotFoundError(f"unknown collection {collection_id!r}; collections: {names}.")
    return spec


# -- the collections of the foundation ---------------------------------------------------
MUNICIPALITY_PROPERTIES = (
    "ags",
    "rs",
    "name",
    "bez",
    "district_ags",
    "district",
    "district_type",
    "population",
    "last_year",
    "population_2013",
    "population_2014",
    "population_2018",
    "change_pct",
    "change_pct_per_year",
    "trend_class",
    "trend_basis",
    "trend_note",
    "territory_changed",
    "predecessors",
    "successor",
    "area_km2",
    "density_per_km2",
)


def load_municipalities(ctx: LoadContext, viewer: Viewer) -> gpd.GeoDataFrame:
    """The 849 municipalities of Thuringia with population, trend and density (EPSG:4326)."""
    s = ctx.settings
    return _municipalities_web(s.data_dir, s.raw_dir, s.processed_dir)


@lru_cache(maxsize=4)
def _municipalities_web(data_dir: Path, raw_dir: Path, processed_dir: Path) -> gpd.GeoDataFrame:
    model, _ = load_region(
        Settings(data_dir=data_dir, raw_dir=raw_dir, processed_dir=processed_dir)
    )
    published = [c for c in INKAR_PROPERTIES if c in model.columns]
    web = model[[*MUNICIPALITY_PROPERTIES, *published, "geometry"]].to_crs(WEB_CRS)
    return web.sort_values("ags").reset_index(drop=True)


STATION_PROPERTIES = ("station_id", "ril100", "name", "city")


def load_stations(ctx: LoadContext, viewer: Viewer) -> gpd.GeoDataFrame:
    """The DB railway stations of the data pack (Thuringia and its edge), EPSG:4326."""
    return _stations_web(ctx.settings.data_dir)


@lru_cache(maxsize=4)
def _stations_web(data_dir: Path) -> gpd.GeoDataFrame:
    stations = sources.read_stations(data_dir)
    web = stations[[*STATION_PROPERTIES, "geometry"]].to_crs(WEB_CRS)
    return web.sort_values("station_id").reset_index(drop=True)


register(
    CollectionSpec(
        id="municipalities",
        title="Municipalities of Thuringia",
        description="Every municipality of Thuringia (VG250, 2016) with its population "
        "series (Destatis), population of the reference year 2018, change per year on a "
        "common territory, trend class (growing/stable/shrinking/unknown), territorial "
        "changes (territory_changed, predecessors, successor, trend_basis, trend_note), "
        "area and density. "
        "inkar_*: published car "
        "minutes and stop access of the BBSR (INKAR 2021, municipal association, territory "
        "of 2020), only where key, name and territory prove the municipality (inkar_match "
        "says why not).",
        id_field="ags",
        properties=(*MUNICIPALITY_PROPERTIES, *INKAR_PROPERTIES),
        load=load_municipalities,
        attribution=tuple(sources.attributions(REGION_SOURCES)),
        keywords=("Gemeinden", "Bevölkerung", "Thüringen", "Jena"),
    )
)
register(
    CollectionSpec(
        id="stations",
        title="Railway stations",
        description="Railway stations of Deutsche Bahn in and around Thuringia.",
        id_field="station_id",
        properties=STATION_PROPERTIES,
        load=load_stations,
        attribution=tuple(sources.attributions([sources.STATIONS_FILE])),
        keywords=("Bahnhöfe", "Schiene", "ÖPNV"),
    )
)


# -- the land-pool register ----------------------------------------------------------------
#: What anyone may read about a published plot (decided once, in geo.landpool.public).
PUBLIC_PLOT_PROPERTIES = PUBLIC_FIELDS
#: The land-pool team sees every field.
ALL_PLOT_PROPERTIES = ALL_FIELDS


def _plots_web(ctx: LoadContext, viewer: Viewer) -> gpd.GeoDataFrame:
    frame = project_frame(ctx.store().frame(viewer), viewer)
    return frame.to_crs(WEB_CRS).sort_values("plot_id").reset_index(drop=True)


def load_public_plots(ctx: LoadContext, viewer: Viewer) -> gpd.GeoDataFrame:
    """The plots anyone may see (published, never confidential, whoever asks), EPSG:4326."""
    return _plots_web(ctx, PUBLIC)


def load_all_plots(ctx: LoadContext, viewer: Viewer) -> gpd.GeoDataFrame:
    """Every plot ``viewer`` may see (the store filters confidential ones), EPSG:4326."""
    return _plots_web(ctx, viewer)


def _sees_confidential(viewer: Viewer) -> bool:
    return viewer.sees_confidential


#: Municipality assignment from VG250; the demo plots are OpenStreetMap landuse polygons.
_PLOT_SOURCES = tuple(sources.attributions([sources.VG250_FILE, "osm"]))

register(
    CollectionSpec(
        id="plots",
        title="Land offers (public plots)",
        description="Plots of the municipal land pool that are offered publicly: brownfields, "
        "vacant lots and reserves with category, status, planning law and area.",
        id_field="plot_id",
        properties=PUBLIC_PLOT_PROPERTIES,
        load=load_public_plots,
        attribution=_PLOT_SOURCES,
        keywords=("Flächenpool", "Brachflächen", "Baulücken"),
    )
)
register(
    CollectionSpec(
        id="plots-all",
        title="Land pool (all plots, confidential included)",
        description="Every plot of the land-pool register, confidential ones included, with "
        "notes and who changed them. Only for the land-pool team.",
        id_field="plot_id",
        properties=ALL_PLOT_PROPERTIES,
        load=load_all_plots,
        attribution=_PLOT_SOURCES,
        visible_to=_sees_confidential,
        keywords=("Flächenpool",),
    )
)


# -- the forum's cooperation projects ------------------------------------------------------
def load_projects(ctx: LoadContext, viewer: Viewer) -> gpd.GeoDataFrame:
    """The cooperation projects, public fields only (whoever asks), EPSG:4326.

    Linked plots are those a ``public`` viewer sees (:mod:`geo.projects.public`); a project
    without its own geometry has the outline of its municipalities.
    """
    model, _ = load_region(ctx.settings)
    frame = public_frame(public_projects(ctx.store(), model))
    return frame.sort_values("project_id").reset_index(drop=True)


# -- forum contributions -------------------------------------------------------------------
def load_contributions(ctx: LoadContext, viewer: Viewer) -> gpd.GeoDataFrame:
    """The public forum contributions (approved, rejected, taken up), EPSG:4326.

    Whoever asks, the OGC API serves the public projection (:mod:`geo.forum.public`):
    moderators use the moderation page, not this collection.
    """
    store = ContributionStore(
        default_url(ctx.settings),
        server_secret(ctx.settings),
        Limits.from_settings(ctx.settings),
    )
    try:
        items = store.list(statuses=PUBLIC_STATUSES)
    finally:
        store.close()
    frame = contributions_frame(items)
    for col in ("created_at", "updated_at"):  # ISO 8601 text, as the plots' timestamps
        frame[col] = [v.isoformat(timespec="seconds") for v in frame[col]]
    return frame.sort_values("id").reset_index(drop=True)


register(
    CollectionSpec(
        id="projects",
        title="Cooperation projects of the forum Stadt.Region.Jena",
        description="The forum's cooperation projects (traffic, housing, commerce, landscape, "
        "other) with status (idea, agreed, in_progress, done), the municipalities involved "
        "(AGS and names), linked contributions and published plots. geometry_source says "
        "whether the geometry is the project's own or the outline of its municipalities "
        "(VG250, simplified to 50 m).",
        id_field="project_id",
        properties=PROJECT_FIELDS,
        load=load_projects,
        attribution=tuple(sources.attributions(REGION_SOURCES)),
        keywords=("Forum", "Kooperationsprojekte", "Stadt.Region.Jena"),
    )
)


register(
    CollectionSpec(
        id="contributions",
        title="Forum contributions (public)",
        description="Contributions of the Stadt.Region.Jena forum after moderation: approved, "
        "rejected (with the public reason) and taken up by a cooperation project (project "
        "reference). Pending and hidden contributions, contact e-mails and moderator names "
        "are never included. Points in the municipality (target: a point, a municipality or "
        "a published plot).",
        id_field="id",
        properties=CONTRIBUTION_FIELDS,
        load=load_contributions,
        attribution=(),
        keywords=("Forum", "Beteiligung", "Stadt.Region.Jena"),
    )
)
