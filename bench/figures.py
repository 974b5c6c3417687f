"""How bench scripts report their headline figures for ``bench/run.py``.

A script prints its figures for people as before, and calls :func:`figure` for each one
the README quotes: a line ``FIGURE<TAB>name<TAB>value<TAB>unit`` that ``bench/run.py``
collects over several runs (median and range) into ``docs/bench-figures.md``.
"""

from __future__ import annotations


def figure(name: str, value: float, unit: str) -> None:
    """Print one machine-readable figure (e.g. ``figure("derive speed-up", 3.4, "x")``)."""
    print(f"FIGURE\t{name}\t{value:.6g}\t{unit}", flush=True)
