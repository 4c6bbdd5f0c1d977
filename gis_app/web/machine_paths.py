"""Middleware that API, tile and OGC requests (guard.API_PREFIXES) pass by: they answer JSON or
tiles to programs and never show a page.

Measured per request in process (bench: an authenticated API request, ~1.1 ms in all):
MessageMiddleware ~0.1 ms (sets up message storage a page would read), WhiteNoise ~0.06 ms
(looks the path up among static files, which live under /static/ only). The rest stays on
every path: security headers (SecurityMiddleware, X-Frame-Options), the input guard, sessions
and authentication (pages' maps fetch their tiles and the API with the session), CSRF (DRF's
session authentication checks it for writes), the output time zone and login throttling
(HTTP Basic logs in); CommonMiddleware too (~0.04 ms: not worth changing how a missing slash
answers). The access log's credential masking is the server's logger, not a middleware.
"""
from __future__ import annotations

from django.contrib.messages.middleware import MessageMiddleware
from whitenoise.middleware import WhiteNoiseMiddleware

from gis_app.web.guard import API_PREFIXES


def machine_path(request) -> bool:
    return request.path_info.startswith(API_PREFIXES)


class PageMessageMiddleware(MessageMiddleware):
    """Django's messages, for pages only."""

    def __call__(self, request):
        if machine_path(request):
            return self.get_response(request)
        return super().__call__(request)


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    """WhiteNoise's static files, looked up for paths other than the machine ones."""

    def __call__(self, request):
        if machine_path(request):
            return self.get_response(request)
        return super().__call__(request)
