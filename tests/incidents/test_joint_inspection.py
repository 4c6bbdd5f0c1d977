"""综合查一次: one visit to one place bundles several items, a case each, one lead team."""
import pytest

from gis_app.incidents import reporting
from gis_app.incidents.workflow import StepError
from tests.incidents.conftest import NOW


def test_joint_inspection_opens_a_case_per_item_with_one_lead(world):
    inspection = reporting.joint_inspection_create(
        user=world.users["command"], query=world.point(3), item_codes=["I001", "I003", "I004"],
        name="汛前综合查一次", description="联合检查", now=NOW)
    cases = inspection.cases.order_by("item__code")
    assert [c.item.code for c in cases] == ["I001", "I003", "I004"]
    assert {c.source for c in cases} == {"inspection"}
    assert inspection.lead_team.code == f"T{world.t.townships[3].code}"  # the township's own team
    assert sorted({c.team.code for c in cases}) == ["T990101004", "TSTHJ", "TZYGH"]


def test_joint_inspection_needs_two_items(world):
    with pytest.raises(StepError) as caught:
        reporting.joint_inspection_create(user=world.users["command"], query=world.point(0),
                                         item_codes=["I001"], name="x", description="y", now=NOW)
    assert caught.value.parameter == "items"


def test_only_the_command_centre_organises_joint_inspections(world):
    with pytest.raises(StepError) as caught:
        reporting.joint_inspection_create(user=world.users["team1"], query=world.point(0),
                                         item_codes=["I001", "I003"], name="x", description="y", now=NOW)
    assert caught.value.status == 403
