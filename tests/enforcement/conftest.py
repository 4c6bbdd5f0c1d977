import pytest

from tests.enforcement.helpers import NOW


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Test users need a password hash, not a slow one (PBKDF2 costs ~0.7 s per user here)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def now():
    """The router's clock in these tests."""
    return NOW
