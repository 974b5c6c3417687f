"""Dependencies shared by the routers: settings, region model, stores, the caller."""

from __future__ import annotations

import threading

import geopandas as gpd
import pandas as pd
from fastapi import Request

from geo.access.accounts import Accounts
from geo.access.roles import PUBLIC, Viewer
from geo.access.tokens import TokenStore
from geo.errors import AuthenticationError
from geo.forum.store import ContributionStore
from geo.landpool.io import open_store
from geo.landpool.store import Store
from geo.settings import Settings
from geo.usecases import forum as forum_uc
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


def get_accounts(request: Request) -> Accounts:
    """The user accounts and sessions of the app (opened on first use)."""
    accounts: Accounts | None = getattr(request.app.state, "accounts", None)
    if accounts is None:
        with _store_lock:
            accounts = getattr(request.app.state, "accounts", None)
            if accounts is None:
                accounts = Accounts.open(get_app_settings(request))
                request.app.state.accounts = accounts
    return accounts


#: Methods that change nothing: never asked for a CSRF token.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_viewer(request: Request) -> Viewer:
    """Decide who is calling: the ONE place the API turns credentials into a role.

    1. ``Authorization: Bearer TOKEN`` (it takes precedence): the role and name of that
       API token. Another scheme, or an unknown, revoked or expired token answers 401.
    2. Else the session cookie ``sr_session`` of a login (:mod:`api.web.session`): the
       role and username of its account; ``request.state.session_id`` is then the
       session's id (the page header offers logout). An unknown, ended or expired
       session is the public role, and the answer clears the cookie.
       A POST/PUT/PATCH/DELETE to an API route (not a page, whose forms are checked by
       :func:`api.web.forms.read_form`) authenticated only by the cookie must send the
       header ``X-CSRF-Token`` equal to the ``sr_csrf`` cookie, else 403.
    3. Neither: the ``public`` role.

    Routes ask the returned :class:`Viewer` what it may do (403 when not).
    """
    decided = getattr(request.state, "sr_viewer", None)
    if isinstance(decided, Viewer):
        return decided  # decided once per request (cache, route and error page ask)
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _, token = header.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise AuthenticationError(
                "Authorization must be 'Bearer TOKEN' with an API token "
                "(created by 'stadtregion tokens create'); omit it for public access."
            )
        viewer = get_token_store(request).authenticate(token)
    else:
        # api.web's pages import this module, so its helpers are imported here, not on top
        from api.web import session
        from api.web.paths import is_page

        viewer = session.viewer_of(request, lambda: get_accounts(request)) or PUBLIC
        write = request.method not in SAFE_METHODS
        if write and session.session_id(request) is not None and not is_page(request.url.path):
            session.require_csrf_header(request)
    request.state.sr_viewer = viewer
    return viewer


def get_contributions(request: Request) -> ContributionStore:
    """The forum's contribution store of the app (opened on first use)."""
    store: ContributionStore | None = getattr(request.app.state, "contributions", None)
    if store is None:
        with _store_lock:
            store = getattr(request.app.state, "contributions", None)
            if store is None:
                store = forum_uc.open_contributions(get_app_settings(request))
                request.app.state.contributions = store
    return store
