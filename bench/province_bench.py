"""Province-scale benchmark: how the figures of one county grow as the province fills up.

    .venv/bin/python bench/province_bench.py [--counties 1,3,10] [--no-partitions]

A province database of its own (`bench_province`) holds real-shaped counties of 10,000
Voronoi grids each (bench/province.py: one built through the bundle importer, the others
copied from it in SQL), with history in the issue's proportion: 10 cases and 50 GPS fixes per
grid (100,000 cases and 500,000 fixes per county; 100 counties would be the issue's 1M grids,
10M cases, 50M fixes). At each size the same user (command centre of the first county)
measures, through the whole Django stack (in-process test client, token authentication):
- `GET /api/route` p50 (single points) and `POST /api/route/batch` points per second;
- a grids tile and a cases tile at z14 and z10 (p50);
- an OGC items page (limit 100) of grids and of cases: at a random offset below 5,000, and
  following the next links (cursor paging, layers/paging.py) 50 pages deep;
- case statistics for one month (`/api/cases/statistics/?group_by=township&from=&to=`);
- one day's coverage (`/api/coverage?from=DAY`).
The table shows each figure per size and its growth (largest / 1 county). Target (issue 16):
route p50 and tile p50 grow less than 2x from 1 to N counties. Then, at the largest size,
the partitioning measurement (bench/partitions.py): the same reads as bare SQL against the
real tables and against partitioned copies of case and fix history.
Exit 1 when a target is missed. Sizes only grow: a second run with the same sizes reuses the
province (the copies are kept), a larger size adds counties.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("LOG_LEVEL", "ERROR")      # the 422s of points outside the county are expected
from bench.benchdb import use_bench_database  # noqa: E402

DB = "bench_province"
CODE, NAME, CENTRE = "990960", "规模基准县", (100.5, 24.0)
TERRITORY = dict(townships=100, villages=4, grids=25, radius=0.25, sea=True, seed=60)
N_GRIDS = 10_000
ROUTE_REQUESTS, WARMUP, BATCH_POINTS = 300, 30, 5_000
TILES, PAGES, REPEATS = 30, 10, 5
MONTH = ("2026-10-01", "2026-10-31")
DAY = "2026-10-20"
TARGET_GROWTH = 2.0


def template_county():
    """The first county, built through the importer (route_bench's recipe) with its history."""
    from boundaries.models import County, Grid
    from bench import province, route_bench

    county = County.objects.filter(code=CODE).first()
    if county is not None and Grid.objects.filter(county=county).count() == N_GRIDS:
        return county
    t0 = time.perf_counter()
    route_bench.CODE, route_bench.NAME, route_bench.CENTRE = CODE, NAME, CENTRE
    route_bench.TERRITORY = TERRITORY
    route_bench.build_county()
    county = County.objects.get(code=CODE)
    n_cases, n_fixes = province.add_history(county, N_GRIDS)
    print(f"template county {CODE}: {N_GRIDS:,} grids, {n_cases:,} cases, {n_fixes:,} fixes "
          f"({time.perf_counter() - t0:.0f} s)", flush=True)
    return county


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))]


def timed(client, path, params=None, method="get", **kw):
    t0 = time.perf_counter()
    response = getattr(client, method)(path, params or {}, **kw)
    elapsed = (time.perf_counter() - t0) * 1000
    assert response.status_code in (200, 204), (path, response.status_code, response.content[:300])
    return elapsed, response


def measure(client, county, points, rng, share: float = 1.0) -> dict[str, float]:
    """Every figure once, for the first county, as its command centre sees it (`share` of
    the requests: a smaller pass warms the caches)."""
    from bench.tiles_bench import tiles_over

    def n(count):
        return max(1, int(count * share))

    out = {}
    single = []
    for k, (x, y, item) in enumerate(points[:n(ROUTE_REQUESTS) + WARMUP]):
        t0 = time.perf_counter()
        response = client.get("/api/route", {"lon": x, "lat": y, "item": item})
        assert response.status_code in (200, 422), response.content[:300]
        if k >= WARMUP:
            single.append((time.perf_counter() - t0) * 1000)
    out["route p50 ms"] = pct(single, 50)
    body = {"points": [{"lon": x, "lat": y, "item": i} for x, y, i in points[:BATCH_POINTS]]}
    runs = [timed(client, "/api/route/batch", body, method="post", content_type="application/json")[0]
            for _ in range(1 if share < 1 else 2)]
    out["batch pts/s"] = BATCH_POINTS / (min(runs) / 1000)
    for layer in ("grids", "cases"):
        for z in (14, 10):
            addresses = tiles_over(county, z, n(TILES), rng)
            times = [timed(client, f"/tiles/{layer}/{z_}/{x}/{y}.pbf")[0] for z_, x, y in addresses]
            out[f"{layer} tile z{z} p50 ms"] = pct(times, 50)
    for layer in ("grids", "cases"):
        times = [timed(client, f"/ogc/collections/{layer}/items",
                       {"limit": 100, "offset": rng.randrange(0, 5000)})[0] for _ in range(n(PAGES))]
        out[f"OGC {layer} offset page p50 ms"] = pct(times, 50)
        walked = follow_next(client, layer, n(PAGES) * 5)
        out[f"OGC {layer} first page ms"] = walked[0]
        out[f"OGC {layer} next page p50 ms"] = pct(walked[1:] or walked, 50)
    times = [timed(client, "/api/cases/statistics/", {"group_by": "township", "from": MONTH[0],
                                                       "to": MONTH[1]})[0] for _ in range(n(REPEATS))]
    out["statistics month p50 ms"] = pct(times, 50)
    times, patrolled = [], None
    for _ in range(n(3)):
        elapsed, response = timed(client, "/api/coverage", {"from": DAY})
        times.append(elapsed)
        patrolled = response.json()["counts"]["patrolled"]
    assert patrolled, "the coverage day found no patrolled grid: the history is not where it should be"
    out["coverage day p50 ms"] = pct(times, 50)
    return out


def county_box_effect(county, rng, n: int = TILES) -> dict[str, tuple[float, float]]:
    """z10 tiles of grids and cases built in process with the county-box narrowing
    (tile_sql.counties_box) and without it, interleaved tile by tile: (p50 with, p50 without).
    The same bytes either way (tests/layers/test_tile_county_box.py); the difference is the
    neighbours' rows the geometry index no longer hands over."""
    from dataclasses import replace

    from django.contrib.auth import get_user_model

    from bench.tiles_bench import tiles_over
    from layers import tiles
    from layers.catalogue import layers

    user = get_user_model().objects.get(username="route-bench")
    out = {}
    for layer_id in ("grids", "cases"):
        layer = layers().get(layer_id)
        plain = replace(layer, county_box=False)
        narrowed, whole = [], []
        for z, x, y in tiles_over(county, 10, n, rng):
            address = tiles.TileAddress(z, x, y)
            for variant, times in ((layer, narrowed), (plain, whole)):
                t0 = time.perf_counter()
                tiles.build_tile(variant, user, {}, address)
                times.append((time.perf_counter() - t0) * 1000)
        out[layer_id] = (pct(narrowed, 50), pct(whole, 50))
    return out


def follow_next(client, layer: str, pages: int) -> list[float]:
    """Times of `pages` pages (limit 100) read as a client does: the first, then its next links
    (cursor paging) from page to page, as deep as an offset of `pages` * 100."""
    from urllib.parse import parse_qs, urlparse

    path, params, times = f"/ogc/collections/{layer}/items", {"limit": 100}, []
    for _ in range(pages):
        elapsed, response = timed(client, path, params)
        times.append(elapsed)
        found = [l["href"] for l in response.json()["links"] if l["rel"] == "next"]
        if not found:
            break
        url = urlparse(found[0])
        path, params = url.path, {k: v[0] for k, v in parse_qs(url.query).items()}
    return times


def province_size():
    from boundaries.models import County, Grid
    from gis_app.incidents.models import Case
    from gis_app.patrols.models import Fix
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [Fix._meta.db_table])
        fixes = cur.fetchone()[0]
        cur.execute("SELECT pg_database_size(current_database())")
        size = cur.fetchone()[0]
    return County.objects.count(), Grid.objects.count(), Case.objects.count(), fixes, size


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counties", default=os.environ.get("PROVINCE_COUNTIES", "1,3,10"),
                        help="comma-separated province sizes, growing (default 1,3,10)")
    parser.add_argument("--no-partitions", action="store_true",
                        help="skip the partitioning measurement at the largest size")
    parser.add_argument("--shrink", type=int, metavar="N",
                        help="first remove the copies beyond N counties (measure again from fewer)")
    parser.add_argument("--grow-only", action="store_true",
                        help="build the copies up to the largest size and stop (no measuring: run it "
                             "niced, outside the benchmark lock)")
    parser.add_argument("--database", default=DB, metavar="NAME",
                        help=f"the province's database (default {DB}): a second, smaller province kept "
                             "beside the first, so that two sizes can be measured one after the other "
                             "in one hold of the benchmark lock, at the same load")
    parser.add_argument("--record", metavar="FILE",
                        help="append each size's figures to FILE (JSON lines) and print the table of "
                             "every size recorded there: a province grown and measured in pieces")
    args = parser.parse_args(argv)
    sizes = sorted({int(s) for s in args.counties.split(",")})

    if args.shrink:
        use_bench_database(args.database, migrate=False)       # before the migrations build indexes over copies
        from bench import province
        province.shrink_to(args.shrink)
        print(f"province shrunk to {args.shrink} counties", flush=True)
    use_bench_database(args.database)
    from django.test import Client
    from rest_framework.authtoken.models import Token

    from bench import province
    from bench.route_bench import random_points
    from bench.territory import voronoi_layers

    template = template_county()
    from boundaries.models import County
    have = County.objects.count()
    if have > sizes[0]:
        print(f"the province already has {have} counties (sizes only grow); measuring from {have}")
        sizes = [have] + [s for s in sizes if s > have]
    if args.grow_only:
        spent = province.grow_to(template, sizes[-1])
        counties, grids, cases, fixes, size = province_size()
        print(f"{counties} counties: {grids:,} grids, {cases:,} cases, ~{fixes:,} fixes, "
              f"database {size / 2**30:.1f} GiB (copies took {spent:.0f} s)", flush=True)
        return 0
    token = Token.objects.get(user__username="route-bench").key
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    layers = voronoi_layers(CODE, NAME, CENTRE, **TERRITORY)
    points = random_points(layers, random.Random(3), max(BATCH_POINTS, ROUTE_REQUESTS + WARMUP), seed=3)

    results = []
    for n in sizes:
        spent = province.grow_to(template, n)
        counties, grids, cases, fixes, size = province_size()
        load = os.getloadavg()[0]
        measure(client, template, points, random.Random(1), share=0.2)   # warm caches at this size
        figures = measure(client, template, points, random.Random(2))
        results.append((n, grids, cases, fixes, size, load, figures))
        if args.record:
            with open(args.record, "a") as out:
                out.write(json.dumps([n, grids, cases, fixes, size, load, figures]) + "\n")
        print(f"{counties} counties: {grids:,} grids, {cases:,} cases, ~{fixes:,} fixes, "
              f"database {size / 2**30:.1f} GiB (copies took {spent:.0f} s), load {load:.1f} -> "
              f"{os.getloadavg()[0]:.1f}", flush=True)

    box = county_box_effect(template, random.Random(4))
    print("z10 tiles built in process, narrowed to the user's counties' box vs the whole tile "
          f"(p50 of {TILES}, interleaved, {County.objects.count()} counties): "
          + "; ".join(f"{k} {a:.1f} vs {b:.1f} ms ({a / b:.2f}x)" for k, (a, b) in box.items()), flush=True)
    if args.record:
        with open(args.record) as recorded:
            results = sorted({r[0]: r for r in map(json.loads, recorded)}.values())
    names = list(dict.fromkeys(name for r in results for name in r[6]))   # figures added later: "-" before
    head = "".join(f"{r[0]:>10} cty" for r in results)
    print(f"\nprovince benchmark: 10,000 real-shaped grids, 100,000 cases and 500,000 fixes per county; "
          f"in-process Django test client, token auth, first county's command centre")
    print(f"{'figure':28}{head}  growth  target")
    missed = []
    for name in names:
        measured = [r[6][name] for r in results if name in r[6]]
        first, last = measured[0], measured[-1]
        growth = last / first if first else float("nan")
        target = ""
        if name == "route p50 ms" or "tile" in name:
            ok = growth < TARGET_GROWTH
            target = f"< {TARGET_GROWTH:g}x " + ("met" if ok else "MISSED")
            if not ok:
                missed.append(name)
        values = "".join(f"{r[6][name]:14,.1f}" if name in r[6] else f"{'-':>14}" for r in results)
        print(f"{name:28}{values}  {growth:5.2f}x  {target}")
    print("load average (1 min) at each size: " + ", ".join(f"{r[5]:.1f}" for r in results))

    if not args.no_partitions and len(sizes) > 0:
        from bench import partitions
        partitions.report(template)
    if missed:
        print("MISSED: " + ", ".join(missed))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
