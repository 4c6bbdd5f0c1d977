"""The footprint check against an independent computation (shapely + pyproj geodesic areas):
every overlap within 0.5%, across a township border, in GCJ-02; severity, split, routing."""
import pytest
import shapely

from boundaries.crs import CRS, wgs84_to_gcj02
from boundaries.models import Grid, ProtectedArea, Township, Village
from boundaries.shapes import as_multi, to_wgs84
from gis_app.enforcement.footprint import check_footprint
from gis_app.enforcement.routing import Refused
from tests.enforcement.footprint_reference import (expected_overlaps, geodesic_area_m2, make_reserve,
                                                   rectangle)
from tests.enforcement.helpers import NOW

BORDER_X = 120.04  # between township 001 (west) and 002 (east) of the generated county
CENTRE = (120.04, 30.02)


@pytest.fixture
def reserve(territory):
    return make_reserve(territory.county, "PA-T", CENTRE, radii=(800.0, 1500.0), seed=3)


def across_border():
    """600 m x 300 m, turned 20°, centred 60 m west of the township border, on the core's edge."""
    return rectangle(BORDER_X - 0.0006, CENTRE[1] + 0.0072, 600.0, 300.0, 20.0)


def _by_code(overlaps):
    return {o.code: o.overlap_m2 for o in overlaps}


def assert_close(found: dict, expected: dict):
    assert set(found) == set(expected)
    for code, area in expected.items():
        assert found[code] == pytest.approx(area, rel=0.005), code


def test_footprint_area_is_the_geodesic_area(territory, reserve):
    shape = across_border()
    check = check_footprint(as_multi(shape))
    assert check.area_m2 == pytest.approx(geodesic_area_m2(shape), rel=0.005)
    assert check.area_m2 == pytest.approx(600 * 300, rel=0.01)


def test_overlaps_across_a_township_border_match_the_independent_computation(territory, reserve):
    shape = across_border()
    check = check_footprint(as_multi(shape))
    assert len(check.townships) == 2
    assert_close(_by_code(check.townships), expected_overlaps(shape, Township.objects.all()))
    assert_close(_by_code(check.villages), expected_overlaps(shape, Village.objects.all()))
    assert_close(_by_code(check.grids), expected_overlaps(shape, Grid.objects.all()))
    zones = {z.extra["zone"]: z.overlap_m2 for z in check.zones}
    expected = {z.zone: a for z in ProtectedArea.objects.all()
                for a in [expected_overlaps(shape, [z]).get(z.code)] if a}
    assert set(zones) == {"core", "buffer"}
    assert_close(zones, expected)


def test_shares_are_overlap_over_footprint_area(territory, reserve):
    check = check_footprint(as_multi(across_border()))
    for overlap in check.townships + check.zones:
        assert overlap.share == pytest.approx(overlap.overlap_m2 / check.area_m2)
    assert sum(t.share for t in check.townships) == pytest.approx(1.0, abs=1e-5)


def test_footprint_in_gcj02_matches_the_same_footprint_in_wgs84(territory, reserve):
    shape = across_border()
    lon, lat = wgs84_to_gcj02(*shapely.get_coordinates(shape).T)
    gcj = shapely.Polygon(list(zip(lon, lat)))
    received = to_wgs84(gcj, CRS("GCJ02"))
    check = check_footprint(as_multi(received))
    assert_close(_by_code(check.townships), expected_overlaps(shape, Township.objects.all()))
    core = [z for z in check.zones if z.extra["zone"] == "core"][0]
    core_zone = ProtectedArea.objects.get(zone="core")
    assert core.overlap_m2 == pytest.approx(expected_overlaps(shape, [core_zone])[core_zone.code], rel=0.005)


def test_a_core_overlap_makes_severity_high(territory, reserve):
    assert check_footprint(as_multi(across_border())).severity == "high"


def test_a_buffer_only_footprint_is_elevated_severity_and_names_the_buffer(territory, reserve):
    shape = rectangle(CENTRE[0], CENTRE[1] - 0.0105, 200.0, 100.0)  # ~1170 m south: buffer only
    check = check_footprint(as_multi(shape))
    assert [z.extra["zone"] for z in check.zones] == ["buffer"]
    assert (check.severity, check.severity_finding.source) == ("elevated", "default")


def test_units_only_touched_along_a_border_are_not_listed(territory):
    shape = shapely.box(BORDER_X - 0.002, 30.005, BORDER_X, 30.006)  # ends on the border
    check = check_footprint(as_multi(shape))
    assert [t.code for t in check.townships] == [territory.townships[0].code]


def test_with_an_item_the_township_with_the_largest_share_acts(territory, reserve):
    check = check_footprint(as_multi(across_border()), item_code="I004", now=NOW)
    west, east = territory.townships[0], territory.townships[1]
    shares = {t.code: t.share for t in check.townships}
    acting = max(shares, key=shares.get)
    assert acting in (west.code, east.code)
    answer = check.decision_dict()
    assert answer["township"]["code"] == acting
    assert answer["acting_township"]["code"] == acting
    assert answer["split"] is True
    assert any("split between 2 townships" in line for line in answer["trace"])


def test_the_decision_tells_every_touched_zones_authority_and_the_worst_severity(territory):
    make_reserve(territory.county, "PA-S", CENTRE, seed=5, authority="STHJ")
    check = check_footprint(as_multi(across_border()), item_code="I001", now=NOW)
    answer = check.decision_dict()
    assert answer["severity"] == "high"
    assert "STHJ" in [d["code"] for d in answer["departments"]]
    assert {(z["code"], z["zone"]) for z in answer["protected_areas"]} == {("PA-S", "core"), ("PA-S", "buffer")}


def test_a_footprint_on_one_township_is_not_split(territory):
    check = check_footprint(as_multi(rectangle(120.01, 30.01, 200, 200)), item_code="I001", now=NOW)
    assert check.split is False
    assert check.decision_dict()["split"] is False


def test_a_footprint_at_sea_goes_to_the_marine_team(territory):
    x0, y0, x1, y1 = territory.sea_bbox
    check = check_footprint(as_multi(rectangle((x0 + x1) / 2, (y0 + y1) / 2, 300, 300)),
                            item_code="I001", now=NOW)
    assert check.townships == []
    assert check.decision.mode == "marine"


def test_a_footprint_outside_every_county_is_refused_422(territory):
    with pytest.raises(Refused) as exc:
        check_footprint(as_multi(rectangle(100.0, 20.0, 300, 300)))
    assert exc.value.refusal.status == 422


def test_a_footprint_outside_the_callers_counties_is_refused_403(territory):
    with pytest.raises(Refused) as exc:
        check_footprint(as_multi(rectangle(120.01, 30.01, 200, 200)), county_ids=[-1])
    assert exc.value.refusal.status == 403


def test_a_footprint_larger_than_the_limit_is_refused_400(territory, settings):
    settings.FOOTPRINT_MAX_AREA_M2 = 10_000
    with pytest.raises(Refused) as exc:
        check_footprint(as_multi(rectangle(120.01, 30.01, 200, 200)))
    assert exc.value.refusal.status == 400
    assert exc.value.refusal.parameter == "geometry"


def test_an_unknown_item_is_refused_400_naming_item(territory):
    with pytest.raises(Refused) as exc:
        check_footprint(as_multi(rectangle(120.01, 30.01, 200, 200)), item_code="NOPE")
    assert exc.value.refusal.parameter == "item"
