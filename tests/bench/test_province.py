"""The province bench's copies (bench/province.py): a county copied in SQL is a county like
its template, elsewhere, under its own code and ids."""
import pytest

from bench.province import DX, ID_STEP, clone, county_code
from boundaries.models import County, Grid, Township
from gis_app.enforcement.models import Authority, CatalogItem
from tests.territory import make_territory

pytestmark = pytest.mark.django_db


@pytest.fixture
def copied():
    template = make_territory(code="990960").county
    clone(template, 1, fast=False)     # the test's own transaction: Django's connection
    return template, County.objects.get(code=county_code("990960", 1))


def test_the_copy_has_every_grid_township_and_rule_row_of_its_template(copied):
    template, copy = copied
    assert Grid.objects.filter(county=copy).count() == Grid.objects.filter(county=template).count() > 0
    assert Township.objects.filter(county=copy).count() == Township.objects.filter(county=template).count()
    assert CatalogItem.objects.filter(county=copy).count() == CatalogItem.objects.filter(county=template).count()
    assert (Authority.objects.filter(township__county=copy).count()
            == Authority.objects.filter(township__county=template).count())


def test_the_copy_lies_beside_its_template_under_its_own_codes_and_ids(copied):
    template, copy = copied
    original = Grid.objects.filter(county=template).order_by("id").first()
    moved = Grid.objects.get(pk=original.pk + ID_STEP)
    assert moved.county_id == copy.pk and moved.township_id == original.township_id + ID_STEP
    assert moved.code == copy.code + original.code[len(template.code):]
    assert moved.geom.centroid.x == pytest.approx(original.geom.centroid.x + DX)
    assert not copy.geom.intersects(template.geom)
