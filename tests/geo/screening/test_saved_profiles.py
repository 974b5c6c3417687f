"""Screening profiles saved in the database (GeoPackage and PostGIS)."""

from __future__ import annotations

import pytest

from geo.errors import ConflictError, InputError, NotFoundError, PermissionDeniedError
from geo.landpool.store import Store
from geo.screening.io import load_profile, save_profile, shipped_profile
from tests.geo.conftest import LANDPOOL, PUBLIC


def test_save_load_replace_and_list(store: Store) -> None:
    profile = shipped_profile("housing").model_copy(update={"name": "wohnen-nord"})
    saved = save_profile(store, LANDPOOL, "wohnen-nord", profile)
    assert saved.version == 1 and saved.saved_by == LANDPOOL.name
    back = load_profile("wohnen-nord", store)
    assert back.model_dump() == profile.model_dump()
    again = save_profile(store, LANDPOOL, "wohnen-nord", profile)
    assert again.version == 2
    with pytest.raises(ConflictError, match="version 2"):
        store.save_profile(LANDPOOL, "wohnen-nord", profile.model_dump_json(), expected_version=1)
    assert [p.name for p in store.list_profiles()] == ["wohnen-nord"]


def test_rules(store: Store) -> None:
    profile = shipped_profile("commerce")
    with pytest.raises(PermissionDeniedError):
        save_profile(store, PUBLIC, "mine", profile)
    with pytest.raises(InputError, match="shipped profile"):
        save_profile(store, LANDPOOL, "housing", profile)
    with pytest.raises(InputError, match="profile name"):
        save_profile(store, LANDPOOL, "no spaces/allowed", profile)
    with pytest.raises(NotFoundError, match="no profile 'nirgends'"):
        load_profile("nirgends", store)
    assert store.list_profiles() == []
