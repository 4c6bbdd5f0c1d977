"""Import benchmark: a county of 10,000 grids, loaded fresh and then replaced.

The target (foundation issue) is under 60 s for the fresh load on this 2-core machine. The
bare database step reported beside it is COPY of the same 10,000 grid polygons into a
table: the least any import must pay, so `ratio` says what reading, checking and merging
cost on top.
"""
from __future__ import annotations

import io
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.benchdb import use_bench_database  # noqa: E402

TOWNSHIPS_PER_SIDE, VILLAGES_PER_SIDE, GRIDS_PER_SIDE = 10, 2, 5  # 100 x 4 x 25 = 10,000 grids
CODE = "990901"
TARGET_SECONDS = 60.0


def main() -> int:
    use_bench_database()
    import shapely
    from django.db import connection

    from boundaries.models import County
    from gis_app.bundles.importer import import_bundle
    from tests.bundle_writer import lattice, write_bundle

    layers = lattice(code=CODE, name="基准县", origin=(110.0, 25.0), cols=TOWNSHIPS_PER_SIDE,
                     rows=TOWNSHIPS_PER_SIDE, villages=VILLAGES_PER_SIDE, grids=GRIDS_PER_SIDE, size=0.05)
    n_grids = len(layers["grids"])
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_bundle(Path(tmp) / "bundle", fmt="gpkg", layers=layers)
        County.objects.filter(code=CODE).delete()

        t0 = time.perf_counter()
        fresh = import_bundle(folder)
        fresh_s = time.perf_counter() - t0

        t0 = time.perf_counter()
        import_bundle(folder, replace=True)
        replace_s = time.perf_counter() - t0

    wkb = shapely.to_wkb([g["geometry"] for g in layers["grids"]], hex=True)
    t0 = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("CREATE TEMP TABLE bare_copy (code text, geom geometry(Polygon, 4326))")
        buf = io.StringIO("".join(f"{g['code']}\tSRID=4326;{w}\n" for g, w in zip(layers["grids"], wkb)))
        cur.copy_expert("COPY bare_copy (code, geom) FROM STDIN", buf)
        cur.execute("DROP TABLE bare_copy")
    bare_s = time.perf_counter() - t0
    County.objects.filter(code=CODE).delete()

    assert fresh.counts["grids"] == n_grids, fresh.counts
    print(f"import of a {n_grids:,}-grid county ({fresh.counts['townships']} townships, "
          f"{fresh.counts['villages']} villages), GeoPackage layers")
    print(f"  {'step':32} {'seconds':>9} {'ratio to bare':>14}")
    print(f"  {'bare COPY of the grid polygons':32} {bare_s:9.3f} {1.0:14.1f}")
    print(f"  {'import_bundle (fresh)':32} {fresh_s:9.3f} {fresh_s / bare_s:14.1f}")
    print(f"  {'import_bundle --replace':32} {replace_s:9.3f} {replace_s / bare_s:14.1f}")
    verdict = "meets" if fresh_s < TARGET_SECONDS else "MISSES"
    print(f"  target: fresh import under {TARGET_SECONDS:.0f} s: {verdict}")
    return 0 if fresh_s < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
