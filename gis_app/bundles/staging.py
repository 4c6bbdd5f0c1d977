"""The bundle's territory in PostGIS staging tables: spatial checks and the set-based merge.

Why raw SQL here: the spatial checks (child outside its parent, overlapping siblings) and
the merge of ten thousand grids are joins between whole layers. As temporary tables with
GiST indexes, PostGIS answers each in one statement; the ORM would need a query per row.
The staging tables live only inside the import transaction (ON COMMIT DROP).
"""
from __future__ import annotations

import csv
import io

import pandas as pd
import shapely

from boundaries.models import County, Grid, ProtectedArea, Township, Village
from gis_app.bundles.checks import PARENT_LEVEL
from gis_app.bundles.problems import Report

UNIT_COLUMNS = ("level", "code", "name", "kind", "parent_code", "file", "label", "geom")
ZONE_COLUMNS = ("code", "name", "kind", "level", "zone", "authority", "file", "label", "geom")
MODELS = {"county": County, "township": Township, "village": Village, "grid": Grid}


def create_stage(cursor) -> None:
    cursor.execute("""
        DROP TABLE IF EXISTS stage_unit, stage_zone;
        CREATE TEMP TABLE stage_unit (
            level text, code text, name text, kind text, parent_code text, file text, label text,
            geom geometry(MultiPolygon, 4326)) ON COMMIT DROP;
        CREATE TEMP TABLE stage_zone (
            code text, name text, kind text, level text, zone text, authority text, file text,
            label text, geom geometry(MultiPolygon, 4326)) ON COMMIT DROP;
    """)


def copy_rows(cursor, table: str, columns: tuple[str, ...], rows: pd.DataFrame) -> None:
    """COPY is the fast path for thousands of polygons; geometries travel as EWKB hex."""
    if rows is None or rows.empty:
        return
    frame = rows[list(columns)].copy()
    frame["geom"] = shapely.to_wkb(shapely.set_srid(frame["geom"].to_numpy(), 4326),
                                   hex=True, include_srid=True)
    buf = io.StringIO()
    csv.writer(buf).writerows(frame.itertuples(index=False, name=None))
    buf.seek(0)
    cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)", buf)


def index_stage(cursor) -> None:
    cursor.execute("""
        CREATE INDEX ON stage_unit USING gist (geom);
        CREATE INDEX ON stage_unit (level, code);
        CREATE INDEX ON stage_zone USING gist (geom);
        ANALYZE stage_unit; ANALYZE stage_zone;
    """)


def check_containment(cursor, report: Report, *, mostly: float = 0.5, warn_outside: float = 0.01) -> None:
    """A child lying mostly outside its parent is refused; a small part outside is a warning.

    Shares of area are taken on the geography (m²), so they hold at any latitude.
    """
    cursor.execute("""
        WITH pairs AS (
            SELECT c.level, c.code, c.file, c.label, c.parent_code,
                   ST_Area(c.geom::geography) AS area,
                   CASE WHEN ST_CoveredBy(c.geom, p.geom) THEN ST_Area(c.geom::geography)
                        ELSE ST_Area(ST_Intersection(c.geom, p.geom)::geography) END AS inside
            FROM stage_unit c
            JOIN stage_unit p ON p.code = c.parent_code AND p.level = CASE c.level
                WHEN 'township' THEN 'county' WHEN 'village' THEN 'township' ELSE 'village' END
        )
        SELECT level, code, file, label, parent_code, area, inside FROM pairs
        WHERE area > 0 AND inside < area * (1 - %s)
        ORDER BY level, code
    """, [warn_outside])
    for level, code, file, label, parent, area, inside in cursor.fetchall():
        share = inside / area
        parent_level = PARENT_LEVEL[level]
        text = (f"{100 * (1 - share):.1f}% of its area ({area - inside:,.0f} m²) lies outside its "
                f"{parent_level} {parent}")
        if share < mostly:
            report.problem(file, label, "geometry", f"lies mostly outside its parent: {text}")
        else:
            report.warning(file, label, "geometry", text)


def check_overlaps(cursor, report: Report, *, tolerance_pct: float) -> None:
    """Units of one level must not overlap beyond `tolerance_pct` of the smaller one's area
    (shared borders and digitising slivers are fine)."""
    cursor.execute("""
        SELECT a.level, a.file, a.label, b.label, b.code, ov.area,
               least(ST_Area(a.geom::geography), ST_Area(b.geom::geography)) AS smaller
        FROM stage_unit a
        JOIN stage_unit b ON b.level = a.level AND a.code < b.code AND a.geom && b.geom
        CROSS JOIN LATERAL (
            SELECT ST_Area(ST_Intersection(a.geom, b.geom)::geography) AS area) ov
        WHERE a.level <> 'county' AND ST_Relate(a.geom, b.geom, '2********')
          AND ov.area > least(ST_Area(a.geom::geography), ST_Area(b.geom::geography)) * %s / 100.0
        ORDER BY a.level, a.code, b.code
    """, [tolerance_pct])
    for level, file, label, other_label, other_code, area, smaller in cursor.fetchall():
        report.problem(file, label, "geometry",
                       f"overlaps {level} {other_code} ({other_label}) by {area:,.0f} m² "
                       f"({100 * area / smaller:.1f}% of the smaller; tolerance {tolerance_pct:g}%)")


def check_zones_in_county(cursor, report: Report) -> None:
    cursor.execute("""
        SELECT z.file, z.label, ST_Area(z.geom::geography) AS area,
               ST_Area(ST_Intersection(z.geom, c.geom)::geography) AS inside
        FROM stage_zone z CROSS JOIN stage_unit c
        WHERE c.level = 'county' AND NOT ST_CoveredBy(z.geom, c.geom)
    """)
    for file, label, area, inside in cursor.fetchall():
        if area > 0 and inside < area * 0.5:
            report.problem(file, label, "geometry", f"lies mostly outside the county "
                           f"({100 * (1 - inside / area):.1f}% outside)")


def check_team_bases(cursor, teams: pd.DataFrame | None, tables: dict, report: Report) -> None:
    """A team's base lies in its county (within BUNDLE_TEAM_BASE_TOLERANCE_M, for a
    station on the shore or just over a border); farther is a typo or a wrong CRS."""
    from django.conf import settings

    if teams is None or tables.get("teams") is None:
        return
    placed = teams[teams["x"].notna()]
    if placed.empty:
        return
    file = tables["teams"][0]
    tolerance = settings.BUNDLE_TEAM_BASE_TOLERANCE_M
    cursor.execute("""
        SELECT t.i, t.code, ST_Distance(c.geom::geography, t.p::geography)
        FROM unnest(%s::int[], %s::text[], %s::float8[], %s::float8[]) AS u(i, code, x, y)
        CROSS JOIN LATERAL (SELECT u.i, u.code, ST_SetSRID(ST_MakePoint(u.x, u.y), 4326) AS p) t
        JOIN stage_unit c ON c.level = 'county'
        WHERE NOT ST_DWithin(c.geom::geography, t.p::geography, %s)
        ORDER BY t.i
    """, [[int(i) for i in placed.index], list(placed["code"]), [float(x) for x in placed["x"]],
          [float(y) for y in placed["y"]], tolerance])
    for i, code, metres in cursor.fetchall():
        report.problem(file, f"row {i + 2} (code {code})", "lon/lat",
                       f"the team's base lies {metres / 1000:,.1f} km outside the county "
                       f"(tolerance {tolerance:g} m, setting BUNDLE_TEAM_BASE_TOLERANCE_M)")


def codes_owned_elsewhere(cursor, county_code: str, report: Report) -> None:
    """Unit codes are unique per level across counties: a code another county already uses
    would otherwise be silently moved to this one."""
    for level, model in MODELS.items():
        if level == "county":
            continue
        table = model._meta.db_table
        cursor.execute(f"""
            SELECT s.file, s.label, s.code, c.code FROM stage_unit s
            JOIN {table} u ON u.code = s.code
            JOIN {County._meta.db_table} c ON c.id = u.county_id
            WHERE s.level = %s AND c.code <> %s
        """, [level, county_code])
        for file, label, code, other in cursor.fetchall():
            report.problem(file, label, "code", f"{level} code {code} already belongs to county {other}")


def merge_territory(cursor, *, bundle_name: str, bundle_version: str) -> int:
    """Upsert county, townships, villages, grids and zones by code; returns the county id.

    Upserting (rather than delete and insert) keeps the ids that members' grids, teams and
    cases point at, so a re-import changes geometry and names without orphaning anything.
    """
    cursor.execute(f"""
        INSERT INTO {County._meta.db_table} (code, name, geom, bundle_name, bundle_version, imported_at)
        SELECT code, name, geom, %s, %s, now() FROM stage_unit WHERE level = 'county'
        ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, geom = EXCLUDED.geom,
            bundle_name = EXCLUDED.bundle_name, bundle_version = EXCLUDED.bundle_version,
            imported_at = EXCLUDED.imported_at
        RETURNING id
    """, [bundle_name, bundle_version])
    county_id = cursor.fetchone()[0]
    cursor.execute(f"""
        INSERT INTO {Township._meta.db_table} (code, name, kind, geom, county_id)
        SELECT code, name, kind, geom, %s FROM stage_unit WHERE level = 'township'
        ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind,
            geom = EXCLUDED.geom, county_id = EXCLUDED.county_id
    """, [county_id])
    cursor.execute(f"""
        INSERT INTO {Village._meta.db_table} (code, name, kind, geom, township_id, county_id)
        SELECT s.code, s.name, s.kind, s.geom, t.id, %s FROM stage_unit s
        JOIN {Township._meta.db_table} t ON t.code = s.parent_code
        WHERE s.level = 'village'
        ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind,
            geom = EXCLUDED.geom, township_id = EXCLUDED.township_id, county_id = EXCLUDED.county_id
    """, [county_id])
    cursor.execute(f"""
        INSERT INTO {Grid._meta.db_table} (code, name, geom, village_id, township_id, county_id)
        SELECT s.code, s.name, s.geom, v.id, v.township_id, %s FROM stage_unit s
        JOIN {Village._meta.db_table} v ON v.code = s.parent_code
        WHERE s.level = 'grid'
        ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, geom = EXCLUDED.geom,
            village_id = EXCLUDED.village_id, township_id = EXCLUDED.township_id,
            county_id = EXCLUDED.county_id
    """, [county_id])
    cursor.execute(f"""
        INSERT INTO {ProtectedArea._meta.db_table}
            (code, name, kind, level, zone, authority_code, geom, county_id)
        SELECT code, name, kind, level, zone, authority, geom, %s FROM stage_zone
        ON CONFLICT (county_id, code, zone) DO UPDATE SET name = EXCLUDED.name,
            kind = EXCLUDED.kind, level = EXCLUDED.level, authority_code = EXCLUDED.authority_code,
            geom = EXCLUDED.geom
    """, [county_id])
    return county_id


def drop_stage(cursor) -> None:
    """Inside an outer transaction (tests, a caller's atomic block) ON COMMIT comes late."""
    cursor.execute("DROP TABLE IF EXISTS stage_unit, stage_zone")


def staged_codes(cursor, level: str) -> list[str]:
    cursor.execute("SELECT code FROM stage_unit WHERE level = %s", [level])
    return [row[0] for row in cursor.fetchall()]


def staged_zone_keys(cursor) -> list[tuple[str, str]]:
    cursor.execute("SELECT code, zone FROM stage_zone")
    return [tuple(row) for row in cursor.fetchall()]
