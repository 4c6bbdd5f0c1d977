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
client is http.client, one keep-alive connection (see `bench_http_single` for why); the
measurements live in bench/route_measure.py. The report also gives the batch's first run (a
worker with cold caches) and how many distinct decision keys the batch has (what an answer
depends on besides the point: batch_answers.py decides once per key).
Exit status 1 when a target is missed.
"""
from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.benchdb import use_bench_database  # noqa: E402
from bench.route_measure import (BATCH_RUNS, LANGUAGE, WARMUP, Bare, bench_bare,  # noqa: E402
                                 bench_http_batch, bench_http_single, bench_in_process,
                                 bench_requests_single, fast_path_share, free_port, pct,
                                 server_model, start_server, wait_ready)

CODE, NAME = "990945", "路由基准县"   # unique among bench scripts (import 990901, patrols 990902)
CENTRE = (116.5, 27.5)        # away from the other bench counties (110-114 E)
# Real-shaped (bench/territory.py): 100 townships x 4 villages x 25 grids = 10,000 Voronoi grids.
TERRITORY = dict(townships=100, villages=4, grids=25, radius=0.25, sea=True, seed=16)
N_GRIDS = 10_000
OUTSIDE_SHARE, SEA_SHARE = 0.02, 0.05   # points just across the county border / in its sea
N_ITEMS = 100
SINGLE_REQUESTS = 3000
BATCH_POINTS = 10_000
TARGET_P50_MS, TARGET_BATCH_PPS, TARGET_RATIO, TARGET_BATCH_RATIO = 10.0, 20_000, 2.5, 1.5


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
        (batch_s, batch_median_s, batch_ok, batch_bytes, bare_batch_s, bare_median_s,
         first_s) = bench_http_batch(port, token, batch_points, bare)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
    _, planned_ms, _ = bench_bare(url, single_points, batch_points)
    proc_ms, proc_batch_s, batch_keys = bench_in_process(single_points, batch_points)
    branch_grids, fast_points = fast_path_share(CODE, batch_points)

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
        (f"batch {BATCH_POINTS:,} points over HTTP, first run (a cold worker)",
         f"{BATCH_POINTS / first_s:,.0f} pts/s ({first_s:.2f} s)", "", None),
        (f"batch {BATCH_POINTS:,} points, bare statement (interleaved), best run",
         f"{bare_pps:,.0f} pts/s ({bare_batch_s:.2f} s)", "", None),
        (f"batch {BATCH_POINTS:,} points, route_points() in process",
         f"{BATCH_POINTS / proc_batch_s:,.0f} pts/s ({proc_batch_s:.2f} s)", "", None),
        ("batch HTTP / bare", f"{batch_s / bare_batch_s:.2f}x", f"<= {TARGET_BATCH_RATIO:g}x",
         batch_s / bare_batch_s <= TARGET_BATCH_RATIO),
        ("batch HTTP / bare, median runs", f"{batch_median_s / bare_median_s:.2f}x", "", None),
    ]
    print(f"\nrouter benchmark: county {CODE}, 10,000 grids, {len(http_ms)} single requests "
          f"(+{WARMUP} warm-up), batch of {BATCH_POINTS:,} x {BATCH_RUNS} runs; "
          f"gunicorn {server_model()}, http.client (keep-alive where the worker keeps it), traces in "
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
          f"{BATCH_POINTS:,}; batch response {batch_bytes / 1e6:.1f} MB; distinct decision keys "
          f"(county, township, border count, zone set, item) in the batch: {batch_keys:,}")
    missed = [r[0] for r in rows if r[3] is False]
    return 1 if missed or http_bad else 0


if __name__ == "__main__":
    sys.exit(main())
