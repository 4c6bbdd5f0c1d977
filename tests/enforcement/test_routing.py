"""The routing domain function (DESIGN §4), on the generated 2x2 lattice county.

Layout: townships 001 (south-west), 002 (south-east), 003 (north-west), 004 (north-east),
each 0.04 degrees square from (120.0, 30.0); a sea strip 120.08-120.12 on the east.
Items: I001 (ZHZF, quick), I002 (SCJG, tough), I003 (STHJ, emergency, supported by ZYGH),
I004 (ZYGH, tough).
"""
from datetime import timedelta

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.db import connection

from boundaries.models import CountyPart, TownshipPart
from boundaries.subdivide import refresh_county_parts
from gis_app.enforcement.models import Authority
from gis_app.enforcement.routing import (Refused, RoutingDecision, RuleBook, place, route,
                                         route_points)
from tests.enforcement.helpers import at
from tests.territory import box, grant, make_hub, make_territory, make_zone, wavy_township

IN_001 = (120.005, 30.005)      # south-west corner grid of township 001
IN_002 = (120.045, 30.005)
IN_003 = (120.005, 30.045)
AT_SEA = (120.10, 30.04)


def decide(point, item, now) -> RoutingDecision:
    return route(at(*point), item, now=now)


# --- the mode table ------------------------------------------------------------------------

@pytest.mark.parametrize("authority", ["statutory", "granted"])
def test_statutory_and_granted_act_in_the_townships_own_name(territory, now, authority):
    grant(territory.townships[0], territory.items["I001"], authority)
    d = decide(IN_001, "I001", now)
    assert d.mode == "township"
    assert d.subject == {"code": "990101001", "name": "第1镇", "type": "township"}
    assert d.team["code"] == "T990101001"


def test_a_renamed_team_and_a_changed_authority_are_answered_at_once(territory, now):
    # The rules' answers are kept across calls by the values they depend on (rulebook.py):
    # changed rows are another key, never a stale answer.
    grant(territory.townships[0], territory.items["I001"], "statutory")
    assert decide(IN_001, "I001", now).team["name"] != "改名队"
    team = territory.teams["990101001"]
    team.name = "改名队"
    team.save()
    d = decide(IN_001, "I001", now)
    assert d.team["name"] == "改名队" and any("改名队" in line for line in d.trace)
    Authority.objects.filter(township=territory.townships[0]).update(authority="county")
    assert decide(IN_001, "I001", now).mode == "county"


def test_entrusted_acts_in_the_entrusting_departments_name(territory, now):
    grant(territory.townships[0], territory.items["I002"], "entrusted",
          territory.departments["ZHZF"])
    d = decide(IN_001, "I002", now)
    assert d.mode == "entrusted"
    assert d.subject["code"] == "ZHZF"
    assert d.team["code"] == "T990101001"


def test_county_authority_acts_in_the_items_department_name_through_the_local_team(territory, now):
    grant(territory.townships[0], territory.items["I002"], "county")
    d = decide(IN_001, "I002", now)
    assert d.mode == "county"
    assert d.subject["code"] == "SCJG"
    assert d.team["code"] == "T990101001"


def test_authority_none_whistles_to_the_items_departments_team(territory, now):
    grant(territory.townships[0], territory.items["I002"], "none")
    d = decide(IN_001, "I002", now)
    assert d.mode == "whistle"
    assert d.subject["code"] == "SCJG"
    assert d.team == {"code": "TSCJG", "name": "县市场监管局执法队", "kind": "department"}


def test_no_authority_row_whistles_like_none(territory, now):
    d = decide(IN_001, "I002", now)
    assert (d.mode, d.subject["code"], d.team["code"]) == ("whistle", "SCJG", "TSCJG")
    assert any("no authority row" in line for line in d.trace)


def test_whistle_on_land_for_a_marine_item_goes_to_the_marine_team(territory, now):
    from gis_app.enforcement.models import CatalogItem
    marine = territory.departments["HYZF"]
    CatalogItem.objects.create(county=territory.county, code="M001", name="向海域倾倒废弃物",
                               domain="海洋", action_type="penalty", department=marine,
                               whistle_kind="tough")
    d = decide(IN_001, "M001", now)
    assert (d.mode, d.subject["code"], d.team["code"]) == ("whistle", "HYZF", "THYZF")


def test_authority_of_one_township_does_not_leak_to_its_neighbour(territory, now):
    grant(territory.townships[0], territory.items["I001"], "statutory")
    assert decide(IN_002, "I001", now).mode == "whistle"


# --- 1+X hubs ------------------------------------------------------------------------------

def test_covered_township_is_served_by_the_hubs_team_and_hub_is_named(territory, now):
    hub, covered = territory.townships[0], territory.townships[1]
    make_hub(hub, [covered])
    grant(covered, territory.items["I001"], "statutory")
    d = decide(IN_002, "I001", now)
    assert d.placement.hub.code == hub.code
    assert d.team["code"] == f"T{hub.code}"
    assert d.subject["code"] == covered.code     # still in the covered township's own name


def test_hub_is_named_in_whistle_mode_while_the_departments_team_acts(territory, now):
    make_hub(territory.townships[0], [territory.townships[1]])
    d = decide(IN_002, "I002", now).as_dict()
    assert d["hub"]["code"] == "990101001"
    assert (d["mode"], d["team"]["code"]) == ("whistle", "TSCJG")


def test_hub_township_itself_keeps_its_own_team_and_names_no_hub(territory, now):
    make_hub(territory.townships[0], [territory.townships[1]])
    grant(territory.townships[0], territory.items["I001"], "granted")
    d = decide(IN_001, "I001", now).as_dict()
    assert d["hub"] is None
    assert d["team"]["code"] == "T990101001"


def test_entrusted_in_a_covered_township_uses_the_hubs_team(territory, now):
    make_hub(territory.townships[0], [territory.townships[2]])
    grant(territory.townships[2], territory.items["I004"], "entrusted", territory.departments["ZYGH"])
    d = decide(IN_003, "I004", now)
    assert (d.mode, d.subject["code"], d.team["code"]) == ("entrusted", "ZYGH", "T990101001")


# --- at sea --------------------------------------------------------------------------------

def test_at_sea_the_marine_team_acts_in_its_departments_name(territory, now):
    grant(territory.townships[0], territory.items["I001"], "statutory")
    d = decide(AT_SEA, "I001", now).as_dict()
    assert d["at_sea"] is True
    assert (d["township"], d["village"], d["grid"], d["hub"]) == (None, None, None, None)
    assert d["mode"] == "marine"
    assert d["team"]["code"] == "THYZF"
    assert d["subject"] == {"code": "HYZF", "name": "县海洋执法大队", "type": "department"}


def test_land_sea_shoreline_belongs_to_the_land(territory, now):
    d = decide((120.08, 30.02), "I001", now).as_dict()
    assert d["at_sea"] is False
    assert d["township"]["code"] == "990101002"


# --- protected areas -----------------------------------------------------------------------

def test_core_zone_makes_severity_high_and_notifies_its_authority(territory, now):
    make_zone(territory.county, "P1", "core", (120.0, 30.0, 120.01, 30.01), "STHJ")
    d = decide(IN_001, "I001", now).as_dict()
    assert d["severity"] == "high"
    assert d["protected_areas"] == [{"code": "P1", "name": "保护区P1", "kind": "nature_reserve",
                                     "level": "national", "zone": "core",
                                     "authority": {"code": "STHJ", "name": "县生态环境局"}}]
    assert [x["code"] for x in d["departments"]] == ["STHJ"]


def test_buffer_zone_makes_severity_elevated_by_default(territory, now):
    make_zone(territory.county, "P1", "buffer", (120.0, 30.0, 120.01, 30.01), "STHJ")
    assert decide(IN_001, "I001", now).severity == "elevated"


def test_point_outside_every_zone_is_normal_and_lists_none(territory, now):
    make_zone(territory.county, "P1", "core", (120.05, 30.05, 120.06, 30.06), "STHJ")
    d = decide(IN_001, "I001", now)
    assert (d.severity, d.placement.protected_areas) == ("normal", [])


def test_nested_zones_of_two_areas_are_all_listed(territory, now):
    # A forest park's experimental zone with a nature reserve's core zone inside it.
    make_zone(territory.county, "FP1", "experimental", (120.0, 30.0, 120.03, 30.03), "ZYGH",
              kind="forest_park", level="provincial")
    make_zone(territory.county, "NR1", "core", (120.004, 30.004, 120.006, 30.006), "STHJ")
    d = decide(IN_001, "I001", now).as_dict()
    assert [(z["code"], z["zone"]) for z in d["protected_areas"]] == [("FP1", "experimental"),
                                                                      ("NR1", "core")]
    assert d["severity"] == "high"
    assert [x["code"] for x in d["departments"]] == ["STHJ", "ZYGH"]


def test_outer_zone_alone_just_outside_the_nested_core(territory, now):
    make_zone(territory.county, "FP1", "experimental", (120.0, 30.0, 120.03, 30.03), "ZYGH")
    make_zone(territory.county, "NR1", "core", (120.004, 30.004, 120.006, 30.006), "STHJ")
    d = decide((120.0065, 30.005), "I001", now)
    assert [z["code"] for z in d.placement.protected_areas] == ["FP1"]
    assert d.severity == "normal"


def test_point_in_two_overlapping_areas_of_different_kinds_lists_both(territory, now):
    make_zone(territory.county, "WS1", "general", (120.0, 30.0, 120.01, 30.01), "STHJ",
              kind="water_source", level="city")
    make_zone(territory.county, "RL1", "general", (120.004, 29.99, 120.02, 30.02), "ZYGH",
              kind="ecological_redline", level="provincial")
    d = decide(IN_001, "I001", now).as_dict()
    assert [(z["code"], z["kind"]) for z in d["protected_areas"]] == [
        ("RL1", "ecological_redline"), ("WS1", "water_source")]
    assert [x["code"] for x in d["departments"]] == ["STHJ", "ZYGH"]
    assert d["severity"] == "normal"


def test_zone_boundary_counts_as_inside(territory, now):
    make_zone(territory.county, "P1", "core", (120.0, 30.0, 120.005, 30.005), "STHJ")
    assert decide(IN_001, "I001", now).severity == "high"


def test_zone_at_sea_is_listed_for_the_marine_team(territory, now):
    make_zone(territory.county, "MR1", "core", (120.09, 30.03, 120.11, 30.05), "HYZF")
    d = decide(AT_SEA, "I001", now).as_dict()
    assert (d["mode"], d["severity"]) == ("marine", "high")
    assert [x["code"] for x in d["departments"]] == ["HYZF"]


def test_unknown_zone_authority_is_listed_with_null_name_and_traced(territory, now):
    make_zone(territory.county, "P1", "buffer", (120.0, 30.0, 120.01, 30.01), "NOPE")
    d = decide(IN_001, "I001", now)
    assert d.as_dict()["departments"] == [{"code": "NOPE", "name": None}]
    assert any("NOPE is not a department of this county" in line for line in d.trace)


# --- departments and deadline ----------------------------------------------------------------

def test_departments_merge_supporting_and_zone_authorities_dedup_sorted(territory, now):
    # I003 is supported by ZYGH; the zones add ZYGH again and STHJ.
    make_zone(territory.county, "A", "buffer", (120.0, 30.0, 120.01, 30.01), "ZYGH")
    make_zone(territory.county, "B", "buffer", (120.0, 30.0, 120.01, 30.01), "STHJ")
    d = decide(IN_001, "I003", now)
    assert d.departments == [{"code": "STHJ", "name": "县生态环境局"},
                             {"code": "ZYGH", "name": "县资源规划局"}]


def test_departments_are_empty_without_supporters_or_zones(territory, now):
    assert decide(IN_001, "I001", now).departments == []


@pytest.mark.parametrize("item,hours", [("I001", 5), ("I002", 50), ("I003", 1)])
def test_deadline_is_now_plus_the_whistle_kinds_configured_hours(territory, now, settings,
                                                                  item, hours):
    settings.WHISTLE_DEADLINE_HOURS = {"quick": 5, "tough": 50, "emergency": 1}
    d = decide(IN_001, item, now)
    assert d.deadline == now + timedelta(hours=hours)
    assert d.as_dict()["deadline"] == (now + timedelta(hours=hours)).isoformat()


def test_deadline_is_iso_8601_with_a_timezone(territory, now):
    text = decide(IN_001, "I001", now).as_dict()["deadline"]
    assert text.endswith("+08:00") and "T" in text


# --- borders: smallest code at every level ---------------------------------------------------

def test_shared_edge_between_townships_goes_to_the_smaller_code(territory, now):
    d = decide((120.04, 30.01), "I001", now).as_dict()
    assert d["township"]["code"] == "990101001"
    assert d["village"]["code"] == "990101001002"
    assert d["grid"]["code"] == "990101001002002"


def test_vertex_of_four_townships_goes_to_the_smallest_code_at_every_level(territory, now):
    d = decide((120.04, 30.04), "I001", now)
    assert d.placement.location.township.code == "990101001"
    assert d.placement.location.village.code == "990101001004"
    assert d.placement.location.grid.code == "990101001004004"
    assert any("shared by 4 townships" in line for line in d.trace)


def test_edge_between_two_grids_of_one_village_goes_to_the_smaller_grid(territory, now):
    d = decide((120.01, 30.005), "I001", now).as_dict()
    assert d["grid"]["code"] == "990101001001001"


def test_a_village_overhanging_its_township_never_answers_for_the_neighbour(territory, now):
    # Boundaries cut from one another in floating point overlap by slivers; here 001's
    # south-east village reaches 0.001 degree into township 002. The answer stays one branch.
    village = territory.villages[1]
    assert village.code == "990101001002"
    village.geom = box(120.02, 30.0, 120.041, 30.02)
    village.save()
    d = decide((120.0405, 30.005), "I001", now).as_dict()
    assert d["township"]["code"] == "990101002"
    assert d["village"]["code"] == "990101002001"


def test_point_on_the_county_boundary_is_inside(territory, now):
    d = decide((120.0, 30.02), "I001", now).as_dict()
    assert d["township"]["code"] == "990101001"


def test_two_counties_sharing_a_border_resolve_to_the_smaller_county_code(db, now):
    make_territory(code="990102", origin=(120.12, 30.0))   # west edge = east edge of 990101
    make_territory(code="990101")
    d = decide((120.12, 30.02), "I001", now).as_dict()
    assert d["county"]["code"] == "990101"
    assert d["at_sea"] is True


# --- outside -------------------------------------------------------------------------------

def test_a_hair_outside_the_land_is_refused_with_the_nearest_township_in_metres(territory, now):
    with pytest.raises(Refused) as exc:
        decide((120.0 - 1e-6, 30.02), "I001", now)
    r = exc.value.refusal
    assert (r.status, r.error) == (422, "outside_jurisdiction")
    body = r.as_dict()
    assert body["nearest"] == {"code": "990101001", "name": "第1镇", "level": "township"}
    # 1e-6 degree of longitude at 30.02 N is 0.0964 m.
    assert body["distance_m"] == pytest.approx(0.0964, abs=0.01)


def test_outside_the_sea_edge_names_the_county_and_the_distance(territory, now):
    with pytest.raises(Refused) as exc:
        decide((120.13, 30.04), "I001", now)
    body = exc.value.refusal.as_dict()
    assert body["nearest"]["level"] == "county"
    assert body["nearest"]["code"] == "990101"
    assert body["distance_m"] == pytest.approx(964.0, rel=0.01)   # 0.01 deg at 30.04 N


def test_outside_with_no_county_loaded_is_refused_without_nearest(db, now):
    with pytest.raises(Refused) as exc:
        decide(IN_001, "I001", now)
    assert exc.value.refusal.as_dict()["nearest"] is None


def test_counties_are_found_through_their_subdivided_parts(territory, now):
    CountyPart.objects.filter(county=territory.county).delete()
    with pytest.raises(Refused):
        decide(IN_001, "I001", now)


def test_the_nearest_township_is_found_through_its_subdivided_parts(territory, now):
    TownshipPart.objects.filter(township=territory.townships[0]).delete()
    with pytest.raises(Refused) as exc:
        decide((120.0 - 1e-6, 30.02), "I001", now)
    assert exc.value.refusal.as_dict()["nearest"]["level"] == "county"


def test_the_distance_to_a_township_of_many_vertices_is_the_geodesic_distance_to_its_outline(
        territory, now):
    # Township 001's west edge (and the county's) becomes 400 vertices bulging west: the
    # nearest township is found among its pieces, its distance is to the whole outline's.
    wavy_township(territory.townships[0])
    county = territory.county
    county.geom = MultiPolygon(county.geom.union(territory.townships[0].geom), srid=4326)
    county.save()
    refresh_county_parts(county)
    assert TownshipPart.objects.filter(township=territory.townships[0]).count() > 5
    for lon, lat in [(119.99, 30.017), (119.9975, 30.003), (119.95, 30.05)]:
        with pytest.raises(Refused) as exc:
            decide((lon, lat), "I001", now)
        body = exc.value.refusal.as_dict()
        with connection.cursor() as cursor:
            cursor.execute("SELECT ST_Distance(t.geom::geography, "
                           "ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography) "
                           "FROM boundaries_township t WHERE t.id = %s",
                           [lon, lat, territory.townships[0].pk])
            expected = cursor.fetchone()[0]
        assert body["nearest"] == {"code": "990101001", "name": "第1镇", "level": "township"}
        assert body["distance_m"] == pytest.approx(expected, rel=1e-5, abs=0.006)  # rounded to cm



def test_a_nearer_township_behind_many_pieces_of_another_is_still_found(territory, now):
    # South of the county, P is 0.0100 deg below township 002's south edge (1,108 m), drawn
    # there as 4,000 teeth: ~60 pieces nearer in degrees than anything else. Township 001 gets
    # a tongue south whose east edge is 0.0105 deg west of P: farther in degrees, nearer on
    # the ground (a degree of longitude is 96 km at 30 N): 1,012 m.
    one, two = territory.townships[0], territory.townships[1]
    tongue = box(120.0, 29.95, 120.032, 30.0)
    one.geom = MultiPolygon(one.geom.union(tongue), srid=4326)
    one.save()
    teeth = [(120.0405 + 0.004 * k / 3999, 30.0 + (0.0001 if k % 2 else 0.0)) for k in range(4000)]
    ring = [(120.04, 30.0), *teeth, (120.08, 30.0), (120.08, 30.04), (120.04, 30.04), (120.04, 30.0)]
    two.geom = MultiPolygon(Polygon(ring), srid=4326)
    two.save()
    county = territory.county
    county.geom = MultiPolygon(county.geom.union(tongue), srid=4326)
    county.save()
    refresh_county_parts(county)
    assert TownshipPart.objects.filter(township=two).count() > 16
    with pytest.raises(Refused) as exc:
        decide((120.0425, 29.99), "I001", now)
    body = exc.value.refusal.as_dict()
    assert body["nearest"] == {"code": "990101001", "name": "第1镇", "level": "township"}
    assert body["distance_m"] == pytest.approx(1012.3, abs=1.0)

# --- items and access ------------------------------------------------------------------------

def test_item_unknown_in_the_catalogue_is_refused_naming_item(territory, now):
    with pytest.raises(Refused) as exc:
        decide(IN_001, "NOPE", now)
    assert (exc.value.refusal.status, exc.value.refusal.parameter) == (400, "item")


def test_item_is_looked_up_in_the_county_covering_the_point(db, now):
    west = make_territory(code="990101")
    east = make_territory(code="990102", origin=(121.0, 30.0))
    east.items["I002"].department = east.departments["STHJ"]
    east.items["I002"].save()
    assert decide(IN_001, "I002", now).subject["code"] == "SCJG"
    d = decide((121.005, 30.005), "I002", now)
    assert d.subject["code"] == "STHJ"
    assert d.placement.location.county.code == "990102"
    assert west.county.code == "990101"


def test_item_of_another_county_only_is_unknown_here(db, now):
    make_territory(code="990101")
    east = make_territory(code="990102", origin=(121.0, 30.0))
    east.items["I001"].__class__.objects.create(
        county=east.county, code="ONLYEAST", name="x", domain="x", action_type="penalty",
        department=east.departments["SCJG"], whistle_kind="quick")
    with pytest.raises(Refused) as exc:
        decide(IN_001, "ONLYEAST", now)
    assert exc.value.refusal.parameter == "item"


def test_a_caller_limited_to_other_counties_is_forbidden_here(territory, now):
    with pytest.raises(Refused) as exc:
        route(at(*IN_001), "I001", now=now, county_ids=[territory.county.pk + 1000])
    assert exc.value.refusal.status == 403


def test_a_caller_limited_to_this_county_is_answered(territory, now):
    assert route(at(*IN_001), "I001", now=now, county_ids=[territory.county.pk]).mode == "whistle"


# --- trace, locate, many points ----------------------------------------------------------------

def test_trace_walks_through_every_step(territory, now):
    make_hub(territory.townships[0], [territory.townships[1]])
    grant(territory.townships[1], territory.items["I001"], "statutory")
    trace = decide(IN_002, "I001", now).trace
    text = "\n".join(trace)
    for expected in ["county 990101", "township 990101002", "village 990101002001",
                     "grid 990101002001001", "no protected-area zone", "hub 990101001",
                     "holds I001 as statutory", "team: T990101001", "departments to notify",
                     "severity: no protected-area zone covers the point -> severity normal",
                     "deadline: default quick: quick whistle = 24 calendar hours"]:
        assert expected in text


def test_place_answers_units_zones_and_hub_without_an_item(territory):
    make_hub(territory.townships[0], [territory.townships[1]])
    make_zone(territory.county, "P1", "core", (120.04, 30.0, 120.05, 30.01), "STHJ")
    p = place(at(*IN_002)).as_dict()
    assert p["grid"]["code"] == "990101002001001"
    assert p["hub"]["code"] == "990101001"
    assert [z["code"] for z in p["protected_areas"]] == ["P1"]
    assert p["severity"] == "high"
    assert "mode" not in p and "team" not in p


def test_route_points_answers_each_point_in_order(territory, now):
    points = [at(*IN_001), at(119.0, 30.0), at(*AT_SEA), at(*IN_003)]
    results = route_points(points, ["I001", "I001", "I001", "NOPE"], now=now)
    assert results[0].placement.location.township.code == "990101001"
    assert results[1].status == 422
    assert results[2].mode == "marine"
    assert (results[3].status, results[3].parameter) == (400, "item")


def test_route_points_reads_the_territory_in_a_fixed_number_of_queries(territory, now):
    # (Batches of more than 50 points add two set_config queries around the statement.)
    from django.test.utils import CaptureQueriesContext

    grant(territory.townships[0], territory.items["I001"], "statutory")
    route(at(*IN_001), "I001")      # the first call on a connection also prepares the statement
    few = [at(*IN_001)] * 60
    many = [at(120.0005 + i * 0.00015, 30.0005 + (i % 40) * 0.0019) for i in range(600)]
    with CaptureQueriesContext(connection) as q_few:
        route_points(few, ["I001"] * len(few))
    with CaptureQueriesContext(connection) as q_many:
        route_points(many, ["I001", "I002", "I003"] * 200)
    assert len(q_many) == len(q_few)


def _planner_settings():
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('plan_cache_mode'), current_setting('jit')")
        return cursor.fetchone()


def test_routing_inside_a_transaction_leaves_its_planner_settings_as_they_were(territory, now):
    before = _planner_settings()
    route_points([at(*IN_001)] * 100, ["I001"] * 100, now=now)
    assert _planner_settings() == before


@pytest.mark.django_db(transaction=True)
def test_routing_in_autocommit_leaves_the_sessions_planner_settings_as_they_were(now):
    make_territory()
    before = _planner_settings()
    route_points([at(*IN_001)] * 100, ["I001"] * 100, now=now)
    assert _planner_settings() == before


def test_many_points_are_routed_with_the_cyclic_collector_paused_and_it_comes_back(
        territory, now, monkeypatch):
    import gc

    seen = []
    real = RuleBook.from_dims.__func__

    def spy(cls, dims):
        seen.append(gc.isenabled())
        return real(cls, dims)

    monkeypatch.setattr(RuleBook, "from_dims", classmethod(spy))
    route_points([at(*IN_001)] * 101, ["I001"] * 101, now=now)
    route_points([at(*IN_001)], ["I001"], now=now)
    assert seen == [False, True]
    assert gc.isenabled()


@pytest.mark.django_db(transaction=True)
def test_a_batch_read_in_pieces_answers_like_one_read_and_leaves_the_session_as_it_was(
        now, monkeypatch):
    import gis_app.enforcement.locate as locate
    import gis_app.enforcement.routing as routing

    make_territory()
    points = [at(120.0005 + i * 0.0013, 30.0005 + (i % 7) * 0.011) for i in range(90)]
    items = ["I001", "I002", "I003"] * 30
    whole = [d.as_dict() for d in route_points(points, items, now=now)]
    before = _planner_settings()
    monkeypatch.setattr(locate, "PIECE_POINTS", 20)
    monkeypatch.setattr(routing, "PIECE_POINTS", 20)
    assert [d.as_dict() for d in route_points(points, items, now=now)] == whole
    assert _planner_settings() == before
    assert not connection.in_atomic_block
