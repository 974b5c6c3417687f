"""Answer cache of the API: pages and answers kept per data version and viewer class.

A map page such as ``/maps/forum.html`` takes about 0.6 s to build; hundreds of
visitors at once would each wait for their own build. This ASGI middleware keeps the
200 answers of GET routes in memory (per worker process, bounded by
``Settings.cache_max_bytes``), keyed by

* the scheme, ``Host``, path and query string (OGC answers hold absolute links), and the
  ``Accept`` header (the OGC routes negotiate on it);
* the **viewer class**: ``public`` for callers without (valid) credentials, else how
  they came (API token or login session), their role and name. Token and session cookie
  are authenticated on every request (a revoked token or ended session never reaches a
  cached page), and a page built for one viewer class is never served to another (a
  land-pool page never to the public, nor the other way round; ``Vary`` names
  ``Authorization`` and ``Cookie``). Answers that set a cookie are not cached;
* the **data version** of the store (:func:`geo.landpool.data_version.data_version`, read from
  the database on every request): every edit, import, publish or unpublish moves it, in
  every worker process, so no page outlives the data it shows.

Cached answers are sent gzip-compressed to clients that accept it, with a strong
``ETag`` (a hash of the body) and ``Cache-Control: no-cache`` so clients revalidate;
``If-None-Match`` with the current ETag answers ``304 Not Modified``. Answers that carry
their own ``ETag`` (``/plots/{id}``, whose ETag is the plot version used by ``If-Match``)
and every non-200 answer pass through unchanged. ``X-Cache: hit|miss`` says what happened.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
from collections import OrderedDict
from dataclasses import dataclass

import anyio.to_thread
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.deps import get_store, get_viewer
from geo.landpool.data_version import data_version

#: GET routes whose answers are cached (tokens, whoami, health, docs, static files are not).
CACHED_PREFIXES = (
    "/maps/",
    "/ogc",
    "/municipalities",
    "/plots",
    "/reachable",
    "/isochrones",
    "/transit/",
)
#: Content types worth compressing.
_COMPRESSIBLE = (b"text/", b"application/json", b"application/geo+json", b"application/javascript")
#: Headers of the app's answer not kept with a cached body (recomputed when sent).
_DROP = {b"content-length", b"content-encoding", b"etag", b"vary", b"cache-control", b"date"}
_VARY = b"Accept, Accept-Encoding, Authorization, Cookie"


@dataclass
class Entry:
    """One cached answer."""

    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    gzipped: bytes | None
    etag: bytes

    @property
    def size(self) -> int:
        return len(self.body) + len(self.gzipped or b"") + 200


class AnswerCache:
    """A byte-bounded LRU of :class:`Entry` (used from the event loop only)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.used = 0
        self._entries: OrderedDict[tuple[str, ...], Entry] = OrderedDict()
        self._locks: dict[tuple[str, ...], asyncio.Lock] = {}

    def get(self, key: tuple[str, ...]) -> Entry | None:
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
        return entry

    def put(self, key: tuple[str, ...], entry: Entry) -> None:
        if entry.size > self.max_bytes // 4:
            return  # one answer may not crowd out the rest
        old = self._entries.pop(key, None)
        if old is not None:
            self.used -= old.size
        self._entries[key] = entry
        self.used += entry.size
        while self.used > self.max_bytes and self._entries:
            _, dropped = self._entries.popitem(last=False)
            self.used -= dropped.size

    def lock(self, key: tuple[str, ...]) -> asyncio.Lock:
        """One lock per key, so concurrent misses build a page once, not once each."""
        lock = self._locks.get(key)
        if lock is None:
            if len(self._locks) > 10_000:
                self._locks = {k: v for k, v in self._locks.items() if v.locked()}
            lock = self._locks[key] = asyncio.Lock()
        return lock

    def __len__(self) -> int:
        return len(self._entries)


def _viewer_and_version(scope: Scope) -> tuple[str, str] | None:
    """The caller's viewer class and the store's data version (None: do not cache)."""
    request = Request(scope)
    try:
        viewer = get_viewer(request)
        version = data_version(get_store(request))
    except Exception:  # the app answers (401, 503, ...) as it would without the cache
        return None
    role = str(viewer.role)
    if role == "public":
        return "public", version
    # a session's pages (header with logout) differ from a token's of the same name
    via = "session" if getattr(request.state, "session_id", None) is not None else "token"
    return f"{via}:{role}:{viewer.name}", version


def _accepts_gzip(headers: dict[bytes, bytes]) -> bool:
    for part in headers.get(b"accept-encoding", b"").lower().split(b","):
        coding, _, params = part.strip().partition(b";")
        if coding.strip() in (b"gzip", b"*") and params.replace(b" ", b"") not in (
            b"q=0",
            b"q=0.0",
        ):
            return True
    return False


def _etag_matches(header: bytes | None, etag: bytes) -> bool:
    if not header:
        return False
    if header.strip() == b"*":
        return True
    return any(t.strip().removeprefix(b"W/") == etag for t in header.split(b","))


class CacheMiddleware:
    """Serve GET answers from an :class:`AnswerCache` (see the module docstring)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.cache = AnswerCache(max_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
            or self.cache.max_bytes <= 0
            or not scope["path"].startswith(CACHED_PREFIXES)
        ):
            await self.app(scope, receive, send)
            return
        found = await anyio.to_thread.run_sync(_viewer_and_version, scope)
        if found is None:
            await self.app(scope, receive, send)
            return
        who, version = found
        headers = dict(scope["headers"])
        key = (
            # absolute links (OGC) are built from the scheme and Host of the request
            f"{scope.get('scheme', 'http')}://{headers.get(b'host', b'').decode('latin-1')}"
            f"{scope.get('root_path', '')}",
            scope["path"],
            scope.get("query_string", b"").decode("latin-1"),
            headers.get(b"accept", b"").decode("latin-1"),
            who,
            version,
        )
        entry = self.cache.get(key)
        state = b"hit"
        if entry is None:
            async with self.cache.lock(key):
                entry = self.cache.get(key)
                if entry is None:
                    state = b"miss"
                    entry = await self._fill(scope, receive, send, key)
                    if entry is None:
                        return  # answered by the app itself (not cacheable)
        await self._send(entry, headers, who, state, send)

    async def _fill(
        self, scope: Scope, receive: Receive, send: Send, key: tuple[str, ...]
    ) -> Entry | None:
        """Run the app; cache a 200 answer, or pass any other answer straight through."""
        # the app answers uncompressed; the cache compresses once for every later client
        inner = {
            **scope,
            "headers": [(k, v) for k, v in scope["headers"] if k != b"accept-encoding"],
        }
        start: Message | None = None
        chunks: list[bytes] = []
        passing = False

        async def capture(message: Message) -> None:
            nonlocal start, passing
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                # an answer that sets a cookie belongs to one browser: never cached
                if message["status"] != 200 or b"etag" in names or b"set-cookie" in names:
                    passing = True
                    await send(message)
                    return
                start = message
            elif message["type"] == "http.response.body":
                if passing:
                    await send(message)
                else:
                    chunks.append(message.get("body", b""))

        await self.app(inner, receive, capture)
        if passing or start is None:
            return None
        body = b"".join(chunks)
        kept = [(k, v) for k, v in start.get("headers", []) if k.lower() not in _DROP]
        ctype = dict(kept).get(b"content-type", b"")
        gzipped = (
            gzip.compress(body, compresslevel=6, mtime=0)
            if len(body) >= 1024 and ctype.startswith(_COMPRESSIBLE)
            else None
        )
        etag = b'"' + hashlib.sha256(body).hexdigest()[:32].encode() + b'"'
        entry = Entry(200, kept, body, gzipped, etag)
        self.cache.put(key, entry)
        return entry

    @staticmethod
    async def _send(
        entry: Entry, request_headers: dict[bytes, bytes], who: str, state: bytes, send: Send
    ) -> None:
        common = [
            (b"etag", entry.etag),
            (b"vary", _VARY),
            (b"cache-control", b"no-cache" if who == "public" else b"private, no-cache"),
            (b"x-cache", state),
        ]
        if _etag_matches(request_headers.get(b"if-none-match"), entry.etag):
            await send({"type": "http.response.start", "status": 304, "headers": common})
            await send({"type": "http.response.body", "body": b""})
            return
        body = entry.body
        headers = [*entry.headers, *common]
        if entry.gzipped is not None and _accepts_gzip(request_headers):
            body = entry.gzipped
            headers.append((b"content-encoding", b"gzip"))
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": entry.status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
