"""A bounded Schemathesis run over the whole OpenAPI schema, as three roles: no answer is a 5xx.

Hypothesis writes up to SCHEMATHESIS_EXAMPLES requests per operation from the schema (odd
strings, NUL bytes, huge numbers, wrong types); each is sent in-process through the WSGI
app as the command centre, a grid member and a township team member. Slow (minutes), so it
runs with `make check`, not in `make test`.
"""
import os

import pytest

pytestmark = [pytest.mark.skipif(not os.environ.get("SCHEMATHESIS"),
                                 reason="the fuzz run is `make check` (SCHEMATHESIS=1)"),
              pytest.mark.django_db]

if os.environ.get("SCHEMATHESIS"):
    import schemathesis
    from drf_spectacular.generators import SchemaGenerator
    from hypothesis import HealthCheck, settings

    from gis_app.wsgi import application

    schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
    schema.app = application
    EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "20"))
    ROLES = ("command", "grid", "team")

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

    @schema.parametrize()
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @pytest.mark.parametrize("role", ROLES)
    def test_no_request_is_answered_with_a_5xx(case, role, tokens):
        response = case.call(headers={"Authorization": f"Token {tokens[role]}"})
        assert response.status_code < 500, (
            f"{case.method} {case.formatted_path} as {role}: {response.status_code} "
            f"{response.text[:300]}\n{case.as_curl_command()}")
