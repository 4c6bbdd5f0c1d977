"""The hottest machine read answered by the web kit without Django's request stack.

`GET /api/route` with an API token is what phones and dispatch scripts send most, and the
router's own statement takes about a millisecond. Measured in one run (the same 3,000 points
sent in turn to three servers, each request followed by the bare statement; load 4.5): the full
stack (Django's handler, its 12 middleware, DRF) answered in 4.42 ms p50, the same answer from a
plain Django view in 4.16 ms, and from this path in 3.76 ms, against 1.71 ms for the statement.
In process those layers cost ~0.25 ms; served, the worker, its database session and the client
take turns on two cores, every layer's code is cold again at each request, and they cost about
three times that.

A fast path answers only the common case, and hands everything else to Django unchanged:
- only a GET of a registered path, over plain HTTP to an allowed host, with
  `Authorization: Token KEY` of an active user (`auth.user_for_key`, the token authentication's
  own lookup and cache);
- the path and every parameter pass the input guard's rule (`guard.check_query`);
- the handler returns the 200 answer's JSON bytes, or None for anything else it would answer
  (a bad parameter, a refusal, a parameter it does not take): Django then answers as it always
  has. A GET only reads, so being asked twice changes nothing. An exception is logged, and Django
  answers too (a database that is down: its 503);
- the answer carries the headers the full stack's middleware and DRF add, from the same
  settings (tests/web/test_fast_path.py compares both answers, headers and bytes);
- database sessions are kept and closed as for any request (`request_started`, and
  `request_finished` when the server closes the answer, after writing it, as Django's
  responses do; both close an obsolete or broken session).
The middleware list it was written against is `MIDDLEWARE_SEEN`: a project whose MIDDLEWARE
differs gets no fast path (each request goes through Django) until the new middleware has
been looked at here.
"""
from __future__ import annotations

import logging

from django.conf import settings
from django.core import signals
from django.core.handlers.wsgi import get_path_info, get_str_from_wsgi
from django.http import QueryDict
from django.http.request import split_domain_port, validate_host

from gis_app.web.auth import user_for_key
from gis_app.web.guard import BadText, check_query

logger = logging.getLogger(__name__)

#: What the full stack does for a token GET of a machine path, middleware by middleware, and
#: how a fast answer matches it (anything these would do differently is left to Django).
MIDDLEWARE_SEEN = (
    "django.middleware.security.SecurityMiddleware",        # headers below; HTTPS: declined
    "gis_app.web.guard.InputGuardMiddleware",               # check_query on path and parameters
    "gis_app.web.machine_paths.StaticFilesMiddleware",      # passed by on machine paths
    "gis_app.web.machine_paths.PageSessionMiddleware",      # passed by for token requests
    "django.middleware.common.CommonMiddleware",            # host checked; settings it acts on: declined
    "django.middleware.csrf.CsrfViewMiddleware",            # the view is CSRF-exempt (DRF)
    "gis_app.web.machine_paths.PageAuthenticationMiddleware",   # passed by for token requests
    "gis_app.api.timezones.OutputTimeZoneMiddleware",       # `tz`: handlers decline it
    "gis_app.web.refusal_text.LanguageMiddleware",          # only Django's own messages (errors)
    "gis_app.web.machine_paths.PageMessageMiddleware",      # passed by on machine paths
    "django.middleware.clickjacking.XFrameOptionsMiddleware",   # header below
    "axes.middleware.AxesMiddleware",                       # acts on password logins only
)


class FastRequest:
    """What a fast handler reads: the WSGI environ as `META`, the query as `query_params`."""

    def __init__(self, environ: dict):
        self.META = environ
        self.path_info = get_path_info(environ)
        self.query_params = QueryDict(get_str_from_wsgi(environ, "QUERY_STRING", ""))

    def clean(self) -> bool:
        """The input guard's rule on the path and every parameter name and value."""
        try:
            check_query(self.path_info, self.query_params)
        except BadText:
            return False
        return True


def _token_user(environ: dict):
    """The user of `Authorization: Token KEY` (read as DRF reads it), or None."""
    words = environ.get("HTTP_AUTHORIZATION", "").split()
    if len(words) != 2 or words[0].lower() != "token":
        return None
    return user_for_key(words[1], "GET")


def _headers() -> list[tuple[str, str]]:
    """The headers SecurityMiddleware (plain HTTP), XFrameOptionsMiddleware and DRF's view add
    to a JSON answer, from the same settings."""
    out = [("Content-Type", "application/json")]
    if settings.SECURE_CONTENT_TYPE_NOSNIFF:
        out.append(("X-Content-Type-Options", "nosniff"))
    if settings.SECURE_REFERRER_POLICY:
        policy = settings.SECURE_REFERRER_POLICY
        out.append(("Referrer-Policy", policy if isinstance(policy, str) else ",".join(policy)))
    if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
        out.append(("Cross-Origin-Opener-Policy", settings.SECURE_CROSS_ORIGIN_OPENER_POLICY))
    out.append(("X-Frame-Options", getattr(settings, "X_FRAME_OPTIONS", "DENY").upper()))
    out.append(("Allow", "GET, HEAD, OPTIONS"))
    return out


def _allowed_hosts() -> list[str] | None:
    """The hosts Django accepts (its DEBUG default when ALLOWED_HOSTS is empty); None under
    the settings with which Django's middleware would redirect, refuse or mark a request as
    secure (no fast path then). Read once, at start, as the middleware reads its settings."""
    if (settings.SECURE_SSL_REDIRECT or settings.SECURE_PROXY_SSL_HEADER
            or settings.USE_X_FORWARDED_HOST or settings.PREPEND_WWW
            or settings.DISALLOWED_USER_AGENTS):
        return None
    return settings.ALLOWED_HOSTS or ([".localhost", "127.0.0.1", "[::1]"] if settings.DEBUG else [])


def _served_here(environ: dict, allowed_hosts: list[str]) -> bool:
    """Plain HTTP to an allowed host."""
    if environ.get("wsgi.url_scheme") != "http":
        return False
    domain, _ = split_domain_port(environ.get("HTTP_HOST") or environ.get("SERVER_NAME", ""))
    return bool(domain) and validate_host(domain, allowed_hosts)


class FastPaths:
    """WSGI: `handlers` ({path: handler(FastRequest, user) -> bytes | None}) answer the GETs
    they can; every other request goes to `app` (Django)."""

    def __init__(self, app, handlers: dict):
        self.app = app
        self.allowed_hosts = _allowed_hosts()
        seen = tuple(settings.MIDDLEWARE) == MIDDLEWARE_SEEN
        self.handlers = handlers if seen and self.allowed_hosts is not None else {}
        if handlers and not seen:
            logger.warning("fast paths off: MIDDLEWARE differs from gis_app.web.fast_path."
                           "MIDDLEWARE_SEEN (every request goes through Django)")
        self.headers = _headers()

    def __call__(self, environ, start_response):
        handler = self.handlers.get(environ.get("PATH_INFO"))
        body = None
        if handler is not None and environ.get("REQUEST_METHOD") == "GET":
            body = _answer(handler, environ, self.allowed_hosts)
        if body is None:
            return self.app(environ, start_response)
        start_response("200 OK", [*self.headers, ("Content-Length", str(len(body)))])
        return _Sent([body])


class _Sent(list):
    """The answer's body; closed by the server once it is written, which finishes the request
    (`request_finished`), as Django's own responses do."""

    def close(self) -> None:
        signals.request_finished.send(sender=FastPaths)


def _answer(handler, environ, allowed_hosts) -> bytes | None:
    """The handler's answer, or None (Django answers), inside the request's start and finish."""
    if not _served_here(environ, allowed_hosts):
        return None
    signals.request_started.send(sender=FastPaths, environ=environ)
    body = None
    try:
        request = FastRequest(environ)
        user = _token_user(environ) if request.clean() else None
        body = handler(request, user) if user is not None else None
    except Exception:
        logger.exception("fast path %s failed; Django answers instead", environ.get("PATH_INFO"))
    if body is None:            # Django answers: its response finishes the request
        signals.request_finished.send(sender=FastPaths)
    return body
