"""Access and egress (geo/transit/access.py): walk networks and sparse egress."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from geo import transit
from geo.transit import INF, TransitOptions
from tests.geo.transit.feeds import (
    line_feed,
)


def test_access_on_walk_graph() -> None:
    import networkx as nx

    tt = transit.build_timetable(line_feed(), options=TransitOptions(max_access_m=2000))
    a = tt.stop_index("A")
    x, y = float(tt.stop_x[a]), float(tt.stop_y[a])
    g = nx.Graph()
    g.add_node(1, x=x - 1000, y=y)
    g.add_node(2, x=x - 500, y=y + 500)
    g.add_node(3, x=x, y=y)
    g.add_edge(1, 2, length=800.0)
    g.add_edge(2, 3, length=800.0)
    stops, secs = transit.access_on_graph(tt, g, x - 1000, y)
    assert stops.tolist() == [a]
    assert secs[0] == int(np.ceil(1600 / 1.25))


def test_access_on_walk_graph_falls_back_off_the_network() -> None:
    import networkx as nx

    tt = transit.build_timetable(line_feed(), options=TransitOptions(max_access_m=2000))
    a = tt.stop_index("A")
    x, y = float(tt.stop_x[a]), float(tt.stop_y[a])
    g = nx.Graph()
    g.add_node(1, x=x + 50_000, y=y)
    g.add_node(2, x=x + 50_100, y=y)
    g.add_edge(1, 2, length=100.0)
    stops, secs = transit.access_on_graph(tt, g, x + 100, y)
    assert stops.tolist() == [a]
    assert secs[0] == int(np.ceil(100 * 1.3 / 1.25))  # the straight-line rule


@settings(max_examples=100, deadline=None)
@given(
    pairs=st.lists(
        st.tuples(st.integers(0, 9), st.integers(0, 6), st.integers(0, 900)), max_size=30
    ),
    reached=st.lists(st.tuples(st.integers(0, 12), st.integers(0, 5000)), max_size=12),
)
def test_sparse_egress_equals_dense(
    pairs: list[tuple[int, int, int]], reached: list[tuple[int, int]]
) -> None:
    """``Egress.reach`` (sparse, per stop reached) gives what ``Egress.apply`` (dense over
    every target) gives; stops without egress pairs (even beyond the last) are harmless."""
    arr = np.array(pairs, np.int64).reshape(-1, 3)
    eg = transit.Egress(n_targets=7, stop=arr[:, 0], tgt=arr[:, 1], secs=arr[:, 2])
    got = np.array(reached, np.int64).reshape(-1, 2)
    dense_in = np.full(13, INF, np.int64)
    np.minimum.at(dense_in, got[:, 0], got[:, 1])
    want = eg.apply(dense_in)
    targets, secs = eg.reach(got[:, 0], got[:, 1])
    assert (np.diff(targets) > 0).all()  # distinct, ascending
    dense_out = np.full(7, INF, np.int64)
    dense_out[targets] = secs
    np.testing.assert_array_equal(dense_out, want)
