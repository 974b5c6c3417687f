"""The register pages' use cases: who may open the register, the table query, what
changed since a version, the next statuses and the derived site attributes of a plot."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from geo.errors import InputError, NotFoundError, PermissionDeniedError
from geo.landpool.plots import Viewer
from geo.landpool.store import Store
from geo.settings import Settings
from geo.usecases import register as reg
from geo.usecases.landpool import PlotFilter, edit_plot, plot_history
from geo.usecases.site import SITE_COLUMNS, plot_site
from tests.api.web.register_seed import LANDPOOL, SECRET, seed_register

PLANNER = Viewer("planner", "pat")
PUBLIC = Viewer("public", "someone")


@pytest.fixture(scope="module")
def store(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    seeded = seed_register(settings, Path(tmp_path_factory.mktemp("register-uc")))
    yield seeded.store
    seeded.store.close()


def test_register_is_for_staff_and_confidential_filters_for_the_landpool_team(
    store: Store,
) -> None:
    with pytest.raises(PermissionDeniedError, match="open the land-pool register"):
        reg.register_page(store, PUBLIC, reg.RegisterQuery())
    secret = reg.RegisterQuery(PlotFilter(confidential=True))
    with pytest.raises(PermissionDeniedError, match="confidentiality"):
        reg.register_page(store, PLANNER, secret)
    assert reg.register_page(store, LANDPOOL, secret).matched == 1
    page = reg.register_page(store, PLANNER, reg.RegisterQuery(page_size=200))
    assert SECRET["plot_id"] not in {r["plot_id"] for r in page.rows}
    assert all("notes" not in r and "created_by" not in r for r in page.rows)
    with pytest.raises(PermissionDeniedError):
        reg.open_plot(Settings(), store, PUBLIC, "REG-A", site=False)
    with pytest.raises(NotFoundError):
        reg.open_plot(Settings(), store, PLANNER, SECRET["plot_id"], site=False)


def test_query_bounds_and_page_clamping(store: Store) -> None:
    for bad in ({"sort": "notes"}, {"page": 0}, {"page_size": 0}, {"page_size": 201}):
        with pytest.raises(InputError):
            reg.RegisterQuery(**bad)  # type: ignore[arg-type]
    page = reg.register_page(store, LANDPOOL, reg.RegisterQuery(page=99, page_size=10))
    assert page.query.page == page.pages == 4 and (page.first, page.last) == (31, 35)
    assert sum(page.status_counts.values()) == page.total == 35


def test_next_statuses_follow_the_workflow() -> None:
    assert reg.next_statuses("identified") == ["assessed", "withdrawn"]
    assert reg.next_statuses("negotiating") == ["assessed", "acquired", "withdrawn"]
    assert reg.next_statuses("developed") == []


def test_changes_since_a_version_name_the_value_then_and_now(store: Store) -> None:
    start = reg.open_plot(Settings(), store, LANDPOOL, "REG-F01", site=False).detail.version
    edit_plot(store, LANDPOOL, "REG-F01", version=start, values={"owner_type": "state"})
    edit_plot(store, LANDPOOL, "REG-F01", version=start + 1, values={"owner_type": "city"})
    edit_plot(store, LANDPOOL, "REG-F01", version=start + 2, values={"name": "Neu"})
    now = reg.open_plot(Settings(), store, LANDPOOL, "REG-F01", site=False)
    history = plot_history(store, LANDPOOL, "REG-F01")
    changes = reg.changes_since(history, now.properties, start)
    assert [(c.field, c.then, c.now) for c in changes] == [
        ("owner_type", "unknown", "city"),
        ("name", "Füllfläche 01", "Neu"),
    ]
    assert reg.changes_since(history, now.properties, start + 2) == [
        reg.Change("name", "Füllfläche 01", "Neu")
    ]
    # a value changed and changed back is no change
    edit_plot(store, LANDPOOL, "REG-F01", version=start + 3, values={"name": "Füllfläche 01"})
    history = plot_history(store, LANDPOOL, "REG-F01")
    props = reg.open_plot(Settings(), store, LANDPOOL, "REG-F01", site=False).properties
    assert [c.field for c in reg.changes_since(history, props, start + 2)] == []


def test_site_attributes_come_from_the_layers_and_say_why_they_are_unknown(
    settings: Settings, store: Store
) -> None:
    site = plot_site(settings, store, LANDPOOL, "REG-B")  # in Kahla, outside Jena's layers
    values = {v.column: v for v in site.values}
    assert list(values) == [c.column for c in SITE_COLUMNS]
    assert values["slope_mean_pct"].value is not None and values["dist_station_m"].value
    flood = values["flood_share"]
    assert flood.value is None and flood.why == "flood_share.no_layer"
    # the tram and nature-reserve layers cover the city of Jena only
    assert (
        values["dist_tram_m"].value is None and values["dist_tram_m"].why == "dist_tram_m.outside"
    )
    assert values["reserve_share"].why == "reserve_share.outside"
    assert "terrain" in site.layer_versions and site.attributions
    jena = {v.column: v for v in plot_site(settings, store, LANDPOOL, "REG-A").values}
    assert jena["dist_tram_m"].value is not None
    with pytest.raises(NotFoundError):
        plot_site(settings, store, PLANNER, SECRET["plot_id"])
