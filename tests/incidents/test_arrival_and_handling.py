"""到场 records how far from the case the officer stands; 处置 stores its before/after photos."""
import pytest
from django.contrib.gis.geos import Point

from gis_app.incidents import loop
from gis_app.incidents.models import Attachment, Case
from gis_app.incidents.photos import check_photo
from gis_app.incidents.workflow import StepError
from tests.incidents.conftest import NOW, report
from tests.photos import jpeg

METRES_PER_DEGREE_LAT = 111_000  # near 30N, within half a percent


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def accepted(world):
    case = report(world)
    return loop.case_accept(case=case, user=world.users["team1"], version=case.version, now=NOW)


def arrive(world, case, metres_north):
    where = Point(case.location.x, case.location.y + metres_north / METRES_PER_DEGREE_LAT, srid=4326)
    case = loop.case_arrive(case=case, user=world.users["team1"], version=case.version, where=where, now=NOW)
    return case, case.events.get(kind="arrive").changes


def test_arriving_on_the_spot_is_not_flagged(world):
    _, changes = arrive(world, accepted(world), 50)
    assert changes["distance_m"] == pytest.approx(50, rel=0.01) and changes["far"] is False


def test_arriving_a_kilometre_away_is_flagged(world):
    case, changes = arrive(world, accepted(world), 1000)
    assert changes["distance_m"] == pytest.approx(1000, rel=0.01)
    assert (changes["far"], changes["limit_m"], case.state) == (True, 200, "on_scene")


def test_the_distance_limit_is_a_setting(world, settings):
    settings.CASE_ARRIVAL_MAX_METRES = 2000
    assert arrive(world, accepted(world), 1000)[1]["far"] is False


def test_arriving_without_a_position_records_the_distance_as_unknown(world):
    case = accepted(world)
    case = loop.case_arrive(case=case, user=world.users["team1"], version=case.version, now=NOW)
    assert case.events.get(kind="arrive").changes["far"] is None


def on_scene(world):
    return arrive(world, accepted(world), 10)[0]


def test_handling_stores_before_and_after_photos_with_the_step(world, media):
    case = on_scene(world)
    photos = [("before", check_photo(jpeg(color=(1, 1, 1)), "前.jpg")),
              ("after", check_photo(jpeg(color=(9, 9, 9)), "后.jpg"))]
    case = loop.case_handle(case=case, user=world.users["team1"], version=case.version,
                                note="已清理占道摊位", photos=photos, now=NOW)
    assert case.state == "handled"
    assert [(a.stage, a.filename) for a in case.attachments.order_by("id")] == [("before", "前.jpg"),
                                                                               ("after", "后.jpg")]
    kinds = list(case.events.order_by("seq").values_list("kind", flat=True))
    assert kinds[-2:] == ["handle", "attachment"]


def test_a_refused_handling_keeps_no_photo(world, media):
    case = on_scene(world)
    with pytest.raises(StepError):
        loop.case_handle(case=case, user=world.users["team1"], version=case.version, note="",
                             photos=[("after", check_photo(jpeg(), "后.jpg"))], now=NOW)
    assert Case.objects.get(pk=case.pk).state == "on_scene"
    assert not Attachment.objects.exists() and [p for p in media.rglob("*") if p.is_file()] == []
