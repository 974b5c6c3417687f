"""Update imports (``plots import --update``) on both backends: the QGIS round trip,
unchanged re-imports, every bad row listed, nothing stored on refusal."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely.affinity
from shapely.geometry import Polygon, box

from geo.errors import ImportRefusedError, InputError, PermissionDeniedError
from geo.landpool.io import export_plots
from geo.landpool.io_update import parse_version, read_updates
from geo.landpool.plots import Viewer
from geo.landpool.store import GEOMETRY_TOLERANCE_M, Store
from geo.settings import WORK_CRS
from geo.usecases import landpool as uc
from tests.geo.conftest import LANDPOOL, fingerprint

PLANNER = Viewer("planner", "pat")
X0, Y0 = 681000, 5645000  # inside Jena (EPSG:25832)
IDS = [f"U-{i}" for i in range(1, 6)]


def _square(i: int) -> Polygon:
    return box(X0 + i * 100, Y0, X0 + i * 100 + 50, Y0 + 50)


def _register(store: Store) -> None:
    """Five plots; U-1 published, U-5 confidential, U-2 at version 2 (a note)."""
    for i, pid in enumerate(IDS, start=1):
        values = {"name": f"Fläche {i}", "category": "brownfield", "confidential": i == 5}
        uc.create_plot(store, LANDPOOL, values, _square(i), plot_id=pid)
    uc.publish_plot(store, LANDPOOL, "U-1", reason="offer")
    uc.edit_plot(store, LANDPOOL, "U-2", version=1, values={"notes": "Ortstermin"})


def _update(store: Store, path: Path, reason: str = "QGIS-Abgleich", **opts: Any) -> Any:
    options = uc.ImportOptions(update=True, reason=reason, **opts)
    return uc.import_plots(store, LANDPOOL, path, options)


def _versions(store: Store) -> dict[str, int]:
    return {p.plot_id: p.version for p in store.list(LANDPOOL)}


def _qgis_edit(path: Path, edit: Any) -> None:
    """Edit a GeoPackage layer as QGIS does: same file and layer, fids and columns kept."""
    frame = gpd.read_file(path, layer="plots", fid_as_index=True)
    fids = frame.index.tolist()
    frame = edit(frame)
    frame.to_file(path, layer="plots", driver="GPKG", index=True)
    again = gpd.read_file(path, layer="plots", fid_as_index=True)
    assert again.index.tolist() == fids  # the fids survive the write
    assert {str(n) for n, _ in pyogrio.list_layers(path)} == {"plots", "attributions"}


def test_export_writes_plot_id_and_version(store: Store, tmp_path: Path) -> None:
    _register(store)
    path = tmp_path / "register.gpkg"
    export_plots(store, LANDPOOL, path)
    frame = gpd.read_file(path, layer="plots")
    assert {"plot_id", "version"} <= set(frame.columns)
    assert dict(zip(frame["plot_id"], frame["version"], strict=True)) == _versions(store)


def test_qgis_round_trip_changes_exactly_the_edited_plots(store: Store, tmp_path: Path) -> None:
    _register(store)
    path = tmp_path / "register.gpkg"
    assert export_plots(store, LANDPOOL, path) == 5
    before = _versions(store)
    history_before = {pid: len(store.history(LANDPOOL, pid)) for pid in IDS}

    def edit(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        at = frame.set_index("plot_id", drop=False).index
        frame.loc[at == "U-1", "contamination"] = "suspected"
        frame.loc[at == "U-2", ["owner_type", "name"]] = ["city", "Alte Gärtnerei"]
        grown = shapely.affinity.scale(frame.geometry[at == "U-3"].iloc[0], 1.2, 1.2)
        frame.loc[at == "U-3", "geometry"] = gpd.GeoSeries([grown], crs=WORK_CRS).values
        return frame

    _qgis_edit(path, edit)
    report = _update(store, path)
    assert report.update and report.stored == 3
    assert {c.plot_id: c.version for c in report.changed} == {
        "U-1": before["U-1"] + 1,
        "U-2": before["U-2"] + 1,
        "U-3": before["U-3"] + 1,
    }
    assert report.unchanged == ["U-4", "U-5"]
    after = _versions(store)
    assert after == {**before, **{c.plot_id: c.version for c in report.changed}}
    changes = {c.plot_id: c.changes for c in report.changed}
    assert changes["U-1"] == {"contamination": ["unknown", "suspected"]}
    assert changes["U-2"] == {
        "name": ["Fläche 2", "Alte Gärtnerei"],
        "owner_type": ["unknown", "city"],
    }
    assert changes["U-3"]["geometry"] == "changed"
    assert changes["U-3"]["area_ha"] == [0.25, 0.36]
    assert store.get(LANDPOOL, "U-1").published  # an attribute edit keeps the publication
    for pid in IDS:
        rows = store.history(LANDPOOL, pid)
        added = len(rows) - history_before[pid]
        assert added == (1 if pid in changes else 0), pid
        if pid in changes:
            last = rows[-1]
            assert (last.event, last.version, last.actor) == ("updated", after[pid], "anna")
            assert last.reason == "QGIS-Abgleich (update import from register.gpkg)"
            assert last.changes == changes[pid]
    assert report.lines()[0] == "updated 3 plots from register.gpkg (CRS EPSG:25832); 2 unchanged"
    assert "U-2 (version 3): name Fläche 2 → Alte Gärtnerei" in "\n".join(report.lines())
    assert store.check_integrity() == []
    # the same file again: the edited plots moved on, so their rows are stale
    stored = fingerprint(store)
    with pytest.raises(ImportRefusedError) as err:
        _update(store, path)
    problems = [(p.plot_id, p.code) for p in err.value.problems]
    assert problems == [(pid, "stale_version") for pid in ("U-1", "U-2", "U-3")]
    assert "3 of 5 rows are bad; nothing was stored" in str(err.value)
    assert "export it again" in str(err.value)
    assert fingerprint(store) == stored


@pytest.mark.parametrize("fmt", ["gpkg", "geojson", "csv"])
def test_an_unchanged_export_changes_nothing(store: Store, tmp_path: Path, fmt: str) -> None:
    """GeoPackage (EPSG:25832), GeoJSON (through EPSG:4326) and CSV (WKT to 1 mm)."""
    _register(store)
    path = tmp_path / f"register.{fmt}"
    export_plots(store, LANDPOOL, path)
    before = fingerprint(store)
    crs = "EPSG:25832" if fmt == "csv" else None
    report = _update(store, path, crs=crs)
    assert report.changed == [] and report.unchanged == IDS
    assert report.lines()[0].startswith(f"updated 0 plots from register.{fmt}")
    assert "5 unchanged" in report.lines()[0]
    assert fingerprint(store) == before  # no new version, no history row


def test_only_the_columns_present_are_changed(store: Store, tmp_path: Path) -> None:
    _register(store)
    csv = tmp_path / "contamination.csv"
    csv.write_text("plot_id,version,contamination\nU-4,1,confirmed\nU-5,1,\n")
    report = _update(store, csv)  # no WKT column: attributes only, no CRS needed
    assert report.source_crs == "none"
    assert [c.plot_id for c in report.changed] == ["U-4"] and report.unchanged == ["U-5"]
    plot = store.get(LANDPOOL, "U-4")
    assert plot.contamination == "confirmed" and plot.name == "Fläche 4"
    assert plot.geometry.equals(_square(4))


def test_an_empty_confidential_cell_keeps_the_flag(store: Store, tmp_path: Path) -> None:
    _register(store)
    csv = tmp_path / "flags.csv"
    csv.write_text("plot_id,version,confidential\nU-5,1,\nU-4,1,true\nU-1,2,false\n")
    report = _update(store, csv)
    assert [c.plot_id for c in report.changed] == ["U-4"]
    assert store.get(LANDPOOL, "U-5").confidential is True
    assert store.get(LANDPOOL, "U-4").confidential is True


def test_marking_a_published_plot_confidential_unpublishes_it(store: Store, tmp_path: Path) -> None:
    _register(store)
    csv = tmp_path / "secret.csv"
    csv.write_text("plot_id,version,confidential\nU-1,2,ja\n")
    [change] = _update(store, csv).changed
    assert change.changes == {"confidential": [False, True], "published": [True, False]}
    plot = store.get(LANDPOOL, "U-1")
    assert plot.confidential and not plot.published
    assert store.history(LANDPOOL, "U-1")[-1].visibility == "landpool"


def _moved(path: Path, store: Store, dx_m: float) -> None:
    frame = gpd.GeoDataFrame(
        {"plot_id": ["U-4"], "version": [1]},
        geometry=[shapely.affinity.translate(store.get(LANDPOOL, "U-4").geometry, dx_m)],
        crs=WORK_CRS,
    )
    frame.to_file(path)


def test_geometry_changes_count_beyond_the_tolerance(store: Store, tmp_path: Path) -> None:
    assert GEOMETRY_TOLERANCE_M == 0.01
    _register(store)
    within = tmp_path / "within.gpkg"
    _moved(within, store, 0.005)
    before = fingerprint(store)
    assert _update(store, within).unchanged == ["U-4"]
    assert fingerprint(store) == before
    beyond = tmp_path / "beyond.gpkg"
    _moved(beyond, store, 0.05)
    [change] = _update(store, beyond).changed
    assert change.changes["geometry"] == "changed" and change.version == 2
    assert store.get(LANDPOOL, "U-4").geometry.bounds[0] == pytest.approx(X0 + 400.05)


def test_every_bad_row_is_listed_and_nothing_is_stored(store: Store, tmp_path: Path) -> None:
    _register(store)
    csv = tmp_path / "bad.csv"
    rows = [
        "plot_id,version,status,contamination,name",
        "U-1,2,identified,none,ok",  # 1: good
        "NOPE-1,1,,none,x",  # 2: unknown plot
        "U-2,1,,none,x",  # 3: stale (U-2 is at 2)
        "U-3,1,,toxic,x",  # 4: bad value
        "U-1,2,,none,again",  # 5: plot_id twice
        "U-4,1,assessed,,x",  # 6: status change
        "U-5,,,,x",  # 7: no version
        "U-9,zwei,,,x",  # 8: bad version
        ",1,,,x",  # 9: no plot_id
        "U-3,9,,none,x",  # 10: U-3 twice, and a version from the future
    ]
    csv.write_text("\n".join(rows) + "\n")
    before = fingerprint(store)
    with pytest.raises(ImportRefusedError) as err:
        _update(store, csv)
    found = [(p.row, p.code) for p in err.value.problems]
    assert found == [
        (2, "unknown_plot_id"),
        (3, "stale_version"),
        (4, "unknown_value"),
        (5, "duplicate_plot_id"),
        (6, "status_change"),
        (7, "missing_version"),
        (8, "invalid_version"),
        (9, "missing_plot_id"),
        (10, "duplicate_plot_id"),
    ]
    text = str(err.value)
    assert "9 of 10 rows are bad; nothing was stored" in text
    assert "toxic" in text and "none, suspected" in text
    assert "plots set-status" in text and "also in row 4" in text
    assert fingerprint(store) == before
    assert store.check_integrity() == []


def test_a_stale_row_is_reported_with_its_bad_value(store: Store, tmp_path: Path) -> None:
    _register(store)
    csv = tmp_path / "both.csv"
    csv.write_text("plot_id,version,category\nU-2,1,castle\n")
    with pytest.raises(ImportRefusedError) as err:
        _update(store, csv)
    assert sorted(p.code for p in err.value.problems) == ["stale_version", "unknown_value"]


def test_geometry_problems_refuse_the_file(store: Store, tmp_path: Path) -> None:
    _register(store)
    path = tmp_path / "geoms.gpkg"
    bow = Polygon([(X0, Y0), (X0 + 30, Y0 + 30), (X0 + 30, Y0), (X0, Y0 + 10), (X0, Y0)])
    far = box(100000, 5000000, 100050, 5000050)
    gpd.GeoDataFrame(
        {"plot_id": ["U-3", "U-4"], "version": [1, 1]}, geometry=[bow, far], crs=WORK_CRS
    ).to_file(path)
    before = fingerprint(store)
    with pytest.raises(ImportRefusedError) as err:
        _update(store, path)
    assert [(p.row, p.code) for p in err.value.problems] == [
        (1, "invalid_geometry"),
        (2, "outside_extent"),
    ]
    assert fingerprint(store) == before


def test_file_level_refusals(store: Store, tmp_path: Path) -> None:
    _register(store)
    before = fingerprint(store)
    no_version = tmp_path / "nov.csv"
    no_version.write_text("plot_id,contamination\nU-1,none\n")
    with pytest.raises(InputError, match="no version column"):
        _update(store, no_version)
    no_id = tmp_path / "noid.csv"
    no_id.write_text("id,version,contamination\nU-1,2,none\n")
    with pytest.raises(InputError, match="no plot_id column"):
        _update(store, no_id)
    report = _update(store, no_id, field_map={"plot_id": "id"})  # mapped: fine
    assert [c.plot_id for c in report.changed] == ["U-1"]
    after_mapped = fingerprint(store)
    for reason in (None, "  "):
        with pytest.raises(InputError, match="needs a reason"):
            uc.import_plots(store, LANDPOOL, no_id, uc.ImportOptions(update=True, reason=reason))
    with pytest.raises(PermissionDeniedError):
        uc.import_plots(store, PLANNER, no_id, uc.ImportOptions(update=True, reason="x"))
    assert fingerprint(store) == after_mapped != before


def test_parse_version() -> None:
    assert parse_version(3) == parse_version("3") == parse_version(3.0) == 3
    import numpy as np  # a GeoPackage column reads as numpy integers

    assert parse_version(np.int64(7)) == 7
    for bad in (0, -1, 1.5, "1.5", "x", True, 2**31, "²"):
        with pytest.raises(InputError, match="not a plot version"):
            parse_version(bad)
    with pytest.raises(InputError, match="empty"):
        parse_version(" ")


def test_read_updates_stores_nothing_and_reports_ignored_columns(tmp_path: Path) -> None:
    csv = tmp_path / "x.csv"
    pd.DataFrame(
        {"plot_id": ["A"], "version": [1], "area_ha": [9], "published": ["true"], "colour": ["red"]}
    ).to_csv(csv, index=False)
    plan = read_updates(csv)
    assert [(u.plot_id, u.version, u.attributes) for u in plan.updates] == [("A", 1, {})]
    assert plan.ignored_columns == [
        "area_ha (derived: recomputed)",
        "colour",
        "published (an import is never published: use plots publish / unpublish)",
    ]
