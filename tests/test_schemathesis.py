"""A bounded Schemathesis run over the whole OpenAPI schema, and over OGC API Features, tiles
and Open311 (described here), as three roles: no answer is a 5xx.

Hypothesis writes up to SCHEMATHESIS_EXAMPLES requests per operation from the schema (odd
strings, NUL bytes, huge numbers, wrong types); each is sent in-process through the WSGI
app as the command centre, a grid member and a township team member. Slow (minutes), so it
runs with `make check`, not in `make test`.

Bounded by construction, so it finishes on a loaded machine (5 min here): the schema's own
examples and the fuzzing phase only (Schemathesis's coverage phase writes every boundary case
of every parameter, hundreds per operation whatever max_examples says, which is why an
unbounded run never ended; SCHEMATHESIS_PHASES=examples,fuzzing,coverage asks for it in a
deeper run), without shrinking (a failure is reported as found, not minimised for minutes) and
without the example database. The scope is every operation of the OpenAPI schema but
the schema itself (SCHEMATHESIS_OPERATIONS, a regular expression on "METHOD /path", sets it). No
per-example deadline: the guide forbids timed assertions; the bound is the number of
requests (operations x examples x roles), printed at the end with the count of 5xx answers.
"""
import os
import re
from collections import Counter

import pytest

pytestmark = [pytest.mark.skipif(not os.environ.get("SCHEMATHESIS"),
                                 reason="the fuzz run is `make check` (SCHEMATHESIS=1)"),
              pytest.mark.django_db]

if os.environ.get("SCHEMATHESIS"):
    import schemathesis
    from drf_spectacular.generators import SchemaGenerator
    from hypothesis import HealthCheck, Phase, settings
    from schemathesis.config import SchemathesisConfig

    from gis_app.wsgi import application

    EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "20"))
    # By default every operation but GET /api/schema/: drf-spectacular's own view, whose only
    # inputs are two enums, regenerates the whole schema per request (~90 s of a loaded run for
    # its 60 requests; fuzzed with 0 5xx on 2026-12-02, and covered by tests/api/test_schema.py).
    SCOPE = re.compile(os.environ.get("SCHEMATHESIS_OPERATIONS", r"^(?!GET /api/schema/)"))
    ROLES = ("command", "grid", "team")
    # SCHEMATHESIS_PHASES=examples,fuzzing,coverage: a deeper, unbounded run (an hour or more).
    PHASES = set(os.environ.get("SCHEMATHESIS_PHASES", "examples,fuzzing").split(","))
    CONFIG = SchemathesisConfig.from_dict({
        "phases": {name: {"enabled": name in PHASES} for name in ("examples", "coverage", "fuzzing")}
        | {"stateful": {"enabled": False}},
        "generation": {"max-examples": EXAMPLES, "no-shrink": True, "database": "none"},
    })

    def outside_the_rest_schema() -> dict:
        """OpenAPI for what the REST schema leaves out: OGC API Features (its own document,
        every collection), vector tiles and TileJSON, Open311 GeoReport v2 (read and intake)."""
        from layers import ogc
        from layers.catalogue import layers

        doc = ogc.openapi(list(layers()), lambda path: path)
        paths = {f"/ogc{path}".rstrip("/") or "/ogc": item for path, item in doc["paths"].items()}
        ok = {"200": {"description": "OK"}}
        integer, text = {"type": "integer"}, {"type": "string"}

        def param(name, schema, where="query", required=False):
            return {"name": name, "in": where, "required": required, "schema": schema}

        layer = param("layer", {"type": "string", "enum": list(layers().ids())}, "path", True)
        paths["/tiles/{layer}/{z}/{x}/{y}.pbf"] = {"get": {"operationId": "tile", "responses": ok,
            "parameters": [layer] + [param(n, integer, "path", True) for n in "zxy"]
            + [param(n, text) for n in ("from", "to", "state")]}}
        paths["/tiles/{layer}.json"] = {"get": {"operationId": "tilejson", "responses": ok,
                                                "parameters": [layer]}}
        fmt = param("fmt", {"type": "string", "enum": ["json", "xml"]}, "path", True)
        query = [param(n, text) for n in ("jurisdiction_id", "service_code", "status", "start_date",
                                          "end_date", "service_request_id")]
        paths["/open311/v2/services.{fmt}"] = {"get": {"operationId": "o311_services", "responses": ok,
                                                       "parameters": [fmt, query[0]]}}
        paths["/open311/v2/requests.{fmt}"] = {
            "get": {"operationId": "o311_requests", "responses": ok, "parameters": [fmt, *query]},
            "post": {"operationId": "o311_intake", "responses": ok, "parameters": [fmt],
                     "requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {
                         "schema": {"type": "object", "required": ["service_code", "lat", "long"],
                                    "properties": {"service_code": {"type": "string", "enum": ["I001", "X"]},
                                                   "lat": {"type": "number"}, "long": {"type": "number"},
                                                   "description": text, "address_string": text,
                                                   "jurisdiction_id": text, "media_url": text}}}}}}}
        paths["/open311/v2/requests/{number}.{fmt}"] = {"get": {
            "operationId": "o311_request", "responses": ok,
            "parameters": [param("number", text, "path", True), fmt]}}
        return {"openapi": "3.0.3", "info": {"title": "OGC, tiles, Open311", "version": "1"},
                "paths": paths}

    def in_scope(ctx) -> bool:
        return bool(SCOPE.search(f"{ctx.operation.method.upper()} {ctx.operation.path}"))

    def loaded(doc: dict):
        """The document as a Schemathesis schema over the WSGI app, narrowed to the scope; None
        when nothing of it is in scope (Schemathesis fails a test that matches nothing)."""
        if not any(SCOPE.search(f"{method.upper()} {path}") for path, item in doc["paths"].items()
                   for method in item):
            return None
        loaded = schemathesis.openapi.from_dict(doc, config=CONFIG)
        loaded.app = application
        return loaded.include(func=in_scope)

    schema = loaded(SchemaGenerator().get_schema(request=None, public=True))
    others = loaded(outside_the_rest_schema())
    SENT: Counter = Counter()        # (operation, role) -> requests sent
    ERRORS: Counter = Counter()      # (operation, role) -> 5xx answers

    @pytest.fixture(scope="module")
    def tokens(django_db_setup, django_db_blocker):
        """The api tests' two counties, and a token per role (kept for the module)."""
        from django.core.signals import request_finished, request_started
        from django.db import close_old_connections

        from tests.territory import make_territory
        from tests.users import make_user, token_for
        # As Django's test client does: requests must not close the test's connection.
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        with django_db_blocker.unblock():
            t = make_territory(code="990101", name="本县", origin=(120.0, 30.0))
            grids = list(t.county.grids.order_by("code")[:2])
            team = next(iter(t.teams.values()))
            yield {
                "command": token_for(make_user("fz-command", "command_centre", t.county)),
                "grid": token_for(make_user("fz-grid", "grid_member", t.county, grids=grids)),
                "team": token_for(make_user("fz-team", "township_team", t.county, team=team)),
            }
            from django.core.management import call_command
            call_command("flush", "--noinput", verbosity=0)
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
        operations = {op for op, _ in SENT}
        print(f"\nschemathesis: {len(operations)} operations x <= {EXAMPLES} examples x "
              f"{len({r for _, r in SENT})} roles = {sum(SENT.values())} requests, "
              f"{sum(ERRORS.values())} answered 5xx {dict(ERRORS) or ''}")

    BOUNDED = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                       phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))

    def send(case, role, tokens):
        response = case.call(headers={"Authorization": f"Token {tokens[role]}"})
        operation = f"{case.method} {case.operation.path}"
        SENT[operation, role] += 1
        if response.status_code >= 500:
            ERRORS[operation, role] += 1
        assert response.status_code < 500, (
            f"{case.method} {case.formatted_path} as {role}: {response.status_code} "
            f"{response.text[:300]}\n{case.as_curl_command()}")

    if schema is not None:
        @schema.parametrize()
        @BOUNDED
        @pytest.mark.parametrize("role", ROLES)
        def test_no_request_is_answered_with_a_5xx(case, role, tokens):
            send(case, role, tokens)

    if others is not None:
        @others.parametrize()
        @BOUNDED
        @pytest.mark.parametrize("role", ROLES)
        def test_no_ogc_tile_or_open311_request_is_answered_with_a_5xx(case, role, tokens):
            send(case, role, tokens)
