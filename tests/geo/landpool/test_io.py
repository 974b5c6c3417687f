"""Import and export of plots; all-or-nothing import on both backends."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest
import shapely
import shapely.affinity
import shapely.geometry
from shapely.geometry import LineString, Point, Polygon, box

from geo.errors import CRSError, ImportRefusedError, InputError, PermissionDeniedError
from geo.landpool.io import (
    demo_plots,
    export_plots,
    import_plots,
    parse_field_map,
    read_plots,
    seed_demo,
)
from geo.landpool.plots import Viewer
from geo.landpool.store import Store
from geo.settings import PROJECT_ROOT, WORK_CRS, Settings
from tests.geo.conftest import LANDPOOL, PUBLIC, file_sha, fingerprint

PLANNER = Viewer("planner", "pat")

X0, Y0 = 681000, 5645000


def _square(i: int, size: float = 50.0) -> Polygon:
    return box(X0 + i * 100, Y0, X0 + i * 100 + size, Y0 + size)


def _frame(rows: list[dict[str, Any]], crs: str | None = WORK_CRS) -> gpd.GeoDataFrame:
    geoms = [r.pop("geometry") for r in rows]
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry=geoms, crs=crs)


def _good(i: int, **extra: Any) -> dict[str, Any]:
    return {
        "plot_id": f"P-{i}",
        "name": f"Plot {i}",
        "category": "brownfield",
        "geometry": _square(i),
        **extra,
    }


def _geojson(path: Path, rows: list[dict[str, Any]]) -> Path:
    """Write a GeoJSON in EPSG:4326 (RFC 7946) with the given properties."""
    frame = _frame(rows).to_crs("EPSG:4326")
    features = []
    for _, row in frame.iterrows():
        props = {k: v for k, v in row.items() if k != "geometry"}
        geom = row.geometry
        features.append(
            {
                "type": "Feature",
                "properties": props,
                "geometry": shapely.geometry.mapping(geom)
                if isinstance(geom, shapely.Geometry)
                else None,
            }
        )
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


# -- refused imports: each bad case, on both backends -------------------------------------
BAD_ROWS: dict[str, dict[str, Any]] = {
    "invalid_geometry": {
        "geometry": Polygon([(X0, Y0), (X0 + 30, Y0 + 30), (X0 + 30, Y0), (X0, Y0 + 10), (X0, Y0)])
    },
    "empty_geometry": {"geometry": None},
    "not_polygon": {"geometry": LineString([(X0, Y0), (X0 + 50, Y0 + 50)])},
    "unknown_value": {"category": "castle"},
    "zero_area": {"geometry": Polygon([(X0, Y0), (X0 + 10, Y0), (X0 + 20, Y0), (X0, Y0)])},
    "missing_plot_id": {"plot_id": ""},
}


@pytest.mark.parametrize("code", sorted(BAD_ROWS))
def test_a_file_with_one_bad_row_is_refused_whole(store: Store, tmp_path: Path, code: str) -> None:
    _existing = store.create(LANDPOOL, {"name": "there before"}, _square(50), plot_id="OLD-1")
    rows = [_good(1), {**_good(2), **BAD_ROWS[code]}, _good(3)]
    path = _geojson(tmp_path / "in.geojson", rows)
    db_file = Path(store.url.removeprefix("gpkg:///")) if store.backend == "geopackage" else None
    before, file_before = fingerprint(store), file_sha(path)
    db_before = file_sha(db_file) if db_file else None
    with pytest.raises(ImportRefusedError) as err:
        import_plots(store, LANDPOOL, path)
    assert [(p.row, p.code) for p in err.value.problems] == [(2, code)]
    assert "nothing was stored" in str(err.value) and "row 2" in str(err.value)
    assert fingerprint(store) == before  # row counts and every stored value
    assert file_sha(path) == file_before  # the import file is untouched
    if db_file:
        assert file_sha(db_file) == db_before  # the GeoPackage file, byte for byte
    assert store.check_integrity() == []


def test_duplicate_plot_ids_in_the_file_and_in_the_register(store: Store, tmp_path: Path) -> None:
    store.create(LANDPOOL, {}, _square(50), plot_id="P-9")
    rows = [_good(1), _good(2), {**_good(3), "plot_id": "P-1"}, _good(9)]
    path = _geojson(tmp_path / "dup.geojson", rows)
    before = fingerprint(store)
    with pytest.raises(ImportRefusedError) as err:
        import_plots(store, LANDPOOL, path)
    problems = [(p.row, p.plot_id, p.code) for p in err.value.problems]
    assert problems == [(3, "P-1", "duplicate_plot_id"), (4, "P-9", "duplicate_plot_id")]
    assert "also used in row 1" in str(err.value)
    assert "already in the register" in str(err.value)
    assert fingerprint(store) == before


def test_the_report_lists_every_bad_row(tmp_path: Path) -> None:
    rows = [{**_good(i), **BAD_ROWS[code]} for i, code in enumerate(sorted(BAD_ROWS))]
    rows.append(_good(99))
    with pytest.raises(ImportRefusedError) as err:
        read_plots(_geojson(tmp_path / "many.geojson", rows))
    assert sorted(p.code for p in err.value.problems) == sorted(BAD_ROWS)
    assert f"{len(BAD_ROWS)} of {len(rows)} rows are bad" in str(err.value)


def test_repair_only_when_asked_and_reported(store: Store, tmp_path: Path) -> None:
    path = _geojson(
        tmp_path / "bow.geojson", [_good(1), {**_good(2), **BAD_ROWS["invalid_geometry"]}]
    )
    with pytest.raises(ImportRefusedError):
        import_plots(store, LANDPOOL, path)
    report = import_plots(store, LANDPOOL, path, repair=True)
    assert report.stored == 2
    [repaired] = report.repaired
    assert repaired.row == 2 and "Self-intersection" in repaired.message
    assert store.get(LANDPOOL, "P-2").geometry.is_valid
    [created] = store.history(LANDPOOL, "P-2")
    assert "repaired" in json.dumps(created.changes)
    assert created.reason == "imported from bow.geojson"


def test_public_callers_cannot_import(store: Store, tmp_path: Path) -> None:
    path = _geojson(tmp_path / "ok.geojson", [_good(1)])
    with pytest.raises(PermissionDeniedError):
        import_plots(store, PUBLIC, path)
    assert store.count(LANDPOOL) == 0


def test_imported_plots_are_internal_and_an_imported_status_is_explained(
    store: Store, tmp_path: Path
) -> None:
    path = _geojson(
        tmp_path / "in.geojson",
        [
            _good(1, status="identified", published=True),
            _good(2, status="negotiating", published=True),
        ],
    )
    report = import_plots(store, LANDPOOL, path)
    assert any("never published" in c for c in report.ignored_columns)
    assert store.count(PUBLIC) == 0 and store.count(PLANNER) == 2
    [created] = store.history(LANDPOOL, "P-2")
    assert created.to_status == "negotiating"
    assert created.reason == "imported from in.geojson; status negotiating as given in the file"
    assert store.history(LANDPOOL, "P-1")[0].reason == "imported from in.geojson"


# -- formats, CRS, field mapping ---------------------------------------------------------
def test_geojson_in_wgs84_is_reprojected_and_area_derived(tmp_path: Path) -> None:
    plan = read_plots(_geojson(tmp_path / "a.geojson", [_good(1, area_ha=999)]))
    [plot] = plan.plots
    assert plan.source_crs == "EPSG:4326"
    assert plot.geometry.area == pytest.approx(2500.0, rel=1e-6)
    assert plot.attributes["category"] == "brownfield"
    assert "area_ha (derived: recomputed)" in plan.ignored_columns


def test_geopackage_with_field_mapping(tmp_path: Path) -> None:
    frame = _frame(
        [
            {
                "ID": "G-1",
                "Bezeichnung": "Alter Güterbahnhof",
                "Art": "brownfield",
                "Eigentum": "federal",
                "geometry": _square(1),
            }
        ]
    )
    frame = frame.to_crs("EPSG:3857")
    frame.to_file(tmp_path / "in.gpkg", layer="flaechen", driver="GPKG")
    mapping = parse_field_map(
        ["plot_id=ID", "name=Bezeichnung", "category=Art", "owner_type=Eigentum"]
    )
    plan = read_plots(tmp_path / "in.gpkg", field_map=mapping)
    [plot] = plan.plots
    assert plot.plot_id == "G-1" and plot.attributes["owner_type"] == "federal"
    assert plot.geometry.area == pytest.approx(2500.0, rel=1e-6)
    with pytest.raises(InputError, match="columns the file does not have: NAME"):
        read_plots(tmp_path / "in.gpkg", field_map={"name": "NAME"})
    with pytest.raises(InputError, match="unknown plot attributes size"):
        read_plots(tmp_path / "in.gpkg", field_map={"size": "ID"})
    with pytest.raises(InputError, match="plot_attribute=file_column"):
        parse_field_map(["name"])


def _zip_shapefile(tmp_path: Path, with_prj: bool) -> Path:
    shp_dir = tmp_path / ("shp_prj" if with_prj else "shp_noprj")
    shp_dir.mkdir()
    _frame([_good(1), _good(2)]).to_file(shp_dir / "plots.shp")
    if not with_prj:
        (shp_dir / "plots.prj").unlink()
    out = tmp_path / f"{shp_dir.name}.zip"
    with zipfile.ZipFile(out, "w") as zf:
        for part in shp_dir.iterdir():
            zf.write(part, part.name)
    return out


def test_zipped_shapefile_needs_a_crs(tmp_path: Path) -> None:
    plan = read_plots(_zip_shapefile(tmp_path, with_prj=True))
    assert [p.plot_id for p in plan.plots] == ["P-1", "P-2"]
    no_prj = _zip_shapefile(tmp_path, with_prj=False)
    with pytest.raises(CRSError, match="does not say its CRS; give it with --crs"):
        read_plots(no_prj)
    assert len(read_plots(no_prj, crs="EPSG:25832").plots) == 2


def test_csv_with_wkt(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    pd.DataFrame(
        {
            "plot_id": ["C-1", "C-2", "C-3", "C-4"],
            "wkt": [_square(1).wkt, "POLYGON EMPTY", "POLYGON ((1 2, oops", Point(X0, Y0).wkt],
            "status": ["assessed", "", "", ""],
        }
    ).to_csv(path, index=False)
    with pytest.raises(CRSError):
        read_plots(path)
    with pytest.raises(CRSError, match="not a CRS pyproj knows"):
        read_plots(path, crs="EPSG:nonsense")
    with pytest.raises(ImportRefusedError) as err:
        read_plots(path, crs="EPSG:25832")
    assert [(p.row, p.code) for p in err.value.problems] == [
        (2, "empty_geometry"),
        (3, "invalid_geometry"),
        (4, "not_polygon"),
    ]
    path.write_text(path.read_text().splitlines()[0] + "\n" + path.read_text().splitlines()[1])
    [plot] = read_plots(path, crs="EPSG:25832").plots
    assert plot.status == "assessed"


def test_file_crs_and_given_crs_must_agree(tmp_path: Path) -> None:
    path = _geojson(tmp_path / "a.geojson", [_good(1)])
    with pytest.raises(CRSError, match="says its CRS is EPSG:4326"):
        read_plots(path, crs="EPSG:25832")


def test_unsupported_or_missing_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        read_plots(tmp_path / "nope.geojson")
    (tmp_path / "x.txt").write_text("hello")
    with pytest.raises(InputError, match=r"cannot import x\.txt"):
        read_plots(tmp_path / "x.txt")


# -- export ------------------------------------------------------------------------------
def test_export_round_trips_and_hides_confidential_plots(store: Store, tmp_path: Path) -> None:
    store.create(
        LANDPOOL, {"name": "open", "source": "OpenStreetMap way/1"}, _square(1), plot_id="E-1"
    )
    store.publish(LANDPOOL, "E-1", reason="offered")
    store.update(LANDPOOL, "E-1", expected_version=2, values={"notes": "intern: 80 EUR/m2"})
    store.create(LANDPOOL, {"name": "secret", "confidential": True}, _square(2), plot_id="E-2")
    store.create(LANDPOOL, {"name": "internal"}, _square(3), plot_id="E-3")
    for fmt in ("gpkg", "geojson", "csv"):
        public = tmp_path / f"public.{fmt}"
        assert export_plots(store, PUBLIC, public, fmt) == 1
        planner = tmp_path / f"planner.{fmt}"
        assert export_plots(store, PLANNER, planner, fmt) == 2
        full = tmp_path / f"full.{fmt}"
        assert export_plots(store, LANDPOOL, full) == 3
        text = public.read_bytes()
        assert b"E-2" not in text and b"secret" not in text and b"E-3" not in text
        for out in (text, planner.read_bytes()):
            # no internal notes, no staff names, in any export a public or planner reaches
            assert b"80 EUR" not in out and LANDPOOL.name.encode() not in out
            assert b"notes" not in out and b"created_by" not in out
        assert b"80 EUR" in full.read_bytes()
        assert b"OpenStreetMap contributors" in (text if fmt != "gpkg" else full.read_bytes())
        plan = read_plots(full, crs="EPSG:25832" if fmt == "csv" else None)
        assert sorted(p.plot_id for p in plan.plots) == ["E-1", "E-2", "E-3"]
        areas = {p.plot_id: p.geometry.area for p in plan.plots}
        assert areas["E-1"] == pytest.approx(2500.0, rel=1e-6)
    doc = json.loads((tmp_path / "public.geojson").read_text())
    assert doc["attribution"] == ["© OpenStreetMap contributors, ODbL"]
    assert doc["features"][0]["id"] == "E-1"
    with pytest.raises(InputError, match="not supported"):
        export_plots(store, PUBLIC, tmp_path / "x.kml")


# -- demo --------------------------------------------------------------------------------
def test_demo_plots_are_the_real_osm_landuse_polygons(tmp_path: Path) -> None:
    settings = Settings()
    plots = demo_plots(settings.data_dir)
    osm = gpd.read_file(settings.data_dir / "jena_landuse_osm2014.geojson")
    wanted = osm[osm["landuse"].isin(["brownfield", "greenfield", "industrial", "commercial"])]
    assert len(plots) == len(wanted) == 62
    by_id = {p.plot_id: p for p in plots}
    brown = by_id["OSM-W295587478"]
    assert brown.attributes["category"] == "brownfield"
    assert brown.attributes["name"] == "unbebaute Abbruchfläche"
    for p in plots:
        assert p.attributes["owner_type"] == "unknown"
        assert p.attributes["contamination"] == "unknown"
        assert p.attributes["planning_status"] == "unknown"
        assert p.attributes["source"].startswith("OpenStreetMap ")
    real_area = wanted.to_crs(WORK_CRS).area.sum()
    assert sum(p.geometry.area for p in plots) == pytest.approx(real_area, rel=1e-6)
    with Store(f"gpkg:///{tmp_path / 'demo.gpkg'}") as store:
        assert seed_demo(store, LANDPOOL, settings.data_dir) == 62
        assert seed_demo(store, LANDPOOL, settings.data_dir) == 0
        assert store.count(PUBLIC) == 62


# -- a process killed in the middle of an import -----------------------------------------
KILL_SCRIPT = """
import sys, time
from pathlib import Path
from geo.landpool.plots import Viewer
from geo.landpool.io import import_plots
from geo.landpool.store import Store

def progress(done, total):
    print(f"progress {done} {total}", flush=True)
    time.sleep(120)  # stay inside the open transaction until the test kills us

with Store(sys.argv[1]) as store:
    import_plots(store, Viewer("landpool", "killed"), Path(sys.argv[2]), on_progress=progress)
print("finished", flush=True)
"""


def test_a_process_killed_mid_import_leaves_the_store_consistent(
    store_url: str, tmp_path: Path
) -> None:
    n = 2000  # four batches: the kill comes after the first batch is written
    frame = _frame(
        [
            {
                "plot_id": f"K-{i}",
                "geometry": box(
                    X0 + (i % 100) * 60,
                    Y0 + (i // 100) * 60,
                    X0 + (i % 100) * 60 + 50,
                    Y0 + (i // 100) * 60 + 50,
                ),
            }
            for i in range(n)
        ]
    )
    path = tmp_path / "big.gpkg"
    frame.to_file(path, driver="GPKG")
    with Store(store_url) as store:
        store.create(LANDPOOL, {"name": "before"}, _square(500), plot_id="KEEP-1")
        before = fingerprint(store)
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-c", KILL_SCRIPT, store_url, str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        assert line.startswith("progress 500 2000"), (
            line,
            proc.stderr.read() if proc.stderr else "",
        )
        if store_url.startswith("gpkg:///"):
            # the first batch is in the file, uncommitted: SQLite keeps a hot journal
            assert Path(store_url.removeprefix("gpkg:///") + "-journal").exists()
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    with Store(store_url) as store:
        assert fingerprint(store) == before
        assert store.check_integrity() == []
        assert store.count(LANDPOOL) == 1
        # and the store still takes the import whole
        report = import_plots(store, LANDPOOL, path)
        assert report.stored == n and store.count(LANDPOOL) == n + 1
        assert store.check_integrity() == []


def test_import_refuses_rows_outside_the_region_extent(tmp_path: Path) -> None:
    """The strict geometry check of geo/validate.py also guards imports (issue 20)."""
    far = _good(2)
    far["geometry"] = shapely.affinity.translate(_square(2), 300_000, 0)  # ~ east of Dresden
    path = _geojson(tmp_path / "far.geojson", [_good(1), far])
    with pytest.raises(ImportRefusedError) as err:
        read_plots(path)
    problems = [(p.row, p.code) for p in err.value.problems]
    assert problems == [(2, "outside_extent")]
    assert "STADTREGION_ALLOW_OUTSIDE_EXTENT" in err.value.problems[0].message
    allowed = Settings(allow_outside_extent=True)
    assert len(read_plots(path, settings=allowed).plots) == 2
