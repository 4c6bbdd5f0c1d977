from boundaries.models import Grid, Township


def test_generated_territory_has_the_expected_units(territory):
    assert Township.objects.filter(county=territory.county).count() == 4
    assert Grid.objects.filter(county=territory.county).count() == 64
    assert all(len(g.code) == 15 for g in territory.grids)
