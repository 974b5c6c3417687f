"""The build is idempotent and rebuilds when an input changes."""

from __future__ import annotations

import shutil
from pathlib import Path

from geo.region.build import build
from geo.settings import Settings


def test_second_build_is_a_no_op_and_changes_rebuild(settings: Settings, tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(settings.raw_dir, raw)
    s = Settings(processed_dir=tmp_path / "processed", raw_dir=raw)
    first = build(s)
    assert first.rebuilt and first.municipalities == 849
    mtime = first.path.stat().st_mtime_ns
    second = build(s)
    assert not second.rebuilt
    assert first.path.stat().st_mtime_ns == mtime
    # Changing an input (here the ISEK table) triggers a rebuild.
    isek = raw / "isek_umland.csv"
    isek.write_text(isek.read_text().replace("22400", "22401"))
    third = build(s)
    assert third.rebuilt
    assert not list((tmp_path / "processed").glob("*.tmp"))


def test_germany_area(settings: Settings) -> None:
    from geo.region import model as region
    from geo.region.build import load_region

    model, report = load_region(settings, "germany")
    assert len(model) == 11299  # land parts; water parts (gf = 2) share their codes
    assert model["ags"].is_unique
    assert model["population_2018"].sum() > 80_000_000
    assert set(report["kind"]) == {
        "missing_year",
        "no_geometry",
        "territory_change",
        "code_change",
        "tolerance",
    }
    berlin = region.find_municipality(model, "Berlin")
    # Berlin is a city-state: its own district (a kreisfreie Stadt), AGS 11000000
    assert berlin["ags"] == "11000000" and berlin["name"] == "Berlin"
    assert berlin["district_type"] == "Kreisfreie Stadt"
    assert model["isek_population"].isna().all()


def test_unknown_area(settings: Settings) -> None:
    import pytest

    from geo.errors import InputError

    with pytest.raises(InputError, match="unknown area 'mars'"):
        build(settings, area="mars")
