import pytest

from boundaries.branches import refresh_grid_branches
from tests.enforcement.helpers import NOW


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Test users need a password hash, not a slow one (PBKDF2 costs ~0.7 s per user here)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def now():
    """The router's clock in these tests."""
    return NOW


@pytest.fixture
def territory(db):
    """The generated 2x2-township county, with its grid branches built as the bundle importer
    builds them: points inside a grid are answered from its branch, the others walk the levels."""
    from tests.territory import make_territory

    t = make_territory()
    refresh_grid_branches(t.county)
    return t
