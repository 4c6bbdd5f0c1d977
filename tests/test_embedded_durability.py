"""The embedded cluster keeps what it acknowledged, and backs up and restores by a round trip.

These run on a cluster of their own (a temporary folder and port), because an immediate
stop of the suite's cluster would end every test's connection.
"""
import os
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import psycopg2
import pytest

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    def __init__(self):
        parent = Path(tempfile.mkdtemp(prefix="durable-"))
        parent.chmod(0o755)   # the postgres user must reach the data folder
        self.parent = parent
        self.env = {**os.environ, "EMBEDDED_DB_DIR": str(parent / "data"),
                    "EMBEDDED_DB_PORT": str(_free_port()), "DJANGO_DEBUG": "1"}
        self.env.pop("DATABASE_URL", None)

    def call(self, code: str) -> str:
        res = subprocess.run([sys.executable, "-c", f"from gis_app import embedded; {code}"],
                             cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=300)
        assert res.returncode == 0, res.stderr
        return res.stdout.strip()

    def manage(self, *args) -> str:
        res = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env,
                             capture_output=True, text=True, timeout=300)
        assert res.returncode == 0, res.stderr
        return res.stdout

    def connect(self):
        conn = psycopg2.connect(host="127.0.0.1", port=self.env["EMBEDDED_DB_PORT"],
                                user="gis_app", dbname="gis_app")
        conn.autocommit = True
        return conn


@pytest.fixture(scope="module")
def cluster():
    c = Cluster()
    c.call("embedded.start()")
    yield c
    c.call("embedded.stop('immediate')")
    subprocess.run(["rm", "-rf", str(c.parent)], check=False)


def test_embedded_cluster_is_durable(cluster):
    with cluster.connect() as conn, conn.cursor() as cur:
        cur.execute("SELECT name, setting FROM pg_settings WHERE name IN "
                    "('fsync', 'synchronous_commit', 'full_page_writes') ORDER BY name")
        assert cur.fetchall() == [("fsync", "on"), ("full_page_writes", "on"), ("synchronous_commit", "on")]


def test_an_immediate_stop_loses_no_acknowledged_commit(cluster):
    conn = cluster.connect()
    with conn.cursor() as cur:
        cur.execute("CREATE TABLE intake (id int PRIMARY KEY, body text)")
    acknowledged: list[int] = []
    enough = threading.Event()

    def intake():
        try:
            with conn.cursor() as cur:
                for i in range(100_000):
                    cur.execute("INSERT INTO intake VALUES (%s, repeat('x', 500))", [i])
                    acknowledged.append(i)   # the commit returned: this one was acknowledged
                    if i == 300:
                        enough.set()
        except psycopg2.Error:
            pass
        finally:
            enough.set()

    worker = threading.Thread(target=intake)
    worker.start()
    enough.wait(timeout=120)
    cluster.call("embedded.stop('immediate')")   # a crash in the middle of the intake
    worker.join(timeout=60)
    cluster.call("embedded.start()")
    with cluster.connect() as again, again.cursor() as cur:
        cur.execute("SELECT id FROM intake")
        stored = {row[0] for row in cur.fetchall()}
    assert len(acknowledged) > 300
    assert set(acknowledged) - stored == set()


def test_backup_and_restore_round_trip(cluster, tmp_path):
    with cluster.connect() as conn, conn.cursor() as cur:
        cur.execute("CREATE TABLE kept (id int PRIMARY KEY, name text, geom geometry(Point, 4326))")
        cur.execute("INSERT INTO kept SELECT g, '案件' || g, ST_MakePoint(122 + g / 1000.0, 30.7) "
                    "FROM generate_series(1, 50) g")
    target = tmp_path / "backup.dump"
    assert "backed up" in cluster.manage("embedded_db", "backup", str(target))
    with cluster.connect() as conn, conn.cursor() as cur:
        cur.execute("DELETE FROM kept WHERE id > 10")
        cur.execute("INSERT INTO kept VALUES (999, 'after the backup', NULL)")
    cluster.manage("embedded_db", "restore", str(target))
    with cluster.connect() as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*), sum(id), min(name), round(max(ST_X(geom))::numeric, 3)::text FROM kept")
        assert cur.fetchone() == (50, 1275, "案件1", "122.050")
        cur.execute("SELECT tableowner FROM pg_tables WHERE tablename = 'kept'")
        assert cur.fetchone() == ("gis_app",)
