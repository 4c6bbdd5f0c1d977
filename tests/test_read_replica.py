"""DATABASE_REPLICA_URL: stale-tolerant reads on a streaming replica, the rest on the primary.

Two real clusters of their own (temporary folders and ports), made from the same PostgreSQL
binaries as the embedded one: a primary (gis_app.embedded, migrated, the demo loaded) and a
hot standby copied from it with `pg_basebackup -R` (it streams the primary's WAL). A probe
process configured with both URLs (tests/replica_probe.py) sends requests through the whole
Django stack and reports which database ran each request's queries; `pg_is_in_recovery()`
tells the standby from the primary.
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from gis_app import embedded

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(args, env, timeout=900) -> str:
    res = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-4000:]
    return res.stdout


@pytest.fixture(scope="module")
def clusters():
    parent = Path(tempfile.mkdtemp(prefix="replica-"))
    parent.chmod(0o755)      # the postgres user must reach the data folders
    primary_port, replica_port = _free_port(), _free_port()
    env = {**os.environ, "EMBEDDED_DB_DIR": str(parent / "primary"),
           "EMBEDDED_DB_PORT": str(primary_port), "DJANGO_DEBUG": "1"}
    env.pop("DATABASE_URL", None)
    env.pop("DATABASE_REPLICA_URL", None)
    python = [sys.executable, "-c"]
    replica_dir = parent / "replica"
    try:
        _run([*python, "from gis_app import embedded; embedded.start()"], env)
        _run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], env)
        _run([sys.executable, "manage.py", "load_demo"], env)
        replica_dir.mkdir(mode=0o700)
        if os.geteuid() == 0:
            shutil.chown(replica_dir, "postgres", "postgres")
        _run([*embedded._run_as(), str(embedded._bindir() / "pg_basebackup"), "-D", str(replica_dir),
              "-R", "-X", "stream", "-c", "fast", "-h", "127.0.0.1", "-p", str(primary_port), "-U", "gis_admin"], env)
        _run([*embedded._run_as(), str(embedded._bindir() / "pg_ctl"), "start", "-D", str(replica_dir),
              "-l", str(replica_dir / "server.log"), "-w", "-t", "120", "-o", f"-p {replica_port}"], env)
        yield {**env, "DATABASE_URL": f"postgis://gis_app@127.0.0.1:{primary_port}/gis_app",
               "DATABASE_REPLICA_URL": f"postgis://gis_app@127.0.0.1:{replica_port}/gis_app"}
    finally:
        for folder in (replica_dir, parent / "primary"):
            if (folder / "PG_VERSION").exists():
                subprocess.run([*embedded._run_as(), str(embedded._bindir() / "pg_ctl"), "stop", "-D",
                                str(folder), "-m", "immediate"], capture_output=True)
        shutil.rmtree(parent, ignore_errors=True)


@pytest.fixture(scope="module")
def probe(clusters):
    out = _run([sys.executable, str(ROOT / "tests" / "replica_probe.py")], clusters, timeout=300)
    return json.loads(out.strip().splitlines()[-1])


def test_the_replica_is_a_standby_and_the_primary_is_not(probe):
    assert probe["recovery"] == {"default": False, "replica": True}


@pytest.mark.parametrize("name, marker", [("tile", "ST_AsMVT"), ("ogc items", "boundaries_grid"),
                                          ("township list", "boundaries_township"),
                                          ("statistics", "incidents_case")])
def test_stale_tolerant_reads_are_served_by_the_replica(probe, name, marker):
    request = probe["requests"][name]
    assert request["status"] == 200
    assert any(marker in sql for sql in request["replica"])
    assert not any(marker in sql for sql in request["default"])


def test_authentication_reads_stay_on_the_primary_during_a_replica_read(probe):
    request = probe["requests"]["tile"]
    assert any("authtoken_token" in sql for sql in request["default"])
    assert not any("authtoken_token" in sql for sql in request["replica"])


def test_intake_and_its_routing_are_served_by_the_primary_alone(probe):
    request = probe["requests"]["intake"]
    assert request["status"] == 201
    assert any("INSERT INTO" in sql and "incidents_case" in sql for sql in request["default"])
    assert request["replica"] == []


def test_a_step_right_after_intake_reads_its_own_write_on_the_primary(probe):
    assert probe.get("step"), f"no step of {probe['case']['steps']} was accepted"
    request = probe["requests"]["step"]
    assert request["status"] == 200
    assert request["replica"] == []


def test_the_new_case_reaches_the_replica_by_streaming(probe):
    assert probe["replicated"] is True
