"""``stadtregion map NAME --role``: the plots map for the land-pool role only."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from geo.landpool.io import open_store, seed_demo
from geo.landpool.plots import Viewer
from geo.settings import Settings


def run(settings: Settings, lp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "STADTREGION_PROCESSED_DIR": str(settings.processed_dir),
        "STADTREGION_LANDPOOL_GPKG": str(lp),
    }
    env.pop("STADTREGION_ROLE", None)
    exe = Path(sys.executable).parent / "stadtregion"
    return subprocess.run([str(exe), *args], capture_output=True, text=True, env=env, timeout=180)


def test_map_export_takes_the_role(settings: Settings, tmp_path: Path) -> None:
    lp = tmp_path / "lp.gpkg"
    s = settings.model_copy(update={"landpool_gpkg": lp})
    with open_store(s) as store:
        seed_demo(store, Viewer("landpool", "t"), s.data_dir)
    out = tmp_path / "plots.html"
    denied = run(settings, lp, "map", "plots", "--out", str(out))
    assert denied.returncode != 0 and "landpool" in denied.stderr and not out.exists()
    ok = run(settings, lp, "map", "plots", "--out", str(out), "--role", "landpool", "--by", "score")
    assert ok.returncode == 0, ok.stderr
    page = out.read_text()
    assert "<script src=" not in page and "OSM-W" in page
