"""Dependencies shared by the routers: settings, region model, land-pool store, the caller."""

from __future__ import annotations

import secrets
import threading
from typing import Annotated

import geopandas as gpd
import pandas as pd
from fastapi import Header, Request

from geo.build import load_region
from geo.errors import PermissionDeniedError
from geo.plots import Role, Viewer
from geo.settings import Settings
from geo.store import Store


def get_app_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


def get_region(request: Request) -> gpd.GeoDataFrame:
    """The region model (built on first use, then cached)."""
    model, _ = load_region(get_app_settings(request))
    return model


def get_join_report(request: Request) -> pd.DataFrame:
    """The join report of the region model."""
    _, report = load_region(get_app_settings(request))
    return report


# -- land pool -----------------------------------------------------------------------------
_store_lock = threading.Lock()


def get_store(request: Request) -> Store:
    """The land-pool store of this app (opened, and migrated, on first use)."""
    store: Store | None = getattr(request.app.state, "store", None)
    if store is None:
        with _store_lock:
            store = getattr(request.app.state, "store", None)
            if store is None:
                store = Store.open(get_app_settings(request))
                request.app.state.store = store
    return store


def get_viewer(request: Request, authorization: Annotated[str | None, Header()] = None) -> Viewer:
    """Who is calling: THE one place that decides a caller's role (the roles issue replaces it).

    Until API roles exist, every caller is ``public`` unless it sends the configured
    land-pool token (``STADTREGION_LANDPOOL_TOKEN``) as ``Authorization: Bearer …``. A
    wrong token is refused (403) rather than silently downgraded.
    """
    if authorization is None:
        return Viewer(Role.PUBLIC, "anonymous")
    token = get_app_settings(request).landpool_token
    scheme, _, given = authorization.partition(" ")
    if (
        token
        and scheme.lower() == "bearer"
        and secrets.compare_digest(given.strip().encode(), token.encode())
    ):
        return Viewer(Role.LANDPOOL, "landpool-token")
    raise PermissionDeniedError("the Authorization token is not valid for this server.")
