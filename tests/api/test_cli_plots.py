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


# -- plots edit ------------------------------------------------------------------------------
def test_edit_prints_old_to_new_and_the_new_version(
    cli: Callable[..., subprocess.CompletedProcess[str]], env: dict[str, str], tmp_path: Path
) -> None:
    src = _write(tmp_path / "in.gpkg", [box(X0, Y0, X0 + 100, Y0 + 100)], ["E-1"])
    assert cli("import", str(src), "--role", "landpool", "--user", "anna").returncode == 0
    r = cli(
        "edit",
        "E-1",
        "--set",
        "owner_type=city",
        "--set",
        "contamination=suspected",
        "--reason",
        "Grundbuchauszug 2024",
        "--role",
        "landpool",
        "--user",
        "anna",
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == (
        "E-1: owner_type unknown → city; contamination unknown → suspected (version 2)"
    )
    r = cli("edit", "E-1", "--set", "owner_type=city", "--role", "landpool")
    assert r.returncode == 0 and r.stdout.strip() == "E-1: nothing changed (version 2)"
    # lenient like a file import: case, '-' and spaces do not matter; empty is unknown
    r = cli(
        "edit",
        "E-1",
        "--set",
        "planning_status=BPlan-in-Force",
        "--set",
        "contamination=",
        "--version",
        "2",
        "--role",
        "landpool",
    )
    assert r.returncode == 0, r.stderr
    assert "planning_status unknown → bplan_in_force" in r.stdout
    assert "contamination suspected → unknown" in r.stdout and "(version 3)" in r.stdout
    r = cli("show", "E-1", "--history", "--role", "landpool")
    rows = json.loads(r.stdout)["history"]
    assert [(h["event"], h["actor"], h["reason"]) for h in rows] == [
        ("created", "anna", "imported from in.gpkg"),
        ("updated", "anna", "Grundbuchauszug 2024"),
        ("updated", rows[2]["actor"], None),
    ]


#: Bad ``plots edit`` calls: arguments after ``edit E-1``, exit code, words of the one line.
BAD_EDITS: list[tuple[list[str], int, list[str]]] = [
    (["--set", "colour=red"], 2, ["colour", "editable are name, address"]),
    (["--set", "owner_type=castle"], 2, ["owner_type: 'castle'", "city, municipal_company"]),
    (["--set", "confidential=vielleicht"], 2, ["confidential", "true or false"]),
    (["--set", "status=assessed"], 2, ["plots set-status"]),
    (["--set", "area_ha=3"], 2, ["area_ha (read-only"]),
    (["--set", "owner_type"], 2, ["write field=value"]),
    (["--set", "name=a", "--set", "name=b"], 2, ["name is given twice"]),
    ([], 2, ["give at least one --set"]),
    (["--set", "notes=x", "--version", "7"], 1, ["changed by someone else since version 7"]),
    (["--set", "notes=x", "--version", "0"], 2, ["--version"]),
    (["--set", "notes=x", "--role", "planner"], 1, ["needs the 'landpool' role"]),
]


@pytest.mark.parametrize(("args", "code", "words"), BAD_EDITS, ids=lambda v: str(v)[:40])
def test_a_bad_edit_prints_one_line_and_stores_nothing(
    cli: Callable[..., subprocess.CompletedProcess[str]],
    env: dict[str, str],
    tmp_path: Path,
    args: list[str],
    code: int,
    words: list[str],
) -> None:
    src = _write(tmp_path / "in.gpkg", [box(X0, Y0, X0 + 100, Y0 + 100)], ["E-1"])
    assert cli("import", str(src), "--role", "landpool").returncode == 0
    store_file = Path(env["STADTREGION_LANDPOOL_GPKG"])
    before = file_sha(store_file)
    role = [] if "--role" in args else ["--role", "landpool"]
    r = cli("edit", "E-1", *args, *role)
    assert r.returncode == code, (r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), r.stderr
    for word in words:
        assert word in lines[0], (word, lines[0])
    assert r.stdout == ""
    assert file_sha(store_file) == before


def test_edit_of_an_unknown_plot(cli: Callable[..., subprocess.CompletedProcess[str]]) -> None:
    r = cli("edit", "NOPE-1", "--set", "notes=x", "--role", "landpool")
    assert r.returncode == 2 and r.stderr.strip() == "error: plot 'NOPE-1' not found."


# -- plots import --update: the QGIS round trip ----------------------------------------------
def test_import_update_round_trips_an_edited_export(
    cli: Callable[..., subprocess.CompletedProcess[str]], env: dict[str, str], tmp_path: Path
) -> None:
    squares = [box(X0 + i * 200, Y0, X0 + i * 200 + 100, Y0 + 100) for i in range(4)]
    src = _write(tmp_path / "in.gpkg", squares, ["Q-1", "Q-2", "Q-3", "Q-4"])
    assert cli("import", str(src), "--role", "landpool").returncode == 0
    export = tmp_path / "register.gpkg"
    assert "wrote 4 plots" in cli("export", str(export), "--role", "landpool").stdout
    # the same export imported again as new plots is refused, and says what to do
    r = cli("import", str(export), "--role", "landpool")
    assert r.returncode == 2 and "4 of 4 rows are bad" in r.stderr
    assert "import the file with --update" in r.stderr
    # an unchanged export changes nothing
    store_file = Path(env["STADTREGION_LANDPOOL_GPKG"])
    before = file_sha(store_file)
    r = cli("import", str(export), "--update", "--reason", "Abgleich", "--role", "landpool")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0] == (
        "updated 0 plots from register.gpkg (CRS EPSG:25832); 4 unchanged"
    )
    # edited as QGIS does: same file and layer, fid and columns kept
    frame = gpd.read_file(export, layer="plots", fid_as_index=True)
    frame.loc[frame["plot_id"] == "Q-2", "contamination"] = "confirmed"
    frame.loc[frame["plot_id"] == "Q-4", "geometry"] = gpd.GeoSeries(
        [box(X0 + 600, Y0, X0 + 700, Y0 + 150)], crs=WORK_CRS
    ).values
    frame.to_file(export, layer="plots", driver="GPKG", index=True)
    r = cli("import", str(export), "--update", "--role", "landpool")
    assert r.returncode == 2 and "needs --reason" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    # the installed console script, as a user runs it
    r = run(
        env,
        "import",
        str(export),
        "--update",
        "--reason",
        "QGIS",
        "--role",
        "landpool",
        "--user",
        "anna",
    )
    assert r.returncode == 0, r.stderr
    out = r.stdout.splitlines()
    assert out[0] == "updated 2 plots from register.gpkg (CRS EPSG:25832); 2 unchanged"
    assert out[1] == "  Q-2 (version 2): contamination unknown → confirmed"
    assert out[2] == "  Q-4 (version 2): geometry changed; area_ha 1.0 → 1.5"
    rows = json.loads(cli("show", "Q-4", "--history", "--role", "landpool").stdout)["history"]
    assert rows[-1]["reason"] == "QGIS (update import from register.gpkg)"
    assert rows[-1]["actor"] == "anna"
    # the same file again: refused as stale, each edited row listed, nothing stored
    after = file_sha(store_file)
    assert after != before
    r = cli("import", str(export), "--update", "--reason", "QGIS", "--role", "landpool")
    assert r.returncode == 2
    assert "2 of 4 rows are bad; nothing was stored" in r.stderr
    assert "row 2 (plot_id 'Q-2'): stale_version" in r.stderr
    assert "row 4 (plot_id 'Q-4'): stale_version" in r.stderr
    assert file_sha(store_file) == after
    assert "intact" in cli("verify-history").stdout
