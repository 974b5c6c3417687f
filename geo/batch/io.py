"""Partitioned batch output: GeoParquet partitions on any fsspec location, written atomically.

A job's output folder holds ``part-00000.parquet`` … and a ``_job.json`` manifest naming
the job. Each partition is written under a temporary name and moved into place only when
complete, so a killed run leaves no half files; a re-run skips partitions that exist.
"""

from __future__ import annotations

import io
import json
import re
import uuid
from typing import Any, Protocol

import fsspec
import geopandas as gpd
import pandas as pd

from geo.errors import ConflictError, InputError

MANIFEST = "_job.json"


class ResultStore(Protocol):
    """Where a batch job's partitions go (a folder, an fsspec URL or a PostGIS table)."""

    def claim(self, job: dict[str, Any]) -> None:
        """Record the job, or refuse a place holding another job."""

    def done(self) -> set[int]:
        """Indices of the partitions already stored."""

    def job(self) -> dict[str, Any] | None:
        """The manifest of the job stored here, or None."""

    def write(self, index: int, frame: pd.DataFrame) -> None:
        """Store one partition atomically."""

    def read(self) -> pd.DataFrame:
        """All stored rows."""


class PartitionStore:
    """The partitions of one batch job at a local path or any fsspec URL.

    Parameters
    ----------
    url
        A folder: a local path, ``file://``, ``s3://``, ``memory://`` …
    """

    def __init__(self, url: str) -> None:
        if not url:
            raise InputError("out must name a folder or an fsspec URL, e.g. results/ or s3://b/p.")
        self.url = url.rstrip("/")
        self.fs, self.root = fsspec.core.url_to_fs(self.url)
        self.fs.makedirs(self.root, exist_ok=True)

    def _path(self, name: str) -> str:
        return f"{self.root}/{name}"

    @staticmethod
    def part_name(index: int) -> str:
        """File name of partition ``index``."""
        return f"part-{index:05d}.parquet"

    def claim(self, job: dict[str, Any]) -> None:
        """Record the job in the folder, or refuse a folder that holds another job.

        Re-running the same job (same manifest) in the same folder resumes it.
        """
        for stale in self.fs.glob(self._path(".part-*.tmp")):
            self.fs.rm(stale)  # left by a killed run; never counted as a partition
        existing = self.job()
        if existing is not None:
            if existing != job:
                raise ConflictError(
                    f"{self.url} holds the results of another job ({existing.get('kind')}, "
                    f"{existing.get('digest', '')[:12]}); choose an empty folder for --out."
                )
            return
        self._write_bytes(MANIFEST, json.dumps(job, indent=2, sort_keys=True).encode())

    def job(self) -> dict[str, Any] | None:
        """The manifest of the job in the folder, or None for a new folder."""
        path = self._path(MANIFEST)
        if not self.fs.exists(path):
            return None
        with self.fs.open(path, "r") as f:
            return dict(json.load(f))

    def done(self) -> set[int]:
        """Indices of the partitions already written."""
        out: set[int] = set()
        for p in self.fs.ls(self.root, detail=False):
            name = str(p).rsplit("/", 1)[-1]
            if name.startswith("part-") and name.endswith(".parquet"):
                out.add(int(name[5:10]))
        return out

    def write(self, index: int, frame: pd.DataFrame) -> None:
        """Write partition ``index`` atomically (GeoParquet when it has geometry)."""
        buf = io.BytesIO()
        frame.to_parquet(buf, index=False)  # GeoDataFrame.to_parquet writes GeoParquet
        self._write_bytes(self.part_name(index), buf.getvalue())

    def _write_bytes(self, name: str, data: bytes) -> None:
        tmp = self._path(f".{name}.{uuid.uuid4().hex}.tmp")
        with self.fs.open(tmp, "wb") as f:
            f.write(data)
        self.fs.mv(tmp, self._path(name))

    def read(self) -> pd.DataFrame:
        """All partitions, in order, as one frame (a GeoDataFrame when they have geometry)."""
        frames = []
        for i in sorted(self.done()):
            with self.fs.open(self._path(self.part_name(i)), "rb") as f:
                data = f.read()
            try:
                frames.append(gpd.read_parquet(io.BytesIO(data)))
            except ValueError:
                frames.append(pd.read_parquet(io.BytesIO(data)))
        if not frames:
            return pd.DataFrame()
        return pd.concat(frames, ignore_index=True)


class PostgisPartitionStore:
    """The partitions of one batch job as rows of a PostGIS table.

    Each partition is inserted in one transaction together with its row in
    ``batch_partitions``, so a partition is either wholly there or not at all; a re-run
    skips the partitions recorded there. ``batch_jobs`` holds each table's manifest.

    Parameters
    ----------
    url
        SQLAlchemy URL (``postgresql://…``).
    table
        Result table name (letters, digits, underscore).
    """

    def __init__(self, url: str, table: str) -> None:
        # sqlalchemy (here and below) only for PostGIS outputs: it would add to every
        # CLI command's start-up time
        import sqlalchemy as sa

        if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", table):
            raise InputError(
                f"table {table!r} is not a plain lower-case SQL name; use letters, digits, _."
            )
        self.url = url
        self.table = table
        self._engine: Any = None
        with self.engine.begin() as conn:
            conn.execute(
                sa.text(
                    "CREATE TABLE IF NOT EXISTS batch_jobs (tbl text PRIMARY KEY, manifest text)"
                )
            )
            conn.execute(
                sa.text(
                    "CREATE TABLE IF NOT EXISTS batch_partitions "
                    "(tbl text, part integer, PRIMARY KEY (tbl, part))"
                )
            )

    @property
    def engine(self) -> Any:
        """The SQLAlchemy engine, made where it is first used (workers make their own)."""
        import sqlalchemy as sa

        if self._engine is None:
            url = self.url.replace("postgresql://", "postgresql+psycopg://", 1)
            self._engine = sa.create_engine(url)
        return self._engine

    def __getstate__(self) -> dict[str, Any]:
        """Pickle without the engine: a worker connects on its own."""
        return {**self.__dict__, "_engine": None}

    def claim(self, job: dict[str, Any]) -> None:
        """Record the job for the table, or refuse a table that holds another job."""
        import sqlalchemy as sa

        text = json.dumps(job, sort_keys=True)
        with self.engine.begin() as conn:
            row = conn.execute(
                sa.text("SELECT manifest FROM batch_jobs WHERE tbl = :t"), {"t": self.table}
            ).first()
            if row is None:
                conn.execute(
                    sa.text("INSERT INTO batch_jobs VALUES (:t, :m)"), {"t": self.table, "m": text}
                )
            elif row[0] != text:
                raise ConflictError(
                    f"table {self.table} holds the results of another job; choose another table."
                )

    def job(self) -> dict[str, Any] | None:
        """The manifest of the job in the table, or None for a new table."""
        import sqlalchemy as sa

        with self.engine.connect() as conn:
            row = conn.execute(
                sa.text("SELECT manifest FROM batch_jobs WHERE tbl = :t"), {"t": self.table}
            ).first()
        return None if row is None else dict(json.loads(row[0]))

    def done(self) -> set[int]:
        """Indices of the partitions already stored."""
        import sqlalchemy as sa

        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.text("SELECT part FROM batch_partitions WHERE tbl = :t"), {"t": self.table}
            )
            return {int(r[0]) for r in rows}

    def write(self, index: int, frame: pd.DataFrame) -> None:
        """Insert partition ``index`` and its record in one transaction."""
        import sqlalchemy as sa

        with self.engine.begin() as conn:
            if isinstance(frame, gpd.GeoDataFrame):
                frame.to_postgis(self.table, conn, if_exists="append", index=False)
            else:
                frame.to_sql(self.table, conn, if_exists="append", index=False)
            conn.execute(
                sa.text("INSERT INTO batch_partitions VALUES (:t, :p)"),
                {"t": self.table, "p": index},
            )

    def read(self) -> pd.DataFrame:
        """All stored rows."""
        with self.engine.connect() as conn:
            try:
                return gpd.read_postgis(f'SELECT * FROM "{self.table}"', conn, geom_col="geometry")
            except ValueError:
                return pd.read_sql(f'SELECT * FROM "{self.table}"', conn)


def open_partition_store(out: str) -> ResultStore:
    """A partition store for ``out``: ``postgresql://…#table`` or a folder / fsspec URL."""
    if out.startswith(("postgresql://", "postgresql+psycopg://", "postgis://")):
        url, _, table = out.partition("#")
        if not table:
            raise InputError(
                "a PostGIS --out needs the table after '#': postgresql://user@host/db#table."
            )
        return PostgisPartitionStore(url.replace("postgis://", "postgresql://", 1), table)
    return PartitionStore(out)
