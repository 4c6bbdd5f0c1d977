"""Grid branches: the derived rows that let the router locate a point in one index lookup.

Territory upkeep, so it lives with the territory: `refresh_grid_branches` (re)builds the
GridBranch rows of a county after its units and CountyPart pieces are written (the bundle
importer calls it); database triggers (migration 0003) delete rows whose units change, so a
row may be missing (the router then walks the levels) but is never stale. The router
(gis_app/enforcement/locate.py) only reads them.
"""
from __future__ import annotations

from django.db import connection, transaction

# Raw SQL because it is set-based predicates over a county's grids that the ORM cannot express.
# A grid g (chain: village V = g.village, township T = V.township, county C = T.county) gets a
# branch row when, exactly (GEOS predicates on the stored coordinates):
# - a part of C covers g, and no part of another county reaches into g's interior;
# - T covers g and no other township of C reaches into g's interior;
# - V covers g and no other village of T reaches into g's interior.
# Then a point p strictly inside g (the router checks ST_Contains) that no other grid covers
# (the router counts the covering grids) is covered by C and by no other county, so the county
# level finds C; among C's townships only T covers p, so the township level finds T (count 1);
# among T's villages only V; among V's grids only g. These are the units the level-by-level
# search ("smallest code, inside the chosen parent") finds, whatever the codes, so the rule
# also holds for bundles whose parent_code overrides the code prefixes.
# Zones: each zone of C meeting g either covers g (listed, ordered like the router's zone
# lookup), or stays out of its interior (not listed); if a zone boundary crosses g, zone_ids
# is null and the router looks zones up per point.
# A polygon GEOS calls invalid is never trusted (the importer refuses them; predicates on one
# may fail): its grid gets no row, and as a neighbour it counts as reaching in.
# (Exact, that is, up to PostGIS's point-in-polygon test, which the level-by-level search uses
# too: for a point within ~1e-15 degree of an edge its rounding may differ between polygons.)
_REFRESH_BRANCHES_SQL = """
WITH chain AS MATERIALIZED (
    SELECT g.id AS grid_id, g.geom, g.geom::box AS bx, v.id AS village_id,
           v.geom AS village_geom, t.id AS township_id, t.geom AS township_geom, t.county_id
    FROM boundaries_grid g
    JOIN boundaries_village v ON v.id = g.village_id
    JOIN boundaries_township t ON t.id = v.township_id
    WHERE g.id = ANY(%(grids)s)
),
bad_townships AS MATERIALIZED (
    SELECT id FROM boundaries_township
    WHERE county_id IN (SELECT county_id FROM chain) AND NOT ST_IsValid(geom)
),
bad_villages AS MATERIALIZED (
    SELECT id FROM boundaries_village
    WHERE township_id IN (SELECT township_id FROM chain) AND NOT ST_IsValid(geom)
),
bad_zones AS MATERIALIZED (
    SELECT id FROM boundaries_protectedarea
    WHERE county_id IN (SELECT county_id FROM chain) AND NOT ST_IsValid(geom)
),
settled AS (
    -- One CASE so that the predicates run in this order (invalid polygons never reach GEOS).
    -- Candidates by the box indexes (`::box`), decided by GEOS.
    SELECT c.* FROM chain c
    WHERE CASE
        WHEN NOT ST_IsValid(c.geom) OR c.village_id IN (SELECT id FROM bad_villages)
             OR c.township_id IN (SELECT id FROM bad_townships) THEN false
        WHEN NOT (ST_Covers(c.village_geom, c.geom) AND ST_Covers(c.township_geom, c.geom)) THEN false
        WHEN NOT EXISTS (SELECT 1 FROM boundaries_countypart p
                         WHERE p.county_id = c.county_id AND p.geom::box @> c.bx
                           AND CASE WHEN ST_IsValid(p.geom) THEN ST_Covers(p.geom, c.geom)
                                    ELSE false END) THEN false
        WHEN EXISTS (SELECT 1 FROM boundaries_countypart p
                     WHERE p.county_id <> c.county_id AND p.geom::box && c.bx
                       AND CASE WHEN ST_IsValid(p.geom) THEN ST_Relate(c.geom, p.geom, 'T********')
                                ELSE true END) THEN false
        WHEN EXISTS (SELECT 1 FROM boundaries_township t
                     WHERE t.county_id = c.county_id AND t.id <> c.township_id AND t.geom::box && c.bx
                       AND CASE WHEN t.id IN (SELECT id FROM bad_townships) THEN true
                                ELSE ST_Relate(c.geom, t.geom, 'T********') END) THEN false
        WHEN EXISTS (SELECT 1 FROM boundaries_village v
                     WHERE v.township_id + 0 = c.township_id AND v.id <> c.village_id
                       AND v.geom::box && c.bx
                       AND CASE WHEN v.id IN (SELECT id FROM bad_villages) THEN true
                                ELSE ST_Relate(c.geom, v.geom, 'T********') END) THEN false
        ELSE true END
)
INSERT INTO boundaries_gridbranch (grid_id, county_id, township_id, village_id, zone_ids)
SELECT s.grid_id, s.county_id, s.township_id, s.village_id,
       CASE WHEN bool_or(z.reaches AND NOT z.covers) THEN NULL
            ELSE coalesce(array_agg(z.id ORDER BY z.code, z.zone) FILTER (WHERE z.covers), '{}')
       END
FROM settled s
LEFT JOIN LATERAL (
    SELECT pa.id, pa.code, pa.zone,
           CASE WHEN pa.id IN (SELECT id FROM bad_zones) THEN false
                ELSE ST_Covers(pa.geom, s.geom) END AS covers,
           CASE WHEN pa.id IN (SELECT id FROM bad_zones) THEN true
                ELSE ST_Relate(s.geom, pa.geom, 'T********') END AS reaches
    FROM boundaries_protectedarea pa
    WHERE pa.county_id = s.county_id AND pa.geom::box && s.bx
) z ON true
GROUP BY s.grid_id, s.county_id, s.township_id, s.village_id
"""


# The settled REGION of every grid the statement above left without a row (real bundles: a
# village or township border cuts into the grid, a neighbour overlaps it by a sliver), raw SQL
# for the same reasons. Region = g ∩ V ∩ T ∩ (C's parts) minus every other county's parts,
# every other township of C and every other village of T that meets g's box, polygons only,
# then shrunk by REGION_MARGIN_DEG (overlays snap-rounded to REGION_OVERLAY_GRID_DEG). A point strictly inside it is covered by C's parts and no
# other county's, by T alone among C's townships and by V alone among T's villages, so the
# level-by-level search finds C, T and V; with the router's own check that g alone covers the
# point, it finds g. The margin (~0.1 mm) absorbs the rounding of the overlay that computed
# the region (~1e-15 degree), so that "strictly inside the computed region" implies "strictly
# inside the exact one"; points in it, and in what was cut away, walk the levels.
# Zones as for whole grids, decided on the region. A grid, or any unit it is cut by, that
# GEOS calls invalid gets no row.
REGION_MARGIN_DEG = 1e-9
REGION_OVERLAY_GRID_DEG = 1e-11

_REFRESH_REGIONS_SQL = """
WITH chain AS MATERIALIZED (
    SELECT g.id AS grid_id, g.geom, g.geom::box AS bx, v.id AS village_id,
           v.geom AS village_geom, t.id AS township_id, t.geom AS township_geom, t.county_id
    FROM boundaries_grid g
    JOIN boundaries_village v ON v.id = g.village_id
    JOIN boundaries_township t ON t.id = v.township_id
    WHERE g.id = ANY(%(grids)s)
      AND NOT EXISTS (SELECT 1 FROM boundaries_gridbranch b WHERE b.grid_id = g.id)
      AND ST_IsValid(g.geom) AND ST_IsValid(v.geom) AND ST_IsValid(t.geom)
),
near AS MATERIALIZED (
    -- Per grid: its county's parts meeting its box (`own`), and everything else that may
    -- reach into it (`other`), with whether any of them is invalid.
    SELECT c.grid_id, x.own, x.geom
    FROM chain c
    CROSS JOIN LATERAL (
        SELECT true AS own, p.geom FROM boundaries_countypart p
        WHERE p.county_id = c.county_id AND p.geom::box && c.bx
        UNION ALL
        SELECT false, p.geom FROM boundaries_countypart p
        WHERE p.county_id <> c.county_id AND p.geom::box && c.bx
        UNION ALL
        SELECT false, t.geom FROM boundaries_township t
        WHERE t.county_id = c.county_id AND t.id <> c.township_id AND t.geom::box && c.bx
        UNION ALL
        SELECT false, v.geom FROM boundaries_village v
        WHERE v.township_id + 0 = c.township_id AND v.id <> c.village_id AND v.geom::box && c.bx
    ) x
),
regions AS (
    -- boundaries_branch_region (migration boundaries 0005): the overlays, NULL if they fail.
    SELECT c.grid_id, c.county_id, c.township_id, c.village_id,
           boundaries_branch_region(
               c.geom, c.village_geom, c.township_geom,
               ARRAY(SELECT n.geom FROM near n WHERE n.grid_id = c.grid_id AND n.own),
               ARRAY(SELECT n.geom FROM near n WHERE n.grid_id = c.grid_id AND NOT n.own),
               %(margin)s::float8, %(grid)s::float8) AS region
    FROM chain c
    WHERE NOT EXISTS (SELECT 1 FROM near n WHERE n.grid_id = c.grid_id AND NOT ST_IsValid(n.geom))
      AND EXISTS (SELECT 1 FROM near n WHERE n.grid_id = c.grid_id AND n.own)
),
settled AS (
    SELECT r.*, r.region::box AS bx FROM regions r
    WHERE r.region IS NOT NULL
)
INSERT INTO boundaries_gridbranch (grid_id, county_id, township_id, village_id, zone_ids, region)
SELECT s.grid_id, s.county_id, s.township_id, s.village_id,
       CASE WHEN bool_or(z.reaches AND NOT z.covers) THEN NULL
            ELSE coalesce(array_agg(z.id ORDER BY z.code, z.zone) FILTER (WHERE z.covers), '{}')
       END,
       s.region
FROM settled s
LEFT JOIN LATERAL (
    SELECT pa.id, pa.code, pa.zone,
           CASE WHEN NOT ST_IsValid(pa.geom) THEN false ELSE ST_Covers(pa.geom, s.region) END AS covers,
           CASE WHEN NOT ST_IsValid(pa.geom) THEN true
                ELSE ST_Relate(s.region, pa.geom, 'T********') END AS reaches
    FROM boundaries_protectedarea pa
    WHERE pa.county_id = s.county_id AND pa.geom::box && s.bx
) z ON true
GROUP BY s.grid_id, s.county_id, s.township_id, s.village_id, s.region
"""


# The grids a county's refresh (re)builds: its own, and those of other counties that have no
# row and meet its parts (its arrival deleted them, see migration boundaries 0003).
_BRANCH_CANDIDATES_SQL = """
SELECT g.id FROM boundaries_grid g
JOIN boundaries_village v ON v.id = g.village_id
JOIN boundaries_township t ON t.id = v.township_id
WHERE t.county_id = %(county)s
UNION
SELECT g.id FROM boundaries_countypart p JOIN boundaries_grid g ON g.geom && p.geom
WHERE p.county_id = %(county)s
  AND NOT EXISTS (SELECT 1 FROM boundaries_gridbranch b WHERE b.grid_id = g.id)
"""


def refresh_grid_branches(county) -> int:
    """Rebuild the GridBranch rows of a county's grids (a County or its id), and of the grids
    next door that lost theirs when the county arrived; returns how many rows were written.
    Call it after the county's units and CountyPart pieces are written (the bundle importer
    does); until then the router walks the levels for those points."""
    from boundaries.models import GridBranch

    county_id = int(getattr(county, "pk", county))
    with transaction.atomic(), connection.cursor() as cursor:
        # JIT compiling the statement took 2.4 of its 3.7 s (10,000 grids): off, until the end
        # of the transaction (the importer's: nothing it does after this wants JIT either).
        cursor.execute("SELECT set_config('jit', 'off', true)")
        cursor.execute(_BRANCH_CANDIDATES_SQL, {"county": county_id})
        grids = [row[0] for row in cursor.fetchall()]
        GridBranch.objects.filter(county_id=county_id).delete()
        GridBranch.objects.filter(grid_id__in=grids).delete()
        cursor.execute(_REFRESH_BRANCHES_SQL, {"grids": grids})
        whole = cursor.rowcount
        cursor.execute(_REFRESH_REGIONS_SQL, {"grids": grids, "margin": REGION_MARGIN_DEG,
                                              "grid": REGION_OVERLAY_GRID_DEG})
        return whole + cursor.rowcount
