"""The county rule's query filter: `in_counties` (gis_app/enforcement/access.py).

The user-facing reach per role is specified in tests/api, tests/layers and tests/pages; these
tests say what the filter itself does: the same rows as comparing ids, typed bigint so an
index on (county_id, geom) (btree_gist) can be used for the county.
"""
import pytest
from django.db import connection

from boundaries.models import Grid
from gis_app.enforcement.access import in_counties
from tests.territory import box, make_territory


@pytest.fixture
def two(db):
    return (make_territory(code="990101", name="本县", origin=(120.0, 30.0)),
            make_territory(code="990202", name="邻县", origin=(121.0, 31.0), cols=1, rows=1))


def test_in_counties_keeps_the_rows_of_the_counties_given(two):
    home, other = two
    kept = Grid.objects.filter(in_counties([other.county.pk]))
    assert set(kept) == set(Grid.objects.filter(county=other.county))


def test_in_counties_of_several_counties_keeps_the_rows_of_each(two):
    home, other = two
    kept = Grid.objects.filter(in_counties([home.county.pk, other.county.pk]))
    assert kept.count() == Grid.objects.count()


def test_in_counties_of_no_county_keeps_nothing(two):
    assert not Grid.objects.filter(in_counties([])).exists()


def test_in_counties_follows_a_relation(two):
    home, other = two
    kept = Grid.objects.filter(in_counties([home.county.pk], "township__county_id"))
    assert set(kept) == set(Grid.objects.filter(county=home.county))


def test_in_counties_compares_the_county_as_bigint():
    sql, params = Grid.objects.filter(in_counties([7])).query.sql_with_params()
    assert '"boundaries_grid"."county_id" = (%s)::bigint' in sql and params == (7,)


def test_a_county_and_geometry_gist_index_serves_the_county(two):
    """With the comparison bigint = bigint the county is an index condition of a btree_gist
    (county_id, geom) index (an integer parameter would leave it a filter after the scan).
    The table's other indexes on county_id or geom are dropped for the test (rolled back
    with it): on a few rows the planner would take any of them."""
    home, _ = two
    rows = Grid.objects.filter(in_counties([home.county.pk]), geom__intersects=box(120.0, 30.0, 120.01, 30.01))
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending foreign-key checks on the table
        cur.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        cur.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'boundaries_grid' "
                    "AND (indexdef LIKE '%%county_id%%' OR indexdef LIKE '%%geom%%')")
        for (name,) in cur.fetchall():
            cur.execute(f'DROP INDEX "{name}"')
        cur.execute("CREATE INDEX grid_county_geom_probe ON boundaries_grid USING gist (county_id, geom)")
        cur.execute("SET LOCAL enable_seqscan = off")
        cur.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cur.fetchone()[0]
    scans = list(_index_scans(plan[0]["Plan"]))
    assert ("grid_county_geom_probe", True) in [(n["Index Name"], "county_id" in n.get("Index Cond", ""))
                                                 for n in scans]


def _index_scans(node):
    if "Index Name" in node:
        yield node
    for child in node.get("Plans", []):
        yield from _index_scans(child)
