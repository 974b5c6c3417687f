"""Query parameters: every route refuses the ones it does not declare (400).

A misspelt or made-up parameter (``from=`` where the route takes ``origin=``,
``window=`` on a route without a window) is refused with a 400 that names it and the
parameters the route takes, instead of being ignored and answering for something else.
The accepted names are read from the route's own declaration (its query parameters and
those of its dependencies, aliases included), so there is no second list to keep in
step. OGC API – Features requires the same (/req/core/query-param-unknown).
"""

from __future__ import annotations

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from geo.errors import QueryParameterError

_ACCEPTED: dict[int, frozenset[str]] = {}


def accepted_query_names(route: APIRoute) -> frozenset[str]:
    """The query parameter names ``route`` declares (aliases as sent on the wire)."""
    key = id(route)
    names = _ACCEPTED.get(key)
    if names is None:
        names = frozenset(_query_names(route.dependant))
        _ACCEPTED[key] = names
    return names


def _query_names(dependant: Dependant) -> set[str]:
    names = {p.alias for p in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


def refuse_unknown_query(request: Request) -> None:
    """A dependency of every route: 400 for query parameters the route does not declare."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or not request.query_params:
        return
    allowed = accepted_query_names(route)
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        takes = (
            f"this resource takes {', '.join(sorted(allowed))}."
            if allowed
            else "this resource takes no query parameters."
        )
        raise QueryParameterError(
            f"unknown query parameter(s) {', '.join(map(repr, unknown))}; {takes}"
        )
