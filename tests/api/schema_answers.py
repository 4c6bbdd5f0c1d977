"""Read an answer against the OpenAPI schema: the JSON Schema of an operation's 2xx answer,
with OpenAPI 3.0's `nullable` turned into JSON Schema's `null` type, checked by jsonschema.
Used by the tests of answers that are built from plain dicts (footprint, inbox, replay, 考核,
place search), so the typed schema and what the view sends cannot drift apart."""
from functools import lru_cache

import jsonschema
from drf_spectacular.generators import SchemaGenerator


@lru_cache(maxsize=1)
def openapi() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def as_json_schema(node):
    """OpenAPI 3.0 schema object -> JSON Schema 2020-12 (nullable -> anyOf with null)."""
    if isinstance(node, list):
        return [as_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: as_json_schema(v) for k, v in node.items() if k != "nullable"}
    if node.get("nullable"):
        return {"anyOf": [out, {"type": "null"}]}
    return out


def answer_schema(path: str, method: str, status: int = 200) -> dict:
    document = openapi()
    content = document["paths"][path][method]["responses"][str(status)]["content"]
    return {**as_json_schema(content["application/json"]["schema"]),
            "components": as_json_schema(document["components"])}


def assert_answer_matches_schema(path: str, method: str, data, status: int = 200) -> None:
    """Every field the schema declares is there with its type (extra fields are allowed)."""
    jsonschema.Draft202012Validator(answer_schema(path, method, status)).validate(data)
