"""Batch jobs over all municipalities of an area, on Dask (or in this process).

- :mod:`.jobs`: the runner (partitions, :func:`run_job`, :func:`connect`, resumable output).
- :mod:`.rail`: :func:`run_rail_indicators` and the rail state and tasks.
- :mod:`.matrix`: :func:`run_matrix` for any origin and destination sets, car or rail.
- :mod:`.io`: where partitions go (folders, fsspec URLs, PostGIS tables).
"""

from geo.batch.jobs import (
    BatchError,
    BatchSummary,
    Partition,
    auto_chunk_size,
    connect,
    job_digest,
    partition_origins,
    run_job,
    run_partition,
)
from geo.batch.matrix import point_set, run_matrix
from geo.batch.rail import (
    CENTRE_MIN_POPULATION,
    INDICATOR_MAX_CHUNK,
    MATRIX_MAX_CHUNK,
    RailState,
    rail_indicators_task,
    rail_matrix_task,
    rail_state,
    run_rail_indicators,
)

__all__ = [
    "CENTRE_MIN_POPULATION",
    "INDICATOR_MAX_CHUNK",
    "MATRIX_MAX_CHUNK",
    "BatchError",
    "BatchSummary",
    "Partition",
    "RailState",
    "auto_chunk_size",
    "connect",
    "job_digest",
    "partition_origins",
    "point_set",
    "rail_indicators_task",
    "rail_matrix_task",
    "rail_state",
    "run_job",
    "run_matrix",
    "run_partition",
    "run_rail_indicators",
]
