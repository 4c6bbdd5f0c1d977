"""A province for the scale benchmark: one real-shaped county with its history, cloned in SQL.

Importing 100 counties through the bundle importer (and refreshing each one's grid branch
regions) would take hours on a small machine; the benchmark asks how the figures grow with the
number of counties sharing the tables, not how fast the importer is. So one template county is
built the ordinary way (bench/territory.py's Voronoi county via `route_bench.build_county`:
bundle import, branch regions, items, authority rows, zones) plus its history (cases and GPS
fixes, in the issue's proportion: 10 cases and 50 fixes per grid), and every further county is
a copy of it made by `INSERT ... SELECT`: geometries moved by `ST_Translate`, ids shifted by a
fixed offset per county (foreign keys between copied tables shifted alike), globally unique
codes re-prefixed with the new county's code. Every copied row is a real row of the real
tables, with the same indexes, so queries, plans and tiles see a province.
"""
from __future__ import annotations

import random
import time
from datetime import datetime, timedelta, timezone as dt_timezone

ID_STEP = 10_000_000          # ids of county k = template ids + k * ID_STEP
CASES_PER_GRID, FIXES_PER_GRID = 10, 50
HISTORY_DAYS = 30             # the fixes cover the 30 days before `DAY_ZERO`, the cases a year
DAY_ZERO = datetime(2026, 11, 1, tzinfo=dt_timezone.utc)
TEAMS = 10
COLS, DX, DY = 10, 0.8, 0.65  # counties on a 10-wide lattice of 0.8 x 0.65 degree cells


def county_code(template_code: str, k: int) -> str:
    return template_code if k == 0 else f"{int(template_code[:4]) - 1:04d}{k:02d}"


# --- the template's history ------------------------------------------------------------------

def add_history(county, n_grids: int) -> tuple[int, int]:
    """Teams, cases and fixes of the template county; cases by bulk_create (every default as
    the model says), fixes by one INSERT ... SELECT (random walks, one fix per 5 s)."""
    from django.db import connection

    from boundaries.models import Township
    from gis_app.enforcement.models import CatalogItem, Team
    from gis_app.incidents.models import Case
    from gis_app.patrols.models import Fix, Track
    from bench.territory import sample_points

    rng = random.Random(16)
    townships = list(Township.objects.filter(county=county).order_by("code"))
    teams = Team.objects.bulk_create([
        Team(county=county, code=f"T{k:02d}", name=f"第{k}执法队", kind="township_team",
             township=townships[k * len(townships) // TEAMS]) for k in range(TEAMS)])
    items = list(CatalogItem.objects.filter(county=county))
    land = county.geom
    x0, y0, x1, y1 = land.extent
    n_cases = n_grids * CASES_PER_GRID
    states = ["reported", "assigned", "accepted", "on_scene", "handled", "closed", "archived"]
    layers = {"county": [{"geometry": __import__("shapely").from_wkb(bytes(land.wkb))}],
              "townships": [{"geometry": __import__("shapely").from_wkb(bytes(t.geom.wkb))}
                            for t in townships]}
    points = sample_points(layers, n_cases, outside_share=0, sea_share=0, seed=5)
    from django.contrib.gis.geos import Point
    batch = []
    for k, (x, y) in enumerate(points):
        item = items[k % len(items)]
        created = DAY_ZERO - timedelta(seconds=rng.uniform(0, 365 * 86400))
        batch.append(Case(number=f"{county.code}-P-{k:07d}", county=county, item=item,
                          description=f"规模基准案件 {k}", location=Point(float(x), float(y), srid=4326),
                          received={}, mode="township", subject={}, whistle_kind="quick",
                          deadline=created + timedelta(days=rng.uniform(1, 20)), routing={},
                          state=states[k % len(states)], created_at=created, updated_at=created,
                          department_id=item.department_id, team=teams[k % TEAMS],
                          township=townships[k % len(townships)]))
        if len(batch) == 10_000:
            Case.objects.bulk_create(batch)
            batch = []
    Case.objects.bulk_create(batch)

    # Tracks: one per team per day, fixes every 5 s along a random walk from the team's base.
    n_fixes = n_grids * FIXES_PER_GRID
    per_track = n_fixes // (TEAMS * HISTORY_DAYS)
    tracks = []
    for day in range(HISTORY_DAYS):
        start = DAY_ZERO - timedelta(days=HISTORY_DAYS - day) + timedelta(hours=1)
        for team in teams:
            tracks.append(Track(team=team, source_format="csv", crs="EPSG:4326", started_at=start,
                                ended_at=start + timedelta(seconds=5 * (per_track - 1)),
                                fixes_received=per_track, fixes_kept=per_track, fixes_dropped=0))
    Track.objects.bulk_create(tracks)
    starts = sample_points(layers, len(tracks), outside_share=0, sea_share=0, seed=6)
    with connection.cursor() as cur:
        cur.execute(f"""
            INSERT INTO {Fix._meta.db_table} (track_id, time, geom, accuracy)
            SELECT t.id, t.t0 + (i - 1) * interval '5 seconds',
                   ST_SetSRID(ST_MakePoint(
                       t.x + sum(dx) OVER w, t.y + sum(dy) OVER w), 4326), 10
            FROM unnest(%s::bigint[], %s::timestamptz[], %s::float8[], %s::float8[]) AS t(id, t0, x, y)
            CROSS JOIN LATERAL (SELECT i, (random() - 0.5) * 0.0006 AS dx, (random() - 0.5) * 0.0006 AS dy
                                FROM generate_series(1, %s) AS i) s
            WINDOW w AS (PARTITION BY t.id ORDER BY i)""",
                    [[t.pk for t in tracks], [t.started_at for t in tracks],
                     [float(p[0]) for p in starts], [float(p[1]) for p in starts], per_track])
        cur.execute(f"ANALYZE {Case._meta.db_table}; ANALYZE {Fix._meta.db_table}; "
                    f"ANALYZE {Track._meta.db_table}")
    return n_cases, per_track * len(tracks)


# --- cloning ---------------------------------------------------------------------------------

def cloned_models():
    """The tables a county's rows live in, parents before children: every model of the
    territory, organisation and rules apps with a foreign-key path to its county, plus case
    and track/fix history. Members (people) are not copied."""
    from django.apps import apps

    from boundaries.models import County
    from gis_app.enforcement.models import Member
    from gis_app.incidents.models import Case
    from gis_app.patrols.models import Fix, Track

    candidates = [m for label in ("boundaries", "enforcement") for m in apps.get_app_config(label).get_models(
        include_auto_created=True) if m is not Member and not m._meta.proxy]
    candidates += [Case, Track, Fix]
    chosen = {County}
    changed = True
    while changed:
        changed = False
        for m in candidates:
            if m not in chosen and any(f.is_relation and f.concrete and f.related_model in chosen
                                       for f in m._meta.concrete_fields):
                chosen.add(m)
                changed = True
    ordered, placed = [], set()
    while len(ordered) < len(chosen):
        for m in sorted(chosen - placed, key=lambda m: m._meta.db_table):
            parents = {f.related_model for f in m._meta.concrete_fields
                       if f.is_relation and f.related_model in chosen and f.related_model is not m}
            if parents <= placed:
                ordered.append(m)
                placed.add(m)
    return ordered


def _select_list(model, tmpl: str, chosen) -> tuple[str, str]:
    """Column names and the SELECT expressions that turn template rows into county `k.k`'s
    (`k` is the generate_series of the county numbers being copied)."""
    from django.contrib.gis.db.models import GeometryField
    from django.contrib.postgres.fields import ArrayField

    cols, exprs = [], []
    shift = f"k.k::bigint * {ID_STEP}"
    new = f"'{int(tmpl[:4]) - 1:04d}' || lpad(k.k::text, 2, '0')"      # county_code() in SQL
    for f in model._meta.concrete_fields:
        c = f'"{f.column}"'
        cols.append(c)
        if f.primary_key and not f.is_relation:
            exprs.append(f"{c} + {shift}")
        elif f.is_relation and f.related_model in chosen:
            exprs.append(f"{c} + {shift}")
        elif isinstance(f, GeometryField):
            exprs.append(f"ST_Translate({c}, (k.k % {COLS}) * {DX}, (k.k / {COLS}) * {DY})")
        elif isinstance(f, ArrayField) and f.name.endswith("_ids"):
            exprs.append(f"(SELECT array_agg(z + {shift}) FROM unnest({c}) z)")
        elif f.get_internal_type() in ("CharField", "TextField") and (f.unique or f.name == "code"):
            exprs.append(f"replace({c}, '{tmpl}', {new})")
        else:
            exprs.append(c)
    return ", ".join(cols), ", ".join(exprs)


def _id_column(model) -> str:
    """The column whose value says which county copy a row belongs to: the primary key, or
    for a composite key its first column (fixes: track_id, shifted with their track's id)."""
    from django.db.models import CompositePrimaryKey
    pk = model._meta.pk
    return pk.columns[0] if isinstance(pk, CompositePrimaryKey) else pk.column


def _template_filter(model, template_id: int, chosen) -> str:
    """WHERE clause selecting the template county's rows of `model` (ids below ID_STEP)."""
    from boundaries.models import County
    if model is County:
        return f"id = {template_id}"
    return f'"{_id_column(model)}" < {ID_STEP}'


def _writer():
    """A connection for the copies that skips per-row triggers (`session_replication_role =
    replica`: foreign-key checks of rows copied from rows that passed them, and the audit
    trail's append-only guard, which only refuses updates): the embedded cluster's superuser
    on the bench database. Elsewhere (DATABASE_URL without a superuser) Django's connection,
    whose deferred foreign-key checks make each copy minutes slower."""
    import psycopg2
    from django.db import connection

    from gis_app import embedded

    s = connection.settings_dict
    try:
        conn = psycopg2.connect(host=s["HOST"], port=s["PORT"], dbname=s["NAME"], user=embedded.admin_user())
        with conn.cursor() as cur:
            cur.execute("SET session_replication_role = replica; "
                        "SET maintenance_work_mem = '1GB'")
        conn.commit()                     # session settings, kept after the commit
        return conn
    except psycopg2.Error:
        connection.ensure_connection()
        return None


def copy_statements(template, first: int, last: int) -> list[str]:
    """SQL copying the template county as counties first..last (inclusive), every table in one
    INSERT ... SELECT over generate_series (one pass over the template per table)."""
    chosen = cloned_models()
    statements = []
    for model in chosen:
        cols, exprs = _select_list(model, template.code, chosen)
        table = model._meta.db_table
        statements.append(f'INSERT INTO "{table}" ({cols}) SELECT {exprs} FROM "{table}" '
                          f"CROSS JOIN generate_series({first}, {last}) AS k(k) "
                          f"WHERE {_template_filter(model, template.pk, chosen)}")
    statements.append(f"UPDATE boundaries_county SET name = '规模县' || (id / {ID_STEP}) "
                      f"WHERE id >= {first * ID_STEP}")
    return statements


def clone(template, k: int, fast: bool = True, last: int | None = None) -> None:
    """Copy the template county (id < ID_STEP, everything under it) as county number k (to
    `last`, inclusive); `fast`: through the superuser's trigger-less connection when there is one."""
    from django.db import connection, transaction

    statements = copy_statements(template, k, k if last is None else last)
    writer = _writer() if fast else None
    if writer is not None:
        with writer, writer.cursor() as cur:       # one transaction
            for sql in statements:
                cur.execute(sql)
        writer.close()
        return
    with transaction.atomic(), connection.cursor() as cur:
        for sql in statements:
            cur.execute(sql)


# --- building many copies fast: secondary indexes dropped, rebuilt once ------------------------

SET_ASIDE = "bench_province_set_aside_indexes"


def _set_aside_indexes(cur, tables: list[str]) -> int:
    """Drop the secondary indexes of `tables` (not those behind a primary key or unique
    constraint), keeping their definitions in a table of their own, so that a run interrupted
    before `_restore_indexes` restores them the next time. Copying into a table without
    them and building each index once afterwards (a sorted build) is several times faster
    than maintaining 25 indexes row by row (two trigram GINs and three GiSTs on cases)."""
    cur.execute(f"CREATE TABLE IF NOT EXISTS {SET_ASIDE} (name text PRIMARY KEY, definition text)")
    cur.execute("""
        SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
        WHERE t.relname = ANY(%s) AND NOT x.indisprimary AND NOT x.indisunique
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)""", [tables])
    found = cur.fetchall()
    for name, definition in found:
        cur.execute(f"INSERT INTO {SET_ASIDE} VALUES (%s, %s) ON CONFLICT DO NOTHING", [name, definition])
        cur.execute(f'DROP INDEX "{name}"')
    return len(found)


def _restore_indexes(cur) -> int:
    cur.execute(f"CREATE TABLE IF NOT EXISTS {SET_ASIDE} (name text PRIMARY KEY, definition text)")
    cur.execute(f"SELECT name, definition FROM {SET_ASIDE} ORDER BY name")
    found = cur.fetchall()
    for name, definition in found:
        cur.execute("SELECT 1 FROM pg_class WHERE relname = %s", [name])
        if cur.fetchone() is None:
            cur.execute(definition)
        cur.execute(f"DELETE FROM {SET_ASIDE} WHERE name = %s", [name])
    return len(found)


def reset_sequences() -> None:
    """Serial sequences past the copied ids (later inserts must not collide)."""
    from django.db import connection
    from django.db.models import CompositePrimaryKey

    with connection.cursor() as cur:
        for model in cloned_models():
            pk = model._meta.pk
            if pk.is_relation or isinstance(pk, CompositePrimaryKey):    # no sequence of its own
                continue
            table = model._meta.db_table
            cur.execute(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', '{pk.column}'), "
                        f"GREATEST((SELECT max(\"{pk.column}\") FROM \"{table}\"), 1))")


def grow_to(template, n: int, batch: int = 10) -> float:
    """Add copies until the province has `n` counties, `batch` counties per transaction, with
    the copied tables' secondary indexes set aside and rebuilt once; seconds spent."""
    from boundaries.models import County
    from django.db import connection

    t0 = time.perf_counter()
    have = County.objects.filter(pk__gte=ID_STEP).count() + 1
    writer = _writer()
    if writer is None or have >= n:
        for k in range(have, n):
            clone(template, k)
            print(f"  county {k + 1}/{n} copied ({time.perf_counter() - t0:.0f} s)", flush=True)
    else:
        writer.autocommit = True
        with writer.cursor() as cur:
            _restore_indexes(cur)                 # an interrupted run's, if any
            dropped = _set_aside_indexes(cur, [m._meta.db_table for m in cloned_models()])
            print(f"  {dropped} secondary indexes set aside ({time.perf_counter() - t0:.0f} s)", flush=True)
            for first in range(have, n, batch):
                last = min(first + batch, n) - 1
                cur.execute("BEGIN")
                for sql in copy_statements(template, first, last):
                    cur.execute(sql)
                cur.execute("COMMIT")
                print(f"  counties {first + 1}..{last + 1}/{n} copied ({time.perf_counter() - t0:.0f} s)",
                      flush=True)
            _restore_indexes(cur)
            print(f"  indexes rebuilt ({time.perf_counter() - t0:.0f} s)", flush=True)
        writer.close()
    reset_sequences()
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return time.perf_counter() - t0


def shrink_to(n: int) -> None:
    """Remove the copies numbered n and above (children first; triggers off, so each table's
    rows go explicitly), then VACUUM: a province measured again from fewer counties."""
    writer = _writer()
    writer.autocommit = True
    with writer.cursor() as cur:
        for model in reversed(cloned_models()):
            cur.execute(f'DELETE FROM "{model._meta.db_table}" WHERE "{_id_column(model)}" >= %s',
                        [max(n, 1) * ID_STEP])
        cur.execute("DROP TABLE IF EXISTS bench_case_by_month, bench_case_by_county, bench_fix_by_month CASCADE")
        cur.execute("VACUUM ANALYZE")
    writer.close()
