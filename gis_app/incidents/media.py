"""Open311 `media_url`: a photo kept by the reporting system, fetched only from allowed hosts.

A server that fetched any URL it was given could be made to read its own intranet (SSRF), so
the hosts it fetches from are a setting (`CASE_MEDIA_HOSTS`, none by default). A URL on an
allowed host is fetched without following redirects, read up to the photo limit and checked
like an uploaded photo; a URL on any other host is kept as a link. A fetch that fails refuses
the report (the sender may try again) rather than storing it without its photo.
"""
from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

from gis_app.incidents.photos import Photo, check_photo
from gis_app.incidents.workflow import StepError

MAX_URL = 2000
PARAMETER = "media_url"


@dataclass(frozen=True)
class Media:
    """What became of one media_url: a fetched photo, or a link kept as it is."""

    url: str
    photo: Photo | None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect could lead off the allowed hosts: it is an error, not followed."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        raise urllib.error.HTTPError(req.full_url, code, f"redirect to {newurl} not followed", headers, fp)


def check_url(url: str) -> str:
    """A well-formed http(s) URL without credentials in it, or a 400 naming media_url."""
    url = (url or "").strip()
    if len(url) > MAX_URL:
        raise StepError(400, "bad_parameter", f"{PARAMETER}: longer than {MAX_URL} characters",
                        parameter=PARAMETER)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise StepError(400, "bad_parameter", f"{PARAMETER}: {url[:100]!r} is not an http(s) URL",
                        parameter=PARAMETER)
    if parts.username or parts.password:
        raise StepError(400, "bad_parameter", f"{PARAMETER}: credentials do not belong in a URL",
                        parameter=PARAMETER)
    return url


def is_allowed(url: str) -> bool:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    allowed = settings.CASE_MEDIA_HOSTS
    return host in allowed or (parts.port is not None and f"{host}:{parts.port}" in allowed)


def resolve(url: str, position: int = 1) -> Media:
    """Fetch and check the photo at `url` when its host is allowed; otherwise keep the link."""
    url = check_url(url)
    if not is_allowed(url):
        return Media(url=url, photo=None)
    limit = settings.CASE_PHOTO_MAX_BYTES
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(url, timeout=settings.CASE_MEDIA_TIMEOUT_SECONDS) as answer:
            data = answer.read(limit + 1)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise StepError(422, "media_unreachable", f"{PARAMETER}: could not fetch {url[:200]} "
                        f"({reason}); nothing was stored", parameter=PARAMETER) from None
    name = urlsplit(url).path.rsplit("/", 1)[-1] or "media"
    return Media(url=url, photo=check_photo(data, name, parameter=PARAMETER, position=position,
                                            source_url=url))
