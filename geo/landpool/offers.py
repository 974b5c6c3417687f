"""Which land-pool plots count as *offered* for housing or commerce (the forum's view).

A plot is offered when it is still in play (status up to ``in_development``; not
``developed``, not ``withdrawn``) and either its ``intended_use`` names housing,
commerce or mixed use, or no use is decided yet (``intended_use`` empty) but its
category is development land (brownfield, greenfield, reserve, vacant lot, underused,
freed public site). Everything else (other uses such as green space, unknown category
without a use) is not offered. Pure functions; the caller passes only what its viewer
may see (the forum passes the plots a ``public`` viewer sees).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from geo.landpool.plots import Category, Status

#: Workflow states of a plot that is still on offer.
OFFERED_STATUSES = frozenset(
    {
        Status.IDENTIFIED,
        Status.ASSESSED,
        Status.NEGOTIATING,
        Status.ACQUIRED,
        Status.IN_DEVELOPMENT,
    }
)
#: Categories that are development land when no use is decided yet.
DEVELOPMENT_CATEGORIES = frozenset(
    {
        Category.BROWNFIELD,
        Category.GREENFIELD,
        Category.RESERVE,
        Category.VACANT_LOT,
        Category.UNDERUSED,
        Category.FREED_PUBLIC_SITE,
    }
)
#: Offer kinds, in legend order.
KINDS = ("housing", "commerce", "mixed", "open")

_MIXED = re.compile(r"misch|mixed|urban|\bmi\b|\bmu\b", re.IGNORECASE)
_HOUSING = re.compile(r"wohn|housing|residential|\bwa\b|\bwr\b", re.IGNORECASE)
_COMMERCE = re.compile(
    r"gewerb|commerc|industr|büro|office|handel|retail|business|\bge\b|\bgi\b", re.IGNORECASE
)


def use_kind(text: object) -> str | None:
    """Classify an ``intended_use`` text: housing, commerce, mixed, or ``None`` (other/none)."""
    if not isinstance(text, str) or not text.strip():
        return None
    housing, commerce = bool(_HOUSING.search(text)), bool(_COMMERCE.search(text))
    if _MIXED.search(text) or (housing and commerce):
        return "mixed"
    if housing:
        return "housing"
    if commerce:
        return "commerce"
    return None


def offer_kind(plots: pd.DataFrame) -> pd.Series:
    """Offer kind of each plot (``housing``/``commerce``/``mixed``/``open``), ``None`` if
    the plot is not offered (see the module docstring)."""
    status_ok = plots["status"].astype(str).isin([s.value for s in OFFERED_STATUSES])
    uses = (
        plots["intended_use"] if "intended_use" in plots.columns else pd.Series(None, plots.index)
    )
    kind = np.array([use_kind(u) for u in uses], dtype=object)
    blank = np.array([not (isinstance(u, str) and u.strip()) for u in uses], dtype=bool)
    dev = plots["category"].astype(str).isin([c.value for c in DEVELOPMENT_CATEGORIES]).to_numpy()
    kind[blank & dev] = "open"
    kind[~status_ok.to_numpy()] = None
    return pd.Series(kind, index=plots.index, dtype=object)
