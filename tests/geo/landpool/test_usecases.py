"""The land-pool use cases (geo.usecases.landpool), on both backends, as front ends call them."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pytest
import shapely.geometry
from shapely.geometry import box

from geo.errors import (
    ConflictError,
    ImportRefusedError,
    InputError,
    IntegrityError,
    NotFoundError,
    PermissionDeniedError,
    TransitionError,
)
from geo.landpool.plots import Viewer
from geo.landpool.public import PLANNER_FIELDS, PUBLIC_FIELDS, PUBLIC_HISTORY
from geo.landpool.store import Store
from geo.settings import Settings
from geo.usecases import landpool as uc
from tests.geo.conftest import LANDPOOL, PUBLIC, fingerprint

PLANNER = Viewer("planner", "pat")
X0, Y0 = 681000, 5645000  # inside Jena (EPSG:25832)


def _square(i: int) -> shapely.geometry.Polygon:
    return box(X0 + i * 100, Y0, X0 + i * 100 + 50, Y0 + 50)


def _register(store: Store) -> None:
    """P-1 published brownfield, P-2 internal greenfield, P-3 confidential brownfield."""
    uc.create_plot(store, LANDPOOL, {"category": "brownfield"}, _square(1), plot_id="P-1")
    uc.publish_plot(store, LANDPOOL, "P-1", reason="offer")
    uc.create_plot(store, LANDPOOL, {"category": "greenfield"}, _square(2), plot_id="P-2")
    values = {"category": "brownfield", "confidential": True, "notes": "owner: Frau X"}
    uc.create_plot(store, LANDPOOL, values, _square(3), plot_id="P-3")


def _ids(page: uc.PlotList) -> list[str]:
    return [f["properties"]["plot_id"] for f in page.features]


def test_list_plots_per_viewer_with_filters_paging_and_projection(store: Store) -> None:
    _register(store)
    assert _ids(uc.list_plots(store, PUBLIC)) == ["P-1"]
    assert _ids(uc.list_plots(store, PLANNER)) == ["P-1", "P-2"]
    everything = uc.list_plots(store, LANDPOOL)
    assert _ids(everything) == ["P-1", "P-2", "P-3"] and everything.matched == 3
    brown = uc.list_plots(store, LANDPOOL, uc.PlotFilter(category="brownfield"))
    assert _ids(brown) == ["P-1", "P-3"]
    page = uc.list_plots(store, LANDPOOL, limit=1, offset=1)
    assert _ids(page) == ["P-2"] and page.returned == 1 and page.matched == 3
    assert uc.list_plots(store, PLANNER, uc.PlotFilter(category="brownfield")).matched == 1
    # fields: the one projection of geo.landpool.public
    assert set(uc.list_plots(store, PUBLIC).features[0]["properties"]) == set(PUBLIC_FIELDS)
    assert set(uc.list_plots(store, PLANNER).features[0]["properties"]) == set(PLANNER_FIELDS)
    assert "notes" in everything.features[2]["properties"]
    with pytest.raises(InputError, match="status"):
        uc.list_plots(store, LANDPOOL, uc.PlotFilter(status="sold-out"))


def test_get_plot_with_history_hides_what_the_viewer_may_not_see(store: Store) -> None:
    _register(store)
    detail = uc.get_plot(store, PUBLIC, "P-1", history=True)
    assert detail.plot_id == "P-1" and detail.version == 2 and detail.history is not None
    assert [h["event"] for h in detail.history] == ["published"]  # created while internal
    assert all(set(h) == set(PUBLIC_HISTORY) for h in detail.history)
    assert uc.get_plot(store, PUBLIC, "P-1").history is None
    full = uc.plot_history(store, LANDPOOL, "P-1")
    assert [h["event"] for h in full] == ["created", "published"] and full[1]["actor"] == "anna"
    for viewer, plot_id in ((PUBLIC, "P-2"), (PLANNER, "P-3"), (LANDPOOL, "P-9")):
        with pytest.raises(NotFoundError, match=f"plot '{plot_id}' not found"):
            uc.get_plot(store, viewer, plot_id)
        with pytest.raises(NotFoundError):
            uc.plot_history(store, viewer, plot_id)


def test_writes_edit_status_publish_with_versions_and_reasons(store: Store) -> None:
    created = uc.create_plot(store, LANDPOOL, {"name": "Alte Gießerei"}, _square(1), plot_id="W-1")
    assert created.version == 1 and created.properties["status"] == "identified"
    edited = uc.edit_plot(
        store, LANDPOOL, "W-1", version=1, values={"owner_type": "city", "reason": "Grundbuch"}
    )
    assert edited.version == 2 and edited.properties["owner_type"] == "city"
    assert uc.plot_history(store, LANDPOOL, "W-1")[-1]["reason"] == "Grundbuch"
    moved = uc.edit_plot(store, LANDPOOL, "W-1", version=2, geometry=_square(5))
    assert moved.version == 3 and moved.properties["area_ha"] == 0.25
    before = fingerprint(store)
    with pytest.raises(ConflictError, match="since version 1"):
        uc.edit_plot(store, LANDPOOL, "W-1", version=1, values={"name": "stale"})
    with pytest.raises(TransitionError):
        uc.change_status(store, LANDPOOL, "W-1", "developed", version=3)
    assert fingerprint(store) == before  # refused writes change nothing
    checked = uc.change_status(store, LANDPOOL, "W-1", "assessed", version=3)
    assert checked.properties["status"] == "assessed" and checked.version == 4
    with pytest.raises(InputError, match="reason"):
        uc.publish_plot(store, LANDPOOL, "W-1", reason=" ")
    assert uc.publish_plot(store, LANDPOOL, "W-1", reason="offer").version == 5
    assert _ids(uc.list_plots(store, PUBLIC)) == ["W-1"]
    uc.unpublish_plot(store, LANDPOOL, "W-1", reason="sold privately", version=5)
    assert _ids(uc.list_plots(store, PUBLIC)) == []
    for write in (
        lambda v: uc.create_plot(store, v, {}, _square(2), plot_id="W-2"),
        lambda v: uc.edit_plot(store, v, "W-1", version=6, values={"name": "x"}),
        lambda v: uc.change_status(store, v, "W-1", "identified"),
        lambda v: uc.publish_plot(store, v, "W-1", reason="x"),
    ):
        with pytest.raises(PermissionDeniedError):
            write(PLANNER)
    confidential = {"confidential": True}
    uc.create_plot(store, LANDPOOL, confidential, _square(3), plot_id="W-3")
    with pytest.raises(ConflictError, match="confidential"):
        uc.publish_plot(store, LANDPOOL, "W-3", reason="offer")


def _geojson(path: Path, rows: list[tuple[str, str, shapely.geometry.Polygon]]) -> Path:
    frame = gpd.GeoDataFrame(
        {"plot_id": [r[0] for r in rows], "category": [r[1] for r in rows]},
        geometry=[r[2] for r in rows],
        crs="EPSG:25832",
    ).to_crs("EPSG:4326")
    path.write_text(frame.to_json())
    return path


def test_import_is_all_or_nothing_and_export_takes_the_viewer(store: Store, tmp_path: Path) -> None:
    bad = _geojson(
        tmp_path / "bad.geojson",
        [("I-1", "brownfield", _square(1)), ("I-2", "castle", _square(2)), ("", "x", _square(3))],
    )
    before = fingerprint(store)
    with pytest.raises(ImportRefusedError) as err:
        uc.import_plots(store, LANDPOOL, bad)
    assert sorted({p.row for p in err.value.problems}) == [2, 3]  # every bad row listed
    assert fingerprint(store) == before
    with pytest.raises(PermissionDeniedError):
        uc.import_plots(store, PLANNER, tmp_path / "does-not-matter.geojson")
    good = _geojson(
        tmp_path / "good.geojson",
        [("I-1", "brownfield", _square(1)), ("I-2", "greenfield", _square(2))],
    )
    report = uc.import_plots(store, LANDPOOL, good, uc.ImportOptions())
    assert report.stored == 2 and report.source == "good.geojson"
    uc.publish_plot(store, LANDPOOL, "I-2", reason="offer")
    out = tmp_path / "public.geojson"
    assert uc.export_plots(store, PUBLIC, out) == 1
    doc = json.loads(out.read_text())
    assert [f["properties"]["plot_id"] for f in doc["features"]] == ["I-2"]
    assert set(doc["features"][0]["properties"]) == set(PUBLIC_FIELDS)
    n = uc.export_plots(
        store, LANDPOOL, tmp_path / "x.gpkg", "gpkg", uc.PlotFilter(category="brownfield")
    )
    assert n == 1
    with pytest.raises(InputError, match="format"):
        uc.export_plots(store, LANDPOOL, tmp_path / "x.xlsx")


def test_verify_history_reports_and_require_intact_raises(store: Store) -> None:
    _register(store)
    check = uc.verify_history(store)
    assert check.ok and check.report.rows == 4
    head = check.report.head_hash
    assert uc.verify_history(store, head.upper()).ok  # a kept head is still in the chain
    uc.require_intact(check)
    lost = uc.verify_history(store, "0" * 64)
    assert not lost.ok and "not in the history" in lost.problems[0]
    with pytest.raises(IntegrityError, match="1 problems"):
        uc.require_intact(lost)


def test_open_store_hands_in_the_vg250_lookup(settings: Settings, tmp_path: Path) -> None:
    """Store.open reads no data pack; open_store (the use cases' loader) gives plots an AGS."""
    here = settings.model_copy(update={"landpool_gpkg": tmp_path / "a.gpkg"})
    with uc.open_store(here) as store:
        plot = uc.create_plot(store, LANDPOOL, {}, _square(1), plot_id="A-1")
        assert (plot.properties["ags"], plot.properties["municipality"]) == ("16053000", "Jena")
    no_pack = here.model_copy(
        update={"data_dir": tmp_path / "no-pack", "landpool_gpkg": tmp_path / "b.gpkg"}
    )
    with Store.open(here.model_copy(update={"landpool_gpkg": tmp_path / "b.gpkg"})) as bare:
        assert bare.municipalities is None  # nothing read from the pack
    with uc.open_store(no_pack) as store:  # without the pack: AGS unknown, not an error
        assert (
            uc.create_plot(store, LANDPOOL, {}, _square(2), plot_id="B-1").properties["ags"] is None
        )


def test_seed_demo_is_idempotent(settings: Settings, tmp_path: Path) -> None:
    here = settings.model_copy(update={"landpool_gpkg": tmp_path / "demo.gpkg"})
    with uc.open_store(here) as store:
        first = uc.seed_demo_plots(store, here)
        again = uc.seed_demo_plots(store, here)
        public = uc.list_plots(store, PUBLIC)
    assert first.added == first.total > 0 and first.backend == "geopackage"
    assert again.added == 0 and again.total == first.total
    assert public.matched == first.total  # demo plots are public OSM data, published


def test_edit_without_a_version_takes_the_stored_one_and_says_what_changed(
    store: Store,
) -> None:
    _register(store)
    values = {"owner_type": "city", "contamination": "suspected"}
    detail = uc.edit_plot(store, LANDPOOL, "P-2", version=None, values=values, reason="Kataster")
    assert detail.version == 2
    assert detail.changes == {
        "owner_type": ["unknown", "city"],
        "contamination": ["unknown", "suspected"],
    }
    assert uc.changes_text(detail.changes) == (
        "owner_type unknown → city; contamination unknown → suspected"
    )
    again = uc.edit_plot(store, LANDPOOL, "P-2", version=None, values={"owner_type": "city"})
    assert again.changes == {} and again.version == 2  # nothing new: no new version
    moved = uc.edit_plot(store, LANDPOOL, "P-2", version=None, geometry=_square(7))
    assert moved.changes is not None and moved.changes["geometry"] == "changed"
    assert uc.get_plot(store, LANDPOOL, "P-2").changes is None  # reads say nothing of changes


def test_edit_without_a_version_never_overwrites_a_concurrent_write(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Someone else writes between the edit's read of the version and its write."""
    _register(store)
    read = store.get
    other = Store(store.url)  # another user's connection to the same register

    def read_then_someone_writes(viewer: Viewer, plot_id: str) -> object:
        plot = read(viewer, plot_id)
        monkeypatch.undo()  # once
        other.update(LANDPOOL, plot_id, expected_version=plot.version, values={"notes": "first"})
        return plot

    monkeypatch.setattr(store, "get", read_then_someone_writes)
    with pytest.raises(ConflictError, match="changed by someone else since version 1"):
        uc.edit_plot(store, LANDPOOL, "P-2", version=None, values={"notes": "second"})
    other.close()
    plot = store.get(LANDPOOL, "P-2")
    assert plot.notes == "first" and plot.version == 2


def test_edit_refuses_bad_fields_and_values_before_reading(store: Store) -> None:
    _register(store)
    before = fingerprint(store)
    cases = {
        "colour": ("red", "unknown or read-only plot attributes: colour; editable are name"),
        "status": ("assessed", "plots set-status"),
        "area_ha": ("3", "area_ha (read-only"),
        "contamination": ("toxic", "use one of none, suspected, confirmed, remediated, unknown"),
        "confidential": ("vielleicht", "use true or false"),
    }
    for key, (value, words) in cases.items():
        with pytest.raises(InputError, match=words.replace("(", r"\(")):
            uc.edit_plot(store, LANDPOOL, "P-9", version=None, values={key: value})
    assert fingerprint(store) == before


def test_parse_assignments() -> None:
    assert uc.parse_assignments(["owner_type=city", "notes=a=b", "name="]) == {
        "owner_type": "city",
        "notes": "a=b",
        "name": "",
    }
    for pairs, words in (
        (["owner_type"], "write field=value"),
        (["=city"], "write field=value"),
        (["name=a", "name=b"], "name is given twice"),
        ([], "give at least one --set"),
    ):
        with pytest.raises(InputError, match=words):
            uc.parse_assignments(pairs)
