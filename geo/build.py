"""Build ``data/processed/`` from the shared data pack, idempotently.

``build()`` hashes its inputs (and :data:`BUILD_VERSION`, bumped when the model
changes) and rebuilds ``region.gpkg`` only when that digest differs from the one
stored in ``region.build.json``. Both files are written atomically.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo import region as region_model
from geo import sources
from geo.settings import Settings

#: Bump when the region model's columns or rules change, to force a rebuild.
BUILD_VERSION = "region-1"
REGION_FILE = "region.gpkg"
STAMP_FILE = "region.build.json"


@dataclass(frozen=True)
class BuildResult:
    """What :func:`build` did."""

    path: Path
    rebuilt: bool
    municipalities: int
    report_rows: int
    seconds: float


def _inputs(settings: Settings) -> list[Path]:
    return [
        sources.require_file(settings.data_dir / sources.VG250_FILE, "VG250 Thuringia"),
        sources.require_file(settings.data_dir / sources.POPULATION_FILE, "Destatis population"),
        sources.require_file(settings.raw_dir / sources.ISEK_FILE, "ISEK neighbour towns"),
    ]


def build(settings: Settings, force: bool = False) -> BuildResult:
    """Build ``region.gpkg`` (layers ``municipalities``, ``districts``, ``join_report``).

    Parameters
    ----------
    settings
        Where the inputs are and where the output goes.
    force
        Rebuild even when the inputs have not changed.
    """
    t0 = time.perf_counter()
    out = settings.processed_dir / REGION_FILE
    stamp_path = settings.processed_dir / STAMP_FILE
    digest = sources.file_digest(_inputs(settings)) + ":" + BUILD_VERSION
    stamp = sources.read_json(stamp_path)
    if not force and out.is_file() and stamp and stamp.get("digest") == digest:
        return BuildResult(
            out,
            False,
            int(stamp["municipalities"]),
            int(stamp["report_rows"]),
            time.perf_counter() - t0,
        )
    municipalities = sources.read_vg250(settings.data_dir, "gemeinden")
    districts = sources.read_vg250(settings.data_dir, "kreise")
    population = sources.read_population(settings.data_dir)
    isek = sources.read_isek_umland(settings.raw_dir)
    model, report = region_model.build_region(municipalities, districts, population, isek)
    sources.write_layers_atomic(
        out,
        {
            "municipalities": model,
            "districts": districts[["ags", "rs", "gen", "bez", "geometry"]],
            "join_report": report,
        },
    )
    sources.write_json_atomic(
        stamp_path,
        {
            "digest": digest,
            "municipalities": len(model),
            "report_rows": len(report),
            "inputs": [str(p) for p in _inputs(settings)],
        },
    )
    _load_cached.cache_clear()
    return BuildResult(out, True, len(model), len(report), time.perf_counter() - t0)


@lru_cache(maxsize=4)
def _load(path: Path, mtime: float) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    model = sources.read_layer(path, "municipalities")
    report = pd.DataFrame(
        sources.read_layer(path, "join_report").drop(columns="geometry", errors="ignore")
    )
    ints = [c for c in model.columns if c.startswith("population")]
    for col in [*ints, "first_year", "last_year"]:
        model[col] = model[col].astype("Int64")
    return model, report


def load_region(settings: Settings) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Return the region model and its join report, building them first if needed.

    The result is cached per input folders; treat it as read-only (the functions of
    :mod:`geo.region` never modify their input).
    """
    return _load_cached(settings.data_dir, settings.raw_dir, settings.processed_dir)


@lru_cache(maxsize=4)
def _load_cached(
    data_dir: Path, raw_dir: Path, processed_dir: Path
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    settings = Settings(data_dir=data_dir, raw_dir=raw_dir, processed_dir=processed_dir)
    result = build(settings)
    return _load(result.path, result.path.stat().st_mtime)
