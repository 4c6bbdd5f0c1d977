"""Near-border intake: the routed township acts at once, the case waits in the command
centre's "to confirm" queue until it confirms the place or picks another candidate."""
import pyproj
import pytest

from gis_app.enforcement.routing import PointQuery
from gis_app.incidents.confirmation import queue
from gis_app.incidents.models import Case
from gis_app.incidents.steps import STEP_FUNCTIONS
from gis_app.incidents.workflow import StepError
from tests.incidents.conftest import NOW, report
from tests.users import auth_header

GEOD = pyproj.Geod(ellps="WGS84")


def near_border(metres):
    """`metres` west of the border of townships 1 and 2 (x = 120.04), inside township 1."""
    x, y, _ = GEOD.fwd(120.04, 30.005, 270, metres)
    return PointQuery(lon=x, lat=y)


def take(world, step, case, user="command", **kwargs):
    kwargs.setdefault("note", "核实")
    return STEP_FUNCTIONS[step](case=case, user=world.users[user], version=case.version, now=NOW, **kwargs)


def test_a_point_near_a_border_waits_for_confirmation(world):
    case = report(world, user="command", query=near_border(5))
    assert case.to_confirm and case.team.code == f"T{world.t.townships[0].code}"
    assert [(c["code"], c["acting"]) for c in case.border_candidates] == [
        (world.t.townships[0].code, True), (world.t.townships[1].code, False)]
    assert list(queue(Case.objects.all())) == [case]


def test_a_point_away_from_borders_does_not(world):
    case = report(world, user="command", query=near_border(31))
    assert (case.to_confirm, case.border_candidates) == (False, [])


def test_the_phones_accuracy_widens_the_reach(world):
    case = report(world, user="command", query=near_border(31), tolerance_m=50)
    assert case.to_confirm


def test_confirming_keeps_the_routed_township_and_is_recorded(world):
    case = take(world, "confirm_place", report(world, user="command", query=near_border(5)))
    assert not case.to_confirm
    event = case.events.last()
    assert (event.kind, event.actor.username, event.changes["confirmed"]) == \
        ("confirm_place", "command", world.t.townships[0].code)


def test_picking_another_candidate_routes_the_case_there(world):
    case = report(world, user="command", query=near_border(5))
    other = world.t.townships[1].code
    case = take(world, "pick_candidate", case, candidate=other, note="来电人确认在第2镇一侧")
    assert (case.to_confirm, case.team.code, case.township.code) == (False, f"T{world.t.townships[0].code}",
                                                                     other)
    event = case.events.last()
    assert (event.kind, event.changes["picked"], event.changes["after"]["team"]) == \
        ("pick_candidate", other, case.team.code)


def test_picking_something_not_a_candidate_is_refused(world):
    case = report(world, user="command", query=near_border(5))
    with pytest.raises(StepError) as caught:
        take(world, "pick_candidate", case, candidate="990101004")
    assert (caught.value.status, caught.value.parameter) == (400, "candidate")
    assert Case.objects.get(pk=case.pk).to_confirm


def test_only_the_command_centre_confirms(world):
    case = report(world, user="command", query=near_border(5))
    with pytest.raises(StepError) as caught:
        take(world, "confirm_place", case, user="team1")
    assert caught.value.status in (403, 404)


def test_the_api_lists_the_queue(client, world):
    waiting = report(world, user="command", query=near_border(5))
    report(world, user="command", query=near_border(200))
    body = client.get("/api/cases/", {"to_confirm": "true"}, **auth_header(world.users["command"])).json()
    assert [f["id"] for f in body["features"]] == [waiting.pk]
