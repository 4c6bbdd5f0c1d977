"""One error shape for every refusal family: {"error", "detail", "parameter"?} with its status."""
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from rest_framework import exceptions as drf

from gis_app.enforcement.access import NotAMember
from gis_app.enforcement.routing import Refusal, Refused
from gis_app.incidents.assessment import PeriodError
from gis_app.incidents.workflow import StepError
from gis_app.patrols.collector import MalformedUpload
from gis_app.web.errors import ApiError, BadParameter, Forbidden, NoMembership, NotFound, exception_handler


def answer(exc):
    response = exception_handler(exc, {})
    return response.status_code, response.data


@pytest.mark.parametrize("exc, status, error, parameter", [
    (BadParameter("lon", "required"), 400, "bad_parameter", "lon"),
    (ApiError("too many", status=413, code="too_large"), 413, "too_large", None),
    (Forbidden("planners only"), 403, "permission_denied", None),
    (NoMembership(), 403, "no_membership", None),
    (NotFound("no case 9"), 404, "not_found", None),
    (StepError(409, "stale_version", "acted on version 1, the case is at 2", "version"), 409,
     "stale_version", "version"),
    (Refused(Refusal(status=422, error="outside_jurisdiction", detail="outside")), 422,
     "outside_jurisdiction", None),
    (NotAMember(), 403, "no_membership", None),
    (MalformedUpload("csv", [{"row": 1, "field": "time", "reason": "not a time"}]), 400, "malformed_upload", None),
    (ValidationError({"team": ["no such team"]}), 400, "bad_parameter", "team"),
    (ValidationError("bad"), 400, "invalid", None),
    (PeriodError("month", "month 须为年月"), 400, "bad_parameter", "month"),
    (Http404("no such thing"), 404, "not_found", None),
    (PermissionDenied(), 403, "permission_denied", None),
    (drf.NotAuthenticated(), 401, "not_authenticated", None),
    (drf.MethodNotAllowed("PUT"), 405, "method_not_allowed", None),
    (drf.ValidationError({"note": ["required"]}), 400, "invalid", "note"),
    (drf.ParseError("JSON parse error"), 400, "parse_error", None),
])
def test_every_refusal_family_has_the_one_shape(exc, status, error, parameter):
    code, body = answer(exc)
    assert code == status and body["error"] == error and isinstance(str(body["detail"]), str)
    assert body.get("parameter") == parameter
    assert set(body) <= {"error", "detail", "parameter", "nearest", "distance_m", "format",
                         "problem_count", "problems", "stored"}


def test_a_bug_is_not_dressed_up_as_a_refusal():
    assert exception_handler(KeyError("x"), {}) is None


def test_bad_parameter_names_the_parameter_in_its_detail():
    assert BadParameter("bbox", "expected 4 numbers").as_dict() == {
        "error": "bad_parameter", "detail": "bbox: expected 4 numbers", "parameter": "bbox"}
