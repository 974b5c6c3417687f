"""Partition store: atomic partitions, resume, one job per folder."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from geo.batch.io import PartitionStore
from geo.batch.jobs import auto_chunk_size, partition_origins
from geo.batch.rail import INDICATOR_MAX_CHUNK
from geo.errors import ConflictError, InputError


def test_partitions_written_and_read_back(tmp_path: Path) -> None:
    store = PartitionStore(str(tmp_path / "out"))
    store.claim({"kind": "matrix", "digest": "abc"})
    g = gpd.GeoDataFrame({"id": ["a", "b"]}, geometry=[Point(0, 0), Point(1, 1)], crs=25832)
    store.write(1, g)
    store.write(0, pd.DataFrame({"id": ["c"]}))
    assert store.done() == {0, 1}
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.endswith(".tmp")]
    back = store.read()
    assert list(back["id"]) == ["c", "a", "b"]


def test_memory_filesystem_and_other_job_refused() -> None:
    store = PartitionStore("memory://batch-test/run1")
    store.claim({"kind": "matrix", "digest": "1"})
    store.claim({"kind": "matrix", "digest": "1"})  # same job: resume
    with pytest.raises(ConflictError, match="another job"):
        PartitionStore("memory://batch-test/run1").claim({"kind": "matrix", "digest": "2"})


def test_partitioning_rules() -> None:
    o = pd.DataFrame({"id": range(10)})
    parts = partition_origins(o, 4)
    # the fewest partitions of at most 4, of even sizes, in order, every origin once
    assert [len(p.origins) for p in parts] == [3, 3, 4]
    assert [p.index for p in parts] == [0, 1, 2]
    assert pd.concat([p.origins for p in parts])["id"].tolist() == list(range(10))
    assert [len(p.origins) for p in partition_origins(o, 5)] == [5, 5]
    assert [len(p.origins) for p in partition_origins(o, 100)] == [10]
    sizes = [len(p.origins) for p in partition_origins(pd.DataFrame({"id": range(11299)}), 1000)]
    assert len(sizes) == 12 and max(sizes) <= 1000 and max(sizes) - min(sizes) <= 1
    with pytest.raises(InputError, match="empty"):
        partition_origins(o.iloc[:0], 4)
    with pytest.raises(InputError, match="chunk_size"):
        partition_origins(o, 0)


def test_automatic_chunk_size_follows_the_workers() -> None:

    assert auto_chunk_size(11_299, 2, INDICATOR_MAX_CHUNK) == 2825  # 4 partitions
    assert auto_chunk_size(11_299, 1, INDICATOR_MAX_CHUNK) == 3000  # capped
    assert auto_chunk_size(11_299, 32, INDICATOR_MAX_CHUNK) == 177  # 64 partitions
    assert auto_chunk_size(849, 2, INDICATOR_MAX_CHUNK) == 213  # Thuringia: every worker busy
    assert auto_chunk_size(1, 8, 100) == 1
