"""The one error hierarchy of stadtregion.

Every error raised on purpose by ``geo/`` derives from :class:`StadtregionError`.
Errors about the caller's input are also :class:`ValueError` (as r5py and osmnx do),
so plain Python code can catch them the usual way. The HTTP API maps these classes
to status codes in one place (``api/errors.py``); the CLI prints their message on
one line and exits non-zero.

Messages name the argument that is wrong and say how to fix it.
"""

from __future__ import annotations

from collections.abc import Sequence


class StadtregionError(Exception):
    """Base class of every error stadtregion raises on purpose."""


class InputError(StadtregionError, ValueError):
    """An argument has a value that cannot be used (HTTP 422 / CLI exit 2)."""


class CRSError(InputError):
    """Geodata arrived without a CRS, or in a CRS that cannot be used."""


class NotFoundError(StadtregionError, LookupError):
    """A named thing (municipality, plot, collection, ...) does not exist (HTTP 404)."""


class UnknownMunicipalityError(NotFoundError, ValueError):
    """A municipality name or code matched nothing; carries the closest names."""

    def __init__(self, query: str, suggestions: Sequence[str] = ()) -> None:
        self.query = query
        self.suggestions = list(suggestions)
        hint = (
            f" Did you mean: {', '.join(self.suggestions)}?"
            if self.suggestions
            else " Give a name as in VG250, an 8-digit AGS or a 12-digit Regionalschlüssel."
        )
        super().__init__(f"unknown municipality {query!r}.{hint}")


class AmbiguousNameError(InputError):
    """A municipality name matched several municipalities; carries the candidates."""

    def __init__(
        self, query: str, candidates: Sequence[str], labels: Sequence[object] = ()
    ) -> None:
        self.query = query
        self.candidates = list(candidates)
        #: Index labels of the candidates in the frame that was searched.
        self.labels = list(labels)
        super().__init__(
            f"municipality name {query!r} is ambiguous: it matches {', '.join(self.candidates)}. "
            "Give the full name or the AGS."
        )


class ConflictError(StadtregionError):
    """A write lost a race or would break a rule of the stored state (HTTP 409)."""


class PermissionDeniedError(StadtregionError):
    """The caller's role does not allow this action (HTTP 403)."""


class DataSourceError(StadtregionError):
    """An input data set is missing or unreadable (HTTP 503: the server is not set up)."""


class OutsideNetworkError(InputError):
    """A routing query lies outside the loaded road network (HTTP 422).

    Raised instead of answering with times from a network that does not cover the
    place; the message names the loaded network and how to load a larger one.
    """

    def __init__(self, what: str, network: str, detail: str = "") -> None:
        self.what = what
        self.network = network
        extra = f" {detail}" if detail else ""
        super().__init__(
            f"{what} lies outside the loaded road network {network!r}.{extra} Load a network "
            "that covers it: `stadtregion network fetch --region Jena` (downloads the regional "
            "drive network from OpenStreetMap), or pass a larger OSM/PBF/road-line file."
        )


class SnapDistanceError(OutsideNetworkError):
    """A point is farther from the road network than the allowed snap distance."""

    def __init__(self, what: str, network: str, dist_m: float, max_snap_m: float) -> None:
        self.dist_m = float(dist_m)
        self.max_snap_m = float(max_snap_m)
        super().__init__(
            what,
            network,
            f"It is {dist_m:,.0f} m from the nearest road node; the maximum snap distance is "
            f"{max_snap_m:,.0f} m (setting STADTREGION_MAX_SNAP_M).",
        )
