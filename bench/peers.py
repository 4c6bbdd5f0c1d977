"""Peer servers the map benchmark measures beside ours: tipg (OGC API Features and Tiles on
FastAPI + asyncpg), installed from PyPI into a bench-only virtualenv and served against the
bench database.

`python bench/peers.py` (run by `make bench`) creates bench/.peers-venv (git-ignored) with
tipg and uvicorn when missing; `Tipg(url, tables)` starts one on a free port of 127.0.0.1
and stops it. Nothing here is installed into the app's environment.
"""
from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

HERE = Path(__file__).resolve().parent
VENV = HERE / ".peers-venv"
PACKAGES = ["tipg==1.6.1", "uvicorn"]


def python() -> Path:
    return VENV / "bin" / "python"


def installed() -> bool:
    return python().exists() and subprocess.call(
        [str(python()), "-c", "import tipg, uvicorn"], stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL) == 0


def install() -> bool:
    """Create the peers' virtualenv with tipg (from PyPI) unless it is there; False on failure
    (the benchmark then reports the peer as not measured)."""
    if installed():
        return True
    try:
        if not python().exists():
            subprocess.check_call([sys.executable, "-m", "venv", str(VENV)])
        subprocess.check_call([str(python()), "-m", "pip", "install", "-q", *PACKAGES])
    except (OSError, subprocess.CalledProcessError) as exc:
        print(f"peers: could not install {' '.join(PACKAGES)} ({exc})")
        return False
    return installed()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Tipg:
    """tipg serving `tables` (schema-qualified) of the database at `url`, one process (as
    its docs deploy it), on a free port."""

    def __init__(self, url: str, tables: list[str]):
        self.url, self.tables = url, tables
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> "Tipg":
        u = urlparse(self.url)
        env = {**os.environ,
               "DATABASE_URL": f"postgresql://{u.username}{':' + u.password if u.password else ''}"
                               f"@{u.hostname}:{u.port}{u.path}",
               "TIPG_DB_SCHEMAS": json.dumps(sorted({t.split(".")[0] for t in self.tables})),
               "TIPG_DB_TABLES": json.dumps(self.tables),
               "TIPG_MAX_FEATURES_PER_QUERY": "10000"}
        self.proc = subprocess.Popen([str(VENV / "bin" / "uvicorn"), "tipg.main:app", "--host", "127.0.0.1",
                                      "--port", str(self.port), "--log-level", "warning"], env=env, cwd=HERE)
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("tipg exited")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/collections")
                if conn.getresponse().status == 200:
                    return self
            except OSError:
                time.sleep(0.5)
        raise RuntimeError("tipg did not answer in time")

    def __exit__(self, *exc) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


if __name__ == "__main__":
    sys.exit(0 if install() else 0)     # a missing peer is reported by the benchmark, not fatal
