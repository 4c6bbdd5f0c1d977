"""Open311 media_url: fetched only from allowed hosts, otherwise kept as a link."""
import pytest

from gis_app.incidents.media import resolve
from gis_app.incidents.photos import PhotoRefused
from gis_app.incidents.workflow import StepError
from tests.photos import jpeg


def test_a_url_on_a_host_not_allowed_is_kept_as_a_link_and_not_fetched(media_server, settings):
    settings.CASE_MEDIA_HOSTS = []
    url = media_server.serve("/p/1.jpg", jpeg())
    media = resolve(url)
    assert (media.url, media.photo) == (url, None)
    assert media_server.hits == []


def test_a_url_on_an_allowed_host_is_fetched_and_checked(media_server, settings):
    settings.CASE_MEDIA_HOSTS = [media_server.host]
    url = media_server.serve("/p/scene.jpg", jpeg())
    photo = resolve(url).photo
    assert (photo.content_type, photo.filename, photo.source_url) == ("image/jpeg", "scene.jpg", url)
    assert media_server.hits == ["/p/scene.jpg"]


def test_an_allowed_host_may_be_named_without_its_port(media_server, settings):
    settings.CASE_MEDIA_HOSTS = ["127.0.0.1"]
    assert resolve(media_server.serve("/p/a.jpg", jpeg())).photo is not None


def test_what_an_allowed_host_serves_must_be_an_image(media_server, settings):
    settings.CASE_MEDIA_HOSTS = [media_server.host]
    with pytest.raises(PhotoRefused) as caught:
        resolve(media_server.serve("/p/page.jpg", b"<html>login</html>"))
    assert (caught.value.error, caught.value.parameter) == ("not_an_image", "media_url")


def test_a_failed_fetch_refuses_with_the_reason(media_server, settings):
    settings.CASE_MEDIA_HOSTS = [media_server.host]
    with pytest.raises(StepError) as caught:
        resolve(f"http://{media_server.host}/missing.jpg")
    assert (caught.value.status, caught.value.error) == (422, "media_unreachable")


def test_a_redirect_is_not_followed_off_the_allowed_host(media_server, settings):
    settings.CASE_MEDIA_HOSTS = [media_server.host]
    url = media_server.serve("/p/moved.jpg", b"", status=302, Location="http://169.254.169.254/latest")
    with pytest.raises(StepError) as caught:
        resolve(url)
    assert caught.value.error == "media_unreachable" and "not followed" in caught.value.detail


@pytest.mark.parametrize("url", ["ftp://example.org/a.jpg", "file:///etc/passwd", "not a url",
                                 "http://user:secret@example.org/a.jpg", "http://x/" + "a" * 2000])
def test_a_url_that_is_not_a_plain_http_url_is_refused(url):
    with pytest.raises(StepError) as caught:
        resolve(url)
    assert (caught.value.status, caught.value.parameter) == (400, "media_url")
