"""Use case: screen the plots a viewer may see against a profile (and the plots map's inputs).

The screening chain (plots → :func:`~geo.screening.io.load_layers` →
:func:`~geo.screening.attributes.derive_attributes` → :func:`~geo.screening.criteria.screen`
→ :func:`~geo.screening.criteria.ranked`) exists only here; ``POST /plots/screen``,
``stadtregion screen`` and the plots map call :func:`screen_plots`.

Confidentiality is decided once: plots of the register come from the store read *as the
viewer* (the store leaves out what the viewer may not see) and the result keeps only the
plot attributes the viewer may see (:func:`geo.landpool.public.project_frame`). Plots
from a file the caller gives are theirs; a ``confidential`` column in it is honoured
(:func:`geo.screening.criteria.visible_plots`), as there is no store to decide.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import geopandas as gpd

from geo import sources
from geo.errors import ConflictError, InputError, PermissionDeniedError
from geo.landpool.plots import Viewer
from geo.landpool.public import project_frame
from geo.landpool.store import Store
from geo.region.build import load_region
from geo.screening.attributes import Layer, derive_attributes
from geo.screening.criteria import ranked, screen, visible_plots
from geo.screening.io import (
    BOUNDARY_FILE,
    NATURE_RESERVES_FILE,
    RESULT_ATTRIBUTIONS,
    load_layers,
    load_profile,
    read_flood_zones,
    read_plot_file,
    save_profile,
    shipped_profile,
    shipped_profile_names,
)
from geo.screening.profile import Profile, parse_profile
from geo.settings import Settings
from geo.vocabulary import check_lang

#: A profile as a front end receives it: a name (shipped or saved), a file path (CLI),
#: a mapping (an inline profile object) or a parsed :class:`Profile`.
ProfileRef = str | Mapping[str, Any] | Profile


@dataclass(frozen=True)
class ScreeningQuery:
    """What to screen with.

    Attributes
    ----------
    profile
        Shipped name, saved name, profile file (only with ``profile_files``), a profile
        object (mapping) or a :class:`Profile`.
    flood
        HQ100 flood zones: a polygon file or a ready :class:`Layer` (e.g. polygons sent
        with a request); default ``settings.flood_zones_file``; without any,
        ``flood_share`` is unknown.
    dem
        A DEM file instead of the default (``settings.dem_file`` or the SRTM tile).
    plots_file
        Screen the plots of this file instead of the register's.
    profile_files
        Whether ``profile`` may name a file on this machine (CLI yes, API no).
    lang
        Language of reasons and labels (``de`` or ``en``, :mod:`geo.vocabulary`).
    """

    profile: ProfileRef
    flood: Path | Layer | None = None
    dem: Path | None = None
    plots_file: Path | None = None
    profile_files: bool = True
    lang: str = "de"


@dataclass(frozen=True)
class Screening:
    """A screening result and what it was made from.

    Attributes
    ----------
    result
        The screened plots, ranked for reading (:func:`geo.screening.criteria.ranked`),
        EPSG:25832, only the attributes the viewer may see.
    profile
        The profile screened with.
    flood
        The flood-zone polygons used (``None``: none loaded, ``flood_share`` unknown).
    attributions
        Sources of the layers behind the derived attributes.
    from_register
        Whether the plots came from the register (``False``: from ``plots_file``).
    """

    result: gpd.GeoDataFrame
    profile: Profile
    flood: gpd.GeoDataFrame | None
    attributions: list[str] = field(default_factory=list)
    from_register: bool = True


def resolve_profile(ref: ProfileRef, store: Store | None, *, files: bool = True) -> Profile:
    """The :class:`Profile` a reference names (one look-up: :func:`load_profile`)."""
    if isinstance(ref, Profile):
        return ref
    if isinstance(ref, str):
        return load_profile(ref, store, files=files)
    return parse_profile(ref, source="profile")


def screen_plots(
    settings: Settings, viewer: Viewer, query: ScreeningQuery, store: Store | None
) -> Screening:
    """Screen the plots ``viewer`` may see against a profile.

    Parameters
    ----------
    settings
        Data pack, DEM and flood-zone settings.
    viewer
        Who asks: decides which plots of the register and which attributes are used.
    query
        Profile, optional flood layer, DEM and plot file.
    store
        The land-pool register (plots and saved profiles); may be ``None`` only with
        ``query.plots_file``.

    Returns
    -------
    Screening
        The ranked result with the profile, flood layer and attributions. Without any
        visible plot the result is empty (the profile and flood input are still checked).
    """
    check_lang(query.lang)
    profile = resolve_profile(query.profile, store, files=query.profile_files)
    flood_given: Layer | None
    if isinstance(query.flood, Layer):
        flood_given = query.flood
    elif query.flood is not None:
        flood_given = read_flood_zones(query.flood)
    else:
        flood_given = None
    if query.plots_file is not None:
        plots = read_plot_file(query.plots_file)
        if "confidential" in plots.columns:
            visible = visible_plots(plots, viewer)
            assert isinstance(visible, gpd.GeoDataFrame)
            plots = visible
        from_register = False
    else:
        if store is None:
            raise ValueError("screen_plots needs the store to screen the register's plots.")
        plots = store.frame(viewer)
        from_register = True
    attributions = list(RESULT_ATTRIBUTIONS)
    if plots.empty:
        flood = flood_given
        if flood is None and settings.flood_zones_file is not None:
            flood = read_flood_zones(settings.flood_zones_file)
        empty = plots.copy()
        empty.attrs = {**plots.attrs, "profile": profile.name}
        return Screening(
            empty,
            profile,
            None if flood is None else flood.gdf,
            attributions,
            from_register,
        )
    layers = load_layers(settings, dem_path=query.dem, bounds=tuple(plots.total_bounds))
    if flood_given is not None:
        layers = replace(layers, flood=flood_given)
    result = ranked(screen(derive_attributes(plots, layers), profile, query.lang))
    if from_register:
        result = project_frame(result, viewer)
    if layers.flood is not None:
        attributions.append(f"HQ100: {layers.flood.version}")
    return Screening(
        result,
        profile,
        None if layers.flood is None else layers.flood.gdf,
        attributions,
        from_register,
    )


@dataclass(frozen=True)
class PlotsMapInputs:
    """What the land-pool map draws (:func:`maps.plots.build_plots_map`)."""

    screening: Screening
    municipalities: gpd.GeoDataFrame
    reserves: gpd.GeoDataFrame
    boundary: gpd.GeoDataFrame
    attributions: list[str]


def plots_map_inputs(
    settings: Settings, viewer: Viewer, profile: ProfileRef, store: Store, lang: str = "de"
) -> PlotsMapInputs:
    """Screen the viewer's plots and gather the context layers of the land-pool map.

    Raises
    ------
    PermissionDeniedError
        For a viewer who may not see confidential plots: it is the land-pool team's map.
    """
    if not viewer.sees_confidential:
        raise PermissionDeniedError(
            "the plots map is the land-pool team's working map; it needs the 'landpool' "
            "role (the public forum map is /maps/forum.html)."
        )
    done = screen_plots(
        settings, viewer, ScreeningQuery(profile, profile_files=False, lang=lang), store
    )
    region, _ = load_region(settings)
    boundary = sources.read_vector(settings.data_dir / BOUNDARY_FILE, "Jena city boundary")
    plots = done.result
    if len(plots):
        around = gpd.GeoSeries([plots.union_all().envelope.buffer(2000)], crs=plots.crs)
    else:
        around = boundary.geometry
    near = region[region.intersects(around.to_crs(region.crs).union_all())]
    reserves = sources.read_vector(settings.data_dir / NATURE_RESERVES_FILE, "nature reserves")
    attribution = [
        *sources.attributions([sources.VG250_FILE, sources.STATIONS_FILE, "osm", "N50E011.hgt"]),
        *done.attributions,
    ]
    return PlotsMapInputs(done, near, reserves, boundary, list(dict.fromkeys(attribution)))


# -- profiles: the list a front end offers, and saving one -------------------------------


@dataclass(frozen=True)
class ProfileEntry:
    """A profile a front end may offer: shipped with the package or saved in the register.

    ``version``, ``saved_at`` and ``saved_by`` are ``None`` for shipped profiles;
    ``saved_by`` (a staff name) is also ``None`` for a viewer who may not see it.
    """

    name: str
    shipped: bool
    description: str
    version: int | None = None
    saved_at: datetime | None = None
    saved_by: str | None = None


def list_profiles(store: Store, viewer: Viewer) -> list[ProfileEntry]:
    """The shipped profiles, then the saved ones (by name), with their descriptions.

    Who saved a profile is a staff name: only for viewers who see confidential plots.
    """
    out = [ProfileEntry(n, True, shipped_profile(n).description) for n in shipped_profile_names()]
    for saved in store.list_profiles():
        try:
            description = resolve_profile(saved.name, store, files=False).description
        except InputError:  # a profile saved before a key was renamed: still listed
            description = ""
        out.append(
            ProfileEntry(
                saved.name,
                False,
                description,
                saved.version,
                saved.saved_at,
                saved.saved_by if viewer.sees_confidential else None,
            )
        )
    return out


def save_screening_profile(
    store: Store,
    viewer: Viewer,
    name: str,
    profile: ProfileRef,
    *,
    expected_version: int | None = None,
    replace_existing: bool = True,
) -> ProfileEntry:
    """Validate ``profile`` and save it under ``name`` (land-pool role; the store call of
    ``PUT /plots/screen/profiles/{name}``, :func:`geo.screening.io.save_profile`).

    Parameters
    ----------
    expected_version
        The version of the saved profile the caller edited: a newer one is not
        overwritten (:class:`~geo.errors.ConflictError`).
    replace_existing
        ``False``: refuse to overwrite a saved profile of that name the caller did not
        edit (a form that saves "as" a new name).
    """
    parsed = resolve_profile(profile, store, files=False)
    parsed = parsed.model_copy(update={"name": name})
    if not replace_existing and expected_version is None:
        taken = {p.name: p for p in store.list_profiles()}
        if name in taken:
            raise ConflictError(
                f"a profile named {name!r} is already saved (version {taken[name].version}); "
                "choose another name, or open that profile to change it."
            )
    saved = save_profile(store, viewer, name, parsed, expected_version)
    return ProfileEntry(
        saved.name, False, parsed.description, saved.version, saved.saved_at, saved.saved_by
    )
