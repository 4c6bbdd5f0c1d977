"""The project-local PostgreSQL + PostGIS cluster.

Plain Python (no Django import) because settings need its URL before Django is configured.
The cluster lives in a git-ignored folder of the checkout and listens on 127.0.0.1 only, on a
port derived from the checkout's path so two clones on one machine do not collide.

It is durable (fsync, synchronous_commit, full_page_writes on: an acknowledged case survives
an immediate stop or a power cut); only the test suite's own connections opt out of waiting
for the commit flush (settings, when testing). The cluster's superuser is `gis_admin`; the
application logs in as `gis_app`, which is no superuser, so a role it does not log in as can
own the audit trail (`secure_audit`). Clusters made before that split have `gis_app` as
their superuser and keep working unchanged (then `gis_app` is also the admin).
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
DB_USER = "gis_app"      # the application's login role
ADMIN_USER = "gis_admin"  # the cluster's superuser (clusters made since the split)
AUDIT_OWNER = "gis_audit"  # owns the audit trail; nobody logs in as it
# Durability is not a tuning knob here: these are forced on at every start (older clusters
# were made with them off).
DURABLE = {"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on"}
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


def admin_user() -> str:
    """`gis_admin` where init made it (marker file), else the old clusters' `gis_app`."""
    return ADMIN_USER if (DATA_DIR / "admin_user").exists() else DB_USER


def _psql(sql: str, db: str = "postgres") -> str:
    res = _pg("psql", "-h", "127.0.0.1", "-p", str(port()), "-U", admin_user(), "-d", db,
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
    _pg("initdb", "-D", str(DATA_DIR), "-U", ADMIN_USER, "--auth=trust", "-E", "UTF8",
        "--locale=C.UTF-8")
    with open(DATA_DIR / "postgresql.auto.conf", "a") as conf:
        conf.write("listen_addresses = '127.0.0.1'\n"
                   f"port = {port()}\n"
                   "unix_socket_directories = ''\n"
                   "shared_buffers = 512MB\nwork_mem = 64MB\nmaintenance_work_mem = 512MB\n"
                   "max_connections = 200\n")
    (DATA_DIR / "admin_user").write_text(ADMIN_USER + "\n")


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
    _make_durable()
    if admin_user() != DB_USER and _psql(f"select 1 from pg_roles where rolname = '{DB_USER}'") != "1":
        # The app may create its test databases; the extensions come from template1, made
        # there by the superuser (the app may not create them itself).
        _psql(f"create role {DB_USER} login createdb")
        for extension in ("postgis", "pgrouting"):
            _psql(f"create extension if not exists {extension}", db="template1")
    if _psql(f"select 1 from pg_database where datname = '{DB_NAME}'") != "1":
        _psql(f"create database {DB_NAME} owner {DB_USER}")
    _psql("create extension if not exists postgis", db=DB_NAME)
    return url()


def _make_durable() -> None:
    current = durability()
    if any(current.get(name) != value for name, value in DURABLE.items()):
        for name, value in DURABLE.items():
            _psql(f"alter system set {name} = {value}")
        _psql("select pg_reload_conf()")
        time.sleep(0.5)


def durability() -> dict[str, str]:
    return dict(line.split("|", 1) for line in _psql(
        "select name || '|' || setting from pg_settings where name in "
        "('fsync', 'synchronous_commit', 'full_page_writes')").splitlines())


def stop(mode: str = "fast") -> None:
    """`fast` rolls back open transactions and checkpoints; `immediate` is a crash (used to
    show that what was acknowledged survives one)."""
    if is_running():
        _pg("pg_ctl", "stop", "-D", str(DATA_DIR), "-m", mode, "-w")


def backup(path: str | Path) -> Path:
    """pg_dump (custom format) of the app's database into `path`, while it keeps serving
    (pg_dump reads one consistent snapshot)."""
    path = Path(path).resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as out:
        res = subprocess.run([*_run_as(), str(_bindir() / "pg_dump"), "-Fc", "-h", "127.0.0.1",
                              "-p", str(port()), "-U", admin_user(), "-d", DB_NAME],
                             stdout=out, stderr=subprocess.PIPE)
    if res.returncode != 0:
        path.unlink(missing_ok=True)
        raise RuntimeError(f"pg_dump failed: {res.stderr.decode(errors='replace')}")
    return path


def restore(path: str | Path) -> None:
    """Replace the app's database by the dump at `path` (made by `backup`). Connections to
    it are ended first: stop the app servers while restoring."""
    path = Path(path).resolve()
    if not path.is_file():
        raise RuntimeError(f"no backup file at {path}")
    _psql(f"drop database if exists {DB_NAME} with (force)")
    _psql(f"create database {DB_NAME} owner {DB_USER}")
    with open(path, "rb") as dump:
        res = subprocess.run([*_run_as(), str(_bindir() / "pg_restore"), "-h", "127.0.0.1",
                              "-p", str(port()), "-U", admin_user(), "-d", DB_NAME,
                              "--exit-on-error"], stdin=dump, stderr=subprocess.PIPE)
    if res.returncode != 0:
        raise RuntimeError(f"pg_restore failed: {res.stderr.decode(errors='replace')}")


def status() -> str:
    return f"running at {url()}" if is_running() else f"stopped (data in {DATA_DIR})"
