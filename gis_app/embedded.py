"""The project-local PostgreSQL + PostGIS cluster.

Plain Python (no Django import) because settings need its URL before Django is configured.
The cluster lives in a git-ignored folder of the checkout and listens on 127.0.0.1 only, on a
port derived from the checkout's path so two clones on one machine do not collide.
"""
from __future__ import annotations

import hashlib
import os
import pwd
import shutil
import subprocess
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("EMBEDDED_DB_DIR", PROJECT_DIR / ".pgdata"))
DB_NAME = "gis_app"
DB_USER = "gis_app"
PG_VERSIONS = ("17", "16", "15")


def port() -> int:
    if os.environ.get("EMBEDDED_DB_PORT"):
        return int(os.environ["EMBEDDED_DB_PORT"])
    digest = hashlib.sha1(str(PROJECT_DIR).encode()).hexdigest()
    return 55000 + int(digest[:6], 16) % 900


def url() -> str:
    return f"postgis://{DB_USER}@127.0.0.1:{port()}/{DB_NAME}"


def _bindir() -> Path:
    for version in PG_VERSIONS:
        candidate = Path(f"/usr/lib/postgresql/{version}/bin")
        if (candidate / "pg_ctl").exists():
            return candidate
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    raise RuntimeError("PostgreSQL server binaries not found: run `make setup` "
                       "(apt-get install postgresql-15 postgresql-15-postgis-3)")


def _run_as() -> list[str]:
    """PostgreSQL refuses to run as root; as root we run it as the `postgres` system user."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam("postgres")
    except KeyError as exc:
        raise RuntimeError("running as root needs the `postgres` system user "
                           "(it comes with Debian's postgresql package)") from exc
    return ["runuser", "-u", "postgres", "--"]


def _pg(cmd: str, *args: str, check: bool = True, capture: bool = True) -> subprocess.CompletedProcess:
    full = [*_run_as(), str(_bindir() / cmd), *args]
    return subprocess.run(full, check=check, text=True,
                          stdout=subprocess.PIPE if capture else None,
                          stderr=subprocess.STDOUT if capture else None)


def is_running() -> bool:
    if not (DATA_DIR / "PG_VERSION").exists():
        return False
    return _pg("pg_ctl", "status", "-D", str(DATA_DIR), check=False).returncode == 0


def _psql(sql: str, db: str = "postgres") -> str:
    res = _pg("psql", "-h", "127.0.0.1", "-p", str(port()), "-U", DB_USER, "-d", db,
              "-v", "ON_ERROR_STOP=1", "-tAc", sql, check=False)
    if res.returncode != 0:
        raise RuntimeError(res.stdout)
    return res.stdout.strip()


def init() -> None:
    if (DATA_DIR / "PG_VERSION").exists():
        return
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(DATA_DIR, "postgres", "postgres")
        DATA_DIR.chmod(0o700)
    _pg("initdb", "-D", str(DATA_DIR), "-U", DB_USER, "--auth=trust", "-E", "UTF8",
        "--locale=C.UTF-8")
    with open(DATA_DIR / "postgresql.auto.conf", "a") as conf:
        conf.write("listen_addresses = '127.0.0.1'\n"
                   f"port = {port()}\n"
                   "unix_socket_directories = ''\n"
                   "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
                   "shared_buffers = 512MB\nwork_mem = 64MB\nmaintenance_work_mem = 512MB\n"
                   "max_connections = 200\n")


def start() -> str:
    """Start (initialising if needed); a running cluster is left alone."""
    init()
    if not is_running():
        log = DATA_DIR / "server.log"
        _pg("pg_ctl", "start", "-D", str(DATA_DIR), "-l", str(log), "-w", "-t", "60",
            "-o", f"-p {port()}")
    for _ in range(50):
        try:
            _psql("select 1")
            break
        except RuntimeError:
            time.sleep(0.2)
    if _psql(f"select 1 from pg_database where datname = '{DB_NAME}'") != "1":
        _psql(f"create database {DB_NAME}")
    _psql("create extension if not exists postgis", db=DB_NAME)
    return url()


def stop() -> None:
    if is_running():
        _pg("pg_ctl", "stop", "-D", str(DATA_DIR), "-m", "fast", "-w")


def status() -> str:
    return f"running at {url()}" if is_running() else f"stopped (data in {DATA_DIR})"
