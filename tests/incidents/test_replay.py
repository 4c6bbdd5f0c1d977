"""Generations and replay: every import is a territory generation, a change of the rules a new
rule version; a case records both, and its replay re-runs the router in the case's own
generation and rule version (from the archive, not the answer recorded on the case) and
today's, and tells what differs."""
import pytest
from shapely.geometry import box

from gis_app.bundles.importer import import_bundle
from gis_app.bundles.pruning import plan_pruning, prune
from gis_app.enforcement.routing import PointQuery
from gis_app.incidents import reporting
from gis_app.incidents.models import Case
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
    return user, reporting.case_report(user=user, query=POINT, item_code="I001", description="占道")


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


def test_replay_reruns_the_old_generation_from_the_archive_not_the_record(county, tmp_path, client):
    user, case = reported(county)
    layers = moved_border(lattice(), 118.032)
    import_bundle(write_bundle(tmp_path / "v2", layers=layers, table_rows=tables(layers)), replace=True)
    # The record says nothing useful any more: the re-run must come from the archive.
    Case.objects.filter(pk=case.pk).update(routing={"township": {"code": "forged"}})
    body = client.get(f"/api/cases/{case.pk}/replay/", **auth_header(user)).json()
    assert body["as_made"]["source"] == "archive"
    assert body["as_made"]["answer"]["township"]["code"] == "990201001"
    assert body["as_made"]["answer"]["team"]["code"] == "T990201001"
    assert body["today"]["answer"]["township"]["code"] == "990201002"
    township = next(d for d in body["differences"] if d["field"] == "township")
    assert (township["then"]["code"], township["today"]["code"]) == ("990201001", "990201002")


def test_replay_says_where_the_record_and_the_rerun_disagree(county, tmp_path, client):
    user, case = reported(county)
    Case.objects.filter(pk=case.pk).update(routing={**case.routing, "mode": "whistle"})
    body = client.get(f"/api/cases/{case.pk}/replay/", **auth_header(user)).json()
    assert body["as_made"]["recorded_differences"] == [
        {"field": "mode", "then": "whistle", "today": case.routing["mode"]}]


def test_replay_reruns_with_the_cases_rule_version(county, tmp_path, client):
    user, case = reported(county)
    layers = lattice()
    rows = tables(layers)
    for row in rows["authority"]:
        if row["township_code"] == "990201001" and row["item_code"] == "I001":
            row["authority"], row["entrusting_department_code"] = "none", ""
    assert import_bundle(write_bundle(tmp_path / "v2", layers=layers, table_rows=rows),
                         replace=True).rule_version == 2
    body = client.get(f"/api/cases/{case.pk}/replay/", **auth_header(user)).json()
    assert (body["as_made"]["rule_version"], body["today"]["rule_version"]) == (1, 2)
    assert body["as_made"]["answer"]["mode"] == case.routing["mode"] != "whistle"
    assert body["today"]["answer"]["mode"] == "whistle"
    assert {"field": "mode", "then": case.routing["mode"], "today": "whistle"} in body["differences"]


def test_replay_of_a_pruned_generation_compares_the_record_and_says_so(county, tmp_path, client):
    user, case = reported(county)
    import_bundle(write_bundle(tmp_path / "v2", layers=lattice(), table_rows=tables(lattice())), replace=True)
    plan = plan_pruning(county, keep=1, include_referenced=True)
    assert plan.generations == [1]
    prune(plan)
    body = client.get(f"/api/cases/{case.pk}/replay/", **auth_header(user)).json()
    assert body["as_made"]["source"] == "record"
    assert body["as_made"]["refused"]["error"] == "not_archived"
    assert body["as_made"]["answer"] == case.routing
    assert body["same"] is True


def test_the_replay_answer_has_the_shape_openapi_gives_it(county, tmp_path, client):
    from gis_app.api.schemas import ReplayAnswer

    user, case = reported(county)
    layers = moved_border(lattice(), 118.032)
    import_bundle(write_bundle(tmp_path / "v2", layers=layers, table_rows=tables(layers)), replace=True)
    body = client.get(f"/api/cases/{case.pk}/replay/", **auth_header(user)).json()
    typed = ReplayAnswer(data=body)
    assert typed.is_valid(), typed.errors
    assert set(body) == set(ReplayAnswer().fields)
    assert set(body["as_made"]) == set(ReplayAnswer().fields["as_made"].fields)
    schema = client.get("/api/schema/", {"format": "json"}).json()
    replay = schema["paths"]["/api/cases/{id}/replay/"]["get"]["responses"]["200"]
    assert replay["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ReplayAnswer"}
