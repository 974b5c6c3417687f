"""Problems of a page form: which field, what is wrong, the closest known names.

A page that checks what a person typed collects every problem it can find (not only the
first), then shows the form again with each problem named next to its field and listed
on top. :class:`FormError` carries them from the parsing to the page; the status is
that of the error the API answers for the same input (:func:`api.errors.status_for`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from geo.errors import StadtregionError


@dataclass(frozen=True)
class Problem:
    """One problem of a form.

    Parameters
    ----------
    field
        The form field it belongs to (``None``: the form as a whole).
    message
        What is wrong and how to fix it (the error's own text).
    suggestions
        Closest known values (e.g. municipality names) to offer as a fix.
    """

    field: str | None
    message: str
    suggestions: tuple[str, ...] = ()


class FormError(Exception):
    """The problems of a form, the errors behind them and the status its page answers.

    The status is that of the first error (422 when there is none).
    """

    def __init__(
        self, problems: Sequence[Problem], errors: Sequence[StadtregionError] = ()
    ) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = list(problems)
        self.errors = list(errors)
        self.status = status_of(self.errors[0]) if self.errors else 422


def status_of(exc: BaseException) -> int:
    """The status the API answers ``exc`` with (the one mapping of :mod:`api.errors`)."""
    # imported here: api.errors imports the page package (error pages), which imports this
    from api.errors import status_for

    return status_for(exc)


def problem(exc: StadtregionError, field: str | None) -> Problem:
    """A :class:`Problem` of ``field`` from a ``geo.errors`` exception (with its names)."""
    names = [
        *(getattr(exc, "suggestions", None) or []),
        *(getattr(exc, "candidates", None) or []),
    ]
    return Problem(field, str(exc), tuple(str(n) for n in names))
