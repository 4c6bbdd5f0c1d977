"""The time zone of every time that leaves the server: the county's (settings.TIME_ZONE,
Asia/Shanghai, +08:00) unless the client asks for UTC with `tz=UTC` (a query parameter every
endpoint, page and export accepts).

The middleware activates the zone for the request; Django's `timezone.localtime`, DRF's
datetime fields and the layer queries (layers/features.py `layer_queries`, which set
PostgreSQL's session zone) all write in the active zone, so no view converts times itself.
"""
from __future__ import annotations

from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import JsonResponse
from django.utils import timezone

from gis_app.web.refusal_text import localize, wants_english

PARAM = "tz"
UTC_NAMES = ("UTC", "Z", "ETC/UTC")


def requested_zone(value: str | None):
    """The zone a `tz` value asks for; None when it is none of the accepted ones."""
    if value is None:
        return ZoneInfo(settings.TIME_ZONE)
    text = value.strip().upper()
    if text in UTC_NAMES:
        return ZoneInfo("UTC")
    if text in ("LOCAL", settings.TIME_ZONE.upper()):
        return ZoneInfo(settings.TIME_ZONE)
    return None


class OutputTimeZoneMiddleware:
    """Activate the output time zone for the request (400 naming `tz` for a value it does not
    know, whatever the endpoint)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        values = request.GET.getlist(PARAM)
        if not values:
            # The default zone is what Django uses when none is active, and none is: this is
            # the only place that activates one, and it always deactivates it again. Nothing to
            # set and clear (a thread-local write and delete on every API call).
            return self.get_response(request)
        zone = requested_zone(values[-1])
        if zone is None or len(values) > 1:
            return JsonResponse(localize({"error": "bad_parameter", "parameter": PARAM,
                                          "detail": f"{PARAM}: {values!r} is not one of: UTC, local "
                                                    f"({settings.TIME_ZONE}, the default)"},
                                         wants_english(request)), status=400)
        timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
