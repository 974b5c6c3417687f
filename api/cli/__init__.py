"""The ``stadtregion`` command line: a thin layer over ``geo/`` and ``maps/``.

Each domain adds its commands in a module of this package and registers them below.
Errors of the :mod:`geo.errors` tree are printed as one line on stderr, with a
non-zero exit code (2 for bad input or unknown names, 1 otherwise).
"""

from __future__ import annotations

import sys

import typer

from geo.errors import InputError, NotFoundError, StadtregionError

app = typer.Typer(
    name="stadtregion",
    help="Planning toolkit for the city-region of Jena: region, travel times, land pool.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Domain modules register their commands on `app` when imported.
from api.cli import (  # noqa: E402,F401
    batch,
    core,
    municipalities,
    plots,
    screening,
    tokens,
    transit,
    travel,
    validate,
)


def main() -> None:
    """Entry point of the console script: run the app, print domain errors on one line."""
    try:
        app(standalone_mode=False)
    except StadtregionError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2 if isinstance(exc, InputError | NotFoundError) else 1)
    except typer.Abort:
        print("aborted", file=sys.stderr)
        sys.exit(1)
    except Exception as exc:  # click usage errors
        import click

        if isinstance(exc, click.exceptions.ClickException):
            print(f"error: {exc.format_message()}", file=sys.stderr)
            sys.exit(exc.exit_code)
        if isinstance(exc, click.exceptions.Exit):
            sys.exit(exc.exit_code)
        raise
