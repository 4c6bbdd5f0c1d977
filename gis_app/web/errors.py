"""One error shape for every REST endpoint: `{"error": code, "detail": text, "parameter"?: name}`.

`ApiError` is the one base class the web layer raises (status and code are class attributes,
overridable per instance). `exception_handler` (settings.REST_FRAMEWORK["EXCEPTION_HANDLER"])
turns every refusal family into that shape in one place: the web layer's own errors, the
domain's refusals (a case step refused, a point the router refuses, an account without
membership, a malformed or duplicate GPS upload, a Django ValidationError) and DRF's exceptions
(authentication, permission, 404, 405, parse errors). Views raise; they never build error
responses by hand. Open311 keeps its own spec format (gis_app/api/open311.py).
"""
from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import status as http
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from gis_app.web.refusal_text import localize, wants_english


class ApiError(Exception):
    """A refusal the web layer answers itself: `status`, `code`, a readable `detail`, and the
    `parameter` at fault when there is one. `extra` members are added to the body as they are."""

    status = http.HTTP_400_BAD_REQUEST
    code = "error"

    def __init__(self, detail: str, *, parameter: str | None = None, status: int | None = None,
                 code: str | None = None, extra: dict | None = None):
        super().__init__(detail)
        self.detail = detail
        self.parameter = parameter
        if status is not None:
            self.status = status
        if code is not None:
            self.code = code
        self.extra = extra

    def as_dict(self) -> dict:
        out = {"error": self.code, "detail": self.detail}
        if self.parameter:
            out["parameter"] = self.parameter
        if self.extra:
            out.update(self.extra)
        return out


class BadParameter(ApiError):
    """A query, form or body parameter is missing or wrong: 400 naming it.

    `detail` reads "<parameter>: <reason>"; `reason` alone is kept for messages that rename
    the parameter (a batch point's `lon` becomes `points[3].lon`)."""

    code = "bad_parameter"

    def __init__(self, parameter: str, reason: str):
        super().__init__(f"{parameter}: {reason}", parameter=parameter)
        self.reason = reason


class Forbidden(ApiError):
    """Authenticated, but this account's role may not do this (403)."""

    status = http.HTTP_403_FORBIDDEN
    code = "permission_denied"


class NoMembership(Forbidden):
    """Authenticated, but bound to no county: there is nothing this user may see (403)."""

    code = "no_membership"

    def __init__(self, detail: str | None = None):
        from gis_app.enforcement.access import NO_MEMBERSHIP

        super().__init__(detail or NO_MEMBERSHIP)


class NotFound(ApiError):
    """Nothing by that name within what this account may see (404)."""

    status = http.HTTP_404_NOT_FOUND
    code = "not_found"


class Conflict(ApiError):
    """The request fights the record's state (409)."""

    status = http.HTTP_409_CONFLICT
    code = "conflict"


def _domain_refusals():
    """(exception type, exc -> (status, body)) for the domain's own refusal types.

    Imported when first needed: the domain apps sit below the web layer and know nothing of
    HTTP, so their exceptions carry a status hint and an `as_dict` but no Response."""
    from gis_app.enforcement.access import NotAMember
    from gis_app.enforcement.routing import Refused
    from gis_app.incidents.assessment import PeriodError
    from gis_app.incidents.workflow import StepError
    from gis_app.patrols.duplicates import DuplicateUpload
    from gis_app.patrols.collector import MalformedUpload

    return (
        (StepError, lambda e: (e.status, e.as_dict())),
        (Refused, lambda e: (e.refusal.status, e.refusal.as_dict())),
        (NotAMember, lambda e: (http.HTTP_403_FORBIDDEN, {"error": "no_membership", "detail": str(e)})),
        (MalformedUpload, lambda e: (http.HTTP_400_BAD_REQUEST, e.as_dict())),
        (DuplicateUpload, lambda e: (http.HTTP_409_CONFLICT, e.as_dict())),
        (DjangoValidationError, lambda e: (http.HTTP_400_BAD_REQUEST, _validation_body(e))),
        (PeriodError, lambda e: (http.HTTP_400_BAD_REQUEST, BadParameter(e.parameter, e.detail).as_dict())),
    )


_REFUSALS: tuple | None = None


def _validation_body(exc: DjangoValidationError) -> dict:
    """A service's ValidationError naming a field is a bad parameter like any other."""
    if hasattr(exc, "error_dict"):
        name, errors = next(iter(exc.message_dict.items()))
        if name != "__all__":
            return {"error": "bad_parameter", "detail": f"{name}: {'; '.join(errors)}", "parameter": name}
        return {"error": "invalid", "detail": "; ".join(errors)}
    return {"error": "invalid", "detail": "; ".join(exc.messages)}


def error_body(exc: BaseException) -> tuple[int, dict] | None:
    """(status, body) for any refusal this layer knows; None for anything else (a real bug).

    Usable outside DRF views too (plain Django views, pages that answer JSON)."""
    global _REFUSALS
    if isinstance(exc, ApiError):
        return exc.status, exc.as_dict()
    if _REFUSALS is None:
        _REFUSALS = _domain_refusals()
    for kind, convert in _REFUSALS:
        if isinstance(exc, kind):
            return convert(exc)
    if isinstance(exc, Http404):
        return http.HTTP_404_NOT_FOUND, {"error": "not_found", "detail": str(exc) or "Not found."}
    if isinstance(exc, DjangoPermissionDenied):
        return http.HTTP_403_FORBIDDEN, {"error": "permission_denied",
                                         "detail": str(exc) or "You do not have permission to perform this action."}
    return None


def exception_handler(exc, context):
    """DRF's EXCEPTION_HANDLER: every refusal -> `{"error", "detail", "parameter"?}`, its
    detail in Chinese, or in English with `Accept-Language: en` (refusal_text.py)."""
    english = wants_english(context.get("request"))
    known = error_body(exc)
    if known is not None:
        set_rollback()
        return Response(localize(known[1], english), status=known[0])
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(data, dict) and "error" in data:
        return response
    if isinstance(data, dict) and set(data) == {"detail"}:
        code = getattr(data["detail"], "code", None)
        response.data = {"error": str(code) if code else "error", "detail": str(data["detail"])}
    else:
        response.data = {"error": "invalid", "detail": _flatten(data)}
        if isinstance(data, dict) and len(data) == 1:
            response.data["parameter"] = next(iter(data))
    response.data = localize(response.data, english)
    return response


def _flatten(data) -> str:
    """A serializer's nested errors as one readable line: `name: reason; other: reason`."""
    if isinstance(data, dict):
        return "; ".join(f"{key}: {_flatten(value)}" for key, value in data.items())
    if isinstance(data, list):
        return "; ".join(_flatten(value) for value in data)
    return str(data)
