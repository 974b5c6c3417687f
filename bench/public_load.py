"""Public pages under load: requests/s and latency with N concurrent clients, on loopback.

Starts ``stadtregion serve`` (several worker processes, the answer cache of
``api/cache.py``) on a free port of 127.0.0.1 and drives each public route with
``--clients`` concurrent keep-alive connections for ``--seconds``, side by side with the
region map (cached since the foundation): the figures are printed as ratios against it.
With ``--baseline`` the same load also runs against one worker with the answer cache
off (``STADTREGION_CACHE_MAX_BYTES=0``: how the server ran before), a fresh server per
route (an overloaded one would still be building the pages of the route before).

The load generator is plain asyncio sockets speaking HTTP/1.1 (``Accept-Encoding:
gzip``, as browsers send), spread over ``--procs`` processes, so the client costs little
CPU next to the server on the same machine. Every answer must be 200; anything else,
a time-out (5 s) or a dropped connection counts as an error.

Needs the built region and the demo land pool (``stadtregion build``, ``stadtregion
plots seed-demo``; ``make bench`` does both).

Run: ``.venv/bin/python bench/public_load.py [--clients 50] [--seconds 10] [--baseline]``.

Targets of issue 20 (2-core machine): the forum map ≥ 200 requests/s with 50 clients,
p99 < 500 ms, no errors; OGC pages of 100 features ≥ 100 requests/s.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROUTES = [
    ("region map (baseline)", "/maps/region.html"),
    ("forum map", "/maps/forum.html"),
    ("OGC municipalities, 100 features", "/ogc/collections/municipalities/items?limit=100"),
    ("OGC plots, 100 features", "/ogc/collections/plots/items?limit=100"),
    ("one municipality", "/municipalities/16053000"),
    ("plots (public)", "/plots"),
]
TIMEOUT_S = 5.0
BIN = Path(sys.executable).parent


@dataclass
class Tally:
    """What one load process saw."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    body_bytes: int = 0
    first_error: str = ""


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, int]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
    if "content-length" in headers:
        n = int(headers["content-length"])
        await reader.readexactly(n)
        return status, n
    if headers.get("transfer-encoding", "").lower() == "chunked":
        total = 0
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip().split(b";")[0], 16)
            await reader.readexactly(size + 2)
            total += size
            if size == 0:
                return status, total
    raise ValueError("answer without Content-Length")


async def _client(host: str, port: int, path: str, stop_at: float, tally: Tally) -> None:
    request = (
        f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept-Encoding: gzip\r\n"
        "User-Agent: stadtregion-bench\r\n\r\n"
    ).encode()
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None
    while time.perf_counter() < stop_at:
        t0 = time.perf_counter()
        try:
            if reader is None or writer is None:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection(host, port), TIMEOUT_S
                )
            writer.write(request)
            status, size = await asyncio.wait_for(_read_response(reader), TIMEOUT_S)
        except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError) as exc:
            tally.errors += 1
            tally.first_error = tally.first_error or repr(exc)
            if writer is not None:
                writer.close()
            reader = writer = None
            continue
        if status != 200:
            tally.errors += 1
            tally.first_error = tally.first_error or f"HTTP {status}"
            continue
        tally.latencies.append(time.perf_counter() - t0)
        tally.body_bytes += size
    if writer is not None:
        writer.close()


def _load_process(args: tuple[str, int, str, int, float, float]) -> Tally:
    host, port, path, clients, start_at, seconds = args
    tally = Tally()

    async def drive() -> None:
        await asyncio.sleep(max(0.0, start_at - time.time()))
        stop_at = time.perf_counter() + seconds
        await asyncio.gather(*(_client(host, port, path, stop_at, tally) for _ in range(clients)))

    asyncio.run(drive())
    return tally


def run_load(
    host: str, port: int, path: str, clients: int, seconds: float, procs: int
) -> dict[str, Any]:
    """Drive ``path`` with ``clients`` connections over ``procs`` processes."""
    share = [clients // procs + (1 if i < clients % procs else 0) for i in range(procs)]
    start_at = time.time() + 0.5
    with mp.get_context("spawn").Pool(procs) as pool:
        tallies = pool.map(
            _load_process, [(host, port, path, n, start_at, seconds) for n in share if n]
        )
    lat = sorted(x for t in tallies for x in t.latencies)
    n = len(lat)
    return {
        "rps": n / seconds,
        "p50_ms": statistics.median(lat) * 1000 if lat else float("nan"),
        "p99_ms": lat[min(n - 1, int(n * 0.99))] * 1000 if lat else float("nan"),
        "errors": sum(t.errors for t in tallies),
        "kb": (sum(t.body_bytes for t in tallies) / n / 1000) if n else 0.0,
        "first_error": next((t.first_error for t in tallies if t.first_error), ""),
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(workers: int, cache: bool) -> tuple[subprocess.Popen[bytes], int]:
    """``stadtregion serve`` on a free port; returns once it answers /health."""
    port = _free_port()
    env = {**os.environ}
    if not cache:
        env["STADTREGION_CACHE_MAX_BYTES"] = "0"
    proc = subprocess.Popen(
        [str(BIN / "stadtregion"), "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                if s.recv(100).startswith(b"HTTP/1.1 200"):
                    return proc, port
        except OSError:
            time.sleep(0.3)
    _stop(proc)
    raise SystemExit("the server did not start within 120 s")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _warm(port: int, workers: int, paths: list[str]) -> None:
    """Build each page once per worker (connections land on workers at random)."""
    for path in paths:
        for _ in range(4 * workers):
            with socket.create_connection(("127.0.0.1", port), timeout=120) as s:
                s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
                while s.recv(1 << 16):
                    pass


def bench(label: str, workers: int, cache: bool, args: argparse.Namespace) -> None:
    """Load every route in turn and print a table (ratios against the region map)."""
    print(
        f"\n{label}: {workers} worker(s), answer cache {'on' if cache else 'off'}, "
        f"{args.clients} clients, {args.seconds:g} s per route"
    )
    print(
        f"{'route':36} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} "
        f"{'kB/answer':>10} {'vs region':>10}"
    )
    base = None
    server: tuple[subprocess.Popen[bytes], int] | None = None
    try:
        for name, path in ROUTES:
            if server is None:
                server = start_server(workers, cache)
                _warm(server[1], workers, [p for _, p in ROUTES] if cache else [path])
            r = run_load("127.0.0.1", server[1], path, args.clients, args.seconds, args.procs)
            base = base or r["rps"] or 1.0
            print(
                f"{name:36} {r['rps']:8.1f} {r['p50_ms']:8.1f} {r['p99_ms']:8.1f} "
                f"{int(r['errors']):7d} {r['kb']:10.1f} {r['rps'] / base:9.2f}×"
                + (f"  ({r['first_error']})" if r["errors"] else "")
            )
            if not cache:
                _stop(server[0])
                server = None
    finally:
        if server is not None:
            _stop(server[0])


def main() -> None:
    parser = argparse.ArgumentParser(description="Public routes under concurrent load.")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--procs", type=int, default=2, help="load-generator processes")
    parser.add_argument("--baseline", action="store_true", help="also run without the cache")
    args = parser.parse_args()
    bench("cached", args.workers, True, args)
    if args.baseline:
        bench("baseline (as before)", 1, False, args)


if __name__ == "__main__":
    main()
