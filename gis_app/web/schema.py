"""OpenAPI: every operation lists the errors it may answer, all in the one `Error` shape.

A drf-spectacular postprocessing hook (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]): which
statuses an operation may refuse with follows from what it is (every endpoint refuses a bad
or unknown parameter; authenticated ones 401/403; paths naming a record 404; case steps 409;
a route `at` a pruned day 410; anything that places a point 422 outside every county), so
it is written once, here.
"""
from __future__ import annotations

ERROR_SCHEMA = {
    "type": "object",
    "description": "Every refusal of the REST API (4xx): the one error shape.",
    "properties": {
        "error": {"type": "string", "description": "machine-readable code, e.g. bad_parameter, "
                                                   "not_found, forbidden, stale_version"},
        "detail": {"type": "string", "description": "what is wrong, for people"},
        "parameter": {"type": "string", "description": "the parameter at fault, when one is"},
    },
    "required": ["error", "detail"],
}
_REF = {"$ref": "#/components/schemas/Error"}
_WHY = {
    "400": "A parameter or body field is missing or wrong, or unknown to this endpoint "
           "(`parameter` names it).",
    "401": "Not authenticated (send `Authorization: Token KEY` or log in).",
    "403": "This account may not do this (no membership, another county, or not its role).",
    "404": "No such record within what this account may see.",
    "409": "The record has moved on: stale `version` or a step its state does not allow.",
    "410": "The generation or rule version asked for is no longer in the archive "
           "(`prune_generations`): error `not_archived`.",
    "422": "The point is outside every county (the nearest unit and its distance are named).",
}
_PLACES_A_POINT = ("/api/route", "/api/locate", "/api/cases/", "/api/joint-inspections/",
                   "/api/footprint/")


def _statuses(path: str, method: str, operation: dict) -> list[str]:
    codes = ["400"]
    if operation.get("security") != [{}]:
        codes += ["401", "403"]
    if "{" in path:
        codes.append("404")
    if path.startswith("/api/cases/{id}/{step}"):
        codes.append("409")
    if method == "get" and path == "/api/route":       # `at`: an archived generation
        codes.append("410")
    if method == "post" and path in _PLACES_A_POINT or (method == "get" and path in _PLACES_A_POINT[:2]):
        codes.append("422")
    return codes


def add_error_responses(result, generator, request, public):
    """Add the `Error` component and each operation's error responses (kept when declared)."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path, operations in result.get("paths", {}).items():
        if not path.startswith("/api/") or path.startswith("/api/schema"):
            continue
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            for code in _statuses(path, method, operation):
                responses.setdefault(code, {"description": _WHY[code],
                                            "content": {"application/json": {"schema": _REF}}})
    return result
