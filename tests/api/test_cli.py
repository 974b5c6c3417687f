"""The ``stadtregion`` command line, run as a user runs it (a subprocess)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from geo.settings import Settings


def run(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "STADTREGION_PROCESSED_DIR": str(settings.processed_dir)}
    exe = Path(sys.executable).parent / "stadtregion"
    return subprocess.run([str(exe), *args], capture_output=True, text=True, env=env, timeout=120)


def test_table_within_km(settings: Settings) -> None:
    r = run(settings, "municipalities", "--within-km", "40", "--of", "Jena")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    header = lines[0].split()
    for col in (
        "name",
        "ags",
        "district",
        "population_2013",
        "population_2018",
        "change_pct",
        "change_pct_per_year",
        "trend_class",
        "dist_km",
    ):
        assert col in header
    assert lines[1].split()[0] == "Jena"
    assert any("GeoBasis-DE" in line for line in lines[-4:])


def test_csv_and_district(settings: Settings) -> None:
    r = run(settings, "municipalities", "--district", "Saale-Holzland-Kreis", "--format", "csv")
    assert r.returncode == 0, r.stderr
    body = "\n".join(line for line in r.stdout.splitlines() if not line.startswith("#"))
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) > 50 and all(row["district"] == "Saale-Holzland-Kreis" for row in rows)


def test_geojson(settings: Settings) -> None:
    r = run(settings, "municipalities", "--within-km", "10", "--format", "geojson")
    assert r.returncode == 0, r.stderr
    fc = json.loads(r.stdout)
    assert fc["type"] == "FeatureCollection" and fc["features"]
    assert fc["attribution"]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["municipalities", "--of", "Jna", "--within-km", "5"], "Did you mean: Jena"),
        (["municipalities", "--within-km", "-3"], "within_km"),
        (["municipalities", "--format", "xml"], "format must be one of"),
        (["municipalities", "--district", "Nirgendwo"], "unknown municipality"),
        (["map", "nope", "--out", "/tmp/x.html"], "unknown map"),
    ],
)
def test_bad_input_one_line_and_nonzero(settings: Settings, args: list[str], words: str) -> None:
    r = run(settings, *args)
    assert r.returncode != 0
    err = r.stderr.strip().splitlines()
    assert len(err) == 1 and words in err[0], r.stderr


def test_build_is_idempotent(settings: Settings) -> None:
    r = run(settings, "build")
    assert r.returncode == 0 and "up to date" in r.stdout


def test_map_export_is_self_contained(settings: Settings, tmp_path: Path) -> None:
    out = tmp_path / "region.html"
    r = run(settings, "map", "region", "--out", str(out))
    assert r.returncode == 0, r.stderr
    page = out.read_text()
    assert "<script src=" not in page and "leaflet" in page.lower()
