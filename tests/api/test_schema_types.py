"""Every request body and every 2xx answer in the OpenAPI schema is typed: a named component
with its fields (or a list of one, or a typed scalar such as a binary download), never a bare
object a generated client can only hand over as a dict."""
from tests.api.schema_answers import openapi

# The schema endpoint answers the OpenAPI document itself: its shape is the OpenAPI
# specification's, not this API's, so it has no component of its own.
EXEMPT = {("/api/schema/", "get")}
METHODS = ("get", "post", "put", "patch", "delete")


def component(document: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def is_typed(document: dict, schema: dict | None) -> bool:
    """A component with properties, a map of typed values, a union of typed schemas, a list of
    typed items, or a scalar type (string, number, integer, boolean: e.g. a binary file)."""
    if not schema:
        return False
    schema = component(document, schema)
    for union in ("oneOf", "anyOf", "allOf"):
        if union in schema:
            return all(is_typed(document, s) for s in schema[union])
    kind = schema.get("type")
    if kind == "array":
        return is_typed(document, schema.get("items"))
    if kind == "object" or kind is None:
        values = schema.get("additionalProperties")
        return bool(schema.get("properties")) or (isinstance(values, dict) and is_typed(document, values))
    return True


def untyped_bodies_and_answers(document: dict) -> list[str]:
    found = []
    for path, operations in sorted(document["paths"].items()):
        for method, operation in sorted(operations.items()):
            if method not in METHODS or (path, method) in EXEMPT:
                continue
            for media, content in (operation.get("requestBody") or {}).get("content", {}).items():
                if not is_typed(document, content.get("schema")):
                    found.append(f"{method.upper()} {path}: request body {media}")
            for status, answer in operation["responses"].items():
                for media, content in (answer.get("content") or {}).items():
                    if status.startswith("2") and not is_typed(document, content.get("schema")):
                        found.append(f"{method.upper()} {path}: answer {status} {media}")
    return found


def test_no_request_body_or_answer_is_a_bare_object(db):
    assert untyped_bodies_and_answers(openapi()) == []


def test_the_walk_finds_a_bare_object(db):
    document = {"components": {"schemas": {"Empty": {"type": "object"}}}, "paths": {
        "/api/x/": {"post": {"requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Empty"}}}},
                             "responses": {"200": {"content": {"application/json": {
                                 "schema": {"type": "object", "additionalProperties": {}}}}}}}}}}
    assert untyped_bodies_and_answers(document) == ["POST /api/x/: request body application/json",
                                                    "POST /api/x/: answer 200 application/json"]


def test_the_exempt_schema_endpoint_is_still_in_the_schema(db):
    """The exemption names an operation that exists (it cannot silently exempt nothing)."""
    assert all(method in openapi()["paths"][path] for path, method in EXEMPT)
