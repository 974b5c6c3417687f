"""``stadtregion screen`` run in-process (same code path as the console script)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from api.cli import main
from geo.settings import WORK_CRS, Settings, get_settings

X0, Y0 = 681_000, 5_645_000  # in Jena, inside the SRTM tile

Runner = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def cli(
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Iterator[Runner]:
    env = {
        "STADTREGION_PROCESSED_DIR": str(settings.processed_dir),
        "STADTREGION_LANDPOOL_GPKG": str(tmp_path / "lp.gpkg"),
        "STADTREGION_DATABASE_URL": "",
        "STADTREGION_ROLE": "public",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)

    def call(*args: str) -> subprocess.CompletedProcess[str]:
        get_settings.cache_clear()
        monkeypatch.setattr(sys, "argv", ["stadtregion", *args])
        code = 0
        try:
            main()
        except SystemExit as exc:
            code = int(exc.code or 0)
        out = capsys.readouterr()
        return subprocess.CompletedProcess(args, code, out.out, out.err)

    yield call
    get_settings.cache_clear()


def _plots(path: Path) -> Path:
    gpd.GeoDataFrame(
        {
            "plot_id": ["P-1", "P-2", "P-3"],
            "owner_type": ["city", "private", "city"],
            "planning_status": ["bplan_in_force", "s34", "s35"],
            "contamination": ["none", "confirmed", "none"],
            "status": ["identified", "identified", "withdrawn"],
            "confidential": [False, False, True],
        },
        geometry=[
            box(X0, Y0, X0 + 200, Y0 + 100),
            box(X0 + 400, Y0, X0 + 600, Y0 + 100),
            box(X0 + 800, Y0, X0 + 900, Y0 + 100),
        ],
        crs=WORK_CRS,
    ).to_file(path)
    return path


def test_screen_a_plot_file_with_flood_zones(cli: Runner, tmp_path: Path) -> None:
    plots = _plots(tmp_path / "plots.gpkg")
    flood = tmp_path / "hq100.geojson"
    # covers the west half of P-1
    gpd.GeoDataFrame(geometry=[box(X0 - 50, Y0 - 50, X0 + 100, Y0 + 150)], crs=WORK_CRS).to_file(
        flood
    )
    out = tmp_path / "result.csv"
    r = cli(
        "screen",
        "--profile",
        "housing",
        "--plots",
        str(plots),
        "--flood",
        str(flood),
        "--out",
        str(out),
        "--role",
        "landpool",
    )
    assert r.returncode == 0, r.stderr
    table = pd.read_csv(out).set_index("plot_id")
    assert table.loc["P-1", "flood_share"] == pytest.approx(0.5)
    assert table.loc["P-1", "pass_max_flood_share"] == "fail"
    # German by default: words, numbers and the failed criterion first
    assert table.loc["P-1", "reasons"].startswith("Anteil HQ100 50,0 % > max. 1,0 %")
    assert (
        table.loc["P-1", "outcome"] == "fails" and table.loc["P-1", "outcome_label"] == "ungeeignet"
    )
    assert table.loc["P-2", "pass_exclude_contamination"] == "fail"
    assert table.loc["P-3", "pass_statuses"] == "fail"
    assert "wkt" in table.columns and "OpenStreetMap" in table["attribution"].iloc[0]
    assert "Profil housing: 0 geeignet, 0 offen, 3 ungeeignet (3 Flächen)" in r.stdout
    header = r.stdout.splitlines()[0].split()
    assert header[:4] == ["Rang", "ID", "Name", "Gemeinde"] and "Ergebnis" in header
    assert "Score" in header and "Fläche" in header


def test_screen_hides_confidential_plots_from_other_roles(cli: Runner, tmp_path: Path) -> None:
    plots = _plots(tmp_path / "plots.gpkg")
    out = tmp_path / "result.geojson"
    r = cli("screen", "--profile", "commerce", "--plots", str(plots), "--out", str(out))
    assert r.returncode == 0, r.stderr
    doc = json.loads(out.read_text())
    ids = [f["properties"]["plot_id"] for f in doc["features"]]
    assert sorted(ids) == ["P-1", "P-2"]
    assert doc["profile"] == "commerce" and doc["attribution"]
    props = doc["features"][0]["properties"]
    assert props["flood_share"] is None  # no flood layer: unknown, not 0
    assert "no flood-zone layer" in props["derive_notes"]


def test_screen_the_register(cli: Runner, tmp_path: Path) -> None:
    plots = _plots(tmp_path / "plots.gpkg")
    r = cli("plots", "import", str(plots), "--role", "landpool", "--user", "anna")
    assert r.returncode == 0, r.stderr
    r = cli("screen", "--profile", "quick_wins")  # imported plots are not published yet
    assert r.returncode == 0 and "none visible to this role" in r.stdout
    r = cli("screen", "--profile", "quick_wins", "--role", "planner")
    assert r.returncode == 0, r.stderr
    assert "(2 Flächen)" in r.stdout and "P-3" not in r.stdout
    r = cli("screen", "--profile", "quick_wins", "--role", "landpool", "--lang", "en")
    assert "(3 plots)" in r.stdout and "P-3" in r.stdout
    # P-1 (city, B-Plan, clean) is open: no flood layer, current use unknown; said in English
    line = next(x for x in r.stdout.splitlines() if "P-1" in x)
    assert " open " in line and "no HQ100 layer loaded" in line
    assert r.stdout.splitlines()[0].split()[:4] == ["rank", "ID", "name", "municipality"]
    assert "profile quick_wins: 0 passes, 1 open, 2 fails (3 plots)" in r.stdout
    r = cli("screen", "--profile", "quick_wins", "--lang", "fr")
    assert r.returncode == 2 and r.stderr.strip() == "error: lang must be one of de, en, not 'fr'."


def test_screen_bad_profile_is_one_line(cli: Runner, tmp_path: Path) -> None:
    bad = tmp_path / "p.yaml"
    bad.write_text("name: p\nfilters:\n  max_slope: 5\n")
    r = cli("screen", "--profile", str(bad), "--plots", str(_plots(tmp_path / "x.gpkg")))
    assert r.returncode == 2
    assert r.stderr.strip() == "error: p.yaml: filters.max_slope: unknown key (check the spelling)"
    r = cli("screen", "--profile", "villas")
    assert r.returncode == 2
    assert "no profile 'villas'; choose one of commerce, housing, quick_wins" in r.stderr
