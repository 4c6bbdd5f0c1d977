"""Photos that come with a report or a step (before/after of 处置): checked whole, stored whole.

Every photo of a submission is checked before anything is written: the bytes must decode as
an image (Pillow reads the header and decodes the data; the client's name and content type
are not believed), its type must be allowed (`CASE_PHOTO_TYPES`), and it must be within
`CASE_PHOTO_MAX_BYTES` and `CASE_PHOTO_MAX_PIXELS`; a submission carries at most
`CASE_PHOTO_MAX_COUNT` photos. One bad photo refuses the whole submission, naming the file.

Files are written inside the caller's transaction; `files_removed_on_failure` deletes the ones
written when that transaction fails, so a refused report leaves no file behind either.
"""
from __future__ import annotations

import hashlib
import io
import warnings
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from gis_app.incidents import access
from gis_app.incidents.audit import append_event
from gis_app.incidents.models import Attachment, Case
from gis_app.incidents.selectors import visible_cases
from gis_app.incidents.workflow import StepError, actor_kinds

EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "image/gif": ".gif",
              "image/bmp": ".bmp", "image/tiff": ".tif", "image/heic": ".heic"}


class PhotoRefused(StepError):
    """A photo that refuses its whole submission; `file` names it in the answer."""

    def __init__(self, status: int, error: str, detail: str, *, parameter: str, filename: str):
        super().__init__(status, error, detail, parameter=parameter)
        self.filename = filename

    def as_dict(self) -> dict:
        return {**super().as_dict(), "file": self.filename}


@dataclass(frozen=True)
class Photo:
    """A checked photo, ready to store."""

    filename: str
    data: bytes
    content_type: str
    width: int
    height: int
    sha256: str
    source_url: str = ""

    @property
    def size(self) -> int:
        return len(self.data)

    def summary(self) -> dict:
        """What the audit trail records of it (the bytes themselves are in the file)."""
        out = {"filename": self.filename, "sha256": self.sha256, "content_type": self.content_type,
               "size": self.size, "width": self.width, "height": self.height}
        if self.source_url:
            out["source_url"] = self.source_url
        return out


def _allowed_types() -> tuple[str, ...]:
    return tuple(settings.CASE_PHOTO_TYPES)


def _refuse(status, error, reason, *, parameter, filename, position) -> PhotoRefused:
    return PhotoRefused(status, error, f"{parameter}: photo {position} {filename!r} {reason}; the "
                        "whole submission was refused and nothing was stored",
                        parameter=parameter, filename=filename)


def check_photo(data: bytes, filename: str, *, parameter: str = "photos", position: int = 1,
                source_url: str = "") -> Photo:
    """One photo's bytes -> Photo, or PhotoRefused (413 too large, 400 not an image,
    415 an image of a type not allowed)."""
    filename = (filename or "photo").replace("\\", "/").rsplit("/", 1)[-1][:100] or "photo"
    where = {"parameter": parameter, "filename": filename, "position": position}
    limit = settings.CASE_PHOTO_MAX_BYTES
    if len(data) > limit:
        raise _refuse(413, "photo_too_large", f"is over the limit of {limit} bytes", **where)
    allowed = _allowed_types()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                content_type = Image.MIME.get(image.format or "", "")
                width, height = image.size
                if width * height > settings.CASE_PHOTO_MAX_PIXELS:
                    raise _refuse(413, "photo_too_large", f"has {width}x{height} pixels, over the "
                                  f"limit of {settings.CASE_PHOTO_MAX_PIXELS}", **where)
                if content_type not in allowed:
                    raise _refuse(415, "photo_type_not_allowed", f"is {content_type or image.format}, "
                                  f"not one of {', '.join(allowed)}", **where)
                image.load()  # decodes the data, not only the header: a truncated file fails here
    except PhotoRefused:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning,
            OSError, SyntaxError, ValueError) as exc:
        reason = "is not an image (checked by its content)"
        if not isinstance(exc, UnidentifiedImageError):
            reason = f"is not a readable image ({exc})"
        raise _refuse(400, "not_an_image", reason, **where) from None
    return Photo(filename=filename, data=data, content_type=content_type, width=width, height=height,
                 sha256=hashlib.sha256(data).hexdigest(), source_url=source_url)


def check_uploads(uploads, *, parameter: str = "photos", first_position: int = 1) -> list[Photo]:
    """Uploaded files (Django UploadedFile) -> Photos, each read at most one byte past the limit."""
    check_count(len(uploads), parameter)
    limit = settings.CASE_PHOTO_MAX_BYTES
    photos = []
    for position, upload in enumerate(uploads, start=first_position):
        if upload.size is not None and upload.size > limit:
            raise _refuse(413, "photo_too_large", f"is over the limit of {limit} bytes",
                          parameter=parameter, filename=upload.name or "photo", position=position)
        photos.append(check_photo(upload.read(limit + 1), upload.name or "photo", parameter=parameter,
                                  position=position))
    return photos


def check_count(count: int, parameter: str = "photos") -> None:
    most = settings.CASE_PHOTO_MAX_COUNT
    if count > most:
        raise StepError(400, "too_many_photos", f"{parameter}: {count} photos, at most {most} in one "
                        "submission", parameter=parameter)


@contextmanager
def files_removed_on_failure():
    """Yields a list the storing functions add file names to; deletes those files if the block
    raises (their transaction is rolled back, so no row points at them)."""
    written: list[str] = []
    try:
        yield written
    except BaseException:
        for name in written:
            default_storage.delete(name)
        raise


def store_photos(case, photos: list[tuple[str, Photo]], *, user, written: list[str], now) -> list[Attachment]:
    """Save (stage, photo) pairs as the case's attachments; the caller holds the transaction."""
    stored = []
    for stage, photo in photos:
        attachment = Attachment(case=case, filename=photo.filename, content_type=photo.content_type,
                                size=photo.size, sha256=photo.sha256, uploaded_by=user, uploaded_at=now,
                                stage=stage, source_url=photo.source_url)
        ext = EXTENSIONS.get(photo.content_type, "")
        attachment.file.save(f"{photo.sha256[:16]}{ext}", ContentFile(photo.data), save=False)
        written.append(attachment.file.name)
        attachment.save()
        stored.append(attachment)
    return stored


def store_links(case, urls: list[str], *, user, now) -> list[Attachment]:
    """Media kept where they are (hosts the server does not fetch from): a link, no file."""
    return [Attachment.objects.create(case=case, filename=url.rsplit("/", 1)[-1][:100] or url[:100],
                                      content_type="", size=0, sha256="", uploaded_by=user,
                                      uploaded_at=now, stage=Attachment.Stage.REPORT, source_url=url)
            for url in urls]


def record_evidence(case, *, user, role: str, now, photos: list[tuple[str, Photo]], links=()) -> None:
    """One audit event for the files of one submission (after the step's own event)."""
    if not photos and not links:
        return
    changes = {"photos": [{"stage": stage, **photo.summary()} for stage, photo in photos]}
    if links:
        changes["links"] = list(links)
    append_event(case, kind="attachment", from_state=case.state, to_state=case.state, user=user,
                 role=role, at=now, changes=changes)


# --- attachments (photos, videos, documents added to a case) ---------------------------------

# What a phone or a scanner sends; identified by the bytes, not the client's word.
SIGNATURES = ((b"\xff\xd8\xff", "image/jpeg", ".jpg"), (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
              (b"%PDF-", "application/pdf", ".pdf"))


def sniff(head: bytes) -> tuple[str, str] | None:
    for magic, content_type, ext in SIGNATURES:
        if head.startswith(magic):
            return content_type, ext
    if head[4:8] == b"ftyp":
        return "video/mp4", ".mp4"
    return None


def attachment_add(*, case: Case, user, upload, now=None) -> Attachment:
    """Photos, videos and documents of a case: checked by size and by content."""
    now = now or timezone.now()
    limit = settings.CASE_ATTACHMENT_MAX_BYTES
    if upload is None:
        raise StepError(400, "bad_parameter", "file: required", parameter="file")
    if upload.size > limit:
        raise StepError(400, "bad_parameter", f"file: {upload.size} bytes is over the limit of {limit}",
                        parameter="file")
    data = upload.read(limit + 1)
    kind = sniff(data[:16])
    if kind is None:
        raise StepError(400, "bad_parameter", "file: not a JPEG, PNG, PDF or MP4 file (checked by its "
                        "content)", parameter="file")
    with transaction.atomic():
        case = visible_cases(user).select_for_update(of=("self",)).filter(pk=case.pk).first()
        if case is None:
            raise StepError(404, "not_found", "no such case within this account's reach")
        if not (actor_kinds(user, case) or case.reporter_id == user.pk):
            raise StepError(403, "forbidden", "only the reporter, the acting team, a supporting "
                            "department or the command centre add attachments")
        digest = hashlib.sha256(data).hexdigest()
        name = (upload.name or "attachment").rsplit("/", 1)[-1][:100]
        attachment = Attachment(case=case, filename=name, content_type=kind[0], size=len(data),
                                sha256=digest, uploaded_by=user, uploaded_at=now)
        attachment.file.save(f"{digest[:16]}{kind[1]}", ContentFile(data), save=False)
        attachment.save()
        append_event(case, kind="attachment", from_state=case.state, to_state=case.state, user=user,
                     role=access.role_of(user) or "", at=now, changes={"attachment": attachment.pk, "sha256": digest,
                                                        "content_type": kind[0], "size": len(data)})
    return attachment
