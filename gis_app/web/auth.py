"""One token authentication for every endpoint: `Authorization: Token KEY`.

DRF's checks (the key must exist, its user be active), but the token, its user and the user's
Member row come back in one query, prepared once per database session: compiled by the ORM
and planned by PostgreSQL on every request, that lookup cost ~1.2 ms of a ~6 ms router
request; prepared, ~0.3 ms (mostly the round trip). Open311's `api_key` / `X-Api-Key`
resolves keys through `user_for_key`, so there is one place that trusts a key. No key is
ever taken from a page or tile URL (pages use the session).

Tokens expire API_TOKEN_MAX_AGE_DAYS after they were made (0: never) and are revoked by
deleting them (admin, or `manage.py issue_token USER --reissue`, which also issues a new one).
A read-only token (gis_app.tokens.TokenAccess; admin or `issue_token --read-only`) may only
read: safe methods, and POSTs that only read (a view with `post_reads_only = True`: the route
batch and the footprint check compute an answer and store nothing). Any other request with
it is a 403 `read_only_token` before the view runs, so nothing is stored. Checked here, where
every token is resolved (DRF views: API, tiles, OGC; Open311 through `user_for_key`).
Desktop GIS that can only do HTTP Basic (QGIS) gets `HTTPSBasicAuthentication`: the account's
password, accepted over HTTPS only and throttled like every login (django-axes).

The row that query returns (with the read-only flag) is kept per database session for
settings.TOKEN_CACHE_SECONDS (known keys only, at most TOKEN_CACHE_ENTRIES), so a client's
requests mostly skip the round trip and a route request sends the router's statement alone;
model instances are built fresh from it for every request (never shared between requests),
and activity and expiry are checked on every request. The rows are kept under the session's
rights_notices stamp: the database announces every change to a token, its access, a user or
a Member row (triggers, tokens migration 0002), the session's notices are read without a
round trip before a kept row is used, and any notice drops every row it kept. So a revoke,
deactivation or membership change made anywhere (another worker, admin, `issue_token`, psql,
a bulk update without signals) counts from the next request in every worker. Saving or
deleting one of those models in this process also drops the rows of every session of the
process at once (signals). Inside a transaction (notices wait until it ends) no row is kept
or used.
"""
from __future__ import annotations

import time
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models.base import ModelState
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token
from rest_framework.permissions import SAFE_METHODS

from gis_app.enforcement.locate import prepare_once
from gis_app.enforcement.models import Member
from gis_app.tokens.models import TokenAccess
from gis_app.web import rights_notices

_TOKEN_STATEMENT = "router_token_member_access"
_statement = None


def _token_statement():
    """(PREPARE text, models, column counts) of the one query that loads a token, its user,
    the user's Member row (absent: NULLs), columns in each model's concrete field order, and
    last whether the token is read-only (no TokenAccess row: it is not)."""
    User = get_user_model()
    models_ = (Token, User, Member)

    def cols(model, alias):
        return [f"{alias}.{connection.ops.quote_name(f.column)}" for f in model._meta.concrete_fields]

    def col(model, name):
        return connection.ops.quote_name(model._meta.get_field(name).column)

    user_pk = connection.ops.quote_name(User._meta.pk.column)
    select = cols(Token, "t") + cols(User, "u") + cols(Member, "m")
    select.append(f"COALESCE(a.{col(TokenAccess, 'read_only')}, false)")
    sql = (f"PREPARE {_TOKEN_STATEMENT} (text) AS SELECT {', '.join(select)} "
           f"FROM {Token._meta.db_table} t "
           f"JOIN {User._meta.db_table} u ON u.{user_pk} = t.{col(Token, 'user')} "
           f"LEFT JOIN {Member._meta.db_table} m ON m.{col(Member, 'user')} = u.{user_pk} "
           f"LEFT JOIN {TokenAccess._meta.db_table} a "
           f"ON a.{col(TokenAccess, 'token')} = t.{col(Token, 'key')} "
           f"WHERE t.{col(Token, 'key')} = $1")
    return sql, models_, [len(m._meta.concrete_fields) for m in models_]


def load_token(key: str) -> Token | None:
    """The token `key` with its user and the user's Member row cached; None when unknown."""
    global _statement
    if _statement is None:
        _statement = _token_statement()
    prepare_sql, (token_model, user_model, member_model), sizes = _statement
    db = connections[DEFAULT_DB_ALIAS]
    rows = _session_rows(db)
    row = _cached_row(rows, key) if rows is not None else None
    if row is None:
        row = _read_row(db, key, prepare_sql)
        if row is None:
            return None
        if rows is not None:
            _keep_row(rows, key, row)
    a, b, c = sizes[0], sizes[0] + sizes[1], sum(sizes)
    token = _fresh(token_model, row[:a])
    user = _fresh(user_model, row[a:b])
    member = _fresh(member_model, row[b:c]) if row[b] is not None else None
    token.read_only = row[c]
    # What select_related("user", "user__member") would have cached.
    Token.user.field.set_cached_value(token, user)
    Member.user.field.remote_field.set_cached_value(user, member)
    if member is not None:
        Member.user.field.set_cached_value(member, user)
    return token


def _read_row(db, key: str, prepare_sql: str):
    """The token's row from the database (one prepared statement)."""
    with db.cursor() as cursor:
        prepare_once(cursor, _TOKEN_STATEMENT, prepare_sql)
        cursor.execute(f"EXECUTE {_TOKEN_STATEMENT} (%s)", [key])
        return cursor.fetchone()


def _fresh(model, values):
    """A new instance of `model` from its concrete fields' values in order: what
    `model.from_db(alias, None, values)` builds (field values by attribute name, state: from
    the database, not adding), without Model.__init__'s per-field assignment and its
    pre_init/post_init signals (no receiver for these models): ~4x cheaper, 3 per request.
    The values are immutable (text, numbers, booleans, datetimes), so instances built from the
    same cached row share nothing a request could change."""
    obj = model.__new__(model)
    obj.__dict__.update(zip(_attnames(model), values))
    state = obj._state = ModelState()
    state.adding, state.db = False, DEFAULT_DB_ALIAS      # load_token reads the default database
    return obj


_ATTNAMES: dict[type, tuple[str, ...]] = {}


def _attnames(model) -> tuple[str, ...]:
    found = _ATTNAMES.get(model)
    if found is None:
        found = _ATTNAMES[model] = tuple(f.attname for f in model._meta.concrete_fields)
    return found


def _session_rows(db) -> dict | None:
    """The rows `db`'s session keeps, emptied first when a change was announced to it or
    made in this process since (rights_notices.session_cache); None when none may be kept or
    used (no cache, or inside a transaction, where announcements wait until it ends)."""
    if settings.TOKEN_CACHE_SECONDS <= 0:
        return None
    return rights_notices.session_cache(db, "_token_rows")[0]


def _cached_row(rows: dict, key: str):
    hit = rows.get(key)
    if hit is None:
        return None
    if hit[0] <= time.monotonic():
        rows.pop(key, None)
        return None
    return hit[1]


def _keep_row(rows: dict, key: str, row: tuple) -> None:
    if len(rows) >= settings.TOKEN_CACHE_ENTRIES:
        rows.clear()
    rows[key] = (time.monotonic() + settings.TOKEN_CACHE_SECONDS, row)


def forget_tokens(**kwargs) -> None:
    """Drop the rows every database session of this process keeps (and whatever else is kept
    under rights_notices' stamps: saving a token, user or membership here does it too)."""
    rights_notices.forget()


def user_for_key(key: str, method: str = "GET"):
    """The active user whose API token is `key`, or None (unknown key, inactive user);
    ReadOnlyToken when the token may only read and `method` writes."""
    if not isinstance(key, str) or not key or len(key) > 128:
        return None
    token = load_token(key)
    if token is None or not token.user.is_active or expired(token):
        return None
    check_read_only(token, method)
    return token.user


class ReadOnlyToken(exceptions.PermissionDenied):
    """A read-only token sent with a request that writes (403 `read_only_token`)."""

    default_code = "read_only_token"
    default_detail = ("read_only_token: this API token may only read (GET, HEAD, OPTIONS); "
                      "ask an administrator for a token that may write")


def check_read_only(token, method: str, view=None) -> None:
    """Raise ReadOnlyToken when `token` is read-only and the request may write: any method but
    GET/HEAD/OPTIONS, unless the view says its POST only reads (`post_reads_only`)."""
    if not getattr(token, "read_only", False) or method in SAFE_METHODS:
        return
    if method == "POST" and getattr(view, "post_reads_only", False):
        return
    raise ReadOnlyToken()


def expired(token) -> bool:
    days = settings.API_TOKEN_MAX_AGE_DAYS
    return bool(days) and token.created + timedelta(days=days) < timezone.now()


class TokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token KEY`, with the user's Member row loaded in the same query; a
    read-only token refused (403) on a request that writes, before the view runs."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            view = (getattr(request, "parser_context", None) or {}).get("view")
            check_read_only(result[1], request.method, view)
        return result

    def authenticate_credentials(self, key):
        if self.get_model() is not Token:
            return super().authenticate_credentials(key)
        token = load_token(key)
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        if expired(token):
            raise exceptions.AuthenticationFailed(
                f"token expired (tokens last {settings.API_TOKEN_MAX_AGE_DAYS} days, setting "
                "API_TOKEN_MAX_AGE_DAYS); ask an administrator for a new one")
        return token.user, token


LOOPBACK = ("127.0.0.1", "::1")


class HTTPSBasicAuthentication(authentication.BasicAuthentication):
    """HTTP Basic for desktop GIS, refused over plain HTTP (the password would travel in clear)
    unless from the machine itself (a local proxy) or with DEBUG on."""

    www_authenticate_realm = "gis"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != b"basic":
            return None
        if not (request.is_secure() or settings.DEBUG or request.META.get("REMOTE_ADDR") in LOOPBACK):
            raise exceptions.AuthenticationFailed("HTTP Basic is accepted over HTTPS only (the password "
                                                  "would travel in clear); use https:// or a token header")
        return super().authenticate(request)


#: What every REST endpoint accepts: the token header, HTTP Basic over HTTPS (desktop GIS),
#: or the browser's session (CSRF checked).
AUTHENTICATION = [TokenAuthentication, HTTPSBasicAuthentication, authentication.SessionAuthentication]


class TokenScheme(OpenApiAuthenticationExtension):
    """OpenAPI: `Authorization: Token KEY` (DRF's scheme, under DRF's name)."""

    target_class = TokenAuthentication
    name = "tokenAuth"
    priority = 1

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(header_name="Authorization",
                                                   token_prefix=self.target.keyword)


class BasicScheme(OpenApiAuthenticationExtension):
    """OpenAPI: HTTP Basic (HTTPS only), for desktop GIS."""

    target_class = HTTPSBasicAuthentication
    name = "basicAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "basic",
                "description": "The account's password, over HTTPS only (desktop GIS such as QGIS)."}
