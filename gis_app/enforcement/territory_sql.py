"""The router's one statement (`locate.read_territory`): every level of every point, what
protects it, what lies within reach of it (when asked), and every rule row the rules need.

Its own module because it is long: locate.py prepares, runs and reads it. Parameters by name:
`lons`, `lats` (float8[] literals as text), `codes` (item codes), `tol` (metres; 0 = no
near-border reach) and `sea_min` (m²); see `locate.statement_params`.
"""

def _nearest_sql(parts: str, units: str, unit_id: str, kind: str) -> str:
    """For a point `loc.g` outside every county (NULL otherwise): the unit of `units` nearest
    to it, found among its pieces in `parts`, as JSON [id, code, name, kind, metres]."""
    return f"""CASE WHEN loc.county_id IS NULL THEN
             (SELECT json_build_array(u.id, u.code, u.name, {kind}, k.d)
              FROM (SELECT p.{unit_id}, ST_Distance(p.geom::geography, loc.g::geography) AS d
                    FROM (SELECT (n.geom <-> loc.g) * (1.01 / cos(radians(least(abs(ST_Y(loc.g)) + 2, 89)))) AS reach
                          FROM {parts} n ORDER BY n.geom <-> loc.g LIMIT 1) n,
                         {parts} p
                    WHERE ST_DWithin(p.geom, loc.g, n.reach)) k
              JOIN {units} u ON u.id = k.{unit_id}
              ORDER BY k.d, u.code LIMIT 1) END"""


# Raw SQL because the ORM cannot express it, and because it must be ONE statement:
# - `pts` unnests the arrays of points (WITH ORDINALITY keeps their order), each array sent as
#   ONE text literal: 20,000 floats as an ARRAY[...] expression cost ~0.1 s to parse (and a
#   WKB MultiPoint, ~60 ms to ST_Dump);
# - `settled`: a point strictly inside the one grid that covers it, a grid with a GridBranch
#   row, has its county, township, village and grid (and, mostly, its zones) in that row: one
#   spatial lookup instead of five (see `boundaries.branches.refresh_grid_branches` for why the answers are the same);
# - `walked`: every other point (sea, borders, land without grids, grids without a branch)
#   walks the levels, each a LATERAL "covering units ORDER BY code LIMIT 1" subquery on the
#   box index, with a window count of the covering units (trace);
# - for points outside every county only, the nearest county and township, among their
#   subdivided pieces (CountyPart, TownshipPart: a unit's distance is its nearest piece's, and
#   the geodesic distance to a piece of 64 vertices is a fraction of a real outline's: 200
#   outside points, townships of 1,700 vertices, 0.5 s against 1.5 s whole). `<->` finds the
#   nearest piece in the plane (degrees); a piece can be nearer on the ground only if its
#   planar distance is within the most a degree's length varies with direction at that
#   latitude (north-south 111.7 km at most, east-west 111.3 km x cos(latitude)) of that
#   piece's: every piece within that reach (ST_DWithin, on the index) is measured in metres
#   (geography) and the nearest wins. All of them, not the first k by `<->`: along a densely
#   drawn border the 16 nearest pieces can all be one township's, a nearer one the 17th;
# - `dims`: the units found (but grids, which come with their points: 6,000 grids read again
#   by id cost ~20 ms) and every rule row those points may need (departments, the teams that
#   may act there, the items asked for and their supporting departments, authority rows,
#   hubs, zones), as one JSON document.
# One statement reads one snapshot, so a concurrent `import_bundle --replace` commit can never
# mix old and new rows in an answer (no REPEATABLE READ transaction, no extra round trips);
# and it is one round trip whether for 1 point or 3,400 (larger batches are read in pieces,
# from one REPEATABLE READ snapshot: `read_territory_pieces`). An f-string only to put in
# `_nearest_sql`'s two searches.
TERRITORY_SQL = f"""
WITH pts AS MATERIALIZED (
    SELECT u.ord, ST_SetSRID(ST_MakePoint(u.lon, u.lat), 4326) AS g,
           box(point(u.lon, u.lat), point(u.lon, u.lat)) AS b
    FROM unnest(%(lons)s::text::float8[], %(lats)s::text::float8[]) WITH ORDINALITY AS u(lon, lat, ord)
),
settled AS MATERIALIZED (
    SELECT pts.ord, pts.g, b.county_id, b.township_id, b.village_id, b.grid_id,
           one.code AS grid_code, one.name AS grid_name,
           CASE WHEN b.zone_ids IS NOT NULL THEN b.zone_ids ELSE
               (SELECT array_agg(pa.id ORDER BY pa.code, pa.zone)
                FROM boundaries_protectedarea pa
                WHERE pa.geom::box @> pts.b AND pa.county_id = b.county_id
                  AND _ST_Covers(pa.geom, pts.g)) END AS zone_ids
    FROM pts
    JOIN LATERAL (
        -- Every grid covering the point: one, strictly inside it. (Grids cut from one another
        -- in floating point overlap by slivers, so "no other grid reaches in" is no rule to
        -- build branches on; only the points in the slivers are walked.) Each lookup in this
        -- statement goes through a GiST index of boxes as the plain `box` type (migrations
        -- boundaries 0003-0004): 2-5 us a point where the PostGIS geometry index costs 6-23 us
        -- for the same candidates. `_ST_Covers` is ST_Covers without the index condition.
        SELECT min(gr.id) AS id, min(gr.code) AS code, min(gr.name) AS name, count(*) AS n,
               bool_and(ST_Contains(gr.geom, pts.g)) AS inside
        FROM boundaries_grid gr
        WHERE gr.geom::box @> pts.b AND _ST_Covers(gr.geom, pts.g)
    ) one ON one.n = 1 AND one.inside
    JOIN boundaries_gridbranch b ON b.grid_id = one.id
        AND (b.region IS NULL OR _ST_Contains(b.region, pts.g))
),
walked AS MATERIALIZED (
    SELECT pts.ord, pts.g, c.id AS county_id, t.id AS township_id, t.n AS townships,
           v.id AS village_id, v.n AS villages, gr.id AS grid_id, gr.code AS grid_code,
           gr.name AS grid_name, gr.n AS grids, z.ids AS zone_ids
    FROM pts
    LEFT JOIN LATERAL (
        SELECT c.id, c.code
        FROM boundaries_countypart cp JOIN boundaries_county c ON c.id = cp.county_id
        WHERE cp.geom::box @> pts.b AND _ST_Covers(cp.geom, pts.g)
        ORDER BY c.code LIMIT 1
    ) c ON true
    LEFT JOIN LATERAL (
        SELECT t.id, count(*) OVER () AS n
        FROM boundaries_township t
        WHERE c.id IS NOT NULL AND t.geom::box @> pts.b AND t.county_id = c.id
          AND _ST_Covers(t.geom, pts.g)
        ORDER BY t.code LIMIT 1
    ) t ON true
    LEFT JOIN LATERAL (
        SELECT v.id, count(*) OVER () AS n
        FROM boundaries_village v
        WHERE t.id IS NOT NULL AND v.geom::box @> pts.b AND v.township_id = t.id
          AND _ST_Covers(v.geom, pts.g)
        ORDER BY v.code LIMIT 1
    ) v ON true
    LEFT JOIN LATERAL (
        -- `+ 0` keeps the planner on the spatial index alone: combining it with the
        -- village_id index builds a bitmap per point, about 8 percent slower.
        SELECT gr.id, gr.code, gr.name, count(*) OVER () AS n
        FROM boundaries_grid gr
        WHERE v.id IS NOT NULL AND gr.geom::box @> pts.b AND gr.village_id + 0 = v.id
          AND _ST_Covers(gr.geom, pts.g)
        ORDER BY gr.code LIMIT 1
    ) gr ON true
    LEFT JOIN LATERAL (
        SELECT array_agg(pa.id ORDER BY pa.code, pa.zone) AS ids
        FROM boundaries_protectedarea pa
        WHERE c.id IS NOT NULL AND pa.geom::box @> pts.b AND pa.county_id = c.id
          AND _ST_Covers(pa.geom, pts.g)
    ) z ON true
    WHERE NOT EXISTS (SELECT 1 FROM settled s WHERE s.ord = pts.ord)
),
loc AS MATERIALIZED (
    SELECT ord, g, county_id, township_id, 1 AS townships, village_id, 1 AS villages,
           grid_id, grid_code, grid_name, 1 AS grids, zone_ids
    FROM settled
    UNION ALL
    SELECT ord, g, county_id, township_id, townships, village_id, villages, grid_id, grid_code,
           grid_name, grids, zone_ids
    FROM walked
),
-- The units found, each once; the rule rows below are read for these, by `= ANY(ARRAY(...))`
-- so that the one generic plan probes indexes for a single point (a hash join with a full
-- scan of every table cost 0.6 ms there) and still scales to a batch.
counties AS MATERIALIZED (SELECT DISTINCT county_id AS id FROM loc WHERE county_id IS NOT NULL),
townships AS MATERIALIZED (SELECT DISTINCT township_id AS id FROM loc WHERE township_id IS NOT NULL),
items AS MATERIALIZED (
    SELECT i.id, i.county_id, i.code, i.name, i.whistle_kind, i.department_id, i.domain, i.action_type
    FROM enforcement_catalogitem i
    WHERE i.code = ANY(%(codes)s::text[]) AND i.county_id = ANY(ARRAY(SELECT id FROM counties))
),
hubs AS MATERIALIZED (
    SELECT hc.township_id, h.hub_id, ht.code, ht.name, ht.kind
    FROM boundaries_hubarea_covered hc
    JOIN boundaries_hubarea h ON h.id = hc.hubarea_id
    JOIN boundaries_township ht ON ht.id = h.hub_id
    WHERE hc.township_id = ANY(ARRAY(SELECT id FROM townships))
),
dims AS (
    SELECT json_build_object(
        'counties', (SELECT json_agg(json_build_array(c.id, c.code, c.name))
                     FROM boundaries_county c WHERE c.id = ANY(ARRAY(SELECT id FROM counties))),
        -- Each county's rules stamp (migration enforcement 0007): batch decisions are kept
        -- across requests under it (enforcement/decision_cache.py).
        'stamps', (SELECT json_agg(json_build_array(s.county_id, s.stamp))
                   FROM enforcement_rulesstamp s WHERE s.county_id = ANY(ARRAY(SELECT id FROM counties))),
        'townships', (SELECT json_agg(json_build_array(t.id, t.code, t.name, t.kind))
                      FROM boundaries_township t WHERE t.id = ANY(ARRAY(SELECT id FROM townships))),
        'villages', (SELECT json_agg(json_build_array(v.id, v.code, v.name, v.kind))
                     FROM boundaries_village v
                     WHERE v.id = ANY(ARRAY(SELECT DISTINCT village_id FROM loc
                                            WHERE village_id IS NOT NULL))),
        'departments', (SELECT json_agg(json_build_array(d.id, d.county_id, d.code, d.name, d.kind))
                        FROM enforcement_department d
                        WHERE d.county_id = ANY(ARRAY(SELECT id FROM counties))),
        -- Only the teams that may act at these points: the townships' own and their hubs',
        -- the items' departments', the marine teams (each with every rival for its role, so
        -- that the smallest code still wins).
        'teams', (SELECT json_agg(json_build_array(tm.county_id, tm.id, tm.code, tm.name, tm.kind,
                                                   tm.township_id, tm.department_id) ORDER BY tm.code)
                  FROM enforcement_team tm
                  WHERE tm.county_id = ANY(ARRAY(SELECT id FROM counties))
                    AND tm.id IN (
                        SELECT id FROM enforcement_team WHERE township_id = ANY(ARRAY(
                            SELECT id FROM townships UNION SELECT hub_id FROM hubs))
                        UNION SELECT id FROM enforcement_team
                        WHERE department_id = ANY(ARRAY(SELECT department_id FROM items))
                        UNION SELECT id FROM enforcement_team
                        WHERE kind = 'marine' AND county_id = ANY(ARRAY(SELECT id FROM counties)))),
        'items', (SELECT json_agg(json_build_array(
                            i.id, i.county_id, i.code, i.name, i.whistle_kind, i.department_id,
                            ARRAY(SELECT s.department_id
                                  FROM enforcement_catalogitem_supporting_departments s
                                  WHERE s.catalogitem_id = i.id), i.domain, i.action_type))
                  FROM items i),
        -- The counties' own rule tables (small; optional): severity, deadlines, calendar.
        'severity', (SELECT json_agg(json_build_array(s.county_id, s.row, s.severity, s.kind, s.zone,
                                                      s.domain) ORDER BY s.row)
                     FROM enforcement_severityrule s
                     WHERE s.county_id = ANY(ARRAY(SELECT id FROM counties))),
        'deadlines', (SELECT json_agg(json_build_array(d.county_id, d.row, d."limit", d.unit,
                                                       d.item_code, d.domain, d.action_type,
                                                       d.whistle_kind, d.severity) ORDER BY d.row)
                      FROM enforcement_deadlinerule d
                      WHERE d.county_id = ANY(ARRAY(SELECT id FROM counties))
                        AND EXISTS (SELECT 1 FROM items)),
        'calendar', (SELECT json_agg(json_build_array(cd.county_id, cd.day, cd.workday))
                     FROM enforcement_calendarday cd
                     WHERE cd.county_id = ANY(ARRAY(SELECT id FROM counties))
                       AND EXISTS (SELECT 1 FROM items)),
        'authorities', (SELECT json_agg(json_build_array(a.township_id, a.item_id, a.authority,
                                                         a.entrusting_department_id))
                        FROM enforcement_authority a
                        WHERE a.item_id = ANY(ARRAY(SELECT id FROM items))
                          AND a.township_id = ANY(ARRAY(SELECT id FROM townships))),
        'hubs', (SELECT json_agg(json_build_array(h.township_id, h.hub_id, h.code, h.name, h.kind)
                                 ORDER BY h.code)
                 FROM hubs h),
        'zones', (SELECT json_agg(json_build_array(pa.id, pa.code, pa.name, pa.kind, pa.level,
                                                   pa.zone, pa.authority_code))
                  FROM boundaries_protectedarea pa
                  WHERE pa.id = ANY(ARRAY(SELECT DISTINCT unnest(zone_ids) FROM loc)))
    ) AS doc
)
-- Two text values, parsed by orjson: the points' rows as one JSON array (10,000 rows of a dozen
-- columns cost ~25 ms more as result rows through psycopg2), and the dimension document.
SELECT (SELECT json_agg(json_build_array(
            loc.ord, loc.county_id, loc.township_id, loc.townships, loc.village_id, loc.villages,
            loc.grid_id, loc.grid_code, loc.grid_name, loc.grids, loc.zone_ids,
            -- CASE, not a WHERE in a lateral: the planner may evaluate a lateral's SELECT list
            -- before its filter; CASE runs the nearest-unit search only for points outside.
            -- The nearest county and township (see above).
            {_nearest_sql("boundaries_countypart", "boundaries_county", "county_id", "NULL")},
            {_nearest_sql("boundaries_townshippart", "boundaries_township", "township_id", "u.kind")},
            -- Near a border (enforcement/borders.py), only when a tolerance is asked for (the
            -- single route; a batch sends 0): every township whose land lies within the tolerance
            -- (metres, geodesic) and the county's water within it, each with a point of it
            -- within reach; `[]` when the point is farther than that from its grid's outline
            -- (its whole circle is inside that grid: nothing else is near; most points).
            CASE WHEN %(tol)s > 0 AND loc.county_id IS NOT NULL THEN COALESCE(
             CASE WHEN loc.grid_id IS NULL OR EXISTS (
                     SELECT 1 FROM boundaries_grid gr
                     WHERE gr.id = loc.grid_id
                       AND ST_DWithin(ST_Boundary(gr.geom)::geography, loc.g::geography, %(tol)s))
             THEN (WITH circle AS (
                       SELECT ST_Buffer(loc.g::geography, %(tol)s, 'quad_segs=32')::geometry AS g),
                   near AS (
                       SELECT t.code, t.name, t.geom, ST_Distance(t.geom::geography, loc.g::geography) AS d
                       FROM boundaries_township t, circle
                       WHERE t.county_id = loc.county_id AND t.geom && circle.g
                         AND ST_DWithin(t.geom::geography, loc.g::geography, %(tol)s)),
                   -- The water: the circle on the county's subdivided parts (a few hundred
                   -- vertices each, not a whole coastline) minus the townships' land.
                   sea AS (
                       SELECT ST_Difference(ST_Union(ST_Intersection(cp.geom, circle.g)),
                                            COALESCE((SELECT ST_Union(n.geom) FROM near n),
                                                     ST_SetSRID('GEOMETRYCOLLECTION EMPTY'::geometry, 4326))) AS g
                       FROM boundaries_countypart cp, circle
                       WHERE cp.county_id = loc.county_id AND cp.geom && circle.g)
                   SELECT json_agg(json_build_array(r.code, r.name, r.d, r.x, r.y) ORDER BY r.d, r.code)
                   FROM (SELECT n.code, n.name, n.d, ST_X(inside.g) AS x, ST_Y(inside.g) AS y
                         FROM near n, circle, LATERAL (
                             SELECT COALESCE(ST_PointOnSurface(ST_Intersection(n.geom, circle.g)),
                                             ST_ClosestPoint(n.geom, loc.g)) AS g) inside
                         UNION ALL
                         SELECT NULL, NULL, ST_Distance(sea.g::geography, loc.g::geography),
                                ST_X(ST_PointOnSurface(sea.g)), ST_Y(ST_PointOnSurface(sea.g))
                         FROM sea
                         WHERE sea.g IS NOT NULL AND NOT ST_IsEmpty(sea.g)
                           AND ST_Area(sea.g::geography) > %(sea_min)s) r)
             END, '[]'::json) END))
        FROM loc)::text,
       (SELECT doc FROM dims)::text
"""
