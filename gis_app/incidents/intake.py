"""One report, whole: the case, its photos and its media links in one transaction, at most once.

A grid member on an island or in the mountains reports without signal; the phone keeps the
report and sends it when the signal returns, possibly twice (the answer of the first sending
may be lost). The phone generates an idempotency key once per report and sends it with every
try: the same key with the same report finds the case already made (`replayed`), the same key
with a different report is a 409. The key is the reporter's own: two members may use the same.

The report's digest covers what the member decided (point as received, item, description,
each photo's sha256 in order, media URLs), so a second sending of the same bytes matches.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from gis_app.enforcement.models import Member
from gis_app.enforcement.routing import PointQuery
from gis_app.incidents import media as media_urls
from gis_app.incidents.models import Attachment, Case
from gis_app.incidents.photos import (Photo, check_count, files_removed_on_failure, record_evidence,
                                      store_links, store_photos)
from gis_app.incidents.reporting import case_report, text_field
from gis_app.incidents.workflow import StepError

KEY_PATTERN = re.compile(r"[A-Za-z0-9_.:-]{8,100}")
KEY_PARAMETER = "Idempotency-Key"


@dataclass(frozen=True)
class Intake:
    case: Case
    replayed: bool  # True: an earlier sending under the same key made this case


def check_key(key: str | None) -> str:
    """'' (no key) or a key of 8-100 letters, digits and `_.:-` (a UUID fits)."""
    key = (key or "").strip()
    if key and not KEY_PATTERN.fullmatch(key):
        raise StepError(400, "bad_parameter", f"{KEY_PARAMETER}: 8-100 characters of letters, digits "
                        "and _ . : - (e.g. a UUID generated once per report)", parameter=KEY_PARAMETER)
    return key


def report_digest(*, query: PointQuery, item_code: str, description: str, photos: list[Photo],
                  urls: list[str]) -> str:
    body = {"received": query.as_dict()["received"], "item": item_code,
            "description": text_field(description, "description"), "photos": [p.sha256 for p in photos],
            "media": urls}
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _earlier(user, key: str, digest: str) -> Case | None:
    if not key:
        return None
    case = Case.objects.filter(reporter=user, client_key=key).first()
    if case is not None and case.client_digest != digest:
        raise StepError(409, "idempotency_key_reused", f"{KEY_PARAMETER}: {key!r} was used for case "
                        f"{case.number} with a different report; a new report needs a new key",
                        parameter=KEY_PARAMETER)
    return case


def report_with_media(*, user, query: PointQuery, item_code: str, description: str,
                      photos: list[Photo] = (), media: list[str] = (), key: str | None = None,
                      source: str = Case.Source.APP, now=None, tolerance_m: float | None = None) -> Intake:
    """一口受理 with evidence: route, open the case and store its photos, or store nothing.

    `photos` are already checked (photos.check_uploads); `media` are Open311 media URLs,
    fetched from allowed hosts and otherwise kept as links. Raises StepError, PhotoRefused or
    routing.Refused; on any of them no case, attachment or file remains.
    """
    now = now or timezone.now()
    key = check_key(key)
    photos = list(photos)
    check_count(len(photos) + len(media))
    urls = [media_urls.check_url(u) for u in media]
    digest = report_digest(query=query, item_code=item_code, description=description, photos=photos,
                           urls=urls)
    earlier = _earlier(user, key, digest)  # a replay answers without fetching media again
    if earlier is not None:
        return Intake(case=earlier, replayed=True)
    resolved = [media_urls.resolve(u, position=len(photos) + i) for i, u in enumerate(urls, start=1)]
    fetched = [m.photo for m in resolved if m.photo is not None]
    links = [m.url for m in resolved if m.photo is None]
    with files_removed_on_failure() as written, transaction.atomic():
        member = Member.objects.select_for_update().filter(user=user).first()
        # Two sendings of one report racing: the second waits for the member row, then finds
        # the first one's case.
        earlier = _earlier(user, key, digest) if member is not None else None
        if earlier is not None:
            return Intake(case=earlier, replayed=True)
        case = case_report(user=user, query=query, item_code=item_code, description=description,
                           source=source, now=now, tolerance_m=tolerance_m)
        if key:
            case.client_key, case.client_digest = key, digest
            Case.objects.filter(pk=case.pk).update(client_key=key, client_digest=digest)
        evidence = [(Attachment.Stage.REPORT, p) for p in photos + fetched]
        store_photos(case, evidence, user=user, written=written, now=now)
        store_links(case, links, user=user, now=now)
        record_evidence(case, user=user, role=member.role, now=now, photos=evidence, links=links)
    return Intake(case=case, replayed=False)
