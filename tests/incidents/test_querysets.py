"""Case rules with one home: Case.objects.open()/overdue(now)/visible_to(user)/counted_for(user)."""
import json
import re
from datetime import timedelta

from django.contrib.gis.geos import Polygon
from django.db import connection

from gis_app.incidents import loop
from gis_app.incidents.models import Case
from tests.incidents.conftest import NOW, report


def test_overdue_is_open_and_past_the_deadline_at_the_given_moment(world):
    case = report(world)
    assert list(Case.objects.overdue(case.deadline - timedelta(seconds=1))) == []
    assert list(Case.objects.overdue(case.deadline + timedelta(seconds=1))) == [case]


def test_a_rejected_case_is_neither_open_nor_overdue(world):
    case = report(world)
    loop.case_reject(case=case, user=world.users["command"], version=case.version, note="重复", now=NOW)
    assert not Case.objects.open().exists()
    assert not Case.objects.overdue(NOW + timedelta(days=30)).exists()


def test_with_overdue_marks_each_row(world):
    case = report(world)
    row = Case.objects.with_overdue(case.deadline + timedelta(hours=1)).get(pk=case.pk)
    assert row.overdue is True


def test_visible_to_follows_the_role_reach(world):
    mine = report(world, township=0)
    assert list(Case.objects.visible_to(world.users["grid"])) == [mine]
    assert list(Case.objects.visible_to(world.users["other_command"])) == []
    assert list(Case.objects.visible_to(world.users["planner"])) == []
    assert list(Case.objects.visible_to(world.users["nobody"])) == []
    assert list(Case.objects.visible_to(world.users["admin"])) == [mine]


def test_planners_count_the_whole_county_without_reading_records(world):
    case = report(world)
    assert list(Case.objects.counted_for(world.users["planner"])) == [case]
    assert list(Case.objects.counted_for(world.users["other_command"])) == []


def test_visible_to_compares_the_county_as_bigint(world):
    sql, params = Case.objects.visible_to(world.users["command"]).query.sql_with_params()
    assert '"incidents_case"."county_id" = (%s)::bigint' in sql


def test_a_county_s_cases_in_a_box_are_read_through_the_county_location_index(world):
    """The reach's bigint county filter and a box are both conditions of one GiST index,
    case_county_location (btree_gist), instead of a box scan ANDed with the county's every
    case. The table's other indexes on county_id or location are dropped for the test (rolled
    back with it): on a few rows the planner would take any of them."""
    case = report(world)
    x, y = case.location.coords
    rows = Case.objects.visible_to(world.users["command"]).filter(
        location__intersects=Polygon.from_bbox((x - 0.01, y - 0.01, x + 0.01, y + 0.01)))
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending foreign-key checks on the table
        cur.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'incidents_case' "
                    "AND indexname <> 'case_county_location' "
                    "AND (indexdef LIKE '%%county_id%%' OR indexdef LIKE '%%location%%')")
        for (name,) in cur.fetchall():
            cur.execute(f'DROP INDEX "{name}"')
        cur.execute("SET LOCAL enable_seqscan = off")
        cur.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = json.dumps(cur.fetchone()[0])
    assert re.search(r'"Index Name": "case_county_location", [^}]*"Index Cond": "\(\(county_id = ', plan)
