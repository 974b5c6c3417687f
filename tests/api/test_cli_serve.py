"""``stadtregion serve`` runs several worker processes (issue 20: one process fell over)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from geo.settings import Settings


def _children(pid: int) -> list[int]:
    """Process ids whose parent is ``pid`` (from /proc)."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid:
            out.append(int(entry.name))
    return out


@pytest.mark.slow
def test_serve_starts_the_asked_number_of_workers(settings: Settings, tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ,
        "STADTREGION_PROCESSED_DIR": str(settings.processed_dir),
        "STADTREGION_LANDPOOL_GPKG": str(tmp_path / "lp.gpkg"),
    }
    exe = Path(sys.executable).parent / "stadtregion"
    proc = subprocess.Popen(
        [str(exe), "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.time() + 240  # a loaded 2-core machine
        while time.time() < deadline:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)
                if r.status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        else:
            pytest.fail("server did not answer within 240 s")
        # uvicorn's supervisor runs the workers as its child processes
        workers = [c for c in _children(proc.pid) if "spawn_main" in _cmdline(c)]
        assert len(workers) == 2, [_cmdline(c) for c in _children(proc.pid)]
        r = httpx.get(f"http://127.0.0.1:{port}/municipalities/16053000?x=1", timeout=30)
        assert r.status_code == 400 and "'x'" in r.json()["detail"]
        first = httpx.get(f"http://127.0.0.1:{port}/municipalities/16053000", timeout=30)
        assert first.status_code == 200 and first.headers["etag"]
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    assert b"2 worker processes" in out


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def test_serve_hands_uvicorn_the_proxy_and_health_check_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Several workers: uvicorn gets the health-check wait of the settings and leaves the
    proxy headers to the app's own middleware (STADTREGION_FORWARDED_ALLOW_IPS)."""
    import uvicorn

    from api.cli import main
    from geo.settings import get_settings

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: seen.update(kw))
    monkeypatch.setenv("STADTREGION_WORKER_HEALTHCHECK_S", "90")
    monkeypatch.setattr(sys, "argv", ["stadtregion", "serve", "--workers", "2", "--port", "9"])
    get_settings.cache_clear()
    try:
        main()
    finally:
        get_settings.cache_clear()
    assert seen["workers"] == 2 and seen["timeout_worker_healthcheck"] == 90
    assert seen["proxy_headers"] is False
