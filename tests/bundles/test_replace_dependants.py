"""A --replace never cuts loose what hangs on the old territory: open cases, tracks, members."""
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from boundaries.models import County, Township
from gis_app.bundles.importer import import_bundle
from gis_app.bundles.problems import BundleRejected
from gis_app.enforcement.models import Team
from gis_app.enforcement.routing import PointQuery
from gis_app.incidents import reporting
from gis_app.incidents.audit import verify_case
from gis_app.incidents.models import Case
from gis_app.patrols.models import Track
from tests.bundle_writer import lattice, tables, write_bundle
from tests.users import make_user

pytestmark = pytest.mark.django_db
DROPPED = "990201004"


@pytest.fixture
def loaded(tmp_path):
    import_bundle(write_bundle(tmp_path / "first"))
    return County.objects.get(code="990201")


def open_case_in(county, township_code):
    user = make_user("command", "command_centre", county)
    centre = Township.objects.get(code=township_code).geom.point_on_surface
    return reporting.case_report(user=user, query=PointQuery(lon=centre.x, lat=centre.y),
                                item_code="I001", description="占道经营")


def without_township(folder, code=DROPPED, keep_team=False):
    layers = lattice()
    for name in ("townships", "villages", "grids"):
        layers[name] = [f for f in layers[name] if not f["code"].startswith(code)]
    rows = tables(layers)
    if keep_team:
        rows["teams"].append({"code": f"T{code}", "name": "留用执法队", "kind": "department",
                              "township_code": "", "department_code": "ZHZF", "lon": "", "lat": ""})
    return write_bundle(folder, layers=layers, table_rows=rows)


def test_replace_dropping_a_township_with_open_cases_is_refused_naming_them(loaded, tmp_path):
    case = open_case_in(loaded, DROPPED)
    with pytest.raises(BundleRejected) as caught:
        import_bundle(without_township(tmp_path / "b"), replace=True)
    text = str(caught.value)
    assert case.number in text and "--reassign" in text
    assert Township.objects.filter(code=DROPPED).exists()
    assert Case.objects.get(pk=case.pk).township.code == DROPPED


def test_reassign_reroutes_each_orphaned_open_case_with_an_audit_event(loaded, tmp_path):
    case = open_case_in(loaded, DROPPED)
    result = import_bundle(without_township(tmp_path / "b"), replace=True, reassign=True)
    assert result.rerouted == [case.number]
    case = Case.objects.get(pk=case.pk)
    assert case.township is None and case.team.code == "THYZF"   # now on no township's land
    last = case.events.order_by("-seq").first()
    assert (last.kind, last.actor_role) == ("reroute", "importer")
    assert last.changes["before"]["team"] == f"T{DROPPED}"
    assert verify_case(case) == []


def test_replace_without_a_teams_table_is_a_named_problem_not_a_traceback(loaded, tmp_path):
    case = open_case_in(loaded, "990201001")
    rows = tables(lattice())
    del rows["teams"]
    with pytest.raises(BundleRejected) as caught:
        import_bundle(write_bundle(tmp_path / "b", table_rows=rows), replace=True)
    assert case.number in str(caught.value)


def test_replace_dropping_a_team_with_tracks_is_refused_even_with_reassign(loaded, tmp_path):
    team = Team.objects.get(code=f"T{DROPPED}")
    from django.utils import timezone
    track = Track.objects.create(team=team, filename="walk.gpx", source_format="gpx",
                                 crs="EPSG:4326", started_at=timezone.now(), ended_at=timezone.now(),
                                 fixes_received=0, fixes_kept=0, fixes_dropped=0)
    with pytest.raises(BundleRejected) as caught:
        import_bundle(without_township(tmp_path / "b"), replace=True, reassign=True)
    assert f"track {track.pk}" in str(caught.value)
    assert Track.objects.filter(pk=track.pk).exists()


def test_replace_dropping_a_members_grid_is_refused_naming_the_member(loaded, tmp_path):
    from boundaries.models import Grid
    make_user("wgy", "grid_member", loaded, grids=Grid.objects.filter(code__startswith=DROPPED)[:1])
    with pytest.raises(BundleRejected, match="wgy"):
        import_bundle(without_township(tmp_path / "b", keep_team=True), replace=True)


def test_command_takes_reassign(loaded, tmp_path, capsys):
    case = open_case_in(loaded, DROPPED)
    folder = without_township(tmp_path / "b")
    with pytest.raises(CommandError, match=case.number):
        call_command("import_bundle", str(folder), "--replace")
    call_command("import_bundle", str(folder), "--replace", "--reassign")
    assert case.number in capsys.readouterr().out
