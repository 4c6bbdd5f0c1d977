"""A client generated from the OpenAPI schema alone (openapi-python-client) routes a point,
reports a case, takes a step and checks a footprint, against a live server: the schema is
enough to use the API."""
import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer

from tests.incidents.conftest import world  # noqa: F401  (the fixture)
from tests.users import auth_header

CONFIG = "package_name_override: gis_client\nproject_name_override: gis-client\npost_hooks: []\n"


@pytest.fixture(scope="module")
def gis_client(tmp_path_factory, django_db_blocker):
    """The generated package `gis_client`, importable."""
    root = tmp_path_factory.mktemp("client")
    with django_db_blocker.unblock():
        schema = SchemaGenerator().get_schema(request=None, public=True)
    (root / "schema.json").write_bytes(OpenApiJsonRenderer().render(schema))
    (root / "config.yaml").write_text(CONFIG)
    tool = Path(sys.executable).with_name("openapi-python-client")
    subprocess.run([str(tool), "generate", "--path", str(root / "schema.json"), "--output-path",
                    str(root / "gis_client"), "--meta", "none", "--config", str(root / "config.yaml")],
                   check=True, capture_output=True, timeout=300)
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module("gis_client")
    finally:
        sys.path.remove(str(root))


def operation(package, tag: str, operation_id: str):
    return importlib.import_module(f"{package.__name__}.api.{tag}.{operation_id}")


def api_client(package, live_server, user):
    key = auth_header(user)["HTTP_AUTHORIZATION"].split()[1]
    return package.AuthenticatedClient(base_url=live_server.url, token=key, prefix="Token")


@pytest.mark.django_db(transaction=True)
def test_a_generated_client_routes_reports_and_steps(gis_client, live_server, world):
    models = importlib.import_module("gis_client.models")
    point = world.point(0)
    grid = api_client(gis_client, live_server, world.users["grid"])

    routed = operation(gis_client, "route", "route_retrieve").sync_detailed(
        client=grid, lon=point.lon, lat=point.lat, item="I001")
    assert routed.status_code == 200, routed.content
    assert isinstance(routed.parsed, models.RouteAnswer)
    assert (routed.parsed.mode, routed.parsed.team.code) == ("township", world.t.teams[world.t.townships[0].code].code)

    reported = operation(gis_client, "cases", "cases_create").sync_detailed(
        client=grid, body=models.CaseIntakeRequest(item="I001", lon=point.lon, lat=point.lat,
                                                   description="摊位占道"))
    assert reported.status_code == 201, reported.content
    case = json.loads(reported.content)
    assert case["properties"]["state"] == "assigned"

    team = api_client(gis_client, live_server, world.users["team1"])
    stepped = operation(gis_client, "cases", "cases_step").sync_detailed(
        str(case["id"]), models.CasesStepStep("accept"), client=team,
        body=models.StepBodyRequest(version=case["properties"]["version"], note="收到"))
    assert stepped.status_code == 200, stepped.content
    assert json.loads(stepped.content)["properties"]["state"] == "accepted"


@pytest.mark.django_db(transaction=True)
def test_a_generated_client_checks_a_footprint(gis_client, live_server, world):
    models = importlib.import_module("gis_client.models")
    point = world.point(0)
    ring = [[point.lon - 0.002, point.lat - 0.002], [point.lon + 0.002, point.lat - 0.002],
            [point.lon + 0.002, point.lat + 0.002], [point.lon - 0.002, point.lat + 0.002],
            [point.lon - 0.002, point.lat - 0.002]]
    body = models.FootprintBodyRequest(
        geometry=models.AreaGeometryRequest(type_=models.AreaGeometryTypeEnum("Polygon"), coordinates=[ring]),
        item="I001")
    checked = operation(gis_client, "footprint", "footprint_create").sync_detailed(
        client=api_client(gis_client, live_server, world.users["grid"]), body=body)
    assert checked.status_code == 200, checked.content
    answer = checked.parsed
    assert isinstance(answer, models.FootprintAnswer)
    assert [t.code for t in answer.townships] == [world.t.townships[0].code]
    assert answer.decision.acting_township.code == world.t.townships[0].code
    assert answer.decision.team.code == world.t.teams[world.t.townships[0].code].code


@pytest.mark.django_db(transaction=True)
def test_a_generated_client_reads_the_one_error_shape(gis_client, live_server, world):
    models = importlib.import_module("gis_client.models")
    grid = api_client(gis_client, live_server, world.users["grid"])
    refused = operation(gis_client, "route", "route_retrieve").sync_detailed(
        client=grid, lon=999.0, lat=30.0, item="I001")
    assert refused.status_code == 400
    assert isinstance(refused.parsed, models.Error) and refused.parsed.parameter == "lon"


def test_every_generated_operation_module_imports(gis_client):
    root = Path(gis_client.__file__).parent / "api"
    modules = sorted(p.relative_to(root.parent).with_suffix("").parts for p in root.glob("*/*.py")
                     if p.name != "__init__.py")
    for parts in modules:
        importlib.import_module("gis_client." + ".".join(parts))
    assert len(modules) >= 40
