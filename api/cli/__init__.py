"""The ``stadtregion`` command line: a thin layer over ``geo/`` and ``maps/``.

Each domain adds its commands in a module of this package and registers them below.
Errors of the :mod:`geo.errors` tree are printed as one line on stderr, with a
non-zero exit code (2 for bad input or unknown names, 1 otherwise).
"""

from __future__ import annotations

import sys

import typer
from typer._click.exceptions import ClickException, NoArgsIsHelpError, NoSuchOption

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
    contributions,
    core,
    municipalities,
    plots,
    projects,
    screening,
    tokens,
    transit,
    travel,
    users,
    validate,
)


def main() -> None:
    """Entry point of the console script: run the app, print every error on one line.

    Usage errors (unknown option or command, missing option, bad value) come from the
    click that typer vendors as ``typer._click`` (not the ``click`` package): they print
    as ``error: …`` with exit code 2; a bare ``stadtregion`` prints the help (exit 2).
    """
    try:
        app(standalone_mode=False)
    except StadtregionError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2 if isinstance(exc, InputError | NotFoundError) else 1)
    except NoArgsIsHelpError as exc:
        print(exc.format_message(), file=sys.stderr)
        sys.exit(2)
    except ClickException as exc:
        print(f"error: {usage_message(exc)}", file=sys.stderr)
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        print("aborted", file=sys.stderr)
        sys.exit(1)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)


def usage_message(exc: ClickException) -> str:
    """One line for a usage error: the message, and the closest option or command."""
    if isinstance(exc, NoSuchOption) and exc.possibilities:
        close = ", ".join(sorted(exc.possibilities))
        return f"No such option: {exc.option_name} (did you mean {close}?)"
    return " ".join(exc.format_message().split())
