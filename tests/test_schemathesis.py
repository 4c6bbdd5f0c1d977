"""A bounded Schemathesis run over the whole OpenAPI schema, as three roles: no answer is a 5xx.

Hypothesis writes up to SCHEMATHESIS_EXAMPLES requests per operation from the schema (odd
strings, NUL bytes, huge numbers, wrong types); each is sent in-process through the WSGI
app as the command centre, a grid member and a township team member. Slow (minutes), so it
runs with `make check`, not in `make test`.

Bounded by construction, so it finishes on a loaded machine (5 min here): the schema's own
examples and the fuzzing phase only (Schemathesis's coverage phase writes every boundary case
of every parameter, hundreds per operation whatever max_examples says, which is why an
unbounded run never ended; SCHEMATHESIS_PHASES=examples,fuzzing,coverage asks for it in a
deeper run), without shrinking (a failure is reported as found, not minimised for minutes) and
without the example database. The scope is every operation of the OpenAPI schema
(SCHEMATHESIS_OPERATIONS, a regular expression on "METHOD /path", narrows it). No
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
    SCOPE = re.compile(os.environ.get("SCHEMATHESIS_OPERATIONS", "."))
    ROLES = ("command", "grid", "team")
    # SCHEMATHESIS_PHASES=examples,fuzzing,coverage: a deeper, unbounded run (an hour or more).
    PHASES = set(os.environ.get("SCHEMATHESIS_PHASES", "examples,fuzzing").split(","))
    CONFIG = SchemathesisConfig.from_dict({
        "phases": {name: {"enabled": name in PHASES} for name in ("examples", "coverage", "fuzzing")}
        | {"stateful": {"enabled": False}},
        "generation": {"max-examples": EXAMPLES, "no-shrink": True, "database": "none"},
    })

    schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True),
                                            config=CONFIG)
    schema.app = application
    schema = schema.include(func=lambda ctx: bool(SCOPE.search(f"{ctx.operation.method.upper()} "
                                                               f"{ctx.operation.path}")))
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

    @schema.parametrize()
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @pytest.mark.parametrize("role", ROLES)
    def test_no_request_is_answered_with_a_5xx(case, role, tokens):
        response = case.call(headers={"Authorization": f"Token {tokens[role]}"})
        operation = f"{case.method} {case.operation.path}"
        SENT[operation, role] += 1
        if response.status_code >= 500:
            ERRORS[operation, role] += 1
        assert response.status_code < 500, (
            f"{case.method} {case.formatted_path} as {role}: {response.status_code} "
            f"{response.text[:300]}\n{case.as_curl_command()}")
