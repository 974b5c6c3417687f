"""Settings defaults: from the checkout when run from one, else from env or the working dir."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from geo.settings import PROJECT_ROOT, Settings, in_checkout

PATH_FIELDS = ("data_dir", "germany_dir", "processed_dir", "raw_dir", "landpool_gpkg")
PRINT = (
    "import json; from geo.settings import Settings, in_checkout; s = Settings(); "
    f"print(json.dumps({{'checkout': in_checkout(), **{{k: str(getattr(s, k)) "
    f"for k in {PATH_FIELDS!r}}}}}))"
)


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("STADTREGION_")}


def test_checkout_defaults_hang_off_the_checkout(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.startswith("STADTREGION_"):
            monkeypatch.delenv(key)
    assert in_checkout()
    s = Settings(_env_file=None)  # type: ignore[call-arg]
    assert s.data_dir == PROJECT_ROOT.parent / "shared" / "data" / "jena-region"
    assert s.germany_dir == PROJECT_ROOT.parent / "shared" / "data" / "germany"
    assert s.processed_dir == PROJECT_ROOT / "data" / "processed"
    assert s.landpool_gpkg == PROJECT_ROOT / "data" / "landpool.gpkg"


def test_installed_package_takes_folders_from_the_working_directory(tmp_path: Path) -> None:
    """The package copied into a site-packages-like folder (as a wheel installs it)."""
    site = tmp_path / "site-packages"
    skip = shutil.ignore_patterns("__pycache__")
    shutil.copytree(PROJECT_ROOT / "geo", site / "geo", ignore=skip)
    work = tmp_path / "office"
    work.mkdir()
    env = {**_clean_env(), "PYTHONPATH": str(site)}
    out = subprocess.run(
        [sys.executable, "-c", PRINT], cwd=work, env=env, capture_output=True, text=True, check=True
    )
    got = json.loads(out.stdout)
    assert got["checkout"] is False
    assert got["data_dir"] == str(work / "data" / "jena-region")
    assert got["germany_dir"] == str(work / "data" / "germany")
    assert got["processed_dir"] == str(work / "data" / "processed")
    assert got["landpool_gpkg"] == str(work / "data" / "landpool.gpkg")
    assert str(site) not in out.stdout  # nothing is written next to the installed code

    env["STADTREGION_DATA_DIR"] = str(tmp_path / "packs" / "jena")
    again = subprocess.run(
        [sys.executable, "-c", PRINT], cwd=work, env=env, capture_output=True, text=True, check=True
    )
    assert json.loads(again.stdout)["data_dir"] == str(tmp_path / "packs" / "jena")
