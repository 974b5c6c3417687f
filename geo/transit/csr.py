"""Small array helpers shared by the transit modules: groups of keys as CSR pointers."""

from __future__ import annotations

import numpy as np


def _min_by_key(keys: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct ``keys`` (ascending) and the smallest of their ``values``."""
    if len(keys) == 0:
        return keys.astype(np.int64), values.astype(np.int64)
    order = np.lexsort((values, keys))
    k, v = keys[order], values[order]
    first = np.ones(len(k), bool)
    first[1:] = k[1:] != k[:-1]
    return k[first].astype(np.int64), v[first].astype(np.int64)


def _by_key(keys: np.ndarray, n_keys: int) -> tuple[np.ndarray, np.ndarray]:
    """Stable order grouping ``keys`` (0 … n_keys-1), and the CSR pointer of each group."""
    order = np.argsort(keys, kind="stable")
    ptr = np.searchsorted(keys[order], np.arange(n_keys + 1)).astype(np.int64)
    return order, ptr


def _ranges(ptr: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions of every member of the CSR groups ``keys``, and which key each came from."""
    starts = ptr[keys]
    lens = ptr[keys + 1] - starts
    which = np.repeat(np.arange(len(keys)), lens)
    offsets = np.arange(int(lens.sum())) - np.repeat(np.cumsum(lens) - lens, lens)
    return np.repeat(starts, lens) + offsets, which
