"""What a locked-out login gets (django-axes calls this): 429 with how long to wait, as JSON for
API clients and as a Chinese page for people."""
from __future__ import annotations

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render

from gis_app.web.refusal_text import localize, wants_english


def lockout_response(request, original_response=None, credentials=None):
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    wants_json = request.path.startswith(("/api/", "/open311/")) or \
        "application/json" in request.META.get("HTTP_ACCEPT", "")
    if wants_json:
        response = JsonResponse(localize({"error": "locked_out",
                                          "detail": f"too many failed logins; try again in {minutes} minutes"},
                                         wants_english(request)), status=429)
    else:
        response = render(request, "errors/locked.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response
