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
from datetime import datetime


class StadtregionError(Exception):
    """Base class of every error stadtregion raises on purpose."""


class InputError(StadtregionError, ValueError):
    """An argument has a value that cannot be used (HTTP 422 / CLI exit 2)."""


class CRSError(InputError):
    """Geodata arrived without a CRS, or in a CRS that cannot be used."""


class QueryParameterError(InputError):
    """A query parameter of a standard web API (e.g. OGC API – Features ``bbox``) is invalid.

    Answered with HTTP 400, as those standards require.
    """


class AuthenticationError(StadtregionError):
    """Credentials are missing where needed, unknown, revoked or expired (HTTP 401)."""


class ProfileError(InputError):
    """A screening profile is malformed: the message names the bad key and its location."""


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


class GeometryError(InputError):
    """A geometry cannot be stored; ``code`` names the kind of problem.

    Codes: ``empty_geometry``, ``not_polygon``, ``zero_area``, ``invalid_geometry``.
    """

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)


class TransitionError(ConflictError):
    """A status change the workflow does not allow from the stored status (HTTP 409)."""


class ImportRefusedError(InputError):
    """An import file has bad rows; nothing was stored. ``problems`` lists every bad row.

    Each problem is a :class:`RowProblem` (row number, plot_id, code, message). Codes:
    ``missing_plot_id``, ``invalid_plot_id``, ``duplicate_plot_id``, ``unknown_value``,
    ``invalid_value``, ``outside_extent`` and the :class:`GeometryError` codes; an update
    import also ``unknown_plot_id``, ``missing_version``, ``invalid_version``,
    ``stale_version`` and ``status_change``.
    """

    def __init__(self, source: str, total: int, problems: Sequence[RowProblem]) -> None:
        self.source = source
        self.total = total
        self.problems = list(problems)
        rows = len({p.row for p in self.problems})
        lines = [f"import of {source} refused: {rows} of {total} rows are bad; nothing was stored."]
        lines += [f"  {p}" for p in self.problems[:200]]
        if len(self.problems) > 200:
            lines.append(f"  … and {len(self.problems) - 200} more problems")
        super().__init__("\n".join(lines))


class RowProblem:
    """One reason why one row of an import file is bad."""

    __slots__ = ("code", "message", "plot_id", "row")

    def __init__(self, row: int, plot_id: str | None, code: str, message: str) -> None:
        self.row = row
        self.plot_id = plot_id
        self.code = code
        self.message = message

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "row": self.row,
            "plot_id": self.plot_id,
            "code": self.code,
            "message": self.message,
        }

    def __str__(self) -> str:
        pid = f" (plot_id {self.plot_id!r})" if self.plot_id else ""
        return f"row {self.row}{pid}: {self.code}: {self.message}"

    def __repr__(self) -> str:
        return f"RowProblem({self.row!r}, {self.plot_id!r}, {self.code!r}, {self.message!r})"


class FeedError(InputError):
    """A GTFS feed is broken; it is refused before anything is cached (HTTP 422)."""


class FeedMissingFileError(FeedError):
    """A GTFS feed lacks a required file (e.g. ``stop_times.txt``)."""


class FeedMissingColumnError(FeedError):
    """A GTFS file lacks a required column (e.g. ``stop_times.txt: departure_time``)."""


class FeedReferenceError(FeedError):
    """A GTFS row points to a trip, stop or service that the feed does not define."""


class FeedTimeOrderError(FeedError):
    """Times within a GTFS trip go backwards (or a time cannot be read)."""


class NoServiceError(InputError):
    """A feed runs no service on the requested date (HTTP 422)."""


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


class IntegrityError(StadtregionError):
    """The store or its history was changed outside the application (a broken hash chain)."""


class TooManyAttemptsError(StadtregionError):
    """Too many failed logins for a username or from a client: wait (HTTP 429).

    ``retry_after_s`` says how long (seconds) until a new attempt is taken, ``until``
    when (an aware UTC datetime).
    """

    def __init__(self, message: str, until: datetime, retry_after_s: int) -> None:
        self.until = until
        self.retry_after_s = int(retry_after_s)
        super().__init__(message)
