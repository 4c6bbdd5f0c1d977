"""Attachments are checked by size and by content, and only the case's people add them."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gis_app.incidents import photos
from gis_app.incidents.models import Attachment
from gis_app.incidents.workflow import StepError
from tests.incidents.conftest import report

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def add(world, case, user, data, name="photo.jpg"):
    return photos.attachment_add(case=case, user=world.users[user],
                                   upload=SimpleUploadedFile(name, data, content_type="image/jpeg"))


def test_reporter_adds_a_photo_recorded_in_the_trail(world):
    case = report(world)
    attachment = add(world, case, "grid", JPEG)
    assert (attachment.content_type, attachment.size) == ("image/jpeg", len(JPEG))
    assert attachment.file.read() == JPEG
    assert case.events.last().changes["sha256"] == attachment.sha256


def test_type_is_taken_from_the_content_not_the_name(world):
    attachment = add(world, report(world), "team1", PNG, name="photo.jpg")
    assert attachment.content_type == "image/png"


def test_a_file_that_is_not_an_image_document_or_video_is_refused(world):
    with pytest.raises(StepError) as caught:
        add(world, report(world), "grid", b"MZ\x90\x00 an executable", name="photo.jpg")
    assert caught.value.parameter == "file" and "not a JPEG, PNG, PDF or MP4" in caught.value.detail
    assert not Attachment.objects.exists()


def test_a_file_over_the_limit_is_refused(world, settings):
    settings.CASE_ATTACHMENT_MAX_BYTES = 100
    with pytest.raises(StepError) as caught:
        add(world, report(world), "grid", JPEG)
    assert "over the limit of 100" in caught.value.detail


def test_someone_outside_the_case_cannot_add(world):
    case = report(world)
    with pytest.raises(StepError) as caught:
        add(world, case, "team3", JPEG)
    assert caught.value.status == 404
