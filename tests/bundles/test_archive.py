"""The archive of generations (gis_app/bundles/archive.py): every import and every `--replace`
writes it; an unchanged unit spans generations (MapIt's generation_low/high) instead of being
copied, a changed one gets a new row; the organisation is kept per generation and the rule
tables per rule version."""
import pytest
from shapely.geometry import box

from boundaries.models import ArchivedUnit, ArchivedZone, TerritoryGeneration
from gis_app.bundles.importer import import_bundle
from gis_app.enforcement.models import RuleVersion
from tests.bundle_writer import lattice, tables, write_bundle

pytestmark = pytest.mark.django_db


def moved_border(layers, x):
    t1, t2 = layers["townships"][0], layers["townships"][1]
    t1["geometry"] = box(118.0, 31.0, x, 31.04)
    t2["geometry"] = box(x, 31.0, 118.08, 31.04)
    return layers


def reimport(tmp_path, name, layers, rows=None):
    return import_bundle(write_bundle(tmp_path / name, layers=layers, table_rows=rows or tables(layers)),
                         replace=True)


def versions(level, code):
    return list(ArchivedUnit.objects.filter(level=level, code=code)
                .values_list("generation_low", "generation_high").order_by("generation_low"))


def test_the_first_import_archives_every_unit_and_zone_as_generation_1(tmp_path):
    import_bundle(write_bundle(tmp_path / "v1"))
    counts = {level: ArchivedUnit.objects.filter(level=level, generation_low=1, generation_high=1).count()
              for level in ("county", "township", "village", "grid")}
    assert counts == {"county": 1, "township": 4, "village": 16, "grid": 64}
    assert ArchivedZone.objects.filter(generation_low=1, generation_high=1).count() == 2


def test_a_replace_with_the_same_bundle_extends_every_row_instead_of_copying(tmp_path):
    import_bundle(write_bundle(tmp_path / "v1"))
    reimport(tmp_path, "v2", lattice())
    assert ArchivedUnit.objects.count() == 85
    assert set(ArchivedUnit.objects.values_list("generation_low", "generation_high")) == {(1, 2)}
    assert set(ArchivedZone.objects.values_list("generation_low", "generation_high")) == {(1, 2)}


def test_a_replace_that_moves_a_border_adds_rows_only_for_the_changed_units(tmp_path):
    import_bundle(write_bundle(tmp_path / "v1"))
    reimport(tmp_path, "v2", moved_border(lattice(), 118.032))
    assert versions("township", "990201001") == [(1, 1), (2, 2)]
    assert versions("township", "990201002") == [(1, 1), (2, 2)]
    assert versions("township", "990201003") == [(1, 2)]
    assert versions("grid", "990201001001001") == [(1, 2)]


def test_a_unit_the_new_bundle_drops_stays_in_the_archive_of_its_generations(tmp_path):
    import_bundle(write_bundle(tmp_path / "v1"))
    layers = lattice()
    layers["grids"] = [g for g in layers["grids"] if g["code"] != "990201001001001"]
    reimport(tmp_path, "v2", layers)
    assert versions("grid", "990201001001001") == [(1, 1)]
    assert versions("grid", "990201001001002") == [(1, 2)]


def test_each_generation_keeps_its_organisation(tmp_path):
    import_bundle(write_bundle(tmp_path / "v1"))
    layers = lattice()
    rows = tables(layers)
    rows["teams"][0]["name"] = "改名后的执法队"
    reimport(tmp_path, "v2", layers, rows)
    first, second = TerritoryGeneration.objects.order_by("number")
    code = rows["teams"][0]["code"]
    names = [next(t[1] for t in g.organisation["teams"] if t[0] == code) for g in (first, second)]
    assert names[1] == "改名后的执法队" and names[0] != names[1]


def test_each_rule_version_keeps_its_tables(tmp_path):
    import_bundle(write_bundle(tmp_path / "v1"))
    layers = lattice()
    rows = tables(layers)
    rows["catalogue"][0]["whistle_kind"] = "tough"
    assert reimport(tmp_path, "v2", layers, rows).rule_version == 2
    v1, v2 = RuleVersion.objects.order_by("number")
    whistle = [next(i[4] for i in v.tables["catalogue"] if i[0] == "I001") for v in (v1, v2)]
    assert whistle == ["quick", "tough"]


def test_a_rolled_back_dry_run_archives_nothing(tmp_path):
    import_bundle(write_bundle(tmp_path / "v1"))
    import_bundle(write_bundle(tmp_path / "v2", layers=moved_border(lattice(), 118.032),
                               table_rows=tables(lattice())), replace=True, dry_run=True)
    assert set(ArchivedUnit.objects.values_list("generation_high", flat=True)) == {1}
    assert TerritoryGeneration.objects.count() == 1
