"""What the register table reads from the store, on both backends: filters by publication
and confidentiality, sort orders (unknown values last), counts per status and the
municipalities, each through the viewer's rule."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import box

from geo.errors import InputError
from geo.landpool.plots import Status, Viewer
from geo.landpool.store import Store
from geo.settings import WORK_CRS
from tests.geo.conftest import LANDPOOL, PUBLIC

PLANNER = Viewer("planner", "pat")
WEST = box(670000, 5640000, 690000, 5660000)
EAST = box(690000, 5640000, 710000, 5660000)


def _seed(store: Store) -> None:
    """Five plots: sizes, names (one unknown), statuses, municipalities, one confidential."""
    plots = [
        ("A", "Zeta Acker", 100, False, "identified", False, 681000),
        ("B", "alpha Brache", 300, True, "assessed", False, 682000),
        ("C", None, 200, False, "negotiating", False, 695000),
        ("D", "Mitte", 50, False, "identified", True, 696000),
        ("E", "Beta", 400, True, "identified", False, 683000),
    ]
    for pid, name, side, published, status, confidential, x in plots:
        store.create(
            LANDPOOL,
            {"name": name, "confidential": confidential},
            box(x, 5645000, x + side, 5645000 + side),
            plot_id=pid,
        )
        path = {"assessed": ["assessed"], "negotiating": ["assessed", "negotiating"]}
        for step in path.get(status, []):
            store.set_status(LANDPOOL, pid, step)
        if published:
            store.publish(LANDPOOL, pid, reason="offer")


@pytest.fixture
def seeded(store_url: str) -> Store:
    mun = gpd.GeoDataFrame(
        {"ags": ["16000001", "16000002"], "name": ["Westdorf", "Ostheim"]},
        geometry=[WEST, EAST],
        crs=WORK_CRS,
    )
    store = Store(store_url, municipalities=mun)
    _seed(store)
    return store


def _ids(plots: list) -> list[str]:  # type: ignore[type-arg]
    return [p.plot_id for p in plots]


def test_filters_by_publication_and_confidentiality(seeded: Store) -> None:
    assert _ids(seeded.list(LANDPOOL, published=True)) == ["B", "E"]
    assert _ids(seeded.list(LANDPOOL, published=False)) == ["A", "C", "D"]
    assert _ids(seeded.list(LANDPOOL, confidential=True)) == ["D"]
    assert seeded.count(LANDPOOL, confidential=False, published=False) == 2
    # the viewer's rule still applies: a planner never gets the confidential plot
    assert seeded.count(PLANNER, confidential=True) == 0
    assert _ids(seeded.list(PLANNER, published=False)) == ["A", "C"]
    assert _ids(seeded.list(PUBLIC, published=False)) == []
    seeded.close()


def test_sort_orders_keep_unknown_values_last(seeded: Store) -> None:
    assert _ids(seeded.list(LANDPOOL, sort="name")) == ["B", "E", "D", "A", "C"]
    assert _ids(seeded.list(LANDPOOL, sort="name", descending=True)) == ["A", "D", "E", "B", "C"]
    assert _ids(seeded.list(LANDPOOL, sort="area_ha", descending=True)) == ["E", "B", "C", "A", "D"]
    # workflow order, ties by plot_id
    assert _ids(seeded.list(LANDPOOL, sort="status")) == ["A", "D", "E", "B", "C"]
    assert _ids(seeded.list(LANDPOOL, sort="municipality")) == ["C", "D", "A", "B", "E"]
    assert _ids(seeded.list(LANDPOOL, sort="updated"))[-1] == "E"  # published last
    assert _ids(seeded.list(LANDPOOL, sort="area_ha", limit=2, offset=1)) == ["A", "C"]
    with pytest.raises(InputError, match="sort by one of"):
        seeded.list(LANDPOOL, sort="secret")
    seeded.close()


def test_counts_per_status_and_municipalities_follow_the_viewer(seeded: Store) -> None:
    counts = seeded.count_by_status(LANDPOOL)
    assert list(counts) == [s.value for s in Status]
    assert (counts["identified"], counts["assessed"], counts["negotiating"]) == (3, 1, 1)
    assert seeded.count_by_status(PLANNER)["identified"] == 2
    assert seeded.count_by_status(LANDPOOL, published=True) == {
        **{s.value: 0 for s in Status},
        "identified": 1,
        "assessed": 1,
    }
    assert seeded.municipality_counts(LANDPOOL) == [
        ("16000002", "Ostheim", 2),
        ("16000001", "Westdorf", 3),
    ]
    assert seeded.municipality_counts(PLANNER)[0] == ("16000002", "Ostheim", 1)
    assert seeded.municipality_counts(PUBLIC) == [("16000001", "Westdorf", 2)]
    seeded.close()
