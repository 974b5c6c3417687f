"""The ``stadtregion`` command line: a thin layer over ``geo/`` and ``maps/``.

Each domain adds its commands in a module of this package and registers them below.
Errors of the :mod:`geo.errors` tree are printed as one line on stderr, with a
non-zero exit code (2 for bad input or unknown names, 1 otherwise).
"""

from __future__ import annotations

import sys
from typing import Any

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

        usage, exits = _click_exceptions(click)
        if isinstance(exc, usage):
            message = exc.format_message()  # type: ignore[attr-defined]
            if message:
                print(f"error: {message}", file=sys.stderr)
            sys.exit(exc.exit_code)  # type: ignore[attr-defined]
        if isinstance(exc, exits):
            sys.exit(exc.exit_code)  # type: ignore[attr-defined]
        raise


def _click_exceptions(click: Any) -> tuple[tuple[type, ...], tuple[type, ...]]:
    """Usage-error and exit classes of click and of the copy newer typer ships."""
    usage: list[type] = [click.exceptions.ClickException]
    exits: list[type] = [click.exceptions.Exit, typer.Exit]
    try:
        from typer._click import exceptions as vendored
    except ImportError:  # typer without its own click
        return tuple(usage), tuple(exits)
    usage.append(vendored.ClickException)
    return tuple(usage), tuple(exits)
