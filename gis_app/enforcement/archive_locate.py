"""The locator over the archive: where a point was in a given generation of its county, and
the rule rows of that generation and rule version, in the shape `locate.read_territory`
gives them (a `TerritoryRead`), so the same router (`routing.route_from_read`, RuleBook and
the pure rules of rules.py) decides: the rules have one home, whatever the generation.

The archive (gis_app/bundles/archive.py) keeps units and zones spanning
generation_low..generation_high, the organisation per generation and the rule tables per
rule version, all by codes. Here they get ids for one read: units and zones their archive
row ids; departments, teams and items numbers of this read (the rules only compare them).
The county keeps its real id (permissions and the county's rule tables are keyed by it).

The same semantics as the live locator: boundaries included, the smallest code wins at
every level, each level looked up inside the unit chosen one level up, a point in the county
but on no township is at sea. Not the live locator's speed-ups (CountyPart pieces, GridBranch
rows, the prepared statement): replay and `?at=` read one point at a time.
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import count

import orjson
from django.db import connection

from gis_app.enforcement.locate import Location, Nearest, TerritoryRead, Unit, statement_params

# Raw SQL (why): the level-by-level walk of locate.py over the archive tables, each level
# filtered to the generation pinned for its county, in one statement (one snapshot).
_ARCHIVE_SQL = """
WITH pins AS (
    SELECT * FROM unnest(%(counties)s::int[], %(generations)s::int[]) AS p(county_id, generation)
),
pts AS (
    SELECT u.ord, ST_SetSRID(ST_MakePoint(u.lon, u.lat), 4326) AS g
    FROM unnest(%(lons)s::text::float8[], %(lats)s::text::float8[]) WITH ORDINALITY AS u(lon, lat, ord)
),
loc AS (
    SELECT pts.ord, pts.g, c.county_id, c.generation, t.id AS township_id, t.code AS township_code,
           t.n AS townships, v.id AS village_id, v.n AS villages, gr.id AS grid_id, gr.n AS grids,
           z.ids AS zone_ids
    FROM pts
    LEFT JOIN LATERAL (
        SELECT a.county_id, p.generation
        FROM boundaries_archivedunit a JOIN pins p ON p.county_id = a.county_id
        WHERE a.level = 'county' AND p.generation BETWEEN a.generation_low AND a.generation_high
          AND ST_Covers(a.geom, pts.g)
        ORDER BY a.code LIMIT 1
    ) c ON true
    LEFT JOIN LATERAL (
        SELECT a.id, a.code, count(*) OVER () AS n
        FROM boundaries_archivedunit a
        WHERE a.county_id = c.county_id AND a.level = 'township'
          AND c.generation BETWEEN a.generation_low AND a.generation_high AND ST_Covers(a.geom, pts.g)
        ORDER BY a.code LIMIT 1
    ) t ON true
    LEFT JOIN LATERAL (
        SELECT a.id, a.code, count(*) OVER () AS n
        FROM boundaries_archivedunit a
        WHERE a.county_id = c.county_id AND a.level = 'village' AND a.parent_code = t.code
          AND c.generation BETWEEN a.generation_low AND a.generation_high AND ST_Covers(a.geom, pts.g)
        ORDER BY a.code LIMIT 1
    ) v ON true
    LEFT JOIN LATERAL (
        SELECT a.id, count(*) OVER () AS n
        FROM boundaries_archivedunit a
        WHERE a.county_id = c.county_id AND a.level = 'grid' AND a.parent_code = v.code
          AND c.generation BETWEEN a.generation_low AND a.generation_high AND ST_Covers(a.geom, pts.g)
        ORDER BY a.code LIMIT 1
    ) gr ON true
    LEFT JOIN LATERAL (
        SELECT array_agg(z.id ORDER BY z.code, z.zone) AS ids
        FROM boundaries_archivedzone z
        WHERE z.county_id = c.county_id AND c.generation BETWEEN z.generation_low AND z.generation_high
          AND ST_Covers(z.geom, pts.g)
    ) z ON true
)
SELECT json_build_object(
    'points', (SELECT json_agg(json_build_array(
                   loc.ord, loc.county_id, loc.township_id, loc.townships, loc.village_id, loc.villages,
                   loc.grid_id, loc.grids, loc.zone_ids,
                   CASE WHEN loc.county_id IS NULL THEN
                       (SELECT json_build_array(c.id, c.code, c.name, ST_Distance(a.geom::geography,
                                                                                  loc.g::geography))
                        FROM boundaries_archivedunit a JOIN pins p ON p.county_id = a.county_id
                        JOIN boundaries_county c ON c.id = a.county_id
                        WHERE a.level = 'county' AND p.generation BETWEEN a.generation_low AND a.generation_high
                        ORDER BY ST_Distance(a.geom::geography, loc.g::geography), a.code LIMIT 1) END))
               FROM loc),
    'counties', (SELECT json_agg(json_build_array(c.id, c.code, c.name)) FROM boundaries_county c
                 WHERE c.id IN (SELECT county_id FROM loc)),
    -- Every township of the counties found (teams and hubs name them by code), and the
    -- villages, grids and zones found.
    'townships', (SELECT json_agg(json_build_array(a.id, a.code, a.name, a.kind, a.county_id))
                  FROM boundaries_archivedunit a JOIN pins p ON p.county_id = a.county_id
                  WHERE a.level = 'township' AND a.county_id IN (SELECT county_id FROM loc)
                    AND p.generation BETWEEN a.generation_low AND a.generation_high),
    'units', (SELECT json_agg(json_build_array(a.id, a.code, a.name, a.kind))
              FROM boundaries_archivedunit a
              WHERE a.id IN (SELECT village_id FROM loc UNION SELECT grid_id FROM loc)),
    'zones', (SELECT json_agg(json_build_array(z.id, z.code, z.name, z.kind, z.level, z.zone,
                                               z.authority_code))
              FROM boundaries_archivedzone z
              WHERE z.id IN (SELECT unnest(zone_ids) FROM loc)))::text
"""


@dataclass(frozen=True)
class Pin:
    """The generation and rule tables a county is read with: `organisation` and `tables` as
    the archive holds them (TerritoryGeneration.organisation, RuleVersion.tables)."""

    county_id: int
    generation: int
    organisation: dict | None
    tables: dict | None
    rule_version: int | None = None


def read_archived_territory(pins: dict[int, Pin], lons, lats, item_codes=()) -> TerritoryRead:
    """Locate WGS84 points in the pinned generations of their counties (counties without a
    pin are not there) and build the rule rows for them, as `locate.read_territory` does."""
    params = statement_params(lons, lats)
    params.update(counties=list(pins), generations=[p.generation for p in pins.values()])
    with connection.cursor() as cursor:
        cursor.execute(_ARCHIVE_SQL, params)
        doc = {k: v or [] for k, v in orjson.loads(cursor.fetchone()[0]).items()}
    counties = {row[0]: Unit(*row) for row in doc["counties"]}
    units = {row[0]: Unit(*row) for row in doc["units"]}
    townships = {row[0]: Unit(*row[:4]) for row in doc["townships"]}
    township_ids = {(row[4], row[1]): row[0] for row in doc["townships"]}
    lons, lats = [float(x) for x in lons], [float(y) for y in lats]
    locations: list[Location | None] = [None] * len(lons)
    for ord_, county_id, t_id, n_t, v_id, n_v, g_id, n_g, zone_ids, near in doc["points"]:
        i = ord_ - 1
        if county_id is None:
            nearest = Nearest(Unit(*near[:3]), "county", near[3]) if near else None
            locations[i] = Location(lons[i], lats[i], None, nearest=nearest)
            continue
        locations[i] = Location(lons[i], lats[i], counties[county_id], townships.get(t_id),
                                units.get(v_id), units.get(g_id), n_t or 0, n_v or 0, n_g or 0,
                                tuple(zone_ids or ()))
    dims = _rule_rows(pins, set(counties), townships, township_ids, set(item_codes))
    dims["zones"] = doc["zones"]
    return TerritoryRead(locations, dims)


def _rule_rows(pins, county_ids, townships, township_ids, item_codes) -> dict:
    """The archived organisation and rule tables of the counties found, as the `dims` rows of
    locate.py (rows.py names their columns)."""
    ids = count(1)
    dims = {"departments": [], "teams": [], "items": [], "authorities": [], "hubs": [],
            "severity": [], "deadlines": [], "calendar": []}
    for county_id in sorted(county_ids):
        pin = pins[county_id]
        org, tables = pin.organisation, pin.tables
        if org is None or tables is None:    # not archived: the caller refuses (as_of.py)
            continue
        depts = {}
        for code, name, kind in org["departments"]:
            depts[code] = next(ids)
            dims["departments"].append([depts[code], county_id, code, name, kind])
        for code, name, kind, township_code, dept_code in org["teams"]:
            dims["teams"].append([county_id, next(ids), code, name, kind,
                                  township_ids.get((county_id, township_code)), depts.get(dept_code)])
        items = {}
        for code, name, domain, action, whistle, dept_code, supporting in tables["catalogue"]:
            if code in item_codes:
                items[code] = next(ids)
                dims["items"].append([items[code], county_id, code, name, whistle, depts.get(dept_code),
                                      [depts[c] for c in supporting if c in depts], domain, action])
        # The county's severity, deadlines and calendar of that rule version: the snapshot
        # keeps their rows in the order locate.py reads them, after the county id.
        for table in ("severity", "deadlines", "calendar"):
            dims[table] += [[county_id, *row] for row in tables[table]]
        for township_code, item_code, kind, entrusting in tables["authority"]:
            township_id = township_ids.get((county_id, township_code))
            if item_code in items and township_id is not None:
                dims["authorities"].append([township_id, items[item_code], kind, depts.get(entrusting)])
        for hub_code, covered in org["hubs"]:
            hub = townships.get(township_ids.get((county_id, hub_code)))
            for code in covered:
                township_id = township_ids.get((county_id, code))
                if hub is not None and township_id is not None:
                    dims["hubs"].append([township_id, hub.id, hub.code, hub.name, hub.kind])
    return dims
