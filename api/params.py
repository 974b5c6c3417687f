"""Query parameters: every route refuses the ones it does not declare (400).

A misspelt or made-up parameter (``from=`` where the route takes ``origin=``,
``window=`` on a route without a window) is refused with a 400 that names it and the
parameters the route takes, instead of being ignored and answering for something else.
The accepted names are read from the route's own declaration (its query parameters and
those of its dependencies, aliases included), so there is no second list to keep in
step. OGC API – Features requires the same (/req/core/query-param-unknown).
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from geo.errors import QueryParameterError

_ACCEPTED: dict[int, frozenset[str]] = {}
#: Endpoints that take further query parameters named after data fields (OGC items:
#: ``?district=...``); they check those names themselves against what the caller may see.
_PROPERTY_FILTERS: set[object] = set()


def takes_property_filters(endpoint: Any) -> Any:
    """Mark ``endpoint`` as taking query parameters named after its queryables."""
    _PROPERTY_FILTERS.add(endpoint)
    return endpoint


def extra_query(request: Request) -> list[tuple[str, str]]:
    """The query parameters ``request``'s route does not declare, in the order sent."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return []
    allowed = accepted_query_names(route)
    return [(k, v) for k, v in request.query_params.multi_items() if k not in allowed]


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
    if route.endpoint in _PROPERTY_FILTERS:
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
