"""Reading a posted form: the CSRF check and the refusal of fields the form does not have."""

from __future__ import annotations

from collections.abc import Iterable

from starlette.datastructures import UploadFile
from starlette.requests import Request

from api.web import csrf
from geo.errors import QueryParameterError


class Form:
    """The fields of a posted form (text values and uploaded files)."""

    def __init__(self, items: list[tuple[str, str | UploadFile]]) -> None:
        self._items = items

    def get(self, key: str, default: str | None = None) -> str | None:
        """The text value of ``key`` (stripped), ``default`` when absent or empty."""
        for k, v in self._items:
            if k == key and isinstance(v, str):
                v = v.strip()
                return v if v != "" else default
        return default

    def getlist(self, key: str) -> list[str]:
        """Every non-empty text value of ``key`` (repeated fields, check boxes)."""
        return [v.strip() for k, v in self._items if k == key and isinstance(v, str) and v.strip()]

    def file(self, key: str) -> UploadFile | None:
        """The uploaded file of ``key`` (``None`` when none was chosen)."""
        for k, v in self._items:
            if k == key and isinstance(v, UploadFile) and v.filename:
                return v
        return None

    def keys(self) -> set[str]:
        """The names of the fields sent."""
        return {k for k, _ in self._items}


async def read_form(
    request: Request, allowed: Iterable[str], *, repeated: Iterable[str] = ()
) -> Form:
    """Read the posted form of ``request``, checked.

    Parameters
    ----------
    allowed
        Field names the form has (the CSRF field is always allowed).
    repeated
        Fields that may come more than once (check boxes, multiple selects).

    Raises
    ------
    PermissionDeniedError
        When the CSRF token is missing or wrong, or the post comes from another site.
    QueryParameterError
        For a field the form does not have, or a single field sent twice (400).
    """
    data = await request.form()
    items = list(data.multi_items())
    sent = next((v for k, v in items if k == csrf.FIELD and isinstance(v, str)), None)
    csrf.verify(request, sent)
    known = set(allowed) | {csrf.FIELD}
    names = [k for k, _ in items]
    unknown = sorted(set(names) - known)
    if unknown:
        raise QueryParameterError(
            f"the form has no field {', '.join(map(repr, unknown))}; its fields: "
            f"{', '.join(sorted(set(allowed)))}."
        )
    many = set(repeated)
    twice = sorted({k for k in names if names.count(k) > 1 and k not in many})
    if twice:
        raise QueryParameterError(f"form field {', '.join(map(repr, twice))} was sent twice.")
    return Form([(k, v) for k, v in items if k != csrf.FIELD])
