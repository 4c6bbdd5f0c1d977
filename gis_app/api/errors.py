"""One error shape for the whole API: {"error": code, "detail": ..., "parameter"?: name}."""
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.views import exception_handler as drf_exception_handler


class BadParameter(APIException):
    """A query or body parameter is missing or wrong: 400 naming it."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "bad_parameter"

    def __init__(self, parameter: str, reason: str):
        self.parameter = parameter
        super().__init__(detail={"error": "bad_parameter", "parameter": parameter,
                                 "detail": f"{parameter}: {reason}"})


def exception_handler(exc, context):
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(data, dict) and "error" in data:
        return response
    if isinstance(data, dict) and set(data) == {"detail"}:
        code = getattr(getattr(data["detail"], "code", None), "__str__", lambda: None)() or "error"
        response.data = {"error": code, "detail": data["detail"]}
    else:
        response.data = {"error": "invalid", "detail": data}
    return response
