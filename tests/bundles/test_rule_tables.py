"""The county's rule tables in a bundle: deadlines and its own calendar (and severity rows),
loaded with the territory, checked like every table, refused whole on any mistake."""
from datetime import date

import pytest

from gis_app.bundles.importer import import_bundle
from gis_app.bundles.problems import BundleRejected
from gis_app.enforcement.models import CalendarDay, DeadlineRule, SeverityRule
from tests.bundle_writer import lattice, tables, write_bundle

pytestmark = pytest.mark.django_db

DEADLINES = [
    {"item_code": "I001", "domain": "", "action_type": "", "whistle_kind": "", "severity": "",
     "limit": "8", "unit": "working_hours"},
    {"item_code": "", "domain": "生态环境", "action_type": "", "whistle_kind": "", "severity": "high",
     "limit": "1", "unit": "working_days"},
    {"item_code": "", "domain": "", "action_type": "", "whistle_kind": "tough", "severity": "",
     "limit": "72", "unit": "calendar_hours"},
]
CALENDAR = [{"date": "2025-10-11", "workday": "否", "name": "县庆调整"},
            {"date": "2025-03-15", "workday": "yes", "name": "补班"}]
SEVERITY = [{"kind": "water_source", "zone": "", "domain": "", "severity": "high"},
            {"kind": "", "zone": "experimental", "domain": "生态环境", "severity": "elevated"}]


def bundle(tmp_path, **extra):
    layers = lattice()
    rows = {**tables(layers), "deadlines": DEADLINES, "calendar": CALENDAR, "severity": SEVERITY}
    rows.update(extra)
    return write_bundle(tmp_path / "b", layers=layers, table_rows=rows)


def refusal(folder) -> list[str]:
    with pytest.raises(BundleRejected) as caught:
        import_bundle(folder)
    return [str(p) for p in caught.value.report.problems]


def test_rule_tables_load_with_the_county(tmp_path):
    result = import_bundle(bundle(tmp_path))
    assert (result.counts["deadlines"], result.counts["calendar"], result.counts["severity"]) == (3, 2, 2)
    assert list(DeadlineRule.objects.values_list("row", "item_code", "severity", "limit", "unit")) == [
        (2, "I001", "", 8.0, "working_hours"), (3, "", "high", 1.0, "working_days"),
        (4, "", "", 72.0, "calendar_hours")]
    assert dict(CalendarDay.objects.values_list("day", "workday")) == {date(2025, 10, 11): False,
                                                                      date(2025, 3, 15): True}
    assert list(SeverityRule.objects.values_list("row", "kind", "zone", "severity")) == [
        (2, "water_source", "", "high"), (3, "", "experimental", "elevated")]


def test_a_replace_without_the_tables_brings_back_the_defaults(tmp_path):
    import_bundle(bundle(tmp_path))
    layers = lattice()
    import_bundle(write_bundle(tmp_path / "c", layers=layers, table_rows=tables(layers)), replace=True)
    assert (DeadlineRule.objects.count(), CalendarDay.objects.count(), SeverityRule.objects.count()) == (0, 0, 0)


def test_every_mistake_in_the_deadlines_table_is_named(tmp_path):
    bad = [
        {**DEADLINES[0], "item_code": "I999"},
        {**DEADLINES[1], "unit": "weeks"},
        {**DEADLINES[2], "limit": "soon"},
        {**DEADLINES[2], "whistle_kind": "tough"},  # the same key as the row before... and row 4
    ]
    problems = refusal(bundle(tmp_path, deadlines=bad))
    assert any("row 2" in p and "item_code" in p and "I999" in p for p in problems)
    assert any("row 3" in p and "unit" in p and "weeks" in p for p in problems)
    assert any("row 4" in p and "limit" in p for p in problems)
    assert any("row 5" in p and "the same key as row 4" in p for p in problems)
    assert DeadlineRule.objects.count() == 0


def test_a_calendar_mistake_refuses_the_whole_bundle(tmp_path):
    problems = refusal(bundle(tmp_path, calendar=[{"date": "2025-13-01", "workday": "maybe", "name": ""}]))
    assert any("date" in p and "2025-13-01" in p for p in problems)
    assert any("workday" in p and "maybe" in p for p in problems)
    assert CalendarDay.objects.count() == 0


def test_a_severity_row_with_an_unknown_value_is_refused(tmp_path):
    problems = refusal(bundle(tmp_path, severity=[{"kind": "park", "zone": "core", "domain": "", "severity": "grave"}]))
    assert any("kind" in p and "park" in p for p in problems)
    assert any("severity" in p and "grave" in p for p in problems)
