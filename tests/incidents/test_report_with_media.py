"""A report with its photos is stored whole or not at all, and at most once per key."""
import threading

import pytest
from django.db import connections

from gis_app.enforcement.routing import PointQuery, Refused
from gis_app.incidents.audit import verify_case
from gis_app.incidents.intake import report_with_media
from gis_app.incidents.models import Attachment, Case
from gis_app.incidents.photos import PhotoRefused, check_photo
from gis_app.incidents.workflow import StepError
from tests.incidents.conftest import NOW
from tests.photos import jpeg, png


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def send(world, user="grid", key=None, photos=(), description="占道经营", query=None, **kwargs):
    return report_with_media(user=world.users[user], query=query or world.point(0), item_code="I001",
                             description=description, photos=list(photos), key=key, now=NOW, **kwargs)


def photo(n=0):
    return check_photo(jpeg(color=(n, 100, 100)), f"现场{n}.jpg")


def stored_files(root):
    return [p for p in root.rglob("*") if p.is_file()]


def test_the_case_and_its_photos_are_stored_together(world, media):
    intake = send(world, photos=[photo(1), check_photo(png(), "b.png")])
    attachments = list(intake.case.attachments.order_by("id"))
    assert [(a.stage, a.content_type) for a in attachments] == [("report", "image/jpeg"), ("report", "image/png")]
    assert len(stored_files(media)) == 2 and not intake.replayed


def test_the_photos_are_recorded_in_the_audit_trail(world):
    case = send(world, photos=[photo(1)]).case
    event = case.events.order_by("seq").last()
    assert event.kind == "attachment" and event.changes["photos"][0]["filename"] == "现场1.jpg"
    assert verify_case(Case.objects.get(pk=case.pk)) == []


def test_a_report_the_router_refuses_stores_no_photo(world, media):
    with pytest.raises(Refused):
        send(world, "command", photos=[photo(1)], query=PointQuery(lon=100.0, lat=30.0))
    assert not Case.objects.exists() and not Attachment.objects.exists() and stored_files(media) == []


def test_a_report_outside_the_members_grids_stores_no_photo(world, media):
    with pytest.raises(StepError) as caught:
        send(world, photos=[photo(1)], query=world.point(3))
    assert caught.value.error == "outside_own_grids"
    assert not Case.objects.exists() and stored_files(media) == []


def test_the_same_key_and_report_twice_makes_one_case(world):
    first = send(world, key="report-0001", photos=[photo(1)])
    second = send(world, key="report-0001", photos=[photo(1)])
    assert second.replayed and second.case.pk == first.case.pk
    assert Case.objects.count() == 1 and Attachment.objects.count() == 1


def test_the_same_key_with_another_report_is_a_conflict(world):
    send(world, key="report-0002")
    with pytest.raises(StepError) as caught:
        send(world, key="report-0002", description="另一件事")
    assert (caught.value.status, caught.value.error) == (409, "idempotency_key_reused")
    assert Case.objects.count() == 1


def test_other_photos_under_the_same_key_are_another_report(world):
    send(world, key="report-0003", photos=[photo(1)])
    with pytest.raises(StepError) as caught:
        send(world, key="report-0003", photos=[photo(2)])
    assert caught.value.status == 409


def test_keys_are_each_reporters_own(world):
    mine = send(world, key="report-0004")
    theirs = send(world, "command", key="report-0004")
    assert mine.case.pk != theirs.case.pk and not theirs.replayed


def test_without_a_key_every_sending_is_a_new_case(world):
    send(world)
    send(world)
    assert Case.objects.count() == 2


@pytest.mark.parametrize("key", ["short", "has space inside", "x" * 101, "引号键值很长很长很长"])
def test_a_malformed_key_is_refused(world, key):
    with pytest.raises(StepError) as caught:
        send(world, key=key)
    assert caught.value.parameter == "Idempotency-Key"


def test_media_urls_on_other_hosts_are_kept_as_links(world, media_server, settings):
    settings.CASE_MEDIA_HOSTS = []
    url = media_server.serve("/a.jpg", jpeg())
    case = send(world, media=[url]).case
    link = case.attachments.get()
    assert (link.source_url, bool(link.file), link.stage) == (url, False, "report")
    assert case.events.last().changes["links"] == [url]


def test_media_urls_on_allowed_hosts_are_stored_as_photos(world, media_server, settings):
    settings.CASE_MEDIA_HOSTS = [media_server.host]
    url = media_server.serve("/a.jpg", jpeg())
    stored = send(world, media=[url]).case.attachments.get()
    assert (stored.source_url, stored.content_type) == (url, "image/jpeg") and stored.file


def test_a_bad_photo_behind_an_allowed_media_url_refuses_the_report(world, media_server, settings, media):
    settings.CASE_MEDIA_HOSTS = [media_server.host]
    with pytest.raises(PhotoRefused):
        send(world, photos=[photo(1)], media=[media_server.serve("/x.jpg", b"text")])
    assert not Case.objects.exists() and stored_files(media) == []


def test_a_replay_does_not_fetch_media_again(world, media_server, settings):
    settings.CASE_MEDIA_HOSTS = [media_server.host]
    url = media_server.serve("/a.jpg", jpeg())
    send(world, key="report-0005", media=[url])
    send(world, key="report-0005", media=[url])
    assert media_server.hits == ["/a.jpg"]


@pytest.mark.django_db(transaction=True)
def test_two_sendings_racing_make_one_case(world):
    results, errors = [], []

    def sending():
        try:
            results.append(send(world, key="report-race-1", photos=[photo(1)]))
        except Exception as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sending) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(r.replayed for r in results) == [False, True]
    assert Case.objects.count() == 1 and Attachment.objects.count() == 1
