"""The router benchmark's measurements (bench/route_bench.py builds the county and reports).

- the server: gunicorn as deployed (deploy/gunicorn.conf.py) on a free port of 127.0.0.1,
  and its readiness;
- the client: http.client on one keep-alive connection (`requests` adds ~0.9 ms of its own
  Python per call, measured; it is run beside for comparison with earlier runs);
- the floor: the router's one statement on a bare psycopg2 connection (`Bare`), sent as the
  router sends it and timed right after each HTTP request for the same points;
- the router in process (no HTTP) and the share of points on the one-lookup path.
"""
from __future__ import annotations

import http.client
import json
import os
import runpy
import socket
import statistics
import subprocess
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
# Batches: the best of 7 runs (3 until 3 December). On this 2-core VM one run in three took
# 20-30 % longer, the bare statement alike (0.29-0.50 s for the same points), for reasons
# outside both: the best of 3 measured the machine as often as the router. Both the HTTP
# batch and the bare statement are the best of the same number of interleaved runs; the
# medians are reported beside them.
WARMUP, BATCH_RUNS = 300, 7
LANGUAGE: dict[str, str] = {}     # the answers' language: Chinese by default (--english)


def pct(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(url: str, port: int) -> subprocess.Popen:
    """gunicorn as deployed (deploy/gunicorn.conf.py: workers and threads from the cores and
    GUNICORN_WORKERS/GUNICORN_THREADS, the masking access log, keep-alive, timeout), on
    127.0.0.1:`port`. The access log goes to /dev/null (written, as deployed, but not into
    the report); LOG_LEVEL=ERROR: the 422 answers for points outside the county are expected."""
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_DEBUG": "0", "DB_CONN_MAX_AGE": "600",
           "LOG_LEVEL": "ERROR",
           "DJANGO_SETTINGS_MODULE": "gis_app.settings"}
    cmd = [str(ROOT / ".venv" / "bin" / "gunicorn"), "gis_app.wsgi",
           "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "-b", f"127.0.0.1:{port}",
           "--log-level", "warning"]
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)


def server_model() -> str:
    """What start_server runs, for the report: the conf file's own arithmetic, read by running it."""
    conf = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    return (f"{conf['workers']} {conf['worker_class']} workers x {conf['threads']} threads"
            + (" (a new connection per request)" if conf["worker_class"] == "sync" else ""))


def wait_ready(session, base: str, proc, timeout=60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("gunicorn exited")
        try:
            session.get(f"{base}/api/route", timeout=2)
            return
        except Exception:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer in time")


# The client: http.client on one keep-alive connection. `requests` adds ~0.9 ms of its own
# Python to every call (measured against a bare WSGI app under the same gunicorn: 1.3 ms with
# requests, 0.4 ms with http.client), which is no part of the server's cost; the single-point
# run is repeated with `requests` and reported beside it for comparison with earlier runs.

class Bare:
    """The router's statement on a bare psycopg2 connection, sent as the router sends it
    (prepared once, generic plan, JIT off, the points as one text value): timed right after
    each HTTP request for the same points, so both see the same machine."""

    def __init__(self, url: str):
        from urllib.parse import urlparse

        import psycopg2

        from gis_app.enforcement.locate import _EXECUTE_TUNED, _PREPARE, statement_params

        u = urlparse(url)
        self.conn = psycopg2.connect(host=u.hostname, port=u.port, user=u.username,
                                     password=u.password, dbname=u.path.lstrip("/"))
        self.conn.autocommit = True
        self.cur = self.conn.cursor()
        self.cur.execute(_PREPARE)
        self.execute, self.params = _EXECUTE_TUNED, statement_params

    def timed(self, points, tolerance_m: float = 0.0) -> float:
        """One execution for `points`; `tolerance_m` as the route sends it (the single route
        reads what lies within settings.ROUTE_TOLERANCE_M in the same statement; a batch 0).
        The points in the order the router reads them (locate.spatial_order: neighbours
        together), which the statement reads faster too."""
        points = in_reading_order(points)
        params = list(self.params([p[0] for p in points], [p[1] for p in points],
                                  [p[2] for p in points], tolerance_m).values())
        t0 = time.perf_counter()
        self.cur.execute(self.execute, params)
        self.cur.fetchall()
        return time.perf_counter() - t0


def in_reading_order(points):
    """`points` in the router's reading order for a batch (locate.spatial_order)."""
    from gis_app.enforcement.locate import spatial_order

    return [points[i] for i in spatial_order([p[0] for p in points], [p[1] for p in points])]


def bench_http_single(port, token, points, bare: Bare):
    from django.conf import settings

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Authorization": f"Token {token}", **LANGUAGE}
    times, bare_times, bad = [], [], 0
    for k, (x, y, item) in enumerate(points):
        path = "/api/route?" + urlencode({"lon": x, "lat": y, "item": item})
        t0 = time.perf_counter()
        conn.request("GET", path, headers=headers)
        res = conn.getresponse()
        res.read()
        elapsed = time.perf_counter() - t0
        bare_elapsed = bare.timed([(x, y, item)], settings.ROUTE_TOLERANCE_M)
        if res.status not in (200, 422):       # 422: outside every county, as expected
            bad += 1
        if k >= WARMUP:
            times.append(elapsed * 1000)
            bare_times.append(bare_elapsed * 1000)
    conn.close()
    return times, bare_times, bad


def bench_requests_single(session, base, token, points):
    headers = {"Authorization": f"Token {token}"}
    times = []
    for k, (x, y, item) in enumerate(points):
        t0 = time.perf_counter()
        session.get(f"{base}/api/route", params={"lon": x, "lat": y, "item": item},
                    headers=headers, timeout=10)
        if k >= WARMUP:
            times.append((time.perf_counter() - t0) * 1000)
    return times


def bench_http_batch(port, token, points, bare: Bare):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json", **LANGUAGE}
    body = json.dumps({"points": [{"lon": x, "lat": y, "item": i} for x, y, i in points]}).encode()
    times, bare_times, first = [], [], None
    for run in range(BATCH_RUNS + 1):
        t0 = time.perf_counter()
        conn.request("POST", "/api/route/batch", body=body, headers=headers)
        res = conn.getresponse()
        content = res.read()
        elapsed = time.perf_counter() - t0
        if res.status != 200:
            raise RuntimeError(f"batch answered {res.status}: {content[:300]!r}")
        bare_elapsed = bare.timed(points)       # interleaved: one bare run after each
        first = first or elapsed          # the worker's first batch: its caches cold
        if run:
            times.append(elapsed)
            bare_times.append(bare_elapsed)
    conn.close()
    data = json.loads(content)
    ok = sum(r["status"] == 200 for r in data["results"])
    return (min(times), statistics.median(times), ok, len(content), min(bare_times),
            statistics.median(bare_times), first)


def bench_bare(url: str, single_points, batch_points):
    """The router's statement through a bare psycopg2 connection, same points, sent the way
    the router sends it (prepared once, generic plan, JIT off, the points as one WKB value);
    plus the same statement planned on every call, to show what preparing saves."""
    from urllib.parse import urlparse

    import psycopg2

    from gis_app.enforcement.locate import (_EXECUTE_TUNED, _PREPARE, _TERRITORY_SQL,
                                            statement_params)

    from django.conf import settings

    u = urlparse(url)
    conn = psycopg2.connect(host=u.hostname, port=u.port, user=u.username, password=u.password,
                            dbname=u.path.lstrip("/"))
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute(_PREPARE)
    prepared, planned = [], []
    tol = settings.ROUTE_TOLERANCE_M
    for k, (x, y, item) in enumerate(single_points):
        t0 = time.perf_counter()
        cur.execute(_EXECUTE_TUNED, list(statement_params([x], [y], [item], tol).values()))
        cur.fetchall()
        t1 = time.perf_counter()
        cur.execute(_TERRITORY_SQL, statement_params([x], [y], [item], tol))
        cur.fetchall()
        if k >= WARMUP:
            prepared.append((t1 - t0) * 1000)
            planned.append((time.perf_counter() - t1) * 1000)
    batch_times = []
    batch_points = in_reading_order(batch_points)
    params = list(statement_params([p[0] for p in batch_points], [p[1] for p in batch_points],
                                   [p[2] for p in batch_points]).values())
    for run in range(BATCH_RUNS + 1):
        t0 = time.perf_counter()
        cur.execute(_EXECUTE_TUNED, params)
        cur.fetchall()
        if run:
            batch_times.append(time.perf_counter() - t0)
    conn.close()
    return prepared, planned, min(batch_times)


def fast_path_share(code: str, points) -> tuple[float, float]:
    """Share of the county's grids with a branch row (whole or a region), and of `points` that
    take the router's one-lookup path (strictly inside the one grid covering them, a grid
    with a branch row, and inside its region if it has one)."""
    from django.db import connection

    from boundaries.models import County, Grid, GridBranch
    from gis_app.enforcement.locate import statement_params

    county = County.objects.get(code=code)
    n_grids = Grid.objects.filter(county=county).count()
    grids = (GridBranch.objects.filter(county=county, region__isnull=True).count() / n_grids,
             GridBranch.objects.filter(county=county).count() / n_grids)
    params = statement_params([p[0] for p in points], [p[1] for p in points])
    with connection.cursor() as cur:
        cur.execute("""
            SELECT count(*) FROM unnest(%(lons)s::text::float8[], %(lats)s::text::float8[]) u(x, y)
            CROSS JOIN LATERAL (SELECT ST_SetSRID(ST_MakePoint(u.x, u.y), 4326) AS g,
                                       box(point(u.x, u.y), point(u.x, u.y)) AS b) p
            JOIN LATERAL (SELECT min(gr.id) AS id, count(*) AS n,
                                 bool_and(ST_Contains(gr.geom, p.g)) AS inside
                          FROM boundaries_grid gr
                          WHERE gr.geom::box @> p.b AND _ST_Covers(gr.geom, p.g)) one
              ON one.n = 1 AND one.inside
            JOIN boundaries_gridbranch b ON b.grid_id = one.id
             AND (b.region IS NULL OR (%(regions)s AND _ST_Contains(b.region, p.g)))""",
                    {**params, "regions": True})
        with_regions = cur.fetchone()[0] / len(points)
        whole_only = cur.query.decode().replace("(true AND _ST_Contains", "(false AND _ST_Contains")
        assert whole_only != cur.query.decode()
        cur.execute(whole_only)
        return grids, (cur.fetchone()[0] / len(points), with_regions)


def bench_in_process(single_points, batch_points):
    """route() / route_points() in this process: the router without HTTP; and how many
    distinct decision keys the batch has."""
    from gis_app.enforcement.routing import PointQuery, Refused, RoutingDecision, route, route_points

    times = []
    for k, (x, y, item) in enumerate(single_points[:1000 + WARMUP]):
        t0 = time.perf_counter()
        try:
            route(PointQuery(x, y), item)
        except Refused:             # outside every county: answered with the nearest unit
            pass
        if k >= WARMUP:
            times.append((time.perf_counter() - t0) * 1000)
    t0 = time.perf_counter()
    answers = route_points([PointQuery(x, y) for x, y, _ in batch_points],
                           [i for _, _, i in batch_points])
    elapsed = time.perf_counter() - t0
    # What the answers depend on besides the point (batch_answers.py): distinct in the batch.
    locations = [(a.placement.location, a.item["code"]) for a in answers
                 if isinstance(a, RoutingDecision)]
    keys = {(loc.county.id, loc.township and loc.township.id, loc.covering_townships,
             loc.zone_ids, item) for loc, item in locations}
    return times, elapsed, len(keys)
