"""One gate for every request: text the database cannot store is refused by name before any
view reads it, and an API request that still fails answers JSON, never Django's HTML page.

Input rule (one home, applied to the path, every query parameter name and value, urlencoded
form fields and JSON bodies): no NUL character (PostgreSQL text cannot hold one) and no lone
UTF-16 surrogate (not encodable as UTF-8). A JSON body must be an object (every endpoint
reads named fields from one) nested at most JSON_MAX_DEPTH deep. Refusals are 400
`{"error": "bad_parameter", "detail", "parameter"}` on API paths and a plain-text 400 on
pages. Multipart bodies are not read here (their files stream to disk; see uploads.py); their
text fields go through the same `check_text` where the views read them.

Failures (`server_error`, the project's handler500, which also sees exceptions raised in
middleware): on API paths a database that is down is a 503 `database_unavailable`, anything
else unexpected a 500 `server_error`; pages get templates/500.html in Chinese (503 when the
database is down). Django has logged the traceback by then.
"""
from __future__ import annotations

import json
import re
import sys

import orjson
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader

from gis_app.text import text_problem
from gis_app.web.refusal_text import localize, wants_english

API_PREFIXES = ("/api/", "/ogc", "/open311/", "/tiles/")


class BadText(ValueError):
    def __init__(self, parameter: str, reason: str):
        super().__init__(f"{parameter}: {reason}")
        self.parameter = parameter
        self.reason = reason


def check_text(value: str, parameter: str) -> str:
    """The one cleaning rule for text that may reach the database (gis_app/text.py)."""
    problem = text_problem(value)
    if problem:
        raise BadText(parameter, problem)
    return value


def check_json(data, parameter: str = "body", depth: int = 0, _good: set | None = None):
    """Walk a parsed JSON document: depth capped, every key and string checked (each distinct
    string once: a batch of 10,000 points repeats its keys and item codes 10,000 times)."""
    limit = settings.JSON_MAX_DEPTH
    if depth > limit:
        raise BadText("body", f"nested deeper than {limit} levels (setting JSON_MAX_DEPTH)")
    good = set() if _good is None else _good
    if isinstance(data, str):
        if data not in good:
            good.add(check_text(data, parameter))
    elif isinstance(data, dict):
        for key, value in data.items():
            name = key if key in good else check_text(str(key), "body")
            good.add(name)
            check_json(value, name if depth == 0 else parameter, depth + 1, good)
    elif isinstance(data, list):
        for value in data:
            check_json(value, parameter, depth + 1, good)
    return data


def check_query(path: str, query) -> None:
    """`check_text` on a request's path and every query parameter's name and value (a
    QueryDict): the guard's rule for what a URL carries, for the middleware and for the web
    kit's fast path (fast_path.py), which answers without it."""
    check_text(path, "path")
    for name, values in query.lists():
        check_text(name, name)
        for value in values:
            check_text(value, name)


def check_depth(data) -> None:
    """`check_json`'s depth cap alone, level by level (no call per value): for documents whose
    text cannot hold a bad string (`_MAYBE_BAD_TEXT`)."""
    limit = settings.JSON_MAX_DEPTH
    containers, depth = [data], 0
    while containers:
        depth += 1                      # the depth of these containers' values
        deeper = []
        for container in containers:
            values = container.values() if type(container) is dict else container
            if depth > limit and values:
                raise BadText("body", f"nested deeper than {limit} levels (setting JSON_MAX_DEPTH)")
            deeper += [v for v in values if type(v) is dict or type(v) is list]
        containers = deeper


def is_api(request) -> bool:
    return request.path.startswith(API_PREFIXES) or "application/json" in request.META.get("HTTP_ACCEPT", "")


def _refusal(request, exc: BadText):
    if is_api(request):
        return JsonResponse(localize({"error": "bad_parameter", "detail": str(exc),
                                      "parameter": exc.parameter}, wants_english(request)), status=400)
    return HttpResponse(f"请求无效 (bad request): {exc}", status=400, content_type="text/plain; charset=utf-8")


class InputGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            self._check(request)
        except BadText as exc:
            return _refusal(request, exc)
        return self.get_response(request)

    @staticmethod
    def _check(request) -> None:
        check_query(request.path, request.GET)
        if request.method in ("GET", "HEAD", "OPTIONS", "DELETE"):
            return
        content_type = request.content_type or ""
        if content_type == "application/x-www-form-urlencoded":
            for name, values in request.POST.lists():
                check_text(name, name)
                for value in values:
                    check_text(value, name)
        elif content_type.endswith("json") and request.path.startswith(API_PREFIXES):
            JSONShape.check(request)

    def process_exception(self, request, exception):
        if isinstance(exception, BadText):   # a view applying check_text to its own fields
            return _refusal(request, exception)
        return None


def server_error(request):
    """handler500: JSON on API paths, the Chinese page elsewhere; 503 when the database is down."""
    exc = sys.exc_info()[1]
    down = isinstance(exc, (OperationalError, InterfaceError))
    if is_api(request):
        if down:
            return JsonResponse(localize({"error": "database_unavailable",
                                          "detail": "the database is not answering; try again shortly"},
                                         wants_english(request)), status=503, headers={"Retry-After": "10"})
        return JsonResponse(localize({"error": "server_error",
                                      "detail": "the server failed to answer this request; it has been logged"},
                                     wants_english(request)), status=500)
    html = loader.get_template("500.html").render({"database_down": down})
    return HttpResponse(html, status=503 if down else 500)


class JSONShape:
    """A JSON body is read once here (it is small: DATA_UPLOAD_MAX_MEMORY_SIZE caps it) and
    must be an object; the views' parser reads the same bytes again from the cache."""

    @staticmethod
    def check(request) -> None:
        body = request.body
        if not body.strip():
            return
        try:
            data = orjson.loads(body)       # ~20x faster than json; the same document when both read it
        except orjson.JSONDecodeError:      # too deep, not UTF-8, NaN, big integers...: as json reads it
            try:
                data = json.loads(body)
            except RecursionError:
                raise BadText("body", f"nested deeper than {settings.JSON_MAX_DEPTH} levels "
                                      "(setting JSON_MAX_DEPTH)") from None
            except (ValueError, UnicodeDecodeError):
                return   # the parser answers malformed JSON with its own 400
        if not isinstance(data, dict):
            raise BadText("body", f"must be a JSON object {{...}}, not {_KINDS.get(type(data), 'that')}")
        if _MAYBE_BAD_TEXT.search(body) is None:
            check_depth(data)       # no string in it can hold NUL or a lone surrogate
        else:
            check_json(data)


#: What a JSON text needs to carry a NUL or a lone surrogate in a string or key: the escape
#: \u0000 or \uD800-\uDFFF, or (read by json as UTF-16/32, or with surrogatepass) a NUL byte
#: or UTF-8-encoded surrogate bytes. Without any of these (a 10,000-point batch body: 0.7 MB,
#: searched in ~1 ms) no string needs checking, so only the depth is (a walk over every string
#: cost 0.15 s of such a batch, profiled).
_MAYBE_BAD_TEXT = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])|\x00|\xed[\xa0-\xbf]")

_KINDS = {list: "a list", str: "a string", int: "a number", float: "a number", bool: "true/false",
          type(None): "null"}
