"""Generations and replay: every import is a territory generation, a change of the rules a new
rule version; a case records both, and its replay after a `--replace` that moved a border
tells the decision as made and as it would be made today."""
import pytest
from shapely.geometry import box

from gis_app.bundles.importer import import_bundle
from gis_app.enforcement.routing import PointQuery
from gis_app.incidents import services
from tests.bundle_writer import lattice, tables, write_bundle
from tests.users import auth_header, make_user

pytestmark = pytest.mark.django_db
POINT = PointQuery(lon=118.035, lat=31.01)  # township 1 (118.00-118.04), 5 km from township 2


def moved_border(layers, x):
    """The border of townships 1 and 2 (x = 118.04) moved to `x`."""
    t1, t2 = layers["townships"][0], layers["townships"][1]
    t1["geometry"] = box(118.0, 31.0, x, 31.04)
    t2["geometry"] = box(x, 31.0, 118.08, 31.04)
    return layers


@pytest.fixture
def county(tmp_path):
    import_bundle(write_bundle(tmp_path / "v1"))
    from boundaries.models import County
    return County.objects.get(code="990201")


def reported(county):
    user = make_user("cmd", "command_centre", county)
    return user, services.case_report(user=user, query=POINT, item_code="I001", description="占道")


def test_each_import_is_a_generation_and_the_rules_a_version(county, tmp_path):
    layers = lattice()
    again = import_bundle(write_bundle(tmp_path / "v2", layers=layers, table_rows=tables(layers)), replace=True)
    assert (again.generation, again.rule_version) == (2, 1)  # same rules: same version
    rows = tables(layers)
    rows["catalogue"][0]["whistle_kind"] = "tough"
    changed = import_bundle(write_bundle(tmp_path / "v3", layers=layers, table_rows=rows), replace=True)
    assert (changed.generation, changed.rule_version) == (3, 2)


def test_a_case_records_the_generation_and_rule_version_that_decided(county):
    _, case = reported(county)
    assert (case.territory_generation, case.rule_version) == (1, 1)


def test_replay_after_a_replace_that_moved_the_border(county, tmp_path, client):
    user, case = reported(county)
    assert case.township.code == "990201001"
    layers = moved_border(lattice(), 118.032)
    import_bundle(write_bundle(tmp_path / "v2", layers=layers, table_rows=tables(layers)), replace=True)
    body = client.get(f"/api/cases/{case.pk}/replay/", **auth_header(user)).json()
    assert (body["as_made"]["territory_generation"], body["today"]["territory_generation"]) == (1, 2)
    assert body["as_made"]["answer"]["township"]["code"] == "990201001"
    assert body["today"]["answer"]["township"]["code"] == "990201002"
    township = next(d for d in body["differences"] if d["field"] == "township")
    assert (township["then"]["code"], township["today"]["code"]) == ("990201001", "990201002")
    assert body["same"] is False


def test_replay_of_an_unchanged_case_says_the_same(county, client):
    user, case = reported(county)
    body = client.get(f"/api/cases/{case.pk}/replay/", **auth_header(user)).json()
    assert (body["same"], body["differences"]) == (True, [])


def test_replay_is_only_for_those_who_see_the_case(county, client):
    _, case = reported(county)
    other = make_user("grid-x", "grid_member", county)
    assert client.get(f"/api/cases/{case.pk}/replay/", **auth_header(other)).status_code == 404
