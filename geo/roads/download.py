"""Downloads that show what they do and fail fast: a reachability probe and a heartbeat.

Every download of the project (``network fetch`` from Overpass, ``transit download`` of a
GTFS feed) first asks the server with a short timeout (:func:`probe`, the setting
``connect_timeout_s``, 5 s by default), so without a network the command says so in one
line within seconds instead of after the download's own timeout. During the download
:class:`Heartbeat` reports every few seconds that it is still running.
"""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from types import TracebackType

from geo.errors import DataSourceError, InputError

#: A progress callback: one line of text per call.
Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


def probe(url: str, timeout_s: float, what: str, hint: str = "") -> None:
    """Check within ``timeout_s`` that the server of ``url`` answers (any HTTP status).

    Name resolution runs in a thread joined with the timeout: a resolver that hangs
    cannot hold the command longer than ``timeout_s``.

    Raises
    ------
    InputError
        ``url`` is not an http(s) address.
    DataSourceError
        One line: the host, what failed and what to check.
    """
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"{what} address {url!r} must start with http:// or https://.")
    host = f"{parts.hostname}:{parts.port or (443 if parts.scheme == 'https' else 80)}"
    outcome: list[BaseException | None] = []

    def attempt() -> None:
        req = urllib.request.Request(url, method="GET", headers={"User-Agent": "stadtregion"})
        try:
            with urllib.request.urlopen(req, timeout=timeout_s):
                pass
            outcome.append(None)
        except urllib.error.HTTPError:  # the server answered: reachable
            outcome.append(None)
        except (OSError, ValueError) as exc:
            outcome.append(exc)

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(timeout_s)
    tail = f" {hint}" if hint else ""
    if not outcome:
        raise DataSourceError(
            f"{what}: no answer from {host} within {timeout_s:g} s; check the network "
            f"connection{tail}."
        )
    exc = outcome[0]
    if exc is not None:
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, TimeoutError) or "timed out" in str(reason):
            reason = f"no answer within {timeout_s:g} s"
        raise DataSourceError(
            f"{what}: cannot reach {host} ({reason}); check the network connection{tail}."
        )


class Heartbeat:
    """Report ``message`` and the seconds elapsed every ``every_s`` while a block runs.

    Use as a context manager around a call that gives no progress of its own.
    """

    def __init__(self, progress: Progress | None, message: str, every_s: float = 10.0) -> None:
        self.progress = progress or _quiet
        self.message = message
        self.every_s = every_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._t0 = 0.0

    def _run(self) -> None:
        while not self._stop.wait(self.every_s):
            self.progress(f"{self.message} ({time.monotonic() - self._t0:.0f} s)")

    def __enter__(self) -> Heartbeat:
        self._t0 = time.monotonic()
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()
