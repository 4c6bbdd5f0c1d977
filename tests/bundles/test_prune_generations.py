"""`python manage.py prune_generations`: old generations leave the archive only when asked;
never the current one, never one a case records unless told; it prints what it removes."""
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from shapely.geometry import box

from boundaries.models import ArchivedUnit, County, TerritoryGeneration
from gis_app.bundles.importer import import_bundle
from gis_app.enforcement.models import RuleVersion
from gis_app.enforcement.routing import PointQuery
from gis_app.incidents import reporting
from tests.bundle_writer import lattice, tables, write_bundle
from tests.users import make_user

pytestmark = pytest.mark.django_db


def layers_with_border(x):
    layers = lattice()
    layers["townships"][0]["geometry"] = box(118.0, 31.0, x, 31.04)
    layers["townships"][1]["geometry"] = box(x, 31.0, 118.08, 31.04)
    return layers


@pytest.fixture
def three_generations(tmp_path):
    """Generations 1, 2, 3 (township 1 and 2 change each time), imported 30, 20 and 10 days ago."""
    import_bundle(write_bundle(tmp_path / "v1"))
    for n, x in ((2, 118.036), (3, 118.032)):
        layers = layers_with_border(x)
        import_bundle(write_bundle(tmp_path / f"v{n}", layers=layers, table_rows=tables(layers)), replace=True)
    for n, days in ((1, 30), (2, 20), (3, 10)):
        TerritoryGeneration.objects.filter(number=n).update(imported_at=timezone.now() - timedelta(days=days))
    return County.objects.get(code="990201")


def run(*args):
    out = StringIO()
    call_command("prune_generations", "--county", "990201", *args, stdout=out)
    return out.getvalue()


def township_versions():
    return sorted(ArchivedUnit.objects.filter(code="990201001").values_list("generation_low", "generation_high"))


def test_keep_prunes_all_but_the_newest_and_prints_what_it_removed(three_generations):
    out = run("--keep", "1")
    assert "pruned generations 1, 2: 4 archived units" in out
    assert township_versions() == [(3, 3)]
    assert list(TerritoryGeneration.objects.filter(pruned_at__isnull=False)
                .values_list("number", flat=True)) == [1, 2]


def test_units_spanning_a_kept_generation_stay(three_generations):
    run("--keep", "1")
    assert ArchivedUnit.objects.filter(code="990201003", generation_low=1, generation_high=3).exists()


def test_dry_run_prints_and_removes_nothing(three_generations):
    before = ArchivedUnit.objects.count()
    out = run("--keep", "1", "--dry-run")
    assert "would prune generations 1, 2" in out
    assert ArchivedUnit.objects.count() == before
    assert not TerritoryGeneration.objects.filter(pruned_at__isnull=False).exists()


def test_before_prunes_the_generations_no_longer_in_force_that_day(three_generations):
    out = run("--before", (timezone.localdate() - timedelta(days=15)).isoformat())
    assert "pruned generations 1:" in out
    assert township_versions() == [(2, 2), (3, 3)]


def test_a_generation_a_case_records_is_kept_unless_told(three_generations):
    TerritoryGeneration.objects.filter(number__lt=3).update(imported_at=timezone.now() - timedelta(days=40))
    user = make_user("cmd", "command_centre", three_generations)
    reporting.case_report(user=user, query=PointQuery(lon=118.035, lat=31.01), item_code="I001",
                         description="占道")      # records generation 3: move it to 2
    from gis_app.incidents.models import Case
    Case.objects.update(territory_generation=2)
    out = run("--keep", "1")
    assert "pruned generations 1:" in out and "kept generations 2: cases record them" in out
    assert township_versions() == [(2, 2), (3, 3)]
    out = run("--keep", "1", "--include-referenced")
    assert "pruned generations 2:" in out
    assert township_versions() == [(3, 3)]


def test_the_county_outline_and_the_current_rule_version_stay(three_generations):
    run("--keep", "1")
    assert ArchivedUnit.objects.filter(level="county").count() == 1
    assert RuleVersion.objects.get(number=1).tables is not None    # current (rules never changed)


def test_an_unknown_county_is_refused_by_name(db):
    with pytest.raises(CommandError, match="--county: no county '990201'"):
        run("--keep", "1")


def test_keep_zero_is_refused(three_generations):
    with pytest.raises(CommandError, match="--keep: at least 1"):
        run("--keep", "0")
