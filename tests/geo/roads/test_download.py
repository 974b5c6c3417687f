"""Downloads fail fast and say so in one line (geo/roads/download.py, ``network fetch``,
``transit download``): a server on 127.0.0.1 that never answers, and a closed port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from geo.errors import DataSourceError
from geo.roads.download import Heartbeat, probe
from geo.settings import Settings


@pytest.fixture
def silent_server() -> Iterator[str]:
    """Accepts connections and never answers."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        srv.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = srv.accept()
                held.append(conn)
            except OSError:
                continue

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{srv.getsockname()[1]}/api"
    stop.set()
    t.join()
    for c in held:
        c.close()
    srv.close()


@pytest.fixture
def closed_port() -> str:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    return f"http://127.0.0.1:{port}/api"


def test_probe_gives_up_within_its_timeout(silent_server: str, closed_port: str) -> None:
    t0 = time.monotonic()
    with pytest.raises(DataSourceError, match=r"no answer within 1 s|no answer from"):
        probe(silent_server + "/status", 1.0, "OSM road network download")
    assert time.monotonic() - t0 < 3.0
    with pytest.raises(DataSourceError, match=r"cannot reach 127\.0\.0\.1:\d+ \(.*refused"):
        probe(closed_port, 1.0, "GTFS download")


def test_heartbeat_reports_while_a_block_runs() -> None:
    lines: list[str] = []
    with Heartbeat(lines.append, "still downloading", every_s=0.05):
        time.sleep(0.3)
    n = len(lines)
    time.sleep(0.15)
    assert n >= 3 and len(lines) == n  # stopped with the block
    assert lines[0].startswith("still downloading (")


def _cli(settings: Settings, *args: str, **env: str) -> tuple[int, str, str, float]:
    environ = {
        **os.environ,
        "STADTREGION_DATA_DIR": str(settings.data_dir),
        "STADTREGION_PROCESSED_DIR": str(settings.processed_dir),
        "STADTREGION_CONNECT_TIMEOUT_S": "2",
        **env,
    }
    exe = Path(sys.executable).with_name("stadtregion")
    t0 = time.monotonic()
    done = subprocess.run(
        [str(exe), *args], env=environ, capture_output=True, text=True, timeout=120
    )
    return done.returncode, done.stdout, done.stderr, time.monotonic() - t0


@pytest.mark.parametrize("server", ["silent_server", "closed_port"])
def test_network_fetch_without_a_network_says_so_in_one_line(
    settings: Settings, server: str, request: pytest.FixtureRequest
) -> None:
    url = request.getfixturevalue(server)
    code, out, err, seconds = _cli(
        settings, "network", "fetch", "--within-km", "5", STADTREGION_OVERPASS_URL=url
    )
    assert code != 0 and "Traceback" not in out + err
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "OSM road network download" in errors[0], err
    assert "check the network connection" in errors[0]
    assert f"checking {url}" in err  # it said what it was doing first
    # start-up and the region model take a few seconds; the wait itself is 2 s
    assert seconds < 30


def test_transit_download_without_a_server_says_so(
    settings: Settings, closed_port: str, tmp_path: Path
) -> None:
    code, out, err, _ = _cli(
        settings, "transit", "download", "--url", closed_port, "--dest", str(tmp_path / "f.zip")
    )
    assert code != 0 and "Traceback" not in out + err
    assert [line for line in err.splitlines() if line.startswith("error:")] == [
        next(line for line in err.splitlines() if "GTFS download: cannot reach" in line)
    ]
    assert not (tmp_path / "f.zip").exists()
