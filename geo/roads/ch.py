"""The contraction hierarchy (pandana) of a :class:`~geo.roads.engine.RoutingEngine`.

Many-to-many car matrices above :data:`CH_MIN_WORK` run on a CH instead of one Dijkstra
per origin. Pandana sums integer weights, so travel times go in as tenths of a second
(:data:`_CH_SCALE`); a network whose longest trip would overflow its 32-bit sums is
refused with a named error.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy.sparse.csgraph import dijkstra

from geo.errors import InputError

if TYPE_CHECKING:  # the engine imports this module; only its type is needed here
    from geo.roads.engine import RoutingEngine

#: Problem size (origins × network nodes) from which ``method="auto"`` uses the CH.
CH_MIN_WORK = 20_000_000
#: Pandana weights are passed in these units per second (see module docstring).
_CH_SCALE = 10.0
_CH_MAX_INT = 2_000_000_000  # pandana sums weights * 1000 as 32-bit integers


@contextmanager
def _quiet_stdout() -> Any:
    """Silence C-level stdout (pandana prints progress while building the CH)."""
    sys.stdout.flush()
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        yield
        return
    saved = os.dup(fd)
    with open(os.devnull, "wb") as null:
        os.dup2(null.fileno(), fd)
        try:
            yield
        finally:
            sys.stdout.flush()
            os.dup2(saved, fd)
            os.close(saved)


def build_ch(engine: RoutingEngine) -> Any:
    """Build (once) and return the pandana contraction hierarchy of the engine."""
    if engine._ch is None:
        # imported here: pandana loads a C++ extension only a CH build needs (start-up)
        import pandana

        reach_out = np.asarray(dijkstra(engine.graph_csr, directed=True, indices=0))
        reach_in = np.asarray(dijkstra(engine.graph_csr.T.tocsr(), directed=True, indices=0))
        diameter_bound = float(np.max(reach_out[np.isfinite(reach_out)], initial=0.0)) + float(
            np.max(reach_in[np.isfinite(reach_in)], initial=0.0)
        )
        if diameter_bound * _CH_SCALE * 1000 >= _CH_MAX_INT:
            raise InputError(
                f"network {engine.name!r} is too large for the CH engine's integer weights "
                "(longest trip over 55 h); use method='dijkstra'."
            )
        csr = engine.graph_csr.tocoo()
        with _quiet_stdout():
            engine._ch = pandana.Network(
                pd.Series(engine.x),
                pd.Series(engine.y),
                pd.Series(csr.row.astype(np.int64)),
                pd.Series(csr.col.astype(np.int64)),
                pd.DataFrame({"t": csr.data * _CH_SCALE}),
                twoway=False,
            )
    return engine._ch


def matrix_ch(engine: RoutingEngine, o: np.ndarray, d: np.ndarray) -> np.ndarray:
    net = build_ch(engine)
    oo = np.repeat(o, len(d))
    dd = np.tile(d, len(o))
    with _quiet_stdout():
        vals = np.asarray(net.shortest_path_lengths(oo, dd, imp_name="t"), dtype=float)
    vals = vals / _CH_SCALE
    # pandana reports unreachable pairs as a huge number; the graph is strongly
    # connected, so this only guards against misuse with other graphs
    vals[vals > 1e9] = np.inf
    return vals.reshape(len(o), len(d))
