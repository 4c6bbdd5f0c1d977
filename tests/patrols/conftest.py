import pytest


@pytest.fixture
def territory(db):
    """The generated 2x2-township county (990101 at 120E 30N, 64 grids of 0.01 degree)."""
    from tests.territory import make_territory

    return make_territory()
