import pytest


@pytest.fixture
def territory(db):
    """A 2x2-township generated county with a sea strip, departments, teams and items."""
    from tests.territory import make_territory

    return make_territory()
