"""Forum contributions under concurrent load: none lost, none duplicated, limits hold.

Starts ``stadtregion serve`` with two worker processes on a throw-away land pool (a
temporary GeoPackage; nothing of ``data/`` is touched) and lets ``--clients`` clients
submit ``--each`` contributions at once through the real form (GET for the CSRF token,
then POST). The clients come from different loopback addresses (127.0.0.2, 127.0.0.3,
...: Linux routes all of 127/8 to the loopback), so the server tells them apart by the
keyed hash of their address as it would on the internet. The defaults are within the
limits (10 per client and hour, 10 pending per client): every submission must be
answered 303 and stored once. One more submission per client must be refused (429).
Then the store must hold exactly ``clients × each`` contributions with distinct titles
and an intact history chain.

Prints submissions/s and latency, and as ratio against the same clients reading the
forum page (``GET /forum/contribute``) in the same run.

Run: ``.venv/bin/python bench/forum_submit_load.py [--clients 20] [--each 10]`` (about
30 s on a 2-core machine).
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

BIN = Path(sys.executable).parent
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(env: dict[str, str]) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    proc = subprocess.Popen(
        # uvicorn's own command (what `stadtregion serve --workers 2` runs), with a longer
        # worker health check: on a busy 2-core machine a worker's start-up (geopandas,
        # pyproj, the routers) can take longer than uvicorn's default 5 s
        [
            str(BIN / "python"),
            "-m",
            "uvicorn",
            "api.app:create_app",
            "--factory",
            "--workers",
            "2",
            "--port",
            str(port),
            "--timeout-worker-healthcheck",
            "120",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return proc, port
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not start within 120 s")


def client_run(port: int, n: int, each: int, results: list[tuple[str, int, float, str]]) -> None:
    """One client from 127.0.0.(n+2): ``each`` submissions and one more (refused)."""
    transport = httpx.HTTPTransport(local_address=f"127.0.0.{n + 2}")
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", transport=transport, timeout=60) as c:
        for i in range(each + 1):
            t0 = time.perf_counter()
            page = c.get("/forum/contribute")
            t1 = time.perf_counter()
            results.append(("read", page.status_code, t1 - t0, ""))
            token = CSRF.search(page.text)
            data = {
                "csrf_token": token.group(1) if token else "",
                "lat": "50.9271",
                "lon": "11.5892",
                "topic": "traffic",
                "title": f"Last {n:02d}-{i:02d}",
                "text": f"Lasttest Beitrag {n:02d}-{i:02d} über den Verkehr.",
            }
            t2 = time.perf_counter()
            r = c.post("/forum/contribute", data=data, follow_redirects=False)
            results.append(("submit", r.status_code, time.perf_counter() - t2, data["title"]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--each", type=int, default=10)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="forum-load-"))
    env = {
        **os.environ,
        "STADTREGION_LANDPOOL_GPKG": str(tmp / "lp.gpkg"),
        "STADTREGION_CONTRIBUTIONS_PER_CLIENT_HOUR": str(args.each),
        "STADTREGION_CONTRIBUTIONS_PENDING_PER_CLIENT": str(args.each),
        "STADTREGION_CONTRIBUTIONS_GLOBAL_PER_HOUR": str(args.clients * args.each + 50),
    }
    env.pop("STADTREGION_DATABASE_URL", None)
    proc, port = start_server(env)
    try:
        httpx.get(f"http://127.0.0.1:{port}/forum/contribute", timeout=120)  # warm both
        results: list[tuple[str, int, float, str]] = []
        threads = [
            threading.Thread(target=client_run, args=(port, n, args.each, results))
            for n in range(args.clients)
        ]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - t0
    finally:
        proc.terminate()
        proc.wait(30)
    submits = [r for r in results if r[0] == "submit"]
    reads = [r for r in results if r[0] == "read"]
    ok = [r for r in submits if r[1] == 303]
    refused = [r for r in submits if r[1] == 429]
    other = [r for r in submits + reads if r[1] not in (200, 303, 429)]
    expected = args.clients * args.each

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from geo.settings import Settings
    from geo.usecases.forum import open_contributions

    settings = Settings(landpool_gpkg=tmp / "lp.gpkg")
    with open_contributions(settings) as store:
        stored = store.list(statuses=("pending",))
        chain = store.verify_history()
    titles = [c.title for c in stored]
    submit_ms = statistics.median(r[2] for r in ok) * 1000
    read_ms = statistics.median(r[2] for r in reads) * 1000
    print(f"{args.clients} clients × {args.each} submissions, 2 workers, GeoPackage: {wall:.1f} s")
    print(
        f"  accepted (303): {len(ok)} of {expected}; refused over the limit (429): "
        f"{len(refused)} of {args.clients}; other answers: {len(other)}"
    )
    print(
        f"  stored: {len(stored)}, distinct titles {len(set(titles))}; history rows "
        f"{chain.rows}, chain breaks {len(chain.problems)}"
    )
    print(
        f"  submit median {submit_ms:.0f} ms = {submit_ms / read_ms:.2f}x the form page "
        f"({read_ms:.0f} ms); {len(ok) / wall:.1f} submissions/s"
    )
    lost = set(r[3] for r in ok) - set(titles)
    assert not other, other[:3]
    assert len(ok) == expected and len(refused) == args.clients, (len(ok), len(refused))
    assert len(stored) == expected == len(set(titles)) and not lost, "lost or duplicated"
    assert not chain.problems and chain.rows == expected
    print("OK: none lost, none duplicated, limits held")


if __name__ == "__main__":
    main()
