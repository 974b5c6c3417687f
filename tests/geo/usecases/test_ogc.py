"""Use cases of the OGC API on the real data: collections, queryables, pages, features."""

from __future__ import annotations

import pytest

from geo.access.roles import PUBLIC
from geo.errors import NotFoundError, QueryParameterError
from geo.landpool.store import Store
from geo.ogc import catalog
from geo.ogc.crs import CRS84, EPSG_25832
from geo.settings import Settings
from geo.usecases import ogc


def _no_store() -> Store:
    raise AssertionError("the store must not be opened")


@pytest.fixture()
def ctx(settings: Settings) -> catalog.LoadContext:
    return catalog.LoadContext(settings=settings, store=_no_store)


def test_public_collections_leave_out_the_land_pool_register(settings: Settings) -> None:
    full = catalog.LoadContext(settings=settings, store=lambda: Store.open(settings))
    ids = [v.spec.id for v in ogc.list_collections(full, PUBLIC)]
    assert ids[:2] == ["municipalities", "stations"] and "plots-all" not in ids
    with pytest.raises(NotFoundError):
        ogc.read_collection(full, PUBLIC, "plots-all")


def test_queryables_are_the_published_fields(ctx: catalog.LoadContext) -> None:
    view, items = ogc.read_queryables(ctx, PUBLIC, "municipalities")
    names = [q.name for q in items]
    assert names[-1] == "geometry" and {"population", "trend_class", "district"} <= set(names)
    assert set(names) - {"geometry"} <= set(view.spec.properties)


def test_read_items_filters_pages_and_keeps_the_crs(ctx: catalog.LoadContext) -> None:
    query = ogc.ItemsQuery(
        "municipalities", crs="EPSG:25832", filter="population > 50000", limit=2, offset=1
    )
    result = ogc.read_items(ctx, PUBLIC, query)
    assert result.crs is EPSG_25832
    assert result.page.number_matched == 4 and result.page.number_returned == 2
    assert result.collection.frame.iloc[result.positions]["name"].tolist() == [
        "Gera",
        "Jena",
    ]  # by AGS


def test_bad_parameters_are_refused_before_any_data_is_read(ctx: catalog.LoadContext) -> None:
    for query in (
        ogc.ItemsQuery("plots", crs="EPSG:31468"),
        ogc.ItemsQuery("plots", filter="population >"),
        ogc.ItemsQuery("plots", bbox="1,2,3", bbox_crs="EPSG:25832"),
        ogc.ItemsQuery("plots", limit=0),
    ):
        with pytest.raises(QueryParameterError):
            ogc.read_items(ctx, PUBLIC, query)


def test_read_item(ctx: catalog.LoadContext) -> None:
    result = ogc.read_item(ctx, PUBLIC, "municipalities", "16053000")
    assert result.crs is CRS84
    assert result.collection.frame.iloc[result.positions[0]]["name"] == "Jena"
    with pytest.raises(NotFoundError):
        ogc.read_item(ctx, PUBLIC, "municipalities", "0")
