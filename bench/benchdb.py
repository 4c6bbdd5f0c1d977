"""A database of its own for benchmarks, so they never touch the demo or the tests.

`use_bench_database()` must run before Django is set up: it points DATABASE_URL at
`bench_gis_app` on the same server (the embedded cluster unless DATABASE_URL says
otherwise), creating it with PostGIS and migrating it when needed.
"""
from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH_DB = "bench_gis_app"
# WhiteNoise warns at every start of the app when the collected static files (build/static,
# which only `make demo` collects) are missing. A benchmark serves no page, so on a fresh
# machine that warning was printed by every bench process and gunicorn worker; the tests
# ignore it the same way (pyproject.toml's filterwarnings).
STATIC_WARNING = "ignore:No directory at:UserWarning"


def quiet_static_warning() -> None:
    """Ignore WhiteNoise's missing-build-directory warning in this process and, through
    PYTHONWARNINGS, in the servers it starts (gunicorn, which inherits the environment).
    Every other warning still prints."""
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    current = [w for w in os.environ.get("PYTHONWARNINGS", "").split(",") if w]
    if STATIC_WARNING not in current:
        os.environ["PYTHONWARNINGS"] = ",".join(current + [STATIC_WARNING])


def use_bench_database(name: str = BENCH_DB, migrate: bool = True) -> str:
    import psycopg2

    from gis_app import embedded

    base = urlparse(os.environ.get("DATABASE_URL") or embedded.url())
    params = dict(host=base.hostname, port=base.port, user=base.username, password=base.password)
    admin = psycopg2.connect(dbname=base.path.lstrip("/") or "postgres", **params)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cur.fetchone() is None:
            cur.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    url = urlunparse(base._replace(path=f"/{name}"))
    os.environ["DATABASE_URL"] = url
    # Benchmarks run with DEBUG off (as served); their database is throwaway, so are these.
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-secret")
    os.environ.setdefault("AUDIT_HMAC_KEY", "bench-only-not-secret")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gis_app.settings")
    quiet_static_warning()
    import django
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    with connection.cursor() as cur:
        cur.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    if migrate:
        call_command("migrate", verbosity=0)
    return url
