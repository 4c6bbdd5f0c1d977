"""Middleware that API, tile and OGC requests (guard.API_PREFIXES) pass by: they answer JSON or
tiles to programs and never show a page.

Measured per request in process (bench: an authenticated API request, ~1.1 ms in all):
MessageMiddleware ~0.1 ms (sets up message storage a page would read), WhiteNoise ~0.06 ms
(looks the path up among static files, which live under /static/ only). The rest stays on
every path: security headers (SecurityMiddleware, X-Frame-Options), the input guard, the output
time zone, the language, CommonMiddleware (the Host check; ~0.04 ms: not worth changing how a
missing slash answers) and CSRF (cheap without a cookie; its view check is the handler's).

A machine request that carries `Authorization: Token ...` (`token_request`) also passes by
the session and Django's authentication: the token decides who it is. DRF's token
authentication comes first in every REST view's list (gis_app/web/auth.py AUTHENTICATION) and
either answers or refuses, so the session is never read for it; Open311 reads the key itself.
Sessions stay for everything else: pages, and the pages' maps, which fetch tiles and the API
with the session (and CSRF checked on their writes by DRF's session authentication). Login
throttling (django-axes) stays as it is: it only looks at a request after a password login,
which a token request never makes (~2 us). The access log's credential masking is the
server's logger, not a middleware.
"""
from __future__ import annotations

from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from whitenoise.middleware import WhiteNoiseMiddleware

from gis_app.web.guard import API_PREFIXES


def machine_path(request) -> bool:
    return request.path_info.startswith(API_PREFIXES)


def token_request(request) -> bool:
    """A machine path asked with an API token header (`Authorization: Token KEY`, the keyword
    read as DRF reads it: the header's first word, any case). Whether the key is good is the
    view's authentication's to say; this only says the session cannot be what identifies it."""
    header = request.META.get("HTTP_AUTHORIZATION")
    if not header or not machine_path(request):
        return False
    words = header.split(None, 1)
    return bool(words) and words[0].lower() == "token"


class _PassedBy:
    """A Django middleware (the next base class), passed by when `passes_by(request)` says so.
    One wrapper for the four below, so which requests skip which middleware reads as one line
    each."""

    passes_by = staticmethod(machine_path)

    def __call__(self, request):
        if self.passes_by(request):
            return self.get_response(request)
        return super().__call__(request)


class PageMessageMiddleware(_PassedBy, MessageMiddleware):
    """Django's messages, for pages only."""


class StaticFilesMiddleware(_PassedBy, WhiteNoiseMiddleware):
    """WhiteNoise's static files, looked up for paths other than the machine ones."""


class PageSessionMiddleware(_PassedBy, SessionMiddleware):
    """Django's sessions, except for token requests (nothing reads or writes a session there)."""

    passes_by = staticmethod(token_request)


class PageAuthenticationMiddleware(_PassedBy, AuthenticationMiddleware):
    """request.user from the session, except for token requests (DRF sets it from the token)."""

    passes_by = staticmethod(token_request)
