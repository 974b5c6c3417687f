"""``stadtregion plots …`` run as a user runs it (a subprocess), on a private GeoPackage."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import LineString, box

from api.cli import main
from geo.settings import WORK_CRS, Settings, get_settings
from tests.geo.conftest import file_sha

X0, Y0 = 681000, 5645000


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run the installed console script, as a user does."""
    exe = Path(sys.executable).parent / "stadtregion"
    return subprocess.run(
        [str(exe), "plots", *args], capture_output=True, text=True, env=env, timeout=120
    )


@pytest.fixture
def cli(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Callable[..., subprocess.CompletedProcess[str]]]:
    """Run ``api.cli.main`` in this process (same code path as the script, 20× faster)."""
    for key, value in env.items():
        if key.startswith("STADTREGION_"):
            monkeypatch.setenv(key, value)

    def call(*args: str) -> subprocess.CompletedProcess[str]:
        get_settings.cache_clear()
        monkeypatch.setattr(sys, "argv", ["stadtregion", "plots", *args])
        code = 0
        try:
            main()
        except SystemExit as exc:
            code = int(exc.code or 0)
        out = capsys.readouterr()
        return subprocess.CompletedProcess(args, code, out.out, out.err)

    yield call
    get_settings.cache_clear()


@pytest.fixture
def env(settings: Settings, tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "STADTREGION_PROCESSED_DIR": str(settings.processed_dir),
        "STADTREGION_LANDPOOL_GPKG": str(tmp_path / "lp.gpkg"),
        "STADTREGION_DATABASE_URL": "",
        "STADTREGION_ROLE": "public",
    }


def _write(path: Path, geoms: list[object], ids: list[str], **cols: list[object]) -> Path:
    gpd.GeoDataFrame({"plot_id": ids, **cols}, geometry=geoms, crs=WORK_CRS).to_file(path)
    return path


def test_import_list_show_status_export(
    cli: Callable[..., subprocess.CompletedProcess[str]], tmp_path: Path
) -> None:
    run = cli
    src = _write(
        tmp_path / "in.gpkg",
        [box(X0, Y0, X0 + 100, Y0 + 100), box(X0 + 200, Y0, X0 + 300, Y0 + 100)],
        ["C-1", "C-2"],
        confidential=[False, True],
        category=["brownfield", "reserve"],
    )
    r = run("import", str(src))
    assert r.returncode == 1 and "needs the 'landpool' role" in r.stderr
    r = run("import", str(src), "--role", "landpool", "--user", "anna")
    assert r.returncode == 0, r.stderr
    assert "imported 2 plots" in r.stdout
    r = run("list")  # imported plots are internal until published
    assert r.returncode == 0 and "C-1" not in r.stdout and "0 plots" in r.stdout
    r = run("list", "--role", "planner")
    assert r.returncode == 0 and "C-1" in r.stdout and "C-2" not in r.stdout
    r = run("publish", "C-1", "--reason", "offer", "--role", "planner")
    assert r.returncode == 1 and "needs the 'landpool' role" in r.stderr
    r = run("publish", "C-2", "--reason", "offer", "--role", "landpool")
    assert r.returncode == 1 and "confidential" in r.stderr
    r = run(
        "publish", "C-1", "--reason", "Angebot im Forum", "--role", "landpool", "--user", "anna"
    )
    assert r.returncode == 0 and "C-1: published (version 2)" in r.stdout
    r = run("list")
    assert r.returncode == 0 and "C-1" in r.stdout and "C-2" not in r.stdout
    assert "1 plots" in r.stdout
    r = run("list", "--role", "landpool")
    assert "C-2" in r.stdout and "2 plots" in r.stdout
    r = run("show", "C-2")
    assert r.returncode == 2 and "plot 'C-2' not found" in r.stderr
    r = run(
        "set-status",
        "C-1",
        "assessed",
        "--role",
        "landpool",
        "--user",
        "anna",
        "--reason",
        "visited",
    )
    assert r.returncode == 0 and "C-1: assessed (version 3)" in r.stdout
    r = run("set-status", "C-1", "developed", "--role", "landpool")
    assert r.returncode == 1 and "not allowed" in r.stderr
    r = run("set-status", "C-1", "negotiating", "--version", "2", "--role", "landpool")
    assert r.returncode == 1 and "changed by someone else" in r.stderr
    r = run("show", "C-1", "--history")
    assert r.returncode == 0
    shown = json.loads(r.stdout)
    assert shown["properties"]["area_ha"] == 1.0
    # public: only rows written while the plot was public, without actor or reason
    assert [(h["event"], h["to_status"]) for h in shown["history"]] == [
        ("published", "identified"),
        ("status", "assessed"),
    ]
    assert "anna" not in r.stdout and "visited" not in r.stdout and "created_by" not in r.stdout
    r = run("show", "C-1", "--history", "--role", "landpool")
    assert [h["actor"] for h in json.loads(r.stdout)["history"]] == ["anna"] * 3
    out = tmp_path / "public.geojson"
    r = run("export", str(out))
    assert r.returncode == 0 and "wrote 1 plots" in r.stdout
    assert [f["id"] for f in json.loads(out.read_text())["features"]] == ["C-1"]
    r = run("export", str(tmp_path / "all.csv"), "--role", "landpool")
    assert "wrote 2 plots" in r.stdout


def test_bad_file_is_refused_whole_and_store_unchanged(
    cli: Callable[..., subprocess.CompletedProcess[str]], env: dict[str, str], tmp_path: Path
) -> None:
    good = _write(tmp_path / "good.gpkg", [box(X0, Y0, X0 + 50, Y0 + 50)], ["G-1"])
    assert cli("import", str(good), "--role", "landpool").returncode == 0
    store_file = Path(env["STADTREGION_LANDPOOL_GPKG"])
    before = file_sha(store_file)
    bad = _write(
        tmp_path / "bad.gpkg",
        [box(X0, Y0, X0 + 50, Y0 + 50), LineString([(X0, Y0), (X0 + 9, Y0 + 9)])],
        ["B-1", "B-2"],
        Kategorie=["brownfield", "castle"],
    )
    # the installed console script, as a user runs it
    r = run(env, "import", str(bad), "--role", "landpool", "--field", "category=Kategorie")
    assert r.returncode == 2
    assert "1 of 2 rows are bad; nothing was stored" in r.stderr
    assert "row 2 (plot_id 'B-2'): not_polygon" in r.stderr
    assert "row 2 (plot_id 'B-2'): unknown_value: category: 'castle'" in r.stderr
    assert file_sha(store_file) == before
    csv = tmp_path / "x.csv"
    csv.write_text(f'plot_id,wkt\nW-1,"{box(X0, Y0, X0 + 50, Y0 + 50).wkt}"\n')
    r = cli("import", str(csv), "--role", "landpool")
    assert r.returncode == 2 and "--crs" in r.stderr
    assert file_sha(store_file) == before
    r = cli("import", str(csv), "--role", "landpool", "--crs", "EPSG:25832")
    assert r.returncode == 0, r.stderr


def test_verify_history_finds_a_rewrite_made_with_sqlite3(
    cli: Callable[..., subprocess.CompletedProcess[str]], env: dict[str, str], tmp_path: Path
) -> None:
    import sqlite3

    src = _write(tmp_path / "in.gpkg", [box(X0, Y0, X0 + 50, Y0 + 50)], ["V-1"])
    assert cli("import", str(src), "--role", "landpool", "--user", "anna").returncode == 0
    r = cli("publish", "V-1", "--reason", "Forum", "--role", "landpool", "--user", "anna")
    assert r.returncode == 0, r.stderr
    r = cli("verify-history")
    assert r.returncode == 0 and "history: 2 rows" in r.stdout and "intact" in r.stdout
    head = r.stdout.split("head 2: ")[1].split()[0]
    conn = sqlite3.connect(env["STADTREGION_LANDPOOL_GPKG"])
    with conn:
        refused = "REPLACE INTO plot_history SELECT * FROM plot_history WHERE id = 1"
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute(refused)
        conn.execute("DROP TRIGGER plot_history_no_update")
        conn.execute("UPDATE plot_history SET actor = 'mallory' WHERE id = 1")
    conn.close()
    r = cli("verify-history", "--expect-head", head)
    assert r.returncode == 1
    assert "history row 1 (plot V-1): hash does not match" in r.stderr
    assert r.stderr.strip().splitlines()[-1].startswith("error: 1 problems")
