"""Router benchmark: single-point latency over HTTP, batch throughput, and the bare query.

Builds (once; `--rebuild` to redo) a real-shaped county of 10,000 Voronoi grids in the bench
database (bench/territory.py: irregular outline, uneven grids, villages and townships whose
borders disagree by slivers, a sea band), imported from its bundle, plus 100 items, about
8,000 authority rows, hubs and protected zones; the points are 93 % land, 5 % sea and 2 % just
outside the county. Serves it with gunicorn on a free port of 127.0.0.1; then measures in
one run:
- `GET /api/route` p50 / p99 over HTTP (keep-alive session, token auth), bounded run;
- `POST /api/route/batch` with 10,000 points (JSON), points per second;
- the same lookups as bare PostGIS: the router's one statement (`locate._TERRITORY_SQL`,
  which locates every level, reads every rule row and, for the single route, what lies within
  settings.ROUTE_TOLERANCE_M: the near-border check) run through psycopg2 for the same
  points, so the HTTP cost shows as a ratio. (A single point near a border takes one more
  statement, for the other townships' teams: ~3% of the points here; counted in the HTTP
  figure, not in the floor.)
Targets (issues 4 and 16): p50 < 10 ms over HTTP and within 2.5x of the bare statement;
batch >= 20,000 points/s over HTTP and within 1.5x of the bare statement.
Batches count their best run (the machine is shared), with the median beside it. The HTTP
client is http.client, one keep-alive connection (see `bench_http_single` for why).
Exit status 1 when a target is missed.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.benchdb import use_bench_database  # noqa: E402

CODE, NAME = "990945", "路由基准县"   # unique among bench scripts (import 990901, patrols 990902)
CENTRE = (116.5, 27.5)        # away from the other bench counties (110-114 E)
# Real-shaped (bench/territory.py): 100 townships x 4 villages x 25 grids = 10,000 Voronoi grids.
TERRITORY = dict(townships=100, villages=4, grids=25, radius=0.25, sea=True, seed=16)
N_GRIDS = 10_000
OUTSIDE_SHARE, SEA_SHARE = 0.02, 0.05   # points just across the county border / in its sea
N_ITEMS = 100
SINGLE_REQUESTS, WARMUP = 3000, 300
BATCH_POINTS, BATCH_RUNS = 10_000, 3
TARGET_P50_MS, TARGET_BATCH_PPS, TARGET_RATIO, TARGET_BATCH_RATIO = 10.0, 20_000, 2.5, 1.5
LANGUAGE: dict[str, str] = {}     # the answers' language: Chinese by default (--english)


# --- the county ------------------------------------------------------------------------------

def build_county() -> None:
    """Import the real-shaped bench county (bench/territory.py: Voronoi grids, villages and
    townships simplified on their own, a sea band) as any county's bundle is imported, then
    add the rule rows a router benchmark needs: 100 items, ~8,000 authority rows, hubs and 45
    protected zones."""
    import tempfile

    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from rest_framework.authtoken.models import Token

    from bench.territory import voronoi_layers
    from boundaries.models import County, HubArea, ProtectedArea, Township
    from gis_app.bundles.importer import import_bundle
    from boundaries.branches import refresh_grid_branches
    from gis_app.enforcement.models import Authority, CatalogItem, Department, Member
    from tests.bundle_writer import write_bundle

    rng = random.Random(7)
    layers = voronoi_layers(CODE, NAME, CENTRE, **TERRITORY)
    County.objects.filter(code=CODE).delete()
    with tempfile.TemporaryDirectory() as tmp:
        import_bundle(write_bundle(Path(tmp) / "bundle", fmt="gpkg", layers=layers))
    with transaction.atomic():
        county = County.objects.get(code=CODE)
        for code, kind in [("WGLT", "department"), ("JTYS", "department"), ("NYNC", "department"),
                           ("YJGL", "department"), ("WSJK", "department")]:
            Department.objects.create(county=county, code=code, name=f"县{code}", kind=kind)
        land_depts = list(Department.objects.filter(county=county).exclude(kind="marine"))
        townships = list(Township.objects.filter(county=county).order_by("code"))
        CatalogItem.objects.filter(county=county).delete()
        items = CatalogItem.objects.bulk_create(
            [CatalogItem(county=county, code=f"I{k:03d}", name=f"事项{k}", domain="综合",
                         action_type="penalty", department=rng.choice(land_depts),
                         whistle_kind=rng.choice(["quick", "tough", "emergency"]))
             for k in range(1, N_ITEMS + 1)])
        through = CatalogItem.supporting_departments.through
        through.objects.bulk_create([through(catalogitem_id=i.pk, department_id=d.pk)
                                     for i in items for d in rng.sample(land_depts, rng.randint(0, 2))])
        kinds = ["statutory", "granted", "entrusted", "county", "none", None]
        Authority.objects.bulk_create([
            Authority(township=t, item=i, authority=kind,
                      entrusting_department=rng.choice(land_depts) if kind == "entrusted" else None)
            for t in townships for i in items for kind in [rng.choice(kinds)] if kind])
        HubArea.objects.filter(county=county).delete()
        for h in range(5):
            area = HubArea.objects.create(hub=townships[h * 20], county=county)
            area.covered.set(townships[h * 20 + 1:h * 20 + 4])
        for z, t in enumerate(rng.sample(townships, 15)):
            c = t.geom.point_on_surface
            cx, cy = c.x, c.y
            for zone, r in [("experimental", 0.02), ("buffer", 0.01), ("core", 0.004)]:
                ProtectedArea.objects.create(
                    county=county, code=f"P{z:02d}", name=f"保护区{z}", kind="nature_reserve",
                    level="provincial", zone=zone, authority_code=rng.choice(["STHJ", "ZYGH", "LYJ"]),
                    geom=f"SRID=4326;MULTIPOLYGON((({cx - r} {cy - r},{cx + r} {cy - r},{cx + r} {cy + r},"
                         f"{cx - r} {cy + r},{cx - r} {cy - r})))")
        User = get_user_model()
        User.objects.filter(username="route-bench").delete()
        user = User.objects.create_user("route-bench")
        Member.objects.create(user=user, role="command_centre", county=county)
        Token.objects.create(user=user)
        refresh_grid_branches(county)      # zones changed after the import built them
    with connection.cursor() as cur:
        cur.execute("ANALYZE")


def ensure_county(rebuild: bool, keep_branches: bool = False) -> str:
    """The bench county (built if missing or asked to) and the bench user's token."""
    from rest_framework.authtoken.models import Token

    from boundaries.models import County, Grid, GridBranch
    from boundaries.branches import refresh_grid_branches

    County.objects.filter(code="990944").delete()     # the lattice county earlier runs built
    county = County.objects.filter(code=CODE).first()
    if rebuild or county is None or Grid.objects.filter(county=county).count() != N_GRIDS \
            or not Token.objects.filter(user__username="route-bench").exists():
        t0 = time.perf_counter()
        build_county()
        print(f"built county {CODE}: {N_GRIDS:,} real-shaped grids in {time.perf_counter() - t0:.1f} s")
    elif not keep_branches:   # rebuilt every run: the rows must follow the branch rule of this checkout
        t0 = time.perf_counter()
        n = refresh_grid_branches(county)
        print(f"built the grid branches of county {CODE}: {n:,} in {time.perf_counter() - t0:.1f} s")
    return Token.objects.get(user__username="route-bench").key


def random_points(layers, rng: random.Random, n: int, seed: int):
    """Points on land, 5 % at sea and 2 % just outside the county (bench/territory.py), each
    with an item."""
    from bench.territory import sample_points

    return [(float(x), float(y), f"I{rng.randint(1, N_ITEMS):03d}")
            for x, y in sample_points(layers, n, outside_share=OUTSIDE_SHARE, sea_share=SEA_SHARE,
                                      seed=seed)]


# --- measuring -------------------------------------------------------------------------------

def pct(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(url: str, port: int) -> subprocess.Popen:
    # LOG_LEVEL=ERROR: the 422 answers for points outside the county are expected here.
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_DEBUG": "0", "DB_CONN_MAX_AGE": "600",
           "LOG_LEVEL": "ERROR",
           "DJANGO_SETTINGS_MODULE": "gis_app.settings"}
    cmd = [str(ROOT / ".venv" / "bin" / "gunicorn"), "gis_app.wsgi", "-b", f"127.0.0.1:{port}",
           "-w", "2", "-k", "gthread", "--threads", "2", "--keep-alive", "30",
           "--log-level", "warning"]
    return subprocess.Popen(cmd, cwd=ROOT, env=env)


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
        reads what lies within settings.ROUTE_TOLERANCE_M in the same statement; a batch 0)."""
        params = list(self.params([p[0] for p in points], [p[1] for p in points],
                                  [p[2] for p in points], tolerance_m).values())
        t0 = time.perf_counter()
        self.cur.execute(self.execute, params)
        self.cur.fetchall()
        return time.perf_counter() - t0


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
    times, bare_times = [], []
    for run in range(BATCH_RUNS + 1):
        t0 = time.perf_counter()
        conn.request("POST", "/api/route/batch", body=body, headers=headers)
        res = conn.getresponse()
        content = res.read()
        elapsed = time.perf_counter() - t0
        if res.status != 200:
            raise RuntimeError(f"batch answered {res.status}: {content[:300]!r}")
        bare_elapsed = bare.timed(points)       # interleaved: one bare run after each
        if run:
            times.append(elapsed)
            bare_times.append(bare_elapsed)
    conn.close()
    data = json.loads(content)
    ok = sum(r["status"] == 200 for r in data["results"])
    return min(times), statistics.median(times), ok, len(content), min(bare_times)


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


def fast_path_share(points) -> tuple[float, float]:
    """Share of the county's grids with a branch row (whole or a region), and of `points` that
    take the router's one-lookup path (strictly inside the one grid covering them, a grid
    with a branch row, and inside its region if it has one)."""
    from django.db import connection

    from boundaries.models import County, Grid, GridBranch
    from gis_app.enforcement.locate import statement_params

    county = County.objects.get(code=CODE)
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
    """route() / route_points() in this process: the router without HTTP."""
    from gis_app.enforcement.routing import PointQuery, Refused, route, route_points

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
    route_points([PointQuery(x, y) for x, y, _ in batch_points], [i for _, _, i in batch_points])
    return times, time.perf_counter() - t0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rebuild", action="store_true", help="rebuild the bench county")
    parser.add_argument("--requests", type=int, default=SINGLE_REQUESTS)
    parser.add_argument("--english", action="store_true",
                        help="ask for English traces (Accept-Language: en); default Chinese")
    parser.add_argument("--keep-branches", action="store_true",
                        help="do not rebuild the grid branch rows (~45 s; only when the branch "
                             "rule has not changed since the last run)")
    args = parser.parse_args()
    if args.english:
        LANGUAGE["Accept-Language"] = "en"

    url = use_bench_database()
    import requests

    token = ensure_county(args.rebuild, args.keep_branches)
    rng = random.Random(42)
    from bench.territory import voronoi_layers
    layers = voronoi_layers(CODE, NAME, CENTRE, **TERRITORY)
    single_points = random_points(layers, rng, args.requests + WARMUP, seed=1)
    batch_points = random_points(layers, rng, BATCH_POINTS, seed=2)

    port = free_port()
    proc = start_server(url, port)
    base = f"http://127.0.0.1:{port}"
    load_before = os.getloadavg()
    try:
        session = requests.Session()
        wait_ready(session, base, proc)
        bare = Bare(url)
        http_ms, bare_ms, http_bad = bench_http_single(port, token, single_points, bare)
        requests_ms = bench_requests_single(session, base, token, single_points)
        batch_s, batch_median_s, batch_ok, batch_bytes, bare_batch_s = bench_http_batch(
            port, token, batch_points, bare)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
    _, planned_ms, _ = bench_bare(url, single_points, batch_points)
    proc_ms, proc_batch_s = bench_in_process(single_points, batch_points)
    branch_grids, fast_points = fast_path_share(batch_points)

    p50, p99 = pct(http_ms, 50), pct(http_ms, 99)
    b50, b99 = pct(bare_ms, 50), pct(bare_ms, 99)
    pps = BATCH_POINTS / batch_s
    bare_pps = BATCH_POINTS / bare_batch_s
    rows = [
        ("single /api/route over HTTP, p50", f"{p50:.2f} ms", f"< {TARGET_P50_MS:g} ms", p50 < TARGET_P50_MS),
        ("single /api/route over HTTP, p99", f"{p99:.2f} ms", "", None),
        ("single /api/route over HTTP with requests, p50", f"{pct(requests_ms, 50):.2f} ms", "", None),
        ("single, bare statement (psycopg2, interleaved), p50", f"{b50:.2f} ms", "", None),
        ("single, bare statement (psycopg2), p99", f"{b99:.2f} ms", "", None),
        ("single, bare statement planned per call, p50", f"{pct(planned_ms, 50):.2f} ms", "", None),
        ("single, route() in process (no HTTP), p50", f"{pct(proc_ms, 50):.2f} ms", "", None),
        ("HTTP / bare, p50", f"{p50 / b50:.2f}x", f"<= {TARGET_RATIO:g}x", p50 / b50 <= TARGET_RATIO),
        ("HTTP / bare, p99", f"{p99 / b99:.2f}x", "", None),
        (f"batch {BATCH_POINTS:,} points over HTTP, best run", f"{pps:,.0f} pts/s ({batch_s:.2f} s)",
         f">= {TARGET_BATCH_PPS:,} pts/s", pps >= TARGET_BATCH_PPS),
        (f"batch {BATCH_POINTS:,} points over HTTP, median run",
         f"{BATCH_POINTS / batch_median_s:,.0f} pts/s ({batch_median_s:.2f} s)", "", None),
        (f"batch {BATCH_POINTS:,} points, bare statement (interleaved), best run",
         f"{bare_pps:,.0f} pts/s ({bare_batch_s:.2f} s)", "", None),
        (f"batch {BATCH_POINTS:,} points, route_points() in process",
         f"{BATCH_POINTS / proc_batch_s:,.0f} pts/s ({proc_batch_s:.2f} s)", "", None),
        ("batch HTTP / bare", f"{batch_s / bare_batch_s:.2f}x", f"<= {TARGET_BATCH_RATIO:g}x",
         batch_s / bare_batch_s <= TARGET_BATCH_RATIO),
    ]
    print(f"\nrouter benchmark: county {CODE}, 10,000 grids, {len(http_ms)} single requests "
          f"(+{WARMUP} warm-up), batch of {BATCH_POINTS:,} x {BATCH_RUNS} runs; "
          f"gunicorn 2 workers (gthread), keep-alive (http.client), traces in "
          f"{'English' if LANGUAGE else 'Chinese (the default)'}; load average "
          f"{load_before[0]:.2f} before, {os.getloadavg()[0]:.2f} after")
    width = max(len(r[0]) for r in rows)
    print(f"{'metric':<{width}}  {'value':>26}  {'target':>16}  result")
    for name, value, target, ok in rows:
        verdict = "" if ok is None else ("met" if ok else "MISSED")
        print(f"{name:<{width}}  {value:>26}  {target:>16}  {verdict}")
    print(f"grids with a branch row: {branch_grids[1]:.0%} ({branch_grids[0]:.0%} whole, the rest a "
          f"settled region); batch points on the one-lookup path: "
          f"{fast_points[1]:.0%} ({fast_points[0]:.0%} with whole grids alone; {OUTSIDE_SHARE:.0%} of the points outside the county, "
          f"{SEA_SHARE:.0%} at sea)")
    print(f"single answers neither 200 nor 422 (outside): {http_bad}; batch answers with status 200: {batch_ok:,}/"
          f"{BATCH_POINTS:,}; batch response {batch_bytes / 1e6:.1f} MB")
    missed = [r[0] for r in rows if r[3] is False]
    return 1 if missed or http_bad else 0


if __name__ == "__main__":
    sys.exit(main())
