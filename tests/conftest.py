import pytest


@pytest.fixture
def territory(db):
    """A 2x2-township generated county with a sea strip, departments, teams and items."""
    from tests.territory import make_territory

    return make_territory()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Test users need passwords, not the cost of PBKDF2 (a third of a second each)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def media_server():
    """A local HTTP server for Open311 media_url tests; `.serve(path, body)` returns its URL."""
    from tests.media_server import MediaServer

    server = MediaServer()
    yield server
    server.close()
