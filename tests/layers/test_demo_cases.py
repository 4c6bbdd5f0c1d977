"""`manage.py demo_cases`: real intake at random grids of each county with a command centre."""
import pytest
from django.core.management import call_command

from gis_app.incidents.models import Case

pytestmark = pytest.mark.django_db


def test_demo_cases_are_reported_in_each_county_some_overdue(world):
    before = {c: Case.objects.filter(county=c).count() for c in (world.t.county, world.other.county)}
    call_command("demo_cases", count=6)
    for county, n in before.items():
        cases = Case.objects.filter(county=county)
        assert cases.count() == n + 6
        assert cases.filter(description="演示案件（demo_cases）", grid__isnull=False).count() == 6
    assert Case.objects.filter(description="演示案件（demo_cases）", escalated_at__isnull=False).exists()
