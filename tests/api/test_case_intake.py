"""POST /api/cases/ with photos, idempotency key and media_url; steps with photos and position."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from gis_app.incidents.models import Attachment, Case
from tests.incidents.conftest import world  # noqa: F401  (the fixture)
from tests.photos import gif, jpeg
from tests.users import auth_header, token_for


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def client(world, user="grid"):
    c = Client()
    c.defaults.update(auth_header(world.users[user]))
    return c


def files(*pairs):
    return [SimpleUploadedFile(name, data, content_type="image/jpeg") for name, data in pairs]


def report(world, user="grid", photos=(), key=None, **fields):
    p = world.point(0)
    body = {"lon": p.lon, "lat": p.lat, "crs": "EPSG:4326", "item": "I001", "description": "摊位占道",
            **fields}
    if photos:
        body["photos"] = files(*photos)
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client(world, user).post("/api/cases/", body, **headers)


def nothing_stored(media):
    return not Case.objects.exists() and not Attachment.objects.exists() and \
        [p for p in media.rglob("*") if p.is_file()] == []


def test_one_multipart_submission_makes_the_case_with_its_photos(world):
    r = report(world, photos=[("a.jpg", jpeg()), ("b.jpg", jpeg(color=(1, 2, 3)))])
    assert r.status_code == 201, r.content
    attachments = r.json()["properties"]["attachments"]
    assert [(a["filename"], a["stage"], a["link"]) for a in attachments] == [("a.jpg", "report", False),
                                                                          ("b.jpg", "report", False)]
    download = client(world).get(attachments[0]["url"])
    assert download.status_code == 200 and b"".join(download.streaming_content) == jpeg()


def test_a_photo_that_is_not_an_image_refuses_the_whole_report_by_name(world, media):
    r = report(world, photos=[("ok.jpg", jpeg()), ("notes.jpg", b"these are notes")])
    assert r.status_code == 400
    assert (r.json()["error"], r.json()["file"], r.json()["parameter"]) == ("not_an_image", "notes.jpg", "photos")
    assert nothing_stored(media)


def test_a_photo_too_large_refuses_the_whole_report(world, media, settings):
    settings.CASE_PHOTO_MAX_BYTES = 500
    r = report(world, photos=[("big.jpg", jpeg((200, 200)))])
    assert r.status_code == 413 and r.json()["error"] == "photo_too_large" and r.json()["file"] == "big.jpg"
    assert nothing_stored(media)


def test_a_photo_of_a_type_not_allowed_refuses_the_whole_report(world, media):
    r = report(world, photos=[("anim.gif", gif())])
    assert r.status_code == 415 and r.json()["error"] == "photo_type_not_allowed"
    assert nothing_stored(media)


def test_too_many_photos_refuse_the_report(world, media, settings):
    settings.CASE_PHOTO_MAX_COUNT = 1
    r = report(world, photos=[("a.jpg", jpeg()), ("b.jpg", jpeg())])
    assert r.status_code == 400 and r.json()["error"] == "too_many_photos"
    assert nothing_stored(media)


def test_the_same_key_sent_twice_answers_the_same_case_once(world):
    first = report(world, photos=[("a.jpg", jpeg())], key="0f8e-4c1d-report-1")
    second = report(world, photos=[("a.jpg", jpeg())], key="0f8e-4c1d-report-1")
    assert (first.status_code, second.status_code) == (201, 200)
    assert second["Idempotent-Replayed"] == "true" and second.json()["id"] == first.json()["id"]
    assert Case.objects.count() == 1 and Attachment.objects.count() == 1


def test_the_same_key_with_a_different_body_is_409(world):
    report(world, key="0f8e-4c1d-report-2")
    r = report(world, key="0f8e-4c1d-report-2", description="别的事")
    assert r.status_code == 409 and r.json()["error"] == "idempotency_key_reused"
    assert r.json()["parameter"] == "Idempotency-Key" and Case.objects.count() == 1


def test_a_malformed_key_is_400(world, media):
    r = report(world, key="no")
    assert r.status_code == 400 and r.json()["parameter"] == "Idempotency-Key"
    assert nothing_stored(media)


def test_a_report_outside_the_county_is_the_routers_422_with_nothing_stored(world, media):
    r = report(world, "command", photos=[("a.jpg", jpeg())], lon=100.0, lat=30.0)
    assert r.status_code == 422 and r.json()["error"] == "outside_jurisdiction"
    assert nothing_stored(media)


def test_media_url_on_a_host_not_allowed_is_kept_as_a_link(world, media_server, settings):
    settings.CASE_MEDIA_HOSTS = []
    url = media_server.serve("/a.jpg", jpeg())
    r = report(world, media_url=url)
    assert r.status_code == 201
    assert [(a["url"], a["link"]) for a in r.json()["properties"]["attachments"]] == [(url, True)]
    assert media_server.hits == []


def test_media_url_with_a_bad_scheme_is_400(world, media):
    r = report(world, media_url="file:///etc/passwd")
    assert r.status_code == 400 and r.json()["parameter"] == "media_url"
    assert nothing_stored(media)


def open311(world, **fields):
    p = world.point(0)
    data = {"service_code": "I001", "lat": p.lat, "long": p.lon, "description": "占道经营",
            "api_key": token_for(world.users["grid"]), **fields}
    return Client().post("/open311/v2/requests.json", data)


def test_open311_media_url_on_an_allowed_host_is_fetched_with_the_request(world, media_server, settings):
    settings.CASE_MEDIA_HOSTS = [media_server.host]
    url = media_server.serve("/photos/9.jpg", jpeg())
    r = open311(world, media_url=url)
    assert r.status_code == 201, r.content
    stored = Case.objects.get().attachments.get()
    assert (stored.source_url, stored.content_type, bool(stored.file)) == (url, "image/jpeg", True)


def test_open311_media_url_elsewhere_is_kept_as_a_link(world, media_server, settings):
    settings.CASE_MEDIA_HOSTS = ["photos.example.gov.cn"]
    url = media_server.serve("/photos/9.jpg", jpeg())
    assert open311(world, media_url=url).status_code == 201
    assert Case.objects.get().attachments.get().source_url == url and media_server.hits == []


def test_open311_media_url_that_is_not_an_image_refuses_the_request(world, media_server, settings, media):
    settings.CASE_MEDIA_HOSTS = [media_server.host]
    r = open311(world, media_url=media_server.serve("/photos/x.jpg", b"<html></html>"))
    assert r.status_code == 400 and "media_url" in r.json()[0]["description"]
    assert nothing_stored(media)


# --- steps ----------------------------------------------------------------------------------

def step(world, case_id, name, user="team1", **body):
    version = client(world, user).get(f"/api/cases/{case_id}/").json()["properties"]["version"]
    return client(world, user).post(f"/api/cases/{case_id}/{name}/", {"version": version, **body})


def on_scene(world, metres_north=0):
    case_id = report(world).json()["id"]
    assert step(world, case_id, "accept").status_code == 200
    lat = Case.objects.get(pk=case_id).location.y + metres_north / 111_000
    r = step(world, case_id, "arrive", lon=Case.objects.get(pk=case_id).location.x, lat=lat, crs="EPSG:4326")
    assert r.status_code == 200, r.content
    return case_id, r.json()["properties"]


def test_arrive_a_kilometre_away_answers_the_distance_flag(world):
    _, props = on_scene(world, 1000)
    arrival = [e for e in props["events"] if e["kind"] == "arrive"][0]
    assert arrival["changes"]["far"] is True and arrival["changes"]["distance_m"] == pytest.approx(1000, rel=0.01)
    assert arrival["where"]["crs"] == "EPSG:4326"


def test_handle_with_before_and_after_photos(world):
    case_id, _ = on_scene(world)
    r = step(world, case_id, "handle", note="已清理", before=files(("前.jpg", jpeg())),
             after=files(("后.jpg", jpeg(color=(5, 5, 5)))))
    assert r.status_code == 200, r.content
    props = r.json()["properties"]
    assert props["state"] == "handled"
    assert [(a["stage"], a["filename"]) for a in props["attachments"]] == [("before", "前.jpg"), ("after", "后.jpg")]


def test_handle_with_a_bad_photo_is_refused_and_changes_nothing(world):
    case_id, _ = on_scene(world)
    r = step(world, case_id, "handle", note="已清理", after=files(("后.jpg", b"not a photo")))
    assert r.status_code == 400 and (r.json()["file"], r.json()["parameter"]) == ("后.jpg", "after")
    assert Case.objects.get(pk=case_id).state == "on_scene" and not Attachment.objects.exists()


def test_the_router_preview_answers_a_grid_member_logged_in_by_session(world):
    c = Client()
    c.force_login(world.users["grid"])
    p = world.point(0)
    r = c.get("/api/route", {"lon": p.lon, "lat": p.lat, "item": "I001", "crs": "EPSG:4326"})
    assert r.status_code == 200 and r.json()["team"]["code"] == "T990101001"


def test_a_description_that_is_not_text_is_400_even_with_a_key(world):
    p = world.point(0)
    r = client(world).post("/api/cases/", {"lon": p.lon, "lat": p.lat, "item": "I001", "description": 42},
                           content_type="application/json", HTTP_IDEMPOTENCY_KEY="0f8e-4c1d-report-9")
    assert r.status_code == 400 and r.json()["parameter"] == "description"
