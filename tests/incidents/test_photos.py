"""Photos are checked by their content before anything is stored, and refused by name."""
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from gis_app.incidents.photos import PhotoRefused, check_photo, check_uploads, files_removed_on_failure
from gis_app.incidents.workflow import StepError
from tests.photos import gif, jpeg, png


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def refusal(data, name="photo.jpg", **kwargs) -> PhotoRefused:
    with pytest.raises(PhotoRefused) as caught:
        check_photo(data, name, **kwargs)
    return caught.value


def test_a_jpeg_is_checked_and_measured():
    photo = check_photo(jpeg((64, 48)), "现场.jpg")
    assert (photo.content_type, photo.width, photo.height, photo.filename) == ("image/jpeg", 64, 48, "现场.jpg")


def test_the_type_comes_from_the_content_not_the_name():
    assert check_photo(png(), "photo.jpg").content_type == "image/png"


def test_text_named_like_a_photo_is_not_an_image():
    error = refusal(b"just some text, not a picture", "scene.jpg", position=2)
    assert (error.status, error.error, error.filename) == (400, "not_an_image", "scene.jpg")
    assert "photo 2 'scene.jpg'" in error.detail and "nothing was stored" in error.detail


def test_a_pdf_is_not_an_image():
    assert refusal(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "report.pdf").error == "not_an_image"


def test_a_truncated_jpeg_is_not_a_readable_image():
    error = refusal(jpeg((400, 300))[:300])
    assert error.error == "not_an_image" and "not a readable image" in error.detail


def test_an_image_of_a_type_not_allowed_is_refused_with_the_allowed_ones():
    error = refusal(gif(), "anim.gif")
    assert (error.status, error.error) == (415, "photo_type_not_allowed")
    assert "image/gif" in error.detail and "image/jpeg" in error.detail


def test_allowed_types_are_a_setting(settings):
    settings.CASE_PHOTO_TYPES = ["image/gif"]
    assert check_photo(gif(), "a.gif").content_type == "image/gif"
    assert refusal(jpeg()).error == "photo_type_not_allowed"


def test_a_photo_over_the_byte_limit_is_too_large(settings):
    settings.CASE_PHOTO_MAX_BYTES = 100
    error = refusal(jpeg(), "big.jpg")
    assert (error.status, error.error) == (413, "photo_too_large") and "100 bytes" in error.detail


def test_a_photo_over_the_pixel_limit_is_too_large(settings):
    settings.CASE_PHOTO_MAX_PIXELS = 1000
    error = refusal(jpeg((64, 48)))
    assert error.status == 413 and "64x48" in error.detail


def test_an_upload_larger_than_the_limit_is_refused_before_it_is_read(settings):
    settings.CASE_PHOTO_MAX_BYTES = 10
    upload = SimpleUploadedFile("big.jpg", jpeg())
    with pytest.raises(PhotoRefused) as caught:
        check_uploads([upload], parameter="after")
    assert caught.value.parameter == "after" and upload.tell() == 0


def test_more_photos_than_allowed_in_one_submission_are_refused(settings):
    settings.CASE_PHOTO_MAX_COUNT = 2
    with pytest.raises(StepError) as caught:
        check_uploads([SimpleUploadedFile(f"{i}.jpg", jpeg()) for i in range(3)])
    assert caught.value.error == "too_many_photos"


def test_the_refusal_names_the_file_in_the_answer():
    assert refusal(b"nope", "x.jpg").as_dict()["file"] == "x.jpg"


def test_files_written_in_a_failing_block_are_removed():
    with pytest.raises(RuntimeError), files_removed_on_failure() as written:
        written.append(default_storage.save("cases/t/a.jpg", ContentFile(jpeg())))
        assert default_storage.exists(written[0])
        raise RuntimeError("the transaction failed after the file was written")
    assert not default_storage.exists(written[0])
