"""Partitioned batch output: GeoParquet partitions on any fsspec location, written atomically.

A job's output folder holds ``part-00000.parquet`` … and a ``_job.json`` manifest naming
the job. Each partition is written under a temporary name and moved into place only when
complete, so a killed run leaves no half files; a re-run skips partitions that exist.
"""

from __future__ import annotations

import io
import json
import uuid
from typing import Any

import fsspec
import geopandas as gpd
import pandas as pd

from geo.errors import ConflictError, InputError

MANIFEST = "_job.json"


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
        path = self._path(MANIFEST)
        if self.fs.exists(path):
            with self.fs.open(path, "r") as f:
                existing = json.load(f)
            if existing != job:
                raise ConflictError(
                    f"{self.url} holds the results of another job ({existing.get('kind')}, "
                    f"{existing.get('digest', '')[:12]}); choose an empty folder for --out."
                )
            return
        self._write_bytes(MANIFEST, json.dumps(job, indent=2, sort_keys=True).encode())

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
