"""Reading published figures from disk: the BBSR INKAR accessibility table.

The only file access of the published-figures feature; the join and its rules are the
pure functions of :mod:`geo.region.published`. The table is read where it lies (the Germany
data pack, or ``STADTREGION_INKAR_FILE``) and never copied.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from geo.errors import DataSourceError
from geo.region.published import INKAR_VALUE_COLUMNS
from geo.settings import Settings
from geo.sources import INKAR_FILE


def inkar_path(settings: Settings) -> Path:
    """Where the INKAR table is: ``settings.inkar_file``, else the Germany pack's file."""
    if settings.inkar_file is not None:
        return Path(settings.inkar_file)
    return settings.germany_dir / INKAR_FILE


def inkar_configured(settings: Settings) -> bool:
    """Whether the INKAR table must be read (set explicitly, or present in the pack)."""
    return settings.inkar_file is not None or inkar_path(settings).is_file()


def inkar_input(settings: Settings) -> Path | None:
    """The INKAR table a build reads, or ``None`` when none is configured or in the pack.

    Raises
    ------
    DataSourceError
        ``STADTREGION_INKAR_FILE`` names a file that does not exist.
    """
    if not inkar_configured(settings):
        return None
    path = inkar_path(settings)
    if not path.is_file():
        raise DataSourceError(
            f"INKAR accessibility table not found at {path} (STADTREGION_INKAR_FILE)."
        )
    return path


def read_inkar(path: Path) -> pd.DataFrame:
    """Read the INKAR Gemeindeverband table (``gv_key`` as 8-digit text, values as floats).

    Raises
    ------
    DataSourceError
        The file is missing, lacks a column, or has a key that is not 8 digits or twice.
    """
    if not path.is_file():
        raise DataSourceError(
            f"INKAR accessibility table not found at {path}. Set STADTREGION_GERMANY_DIR to "
            "the Germany data pack or STADTREGION_INKAR_FILE to the file."
        )
    try:
        df = pd.read_csv(path, dtype={"gv_key": str, "name": str})
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise DataSourceError(f"INKAR table {path} cannot be read: {exc}") from None
    missing = [c for c in ("gv_key", "name", *INKAR_VALUE_COLUMNS) if c not in df.columns]
    if missing:
        raise DataSourceError(f"INKAR table {path} lacks the column(s) {', '.join(missing)}.")
    keys = df["gv_key"].fillna("").str.strip()
    bad = keys[~keys.str.fullmatch(r"\d{8}")]
    if len(bad):
        raise DataSourceError(
            f"INKAR table {path}: {len(bad)} key(s) are not 8 digits, e.g. {bad.iloc[0]!r} "
            f"(line {int(bad.index[0]) + 2})."
        )
    dup = keys[keys.duplicated()]
    if len(dup):
        raise DataSourceError(f"INKAR table {path}: key {dup.iloc[0]} appears twice.")
    out = df.assign(gv_key=keys, name=df["name"].fillna("").astype(str))
    for col in INKAR_VALUE_COLUMNS:
        out[col] = pd.to_numeric(out[col], errors="coerce").astype(float)
    return out[["gv_key", "name", *INKAR_VALUE_COLUMNS]]
