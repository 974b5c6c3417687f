"""Dependencies shared by the routers: settings, region model, stores, the caller."""

from __future__ import annotations

import threading

import geopandas as gpd
import pandas as pd
from fastapi import Request

from geo.access.roles import PUBLIC, Viewer
from geo.access.tokens import TokenStore
from geo.errors import AuthenticationError
from geo.landpool.io import open_store
from geo.landpool.store import Store
from geo.settings import Settings
from geo.usecases import region as region_uc


def get_app_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


def get_region(request: Request) -> gpd.GeoDataFrame:
    """The region model (built on first use, then cached)."""
    return region_uc.region(get_app_settings(request)).model


def get_join_report(request: Request) -> pd.DataFrame:
    """The join report of the region model."""
    return region_uc.region(get_app_settings(request)).report


# -- land pool -----------------------------------------------------------------------------
_store_lock = threading.Lock()


def get_store(request: Request) -> Store:
    """The land-pool store of this app (opened, and migrated, on first use)."""
    store: Store | None = getattr(request.app.state, "store", None)
    if store is None:
        with _store_lock:
            store = getattr(request.app.state, "store", None)
            if store is None:
                store = open_store(get_app_settings(request))
                request.app.state.store = store
    return store


def get_token_store(request: Request) -> TokenStore:
    """The API token store of the app (opened on first use)."""
    store: TokenStore | None = getattr(request.app.state, "token_store", None)
    if store is None:
        with _store_lock:
            store = getattr(request.app.state, "token_store", None)
            if store is None:
                store = TokenStore.open(get_app_settings(request))
                request.app.state.token_store = store
    return store


def get_viewer(request: Request) -> Viewer:
    """Decide who is calling: the ONE place the API turns credentials into a role.

    No ``Authorization`` header: the ``public`` role. ``Authorization: Bearer TOKEN``: the
    role and name of that token. Anything else (another scheme, an unknown, revoked or
    expired token) answers 401; routes ask the returned :class:`Viewer` what it may do
    (403 when not).
    """
    header = request.headers.get("authorization")
    if header is None:
        return PUBLIC
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise AuthenticationError(
            "Authorization must be 'Bearer TOKEN' with an API token "
            "(created by 'stadtregion tokens create'); omit it for public access."
        )
    return get_token_store(request).authenticate(token)
