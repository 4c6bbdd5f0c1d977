"""The archive of generations: what each import of a county looked like, kept queryable.

The live tables (boundaries_township etc.) hold only today's county, so the router's fast SQL
stays as it is. Beside them the importer keeps history, the way MapIt does (areas carry
`generation_low`/`generation_high`; an import raises `generation_high` of every area it leaves
unchanged instead of copying it, and gives a changed area a new row):

- `ArchivedUnit` / `ArchivedZone`: every county, township, village, grid and protected-area
  zone with its geometry and attributes, spanning the generations that had it unchanged;
- `TerritoryGeneration.organisation`: the departments, teams and 1+X hubs of that import;
- `RuleVersion.tables`: the catalogue, authority, deadlines, severity and calendar tables of
  that rule version (a new version only when they change: `rules_digest`).

All of it by codes (row ids change at every `--replace`). Written inside the import's
transaction, so an import and its archive commit or roll back together. Read by the archived
router (gis_app/enforcement/archive_locate.py); removed only by `prune_generations`.
"""
from __future__ import annotations

import hashlib

import orjson
from django.db import connection

# Raw SQL (why): one statement per table carries every unchanged unit forward (UPDATE) and
# inserts the new and changed ones, comparing geometries in PostGIS without shipping them to
# Python. "Unchanged" = same code, parent, name, kind and exactly the same geometry
# (ST_OrderingEquals: same vertices in the same order, as a re-import of the same file gives).
_UNITS_SQL = """
WITH live AS (
    SELECT 'county'::text AS level, c.code::text, ''::text AS parent_code, c.name::text,
           ''::text AS kind, c.geom
    FROM boundaries_county c WHERE c.id = %(county)s
    UNION ALL
    SELECT 'township', t.code, '', t.name, t.kind, t.geom
    FROM boundaries_township t WHERE t.county_id = %(county)s
    UNION ALL
    SELECT 'village', v.code, t.code, v.name, v.kind, v.geom
    FROM boundaries_village v JOIN boundaries_township t ON t.id = v.township_id
    WHERE v.county_id = %(county)s
    UNION ALL
    SELECT 'grid', g.code, v.code, g.name, '', g.geom
    FROM boundaries_grid g JOIN boundaries_village v ON v.id = g.village_id
    WHERE g.county_id = %(county)s
),
kept AS (
    UPDATE boundaries_archivedunit a SET generation_high = %(generation)s
    FROM live
    WHERE a.county_id = %(county)s AND a.generation_high = %(previous)s
      AND a.level = live.level AND a.code = live.code AND a.parent_code = live.parent_code
      AND a.name = live.name AND a.kind = live.kind AND ST_OrderingEquals(a.geom, live.geom)
    RETURNING a.level, a.code
),
added AS (
    INSERT INTO boundaries_archivedunit (county_id, level, code, parent_code, name, kind, geom,
                                         generation_low, generation_high)
    SELECT %(county)s, live.level, live.code, live.parent_code, live.name, live.kind, live.geom,
           %(generation)s, %(generation)s
    FROM live
    WHERE NOT EXISTS (SELECT 1 FROM kept WHERE kept.level = live.level AND kept.code = live.code)
    RETURNING 1
)
SELECT (SELECT count(*) FROM kept), (SELECT count(*) FROM added)
"""

_ZONES_SQL = """
WITH kept AS (
    UPDATE boundaries_archivedzone a SET generation_high = %(generation)s
    FROM boundaries_protectedarea pa
    WHERE pa.county_id = %(county)s AND a.county_id = %(county)s
      AND a.generation_high = %(previous)s AND a.code = pa.code AND a.zone = pa.zone
      AND a.name = pa.name AND a.kind = pa.kind AND a.level = pa.level
      AND a.authority_code = pa.authority_code AND ST_OrderingEquals(a.geom, pa.geom)
    RETURNING a.code, a.zone
),
added AS (
    INSERT INTO boundaries_archivedzone (county_id, code, name, kind, level, zone, authority_code,
                                         geom, generation_low, generation_high)
    SELECT %(county)s, pa.code, pa.name, pa.kind, pa.level, pa.zone, pa.authority_code, pa.geom,
           %(generation)s, %(generation)s
    FROM boundaries_protectedarea pa
    WHERE pa.county_id = %(county)s
      AND NOT EXISTS (SELECT 1 FROM kept WHERE kept.code = pa.code AND kept.zone = pa.zone)
    RETURNING 1
)
SELECT (SELECT count(*) FROM kept), (SELECT count(*) FROM added)
"""

# Raw SQL (why): each snapshot is one JSON document built in one round trip, rows as arrays
# (the order archive_locate.py reads them in), sorted so that equal tables give equal text.
_ORGANISATION_SQL = """
SELECT json_build_object(
    'departments', coalesce((SELECT json_agg(json_build_array(d.code, d.name, d.kind) ORDER BY d.code)
                             FROM enforcement_department d WHERE d.county_id = %(county)s), '[]'),
    'teams', coalesce((SELECT json_agg(json_build_array(tm.code, tm.name, tm.kind, t.code, d.code)
                                       ORDER BY tm.code)
                       FROM enforcement_team tm
                       LEFT JOIN boundaries_township t ON t.id = tm.township_id
                       LEFT JOIN enforcement_department d ON d.id = tm.department_id
                       WHERE tm.county_id = %(county)s), '[]'),
    'hubs', coalesce((SELECT json_agg(json_build_array(
                                 ht.code, ARRAY(SELECT ct.code FROM boundaries_hubarea_covered hc
                                                JOIN boundaries_township ct ON ct.id = hc.township_id
                                                WHERE hc.hubarea_id = h.id ORDER BY ct.code))
                             ORDER BY ht.code)
                      FROM boundaries_hubarea h JOIN boundaries_township ht ON ht.id = h.hub_id
                      WHERE h.county_id = %(county)s), '[]'))::text
"""

_RULE_TABLES_SQL = """
SELECT json_build_object(
    'catalogue', coalesce((SELECT json_agg(json_build_array(
                                i.code, i.name, i.domain, i.action_type, i.whistle_kind, d.code,
                                ARRAY(SELECT sd.code FROM enforcement_catalogitem_supporting_departments s
                                      JOIN enforcement_department sd ON sd.id = s.department_id
                                      WHERE s.catalogitem_id = i.id ORDER BY sd.code))
                                ORDER BY i.code)
                           FROM enforcement_catalogitem i
                           JOIN enforcement_department d ON d.id = i.department_id
                           WHERE i.county_id = %(county)s), '[]'),
    'authority', coalesce((SELECT json_agg(json_build_array(t.code, i.code, a.authority, e.code)
                                           ORDER BY t.code, i.code)
                           FROM enforcement_authority a
                           JOIN boundaries_township t ON t.id = a.township_id
                           JOIN enforcement_catalogitem i ON i.id = a.item_id
                           LEFT JOIN enforcement_department e ON e.id = a.entrusting_department_id
                           WHERE i.county_id = %(county)s), '[]'),
    'deadlines', coalesce((SELECT json_agg(json_build_array(r.row, r."limit", r.unit, r.item_code,
                                                            r.domain, r.action_type, r.whistle_kind,
                                                            r.severity) ORDER BY r.row)
                           FROM enforcement_deadlinerule r WHERE r.county_id = %(county)s), '[]'),
    'severity', coalesce((SELECT json_agg(json_build_array(r.row, r.severity, r.kind, r.zone, r.domain)
                                          ORDER BY r.row)
                          FROM enforcement_severityrule r WHERE r.county_id = %(county)s), '[]'),
    'calendar', coalesce((SELECT json_agg(json_build_array(c.day, c.workday) ORDER BY c.day)
                          FROM enforcement_calendarday c WHERE c.county_id = %(county)s), '[]'))::text
"""


def _one_row(sql: str, params: dict):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def archive_territory(county_id: int, generation: int) -> dict[str, int]:
    """Archive the county's live units and zones as `generation`: the ones unchanged since
    `generation - 1` span it, the others get new rows. Counts of both."""
    params = {"county": county_id, "generation": generation, "previous": generation - 1}
    units_kept, units_added = _one_row(_UNITS_SQL, params)
    zones_kept, zones_added = _one_row(_ZONES_SQL, params)
    return {"units_kept": units_kept, "units_added": units_added,
            "zones_kept": zones_kept, "zones_added": zones_added}


def organisation_snapshot(county_id: int) -> dict:
    """The county's departments, teams and hubs as live now (by codes)."""
    return orjson.loads(_one_row(_ORGANISATION_SQL, {"county": county_id})[0])


def rule_tables_snapshot(county_id: int) -> dict:
    """The county's catalogue, authority, deadlines, severity and calendar as live now."""
    return orjson.loads(_one_row(_RULE_TABLES_SQL, {"county": county_id})[0])


def rules_digest(tables: dict) -> str:
    """A fingerprint of rule tables: equal tables, equal digest (a new RuleVersion otherwise)."""
    text = orjson.dumps(tables, option=orjson.OPT_SORT_KEYS)
    return hashlib.md5(text, usedforsecurity=False).hexdigest()
