"""Does a GiST (county_id, geometry) index help tiles and box lookups at province scale?

    .venv/bin/python bench/county_index.py        (after bench/province_bench.py built a province)

Measured on the province database (bench_province), as its first county's command centre, in
process: grids and cases tiles z8-z14 (with the county-box narrowing, as served, and without
it, as where neighbouring counties' boxes interlock), and counts of the user's grids and cases
in boxes of 0.05-3 degrees. Each measurement runs twice, interleaved, alternating which goes
first: with the (county_id, geometry) indexes, and inside a transaction that dropped them
(DROP INDEX ... then ROLLBACK: nothing rebuilt). Medians of PROBE_N (30) each.

Why: the county filter is bigint-typed (enforcement.access.in_counties), so btree_gist can take
the county as an index condition; this says where that pays. Cases kept their index
(case_county_location, 0.47-0.76x on cases tiles z10-z12 and small box lookups); grids showed
no gain, so the grids index exists only while this runs.
"""
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("LOG_LEVEL", "ERROR")
from bench.benchdb import use_bench_database  # noqa: E402

use_bench_database("bench_province", migrate=False)
from dataclasses import replace  # noqa: E402

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.gis.geos import Polygon  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from bench.tiles_bench import tiles_over  # noqa: E402
from boundaries.models import County, Grid  # noqa: E402
from gis_app.api.access import restrict  # noqa: E402
from gis_app.incidents.models import Case  # noqa: E402
from layers import tiles  # noqa: E402
from layers.catalogue import layers  # noqa: E402

INDEXES = {"grid_county_geom_probe": "boundaries_grid USING gist (county_id, geom)",  # made here
           "case_county_location": "incidents_case USING gist (county_id, location)"}   # migration
N = int(os.environ.get("PROBE_N", "30"))


class Rollback(Exception):
    pass


def run(fn, with_index: bool) -> float:
    if with_index:
        t0 = time.perf_counter()
        fn()
        return (time.perf_counter() - t0) * 1000
    try:
        with transaction.atomic():
            with connection.cursor() as cur:
                for name in INDEXES:
                    cur.execute(f"DROP INDEX {name}")
            t0 = time.perf_counter()
            fn()
            elapsed = (time.perf_counter() - t0) * 1000
            raise Rollback
    except Rollback:
        return elapsed


def ab(fns) -> tuple[float, float]:
    with_i, without = [], []
    for k, fn in enumerate(fns):
        order = (True, False) if k % 2 == 0 else (False, True)
        for flag in order:
            (with_i if flag else without).append(run(fn, flag))
    return statistics.median(with_i), statistics.median(without)


def main():
    with connection.cursor() as cur:
        cur.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        cur.execute("SELECT indexname FROM pg_indexes WHERE indexname = ANY(%s)", [list(INDEXES)])
        existing = {name for (name,) in cur.fetchall()}
        for name, spec in INDEXES.items():
            t0 = time.perf_counter()
            cur.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {spec}")
            print(f"{name}: built in {time.perf_counter() - t0:.1f} s", flush=True)
        cur.execute("ANALYZE boundaries_grid")
        cur.execute("ANALYZE incidents_case")
        cur.execute("SELECT pg_size_pretty(pg_relation_size(%s)), pg_size_pretty(pg_relation_size(%s))",
                    list(INDEXES))
        print("sizes:", cur.fetchone())
    user = get_user_model().objects.get(username="route-bench")
    county = County.objects.get(code="990960")
    print(f"{County.objects.count()} counties, {Grid.objects.count():,} grids; user county {county.pk}; "
          f"load {os.getloadavg()[0]:.1f}", flush=True)
    rng = random.Random(5)
    rows = []
    for layer_id in ("grids", "cases"):
        layer = layers().get(layer_id)
        for boxed in (True, False):
            variant = layer if boxed else replace(layer, county_box=False)
            for z in (8, 10, 12, 14):
                addresses = tiles_over(county, z, N, rng)
                fns = [lambda v=variant, a=a: tiles.build_tile(v, user, {}, tiles.TileAddress(*a))
                       for a in addresses]
                a, b = ab(fns)
                rows.append((f"{layer_id} tile z{z}" + ("" if boxed else " (no county box)"), a, b))
                print(f"{rows[-1][0]:34} with {a:8.1f} ms  without {b:8.1f} ms  {a / b:5.2f}x", flush=True)
    cx, cy = county.geom.centroid.coords
    for size in (0.05, 0.3, 1.0, 3.0):
        boxes = []
        for _ in range(N):
            x, y = cx + rng.uniform(-0.2, 0.2), cy + rng.uniform(-0.2, 0.2)
            boxes.append(Polygon.from_bbox((x - size / 2, y - size / 2, x + size / 2, y + size / 2)))
        boxes[0].srid = 4326
        for name, qs, field in (("grids", Grid.objects.all(), "geom"), ("cases", Case.objects.all(), "location")):
            def lookup(box, qs=qs, field=field):
                box.srid = 4326
                return restrict(qs, user).filter(**{f"{field}__intersects": box}).count()
            a, b = ab([lambda box=box, f=lookup: f(box) for box in boxes])
            label = f"{name} bbox {size:g} deg count"
            rows.append((label, a, b))
            print(f"{label:34} with {a:8.1f} ms  without {b:8.1f} ms  {a / b:5.2f}x", flush=True)
    print(f"load {os.getloadavg()[0]:.1f}")
    if os.environ.get("PROBE_KEEP") != "1":
        with connection.cursor() as cur:
            for name in set(INDEXES) - existing:
                cur.execute(f"DROP INDEX {name}")


if __name__ == "__main__":
    main()
