"""The store's data version (geo/landpool/data_version.py) moves with every write, on both
backends."""

from __future__ import annotations

import pytest
from shapely.geometry import box

from geo.errors import ConflictError
from geo.landpool.data_version import data_version
from geo.landpool.store import Store
from tests.geo.conftest import LANDPOOL

PLOT = box(680_000, 5_640_000, 680_100, 5_640_200)  # 2 ha in Jena, EPSG:25832


def test_every_write_moves_the_data_version(store: Store) -> None:
    seen = [data_version(store)]
    assert data_version(store) == seen[0]  # reading changes nothing
    store.create(LANDPOOL, {"name": "Brache"}, PLOT, plot_id="V-1")
    seen.append(data_version(store))
    store.update(LANDPOOL, "V-1", expected_version=1, values={"notes": "geprüft"})
    seen.append(data_version(store))
    store.set_status(LANDPOOL, "V-1", "assessed")
    seen.append(data_version(store))
    store.save_profile(LANDPOOL, "eigen", '{"name": "eigen"}')
    seen.append(data_version(store))
    store.save_profile(LANDPOOL, "eigen", '{"name": "eigen", "x": 1}')
    seen.append(data_version(store))
    assert len(set(seen)) == len(seen), seen
    # a refused write leaves it where it was
    with pytest.raises(ConflictError):
        store.update(LANDPOOL, "V-1", expected_version=1, values={"notes": "alt"})
    assert data_version(store) == seen[-1]
