"""Does declarative partitioning of case and fix history help? Measured, not assumed.

At the province benchmark's largest size, partitioned copies of the history tables are made
beside the real ones (same rows, same indexes): cases by month of `created_at` (RANGE) and by
county (LIST), fixes by month of `time` (RANGE). The reads the province figures depend on run
as bare SQL against each, interleaved, p50 of several runs:
- a month's statistics for one county (count per township, finished, by `created_at`);
- the cases of one z14 tile of that county (ST_AsMVT, as a tile reads them);
- one day's fixes of the county's teams (the coverage input: track ids, then time);
- 100 cases by id (what a case page and every step does): partitioning by anything but id
  makes this probe every partition.
The plain table with one more index (county_id, created_at) is measured beside them: an
index is the cheaper change when it gives the same.
"""
from __future__ import annotations

import random
import statistics
import time

CASE_COPIES = {"bench_case_by_month": "RANGE (created_at)", "bench_case_by_county": "LIST (county_id)"}
FIX_COPY = "bench_fix_by_month"
RUNS = 7


def _months(cur, table: str, column: str) -> list[tuple[str, str]]:
    cur.execute(f"SELECT date_trunc('month', min({column})), date_trunc('month', max({column})) FROM {table}")
    lo, hi = cur.fetchone()
    cur.execute("SELECT m, m + interval '1 month' FROM generate_series(%s::timestamptz, %s::timestamptz, "
                "interval '1 month') m", [lo, hi])
    return cur.fetchall()


def build_copies() -> None:
    """The partitioned copies (kept between runs of the same province size)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM incidents_case")
        n_cases = cur.fetchone()[0]
        if _exists(cur, "bench_case_by_month"):
            cur.execute("SELECT count(*) FROM bench_case_by_month")
            if cur.fetchone()[0] == n_cases:
                return
        for name in (*CASE_COPIES, FIX_COPY):
            cur.execute(f"DROP TABLE IF EXISTS {name} CASCADE")
        t0 = time.perf_counter()
        for name, how in CASE_COPIES.items():
            cur.execute(f"CREATE TABLE {name} (LIKE incidents_case INCLUDING DEFAULTS) PARTITION BY {how}")
            if how.startswith("RANGE"):
                for k, (lo, hi) in enumerate(_months(cur, "incidents_case", "created_at")):
                    cur.execute(f"CREATE TABLE {name}_{k} PARTITION OF {name} FOR VALUES FROM (%s) TO (%s)",
                                [lo, hi])
            else:
                cur.execute("SELECT id FROM boundaries_county ORDER BY id")
                for (county_id,) in cur.fetchall():
                    cur.execute(f"CREATE TABLE {name}_{county_id} PARTITION OF {name} "
                                f"FOR VALUES IN ({int(county_id)})")
            cur.execute(f"INSERT INTO {name} SELECT * FROM incidents_case")
            cur.execute(f"CREATE INDEX ON {name} (id)")
            cur.execute(f"CREATE INDEX ON {name} (county_id, state)")
            cur.execute(f"CREATE INDEX ON {name} USING gist (location)")
            cur.execute(f"ANALYZE {name}")
        cur.execute(f"CREATE TABLE {FIX_COPY} (LIKE patrols_fix INCLUDING DEFAULTS) PARTITION BY RANGE (time)")
        for k, (lo, hi) in enumerate(_months(cur, "patrols_fix", "time")):
            cur.execute(f"CREATE TABLE {FIX_COPY}_{k} PARTITION OF {FIX_COPY} FOR VALUES FROM (%s) TO (%s)",
                        [lo, hi])
        cur.execute(f"INSERT INTO {FIX_COPY} SELECT * FROM patrols_fix")
        cur.execute(f"CREATE INDEX ON {FIX_COPY} (track_id, time)")
        cur.execute(f"CREATE INDEX ON {FIX_COPY} USING brin (time)")
        cur.execute(f"ANALYZE {FIX_COPY}")
        print(f"  partitioned copies built in {time.perf_counter() - t0:.0f} s", flush=True)


def _exists(cur, name: str) -> bool:
    cur.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
    return cur.fetchone()[0]


STATS_SQL = """SELECT township_id, count(*), count(*) FILTER (WHERE state IN ('closed', 'archived'))
               FROM {t} WHERE county_id = %(county)s AND created_at >= %(lo)s AND created_at < %(hi)s
               GROUP BY township_id"""
TILE_SQL = """SELECT ST_AsMVT(q, 'cases', 4096, 'g') FROM (
                SELECT number, ST_AsMVTGeom(ST_Transform(location, 3857), ST_TileEnvelope(%(z)s, %(x)s, %(y)s),
                                            4096, 64, true) AS g
                FROM {t} WHERE county_id = %(county)s
                  AND location && ST_Transform(ST_TileEnvelope(%(z)s, %(x)s, %(y)s), 4326)) q"""
FIXES_SQL = """SELECT count(*), ST_Extent(geom) FROM {t}
               WHERE track_id IN (SELECT tr.id FROM patrols_track tr JOIN enforcement_team tm ON tm.id = tr.team_id
                                  WHERE tm.county_id = %(county)s AND tr.started_at < %(hi)s AND tr.ended_at >= %(lo)s)
                 AND time >= %(lo)s AND time < %(hi)s"""
BY_ID_SQL = "SELECT count(*) FROM {t} WHERE id = ANY(%(ids)s)"


def _time(cur, sql: str, params: dict) -> float:
    t0 = time.perf_counter()
    cur.execute(sql, params)
    cur.fetchall()
    return (time.perf_counter() - t0) * 1000


def report(county) -> dict:
    """Build the copies, measure, print the table; returns {(read, table): p50 ms}."""
    from datetime import datetime, timezone

    from django.db import connection

    from bench.tiles_bench import tiles_over

    build_copies()
    rng = random.Random(9)
    month = {"county": county.pk, "lo": datetime(2026, 10, 1, tzinfo=timezone.utc),
             "hi": datetime(2026, 11, 1, tzinfo=timezone.utc)}
    day = {"county": county.pk, "lo": datetime(2026, 10, 20, tzinfo=timezone.utc),
           "hi": datetime(2026, 10, 21, tzinfo=timezone.utc)}
    tiles = tiles_over(county, 14, RUNS, rng)
    with connection.cursor() as cur:
        cur.execute("SELECT id FROM incidents_case WHERE county_id = %s ORDER BY random() LIMIT 100",
                    [county.pk])
        ids = {"ids": [r[0] for r in cur.fetchall()]}
        cur.execute("DROP INDEX IF EXISTS bench_case_county_created")
        reads = [("month statistics", STATS_SQL, lambda k: month),
                 ("cases tile z14", TILE_SQL, lambda k: {"county": county.pk, "z": tiles[k][0],
                                                         "x": tiles[k][1], "y": tiles[k][2]}),
                 ("100 cases by id", BY_ID_SQL, lambda k: ids)]
        tables = ["incidents_case", *CASE_COPIES]
        results = {}
        for label, sql, params in reads:
            for t in tables:
                _time(cur, sql.format(t=t), params(0))          # warm
            for k in range(RUNS):
                for t in tables:
                    results.setdefault((label, t), []).append(_time(cur, sql.format(t=t), params(k)))
        cur.execute("CREATE INDEX bench_case_county_created ON incidents_case (county_id, created_at)")
        cur.execute("ANALYZE incidents_case")
        _time(cur, STATS_SQL.format(t="incidents_case"), month)
        results[("month statistics", "incidents_case + index (county_id, created_at)")] = [
            _time(cur, STATS_SQL.format(t="incidents_case"), month) for _ in range(RUNS)]
        cur.execute("DROP INDEX bench_case_county_created")
        for t in ("patrols_fix", FIX_COPY):
            _time(cur, FIXES_SQL.format(t=t), day)
        for _ in range(RUNS):
            for t in ("patrols_fix", FIX_COPY):
                results.setdefault(("one day's fixes", t), []).append(_time(cur, FIXES_SQL.format(t=t), day))
    print(f"\npartitioning (bare SQL, p50 of {RUNS} interleaved runs, first county):")
    print(f"  {'read':20} {'table':50} {'p50 ms':>8}")
    out = {}
    for (label, t), times in results.items():
        out[(label, t)] = statistics.median(times)
        print(f"  {label:20} {t:50} {out[(label, t)]:8.1f}")
    return out
